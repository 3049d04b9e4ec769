"""Qualified names: every import path of the same thing becomes one canonical name.

``tf.keras.applications.resnet50.preprocess_input``, ``tensorflow.keras...``,
``tf_keras...`` and ``keras.src...`` all name the same function; the effect
table is keyed by the canonical spelling only.
"""
from __future__ import annotations

import re
from functools import lru_cache

# Longest first: the first matching prefix wins.
_PREFIXES = (
    ("tensorflow.compat.v2.keras.", "keras."),
    ("tensorflow.compat.v1.keras.", "keras."),
    ("tensorflow.python.keras.", "keras."),
    ("tensorflow.keras.", "keras."),
    ("tensorflow._api.v2.keras.", "keras."),
    ("tf_keras.src.", "keras."),
    ("tf_keras.", "keras."),
    ("keras.src.", "keras."),
    ("keras.api.", "keras."),
    ("keras._tf_keras.keras.", "keras."),
    ("tensorflow.compat.v1.", "tensorflow."),
    ("tensorflow.compat.v2.", "tensorflow."),
)

# Modules re-exported under several paths: spell them one way.
_SYNONYMS = (
    (re.compile(r"^keras\.preprocessing\.image\.(load_img|img_to_array|array_to_img|ImageDataGenerator|smart_resize)$"),
     r"keras.preprocessing.image.\1"),
    (re.compile(r"^keras\.utils\.(?:image_utils\.)?(load_img|img_to_array|array_to_img)$"),
     r"keras.preprocessing.image.\1"),
    (re.compile(r"^keras\.(?:utils|preprocessing|preprocessing\.image_dataset)\.(image_dataset_from_directory)$"),
     r"keras.utils.\1"),
    (re.compile(r"^keras\.layers\.experimental\.preprocessing\.(\w+)$"), r"keras.layers.\1"),
    (re.compile(r"^keras\.layers\.(?:[a-z_]+\.)+([A-Z]\w*)$"), r"keras.layers.\1"),
    (re.compile(r"^keras\.(?:models\.|engine\.(?:training\.|functional\.|sequential\.)?)?(Model|Sequential)$"),
     r"keras.models.\1"),
    (re.compile(r"^keras\.(?:saving\.|models\.)?(load_model)$"), r"keras.models.\1"),
    (re.compile(r"^keras\.(?:layers\.|engine\.(?:input_layer\.)?)?(Input)$"), r"keras.layers.\1"),
    (re.compile(r"^tensorflow\.data\.experimental\.(\w+)$"), r"tensorflow.data.\1"),
    (re.compile(r"^keras\.applications\.resnet50\.(ResNet50)$"), r"keras.applications.\1"),
)


@lru_cache(maxsize=4096)  # a few hundred names, asked for at every call of a library
def canonical(qualname: str) -> str:
    for old, new in _PREFIXES:
        if qualname.startswith(old):
            qualname = new + qualname[len(old):]
            break
    if qualname in ("tensorflow.keras", "tf_keras"):
        qualname = "keras"
    for pattern, repl in _SYNONYMS:
        if pattern.match(qualname):
            return pattern.sub(repl, qualname)
    return qualname
