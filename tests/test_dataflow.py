"""The analysis follows values through assignments, aliases, helpers, branches, loops and pipelines.

Each case is real code; the expected codes are exactly what cnnlint must report.
"""
from __future__ import annotations

import pytest

LOAD = """
import numpy as np
from tensorflow.keras.utils import img_to_array, load_img
"""

CASES = {
    # -- CNN101 ------------------------------------------------------------------------------
    "101-import-alias": ({"CNN101"}, LOAD + """
import tensorflow.keras.applications as apps
net = apps.VGG19()
x = np.expand_dims(img_to_array(load_img("a.jpg", target_size=(224, 224))), 0)
net.predict(x)
"""),
    "101-through-helper": ({"CNN101"}, LOAD + """
from keras.applications.resnet import ResNet101
def read(path, size=(224, 224)):
    arr = img_to_array(load_img(path, target_size=size))
    return arr[None]
ResNet101(weights="imagenet").predict(read("x.jpg"))
"""),
    "101-both-branches-raw": ({"CNN101"}, LOAD + """
from tensorflow.keras.applications import DenseNet201
import sys
model = DenseNet201()
if sys.argv[1] == "big":
    x = img_to_array(load_img(sys.argv[2], target_size=(224, 224)))
else:
    x = img_to_array(load_img("default.jpg", target_size=(224, 224)))
model(np.expand_dims(x, 0))
"""),
    "101-tf-keras-attribute-path": ({"CNN101"}, """
import tensorflow as tf
model = tf.keras.applications.mobilenet_v2.MobileNetV2(weights="imagenet")
ds = tf.keras.utils.image_dataset_from_directory("data", image_size=(224, 224))
model.evaluate(ds)
"""),
    "101-opencv-rgb-no-preprocess": ({"CNN101"}, """
import cv2
import numpy as np
from keras.applications import Xception
model = Xception()
img = cv2.cvtColor(cv2.imread("x.png"), cv2.COLOR_BGR2RGB)
img = cv2.resize(img, (299, 299))
model.predict(img[np.newaxis].astype("float32"))
"""),
    "clean-one-branch-preprocessed": (set(), LOAD + """
from keras.applications.vgg16 import VGG16, preprocess_input
import sys
model = VGG16()
x = np.expand_dims(img_to_array(load_img("a.jpg", target_size=(224, 224))), 0)
if sys.argv[1:]:
    x = preprocess_input(x)
model.predict(x)
"""),
    "clean-weights-none": (set(), LOAD + """
from keras.applications import ResNet50
model = ResNet50(weights=None, classes=3)
x = img_to_array(load_img("a.jpg"))
model.fit(x / 255.0, np.zeros(1))
"""),
    "clean-loaded-model": (set(), LOAD + """
from tensorflow.keras.models import load_model
model = load_model("mine.h5")
model.predict(img_to_array(load_img("a.jpg")) / 255.0)
"""),
    "clean-unknown-constructor": (set(), LOAD + """
from mylib import build_model
model = build_model("resnet50")
model.predict(np.expand_dims(img_to_array(load_img("a.jpg")), 0))
"""),
    "clean-unknown-source": (set(), """
from keras.applications import ResNet50
from mylib import fetch_batch
ResNet50().predict(fetch_batch())
"""),
    # -- CNN102 ------------------------------------------------------------------------------
    "102-aliased-import": ({"CNN102"}, LOAD + """
from keras.applications.xception import preprocess_input as prep
from keras.applications.vgg16 import VGG16
x = prep(np.expand_dims(img_to_array(load_img("a.jpg", target_size=(224, 224))), 0))
VGG16().predict(x)
"""),
    "102-dataset-map-named-function": ({"CNN102"}, """
import tensorflow as tf
from tensorflow.keras.applications import resnet50
def prep(images, labels):
    return resnet50.preprocess_input(images), labels
ds = tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224)).map(prep)
model = tf.keras.applications.MobileNetV2(weights="imagenet")
model.predict(ds)
"""),
    "102-generator-preprocessing-function": ({"CNN102"}, """
from tensorflow.keras.applications.inception_v3 import preprocess_input
from tensorflow.keras.applications.densenet import DenseNet121
from tensorflow.keras.preprocessing.image import ImageDataGenerator
gen = ImageDataGenerator(preprocessing_function=preprocess_input)
DenseNet121(include_top=False, weights="imagenet").fit(gen.flow_from_directory("d", target_size=(224, 224)))
"""),
    "102-any-keras-preprocess-into-hub": ({"CNN102"}, """
import tensorflow as tf
import tensorflow_hub as hub
layer = hub.KerasLayer("https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/classification/5")
img = tf.keras.utils.img_to_array(tf.keras.utils.load_img("a.jpg", target_size=(224, 224)))
layer(tf.keras.applications.mobilenet_v2.preprocess_input(img[None]))
"""),
    "clean-same-mode-family": (set(), LOAD + """
from tensorflow.keras.applications.vgg16 import preprocess_input
from tensorflow.keras.applications import ResNet152
x = preprocess_input(np.expand_dims(img_to_array(load_img("a.jpg", target_size=(224, 224))), 0))
ResNet152().predict(x)
"""),
    "clean-imagenet-utils-mode": (set(), LOAD + """
from tensorflow.keras.applications.imagenet_utils import preprocess_input
from tensorflow.keras.applications import InceptionV3
x = preprocess_input(np.expand_dims(img_to_array(load_img("a.jpg", target_size=(299, 299))), 0), mode="tf")
InceptionV3().predict(x)
"""),
    "102-imagenet-utils-default-caffe": ({"CNN102"}, LOAD + """
from tensorflow.keras.applications.imagenet_utils import preprocess_input
from tensorflow.keras.applications import InceptionV3
x = preprocess_input(np.expand_dims(img_to_array(load_img("a.jpg", target_size=(299, 299))), 0))
InceptionV3().predict(x)
"""),
    "102-every-model-of-a-literal-list": ({"CNN102"}, LOAD + """
from keras.applications import VGG16, MobileNet
from keras.applications.resnet50 import preprocess_input
for build in [VGG16, MobileNet]:
    model = build(weights="imagenet")
    x = preprocess_input(np.expand_dims(img_to_array(load_img("a.jpg", target_size=(224, 224))), 0))
    model.predict(x)
"""),
    # -- CNN103 ------------------------------------------------------------------------------
    "103-divide-then-preprocess": ({"CNN103"}, LOAD + """
from keras.applications.mobilenet import MobileNet, preprocess_input
x = img_to_array(load_img("a.jpg", target_size=(224, 224))) / 255.
MobileNet().predict(preprocess_input(x[None]))
"""),
    "103-preprocess-twice-via-helper": ({"CNN103"}, LOAD + """
from keras.applications.resnet50 import preprocess_input
def prepare(arr):
    return preprocess_input(arr)
x = prepare(np.expand_dims(img_to_array(load_img("a.jpg", target_size=(224, 224))), 0))
y = preprocess_input(x)
"""),
    "103-rescaling-layer-on-preprocessed-input": ({"CNN103"}, """
import tensorflow as tf
base = tf.keras.applications.MobileNetV2(include_top=False, weights="imagenet", input_shape=(160, 160, 3))
inputs = tf.keras.Input((160, 160, 3))
x = tf.keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs)
model = tf.keras.Model(inputs, base(x))
ds = tf.keras.utils.image_dataset_from_directory("d", image_size=(160, 160))
ds = ds.map(lambda im, lab: (tf.keras.applications.mobilenet_v2.preprocess_input(im), lab))
model.fit(ds)
"""),
    "103-lambda-layer-in-sequential": ({"CNN103"}, """
import tensorflow as tf
from tensorflow.keras.applications.efficientnet import preprocess_input
from tensorflow.keras.applications.resnet_v2 import ResNet50V2, preprocess_input as prep_v2
model = tf.keras.Sequential([
    tf.keras.layers.Lambda(prep_v2),
    ResNet50V2(include_top=False, weights="imagenet", pooling="avg"),
    tf.keras.layers.Dense(2),
])
ds = tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224), label_mode=None, labels=None)
model.predict(ds.map(lambda im: im / 127.5 - 1))
"""),
    # -- CNN104 ------------------------------------------------------------------------------
    "104-rescale-generator-into-caffe": ({"CNN104"}, """
from tensorflow.keras.applications import VGG16
from tensorflow.keras.preprocessing.image import ImageDataGenerator
base = VGG16(weights="imagenet", include_top=False, input_shape=(150, 150, 3))
flow = ImageDataGenerator(rescale=1. / 255).flow_from_directory("d", target_size=(150, 150))
base.predict(flow)
"""),
    "104-unit-scale-into-convnext": ({"CNN104"}, LOAD + """
from keras.applications.convnext import ConvNeXtTiny
scale = 255.0
x = img_to_array(load_img("a.jpg", target_size=(224, 224))) / scale
ConvNeXtTiny().predict(x[None])
"""),
    "104-raw-into-hub-sequential": ({"CNN104"}, """
import tensorflow as tf
import tensorflow_hub as hub
URL = "https://tfhub.dev/google/imagenet/resnet_v2_50/feature_vector/5"
model = tf.keras.Sequential([hub.KerasLayer(URL, trainable=False), tf.keras.layers.Dense(3)])
model.fit(tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224)))
"""),
    "104-unknown-data-divided-by-255": ({"CNN104"}, """
import tensorflow as tf
from mydata import load_arrays
images = load_arrays()
model = tf.keras.applications.InceptionResNetV2(include_top=False, weights="imagenet")
model.fit(images / 255.0)
"""),
    "clean-tf-mode-by-hand": (set(), LOAD + """
from keras.applications import Xception
x = img_to_array(load_img("a.jpg", target_size=(299, 299)))
x = (x - 127.5) / 127.5
Xception().predict(np.expand_dims(x, 0))
"""),
    "clean-hub-with-rescaling": (set(), """
import tensorflow as tf
import tensorflow_hub as hub
model = tf.keras.Sequential([
    tf.keras.layers.Rescaling(1. / 255),
    hub.KerasLayer("https://tfhub.dev/google/imagenet/resnet_v2_50/feature_vector/5"),
])
model.fit(tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224)))
"""),
    "clean-mobilenetv3-raw": (set(), """
import tensorflow as tf
ds = tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
tf.keras.applications.MobileNetV3Large(weights="imagenet").evaluate(ds)
"""),
    "104-mobilenetv3-without-preprocessing": ({"CNN104"}, """
import tensorflow as tf
ds = tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224)).map(lambda x, y: (x / 255., y))
tf.keras.applications.MobileNetV3Large(weights="imagenet", include_preprocessing=False).evaluate(ds)
"""),
    "clean-functional-preprocess-inside": (set(), """
import tensorflow as tf
base = tf.keras.applications.ResNet50(include_top=False, weights="imagenet", input_shape=(224, 224, 3))
augment = tf.keras.Sequential([tf.keras.layers.RandomFlip(), tf.keras.layers.RandomRotation(0.1)])
inputs = tf.keras.Input((224, 224, 3))
x = augment(inputs)
x = tf.keras.applications.resnet50.preprocess_input(x)
model = tf.keras.Model(inputs, tf.keras.layers.Dense(2)(base(x, training=False)))
model.fit(tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224)))
"""),
    # -- CNN201 / CNN202 ----------------------------------------------------------------------
    "201-pil-never-resized": ({"CNN201"}, """
import numpy as np
from PIL import Image
from keras.applications.nasnet import NASNetMobile, preprocess_input
model = NASNetMobile()
image = np.array(Image.open("x.jpg").convert("RGB"), dtype="float32")
model.predict(preprocess_input(image[None, ...]))
"""),
    "clean-resized-in-one-branch-only": (set(), """
import numpy as np
import sys
from PIL import Image
from keras.applications.nasnet import NASNetMobile, preprocess_input
image = Image.open("x.jpg").convert("RGB")
if sys.argv[1:]:
    image = image.resize((224, 224))
NASNetMobile().predict(preprocess_input(np.array(image, dtype="float32")[None, ...]))
"""),
    "202-default-flow-size": ({"CNN202"}, """
from tensorflow.keras.applications.resnet50 import ResNet50, preprocess_input
from tensorflow.keras.preprocessing.image import ImageDataGenerator
flow = ImageDataGenerator(preprocessing_function=preprocess_input).flow_from_directory("d")
ResNet50().predict(flow)
"""),
    "202-pil-width-height-order": ({"CNN202"}, """
import numpy as np
from PIL import Image
from keras.applications.efficientnet import EfficientNetB1
img = Image.open("x.jpg").convert("RGB").resize((240, 200))
EfficientNetB1().predict(np.asarray(img)[None])
"""),
    "202-too-small-without-top": ({"CNN202"}, """
import tensorflow as tf
base = tf.keras.applications.InceptionV3(include_top=False, weights="imagenet")
ds = tf.keras.utils.image_dataset_from_directory("d", image_size=(64, 64))
base.predict(ds.map(lambda x, y: tf.keras.applications.inception_v3.preprocess_input(x)))
"""),
    "clean-mobilenet-top-at-a-size-it-has-weights-for": (set(), """
import numpy as np
from tensorflow import keras
model = keras.applications.MobileNetV2(weights="imagenet", alpha=0.35, input_shape=(96, 96, 3))
img = keras.utils.img_to_array(keras.utils.load_img("x.jpg", target_size=(96, 96)))
model.predict(keras.applications.mobilenet_v2.preprocess_input(img[None]))
"""),
    "202-mobilenet-top-at-another-size": ({"CNN202"}, """
import numpy as np
from tensorflow import keras
model = keras.applications.MobileNet(weights="imagenet", input_shape=(160, 160, 3))
img = keras.utils.img_to_array(keras.utils.load_img("x.jpg", target_size=(224, 224)))
model.predict(keras.applications.mobilenet.preprocess_input(img[None]))
"""),
    "clean-built-input-shape-matches": (set(), """
import tensorflow as tf
base = tf.keras.applications.DenseNet169(include_top=False, weights="imagenet", input_shape=(128, 128, 3))
ds = tf.keras.utils.image_dataset_from_directory("d", image_size=(128, 128))
ds = ds.map(lambda x, y: (tf.keras.applications.densenet.preprocess_input(x), y))
base.fit(ds)
"""),
    # -- CNN203 ------------------------------------------------------------------------------
    "203-call-on-single-image": ({"CNN203"}, LOAD + """
from keras.applications.vgg16 import VGG16, preprocess_input
model = VGG16()
x = preprocess_input(img_to_array(load_img("x.jpg", target_size=(224, 224))))
model(x)
"""),
    "203-expand-dims-result-unused": ({"CNN203"}, """
import numpy as np
from PIL import Image
from keras.applications.resnet50 import ResNet50, preprocess_input
model = ResNet50()
img = np.array(Image.open("a.jpg").convert("RGB").resize((224, 224)), dtype=np.float32)
batch = np.expand_dims(img, axis=0)
model.predict(preprocess_input(img))
"""),
    "clean-reshape-adds-batch": (set(), LOAD + """
from keras.applications.vgg16 import VGG16, preprocess_input
x = preprocess_input(img_to_array(load_img("x.jpg", target_size=(224, 224))))
VGG16().predict(x.reshape(1, 224, 224, 3))
"""),
    "clean-list-of-images-stacked": (set(), LOAD + """
from keras.applications.vgg16 import VGG16, preprocess_input
images = []
for p in ["a.jpg", "b.jpg"]:
    images.append(img_to_array(load_img(p, target_size=(224, 224))))
VGG16().predict(preprocess_input(np.array(images)))
"""),
    "101-list-of-images-stacked-raw": ({"CNN101"}, LOAD + """
import glob
from keras.applications.vgg16 import VGG16
images = []
for p in glob.glob("*.jpg"):
    images.append(img_to_array(load_img(p, target_size=(224, 224))))
VGG16().predict(np.array(images))
"""),
    # -- classes and methods ------------------------------------------------------------------
    "101-method-uses-attribute-model": ({"CNN101"}, LOAD + """
from keras.applications import EfficientNetB0, ResNet50
class Classifier:
    def __init__(self):
        self.model = ResNet50(weights="imagenet")
    def predict(self, path):
        x = img_to_array(load_img(path, target_size=(224, 224)))
        return self.model.predict(np.expand_dims(x, 0))
"""),
    "clean-ipython-lines-in-script": (set(), """
!pip install tensorflow
%matplotlib inline
import tensorflow as tf
model = tf.keras.applications.EfficientNetB0()
"""),
}


@pytest.mark.parametrize("expected, code", CASES.values(), ids=CASES.keys())
def test_case(expected, code, codes):
    assert codes(code) == expected


def test_helper_in_another_module_is_understood(codes):
    project = {
        "utils.py": """
            from tensorflow.keras.applications.resnet50 import preprocess_input
            from tensorflow.keras.utils import img_to_array, load_img
            def load(path):
                return preprocess_input(img_to_array(load_img(path, target_size=(224, 224)))[None])
        """,
        "main.py": """
            from tensorflow.keras.applications import MobileNetV2, ResNet50
            from utils import load
            ResNet50().predict(load("a.jpg"))
            MobileNetV2().predict(load("b.jpg"))
        """,
    }
    assert codes(project) == {"CNN102"}


def test_package_relative_import(lint_code):
    project = {
        "pkg/__init__.py": "",
        "pkg/io.py": """
            from PIL import Image
            import numpy as np
            def read(path):
                return np.asarray(Image.open(path).convert("RGB").resize((224, 224)), dtype="float32")[None]
        """,
        "pkg/app.py": """
            from keras.applications import VGG16
            from .io import read
            VGG16().predict(read("a.jpg"))
        """,
    }
    found = lint_code(project)
    assert [(f.code, f.path.endswith("app.py")) for f in found] == [("CNN101", True)]
    assert "(loaded at io.py:5)" in found[0].message


def test_message_names_model_expectation_and_evidence(lint_code):
    (finding,) = lint_code(LOAD + """
from keras.applications.mobilenet_v2 import preprocess_input
from keras.applications import ResNet50
x = preprocess_input(np.expand_dims(img_to_array(load_img("a.jpg", target_size=(224, 224))), 0))
ResNet50().predict(x)
""")
    assert finding.code == "CNN102"
    assert finding.message == (
        "ResNet50 expects caffe-mode input (BGR, ImageNet mean subtracted), but `x` was preprocessed with "
        "mobilenet_v2.preprocess_input (scaled to [-1, 1]) at line 7; use resnet50.preprocess_input")
    assert (finding.line, finding.column) == (8, 1)


# Patterns from real public code that once produced false findings; each must stay silent.
REAL_WORLD_CLEAN = {
    "shifted-then-scaled-unknown-data": """
import tensorflow as tf
import tensorflow_datasets as tfds
ds = tfds.load("tf_flowers", split="train", as_supervised=True)
def prep(x, y):
    x = tf.image.resize(x, (224, 224))
    return (x - 127.5) / 127.5, y
tf.keras.applications.MobileNetV2(weights="imagenet").evaluate(ds.map(prep).batch(8))
""",
    "hub-vit-takes-minus-one-to-one": """
import tensorflow as tf
import tensorflow_hub as hub
vit = hub.KerasLayer("https://tfhub.dev/sayakpaul/vit_b16_fe/1")
inp = tf.keras.layers.Input((224, 224, 3))
x = vit(tf.keras.layers.Rescaling(1. / 127.5, offset=-1)(inp))
model = tf.keras.Model(inp, tf.keras.layers.Dense(1)(x))
model.fit(tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224)))
""",
    "hub-detector-takes-uint8": """
import numpy as np
import tensorflow_hub as hub
from PIL import Image
detector = hub.load("https://tfhub.dev/tensorflow/ssd_mobilenet_v2/2")
detector(np.expand_dims(np.array(Image.open("street.jpg").convert("RGB")), 0))
""",
    "divide-by-128": """
import numpy as np
import tensorflow as tf
from keras.utils import img_to_array, load_img
m = tf.keras.applications.MobileNetV2(weights="imagenet")
img = img_to_array(load_img("a.jpg", target_size=(224, 224)))
m.predict(((img - 128.0) / 128.0)[None])
""",
    "ndmin-adds-the-batch-axis": LOAD + """
from keras.applications.vgg16 import VGG16, preprocess_input
img = preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224))))
VGG16().predict(np.array(img, ndmin=4))
""",
    "preprocess-input-in-place-on-float-arrays": LOAD + """
from keras.applications.mobilenet_v2 import MobileNetV2, preprocess_input
x = np.expand_dims(img_to_array(load_img("cat.jpg", target_size=(224, 224))), 0)
preprocess_input(x)
MobileNetV2().predict(x)
""",
    "a-module-named-like-a-library-elsewhere-in-the-tree": {
        "tools/style/tensorflow.py": "print('not the library')\n",
        "app/classify.py": """
import numpy as np
import tensorflow as tf
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
model = tf.keras.applications.MobileNetV2(weights="imagenet")
x = np.expand_dims(tf.keras.utils.img_to_array(tf.keras.utils.load_img("c.jpg", target_size=(224, 224))), 0)
model.predict(preprocess_input(x))
""",
    },
}


@pytest.mark.parametrize("code", REAL_WORLD_CLEAN.values(), ids=REAL_WORLD_CLEAN.keys())
def test_real_world_patterns_stay_silent(code, codes):
    assert codes(code) == set()


def test_a_module_named_like_a_library_does_not_hide_findings(codes):
    project = dict(REAL_WORLD_CLEAN["a-module-named-like-a-library-elsewhere-in-the-tree"])
    project["app/classify.py"] = project["app/classify.py"].replace("preprocess_input(x)", "x")
    assert codes(project) == {"CNN101"}


HUB_CASES = {
    "hub-size-from-the-handle": ({"CNN202"}, """
import tensorflow as tf
import tensorflow_hub as hub
URL = "https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/classification/5"
classifier = tf.keras.Sequential([hub.KerasLayer(URL)])
images = tf.keras.utils.image_dataset_from_directory("d", image_size=(160, 160), labels=None)
classifier.predict(images.map(lambda x: x / 255.0))
"""),
    "hub-size-matches": (set(), """
import tensorflow as tf
import tensorflow_hub as hub
URL = "https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/classification/5"
classifier = tf.keras.Sequential([hub.KerasLayer(URL)])
images = tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224), labels=None)
classifier.predict(images.map(lambda x: x / 255.0))
"""),
    "hub-feature-vector-takes-other-sizes": (set(), """
import tensorflow as tf
import tensorflow_hub as hub
layer = hub.KerasLayer("https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/feature_vector/5")
images = tf.keras.utils.image_dataset_from_directory("d", image_size=(160, 160), labels=None)
layer(next(iter(images)) / 255.0)
"""),
    "hub-preprocess-then-rescaling-is-double": ({"CNN103"}, """
import tensorflow as tf
import tensorflow_hub as hub
model = tf.keras.Sequential([
    tf.keras.layers.Rescaling(1. / 255),
    hub.KerasLayer("https://tfhub.dev/google/imagenet/resnet_v2_50/feature_vector/5"),
])
ds = tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224))
model.fit(ds.map(lambda x, y: (tf.keras.applications.resnet_v2.preprocess_input(x), y)))
"""),
}


@pytest.mark.parametrize("expected, code", HUB_CASES.values(), ids=HUB_CASES.keys())
def test_tf_hub(expected, code, codes):
    assert codes(code) == expected


def test_defaults_are_evaluated_where_the_function_is_defined(tmp_path):
    """Regression (StyleGAN2's dataset_tool.py): a method nobody calls, with lambdas as defaults, made
    the analysis of uncalled functions evaluate the defaults outside any frame: IndexError."""
    from cnnlint.lint import lint

    (tmp_path / "tool.py").write_text(
        "import numpy as np\n"
        "from keras.applications import ResNet50\n"
        "from keras.utils import img_to_array, load_img\n"
        "class Exporter:\n"
        "    def each(self, items, before=lambda x: x, after=lambda x: x, *, limit=len([1])):\n"
        "        return [after(before(item)) for item in items]\n"
        "def classify(path, model=ResNet50(weights='imagenet'),\n"
        "             load=lambda p, size=(224, 224): img_to_array(load_img(p, target_size=size))):\n"
        "    return model.predict(np.expand_dims(load(path), 0))\n")
    result = lint([tmp_path])
    assert result.warnings == []
    assert [(f.line, f.code) for f in result.findings] == [(9, "CNN101")]  # the defaults are known values


def test_messages_name_steps_as_written_and_helpers_by_their_path(lint_code):
    """Issue 16: the words people wrote, the helper's folder, a Rescaling layer's own advice."""
    found = lint_code({
        "app/imaging.py": """
            from keras.utils import img_to_array, load_img
            def load(path):
                x = img_to_array(load_img(path, target_size=(224, 224)))
                return x[None] / 255.0
        """,
        "main.py": """
            import keras
            from keras.applications import MobileNetV2, EfficientNetB0, ResNet50
            from app.imaging import load
            MobileNetV2(weights="imagenet").predict(load("a.jpg"))
            x = keras.utils.img_to_array(keras.utils.load_img("a.jpg", target_size=(224, 224)))[None]
            base = MobileNetV2(weights="imagenet", include_top=False, input_shape=(224, 224, 3))
            keras.Sequential([keras.layers.Rescaling(1.0 / 255), base]).predict(x)
            keras.Sequential([keras.layers.Rescaling(scale=1 / 255.), EfficientNetB0(weights="imagenet")]).predict(x)
            keras.Sequential([keras.layers.Rescaling(1 / 255), ResNet50(weights="imagenet")]).predict(x)
        """})
    messages = [f.message for f in found if f.code == "CNN104"]
    assert "(/ 255.0 at app/imaging.py:5); use mobilenet_v2.preprocess_input" in messages[0]
    assert messages[1].endswith("(Rescaling(1.0 / 255) at line 8); use Rescaling(1.0 / 127.5, offset=-1) instead")
    assert messages[2].endswith("(Rescaling(scale=1 / 255.) at line 9); remove the Rescaling layer: EfficientNetB0 "
                                "takes 0..255 pixels")
    assert "no Rescaling layer makes caffe-mode input: use resnet50.preprocess_input" in messages[3]
