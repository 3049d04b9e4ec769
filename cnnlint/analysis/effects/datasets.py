"""Data sets that come with the libraries and record files: keras.datasets, tensorflow_datasets,
TFRecord files. Their images are uint8 0..255, as ``knowledge/datasets.toml`` describes them."""
from __future__ import annotations

import re

from ...knowledge import DatasetInfo, datasets
from ..facts import NATIVE, RAW, UNKNOWN, Const, Dataset, DictVal, Image, ListVal, Opaque, PathStr, TupleVal, Value
from ..paths import suffix_of
from .table import function

FEATURE = Opaque("feature")  # a parsed tf.train.Example feature: bytes to decode, a label...


def dataset_image(call, info: DatasetInfo | None, batched: bool, container: str) -> Image:
    size = None if info is None else NATIVE if info.size == "native" else info.size
    channels = info.channels if info is not None else None
    return Image(scale=RAW, size=size, batched=batched, channels=channels, order="RGB" if channels == 3 else None,
                 dtype="uint8", container=container, origin=call.loc)


# -- keras.datasets ---------------------------------------------------------------------------
def keras_load_data(info: DatasetInfo):
    def load_data(call) -> Value:
        """((x_train, y_train), (x_test, y_test)): uint8 arrays with a batch axis."""
        x = dataset_image(call, info, batched=True, container="array")
        return TupleVal((TupleVal((x, UNKNOWN)), TupleVal((x, UNKNOWN))))

    return load_data


for _name, _info in datasets()["keras"].items():
    function(f"keras.datasets.{_name}.load_data")(keras_load_data(_info))


# -- tensorflow_datasets --------------------------------------------------------------------------
@function("tensorflow_datasets.load")
def tfds_load(call) -> Value:
    """One dataset per split (a dict by split name when no split is given); elements are dicts
    with an "image", or (image, label) pairs with ``as_supervised=True``."""
    name = call.const(0, "name")
    info = datasets()["tfds"].get(re.split(r"[:/]", name)[0]) if isinstance(name, str) else None
    batch_size = call.const(None, "batch_size", None)
    batched = isinstance(batch_size, int) and batch_size > 0
    image = dataset_image(call, info, batched, "tensor")
    if call.const(None, "as_supervised", False) is True:
        element: Value = TupleVal((image, UNKNOWN))
    else:
        element = DictVal((("image", image), ("label", UNKNOWN)))
    ds = Dataset(element)
    split = call.arg(1, "split", Const(None))
    if split == Const(None):
        result: Value = DictVal(None, ds)  # {"train": ds, "test": ds, ...}
    elif isinstance(split, Const) and isinstance(split.value, (tuple, list)):
        result = ListVal(ds, items=tuple(ds for _ in split.value))
    elif isinstance(split, (ListVal, TupleVal)):
        result = ListVal(ds, items=split.items and tuple(ds for _ in split.items))
    else:
        result = ds
    return TupleVal((result, UNKNOWN)) if call.const(None, "with_info", False) is True else result


# -- TFRecord files ---------------------------------------------------------------------------------
@function("tensorflow.data.TFRecordDataset")
def tfrecord_dataset(call) -> Value:
    return Dataset(Opaque("serialized example"))


@function("tensorflow.io.parse_single_example", "tensorflow.io.parse_example", "tensorflow.parse_single_example")
def parse_example(call) -> Value:
    """The features by name; an image feature is bytes for decode_jpeg/decode_image."""
    return DictVal(None, FEATURE)


@function("tensorflow.data.Dataset.list_files")
def list_files(call) -> Value:
    return Dataset(PathStr(suffix_of(call.arg(0, "file_pattern"))))
