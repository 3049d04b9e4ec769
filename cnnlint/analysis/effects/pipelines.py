"""Data pipelines: ImageDataGenerator and its flow_* methods, image_dataset_from_directory, tf.data."""
from __future__ import annotations

from dataclasses import replace

from ..facts import (INDEX, RAW, UNKNOWN, Const, Dataset, DataGen, DictVal, Image, ListVal, Model, Opaque, Partial,
                     PassLabels, Predictions, Step, TupleVal, Value, joined)
from ..arithmetic import scale_op
from .images import COLOR_MODES, known_size
from .models import normalising_op
from .table import function, method

DEFAULT_TARGET = (256, 256)  # flow_from_directory and image_dataset_from_directory


def batch_image(call, size, color_mode) -> Image:
    channels = COLOR_MODES.get(color_mode) if isinstance(color_mode, str) else None
    return Image(scale=RAW, size=size, batched=True, channels=channels, order="RGB", dtype="float",
                 container="tensor", origin=call.loc)


# -- ImageDataGenerator ------------------------------------------------------------------
@function("keras.preprocessing.image.ImageDataGenerator")
def image_data_generator(call) -> Value:
    """Keras applies ``preprocessing_function`` first, then ``rescale`` (ImageDataGenerator.standardize)."""
    ops = []
    fn = call.arg(None, "preprocessing_function", Const(None))
    if fn != Const(None):
        interp = call.interp

        def run_function(image, interp_, at, fn=fn):
            return interp.call(fn, replace(call, args=[image], kwargs={}, node=at, indirect=True))

        ops.append(run_function)
    rescale = call.const(None, "rescale", None)
    pixels = isinstance(rescale, (int, float)) and any(abs(rescale - 1 / d) < 1e-6 for d in (255.0, 127.5))
    if isinstance(rescale, (int, float)) and rescale:
        what = f"ImageDataGenerator(rescale={call.source('rescale')})"
        ops.append(normalising_op(scale_op(float(rescale), 0.0, what, call.loc), Step(what, call.loc)))
    elif rescale is not None:
        ops.append(lambda image, interp, at: image.but(scale=None) if isinstance(image, Image) else UNKNOWN)
    return DataGen(tuple(ops), call.node, pixels)


def generated(call, image: Value) -> Value:
    gen: DataGen = call.receiver
    for op in gen.ops:
        if not isinstance(image, Image):
            return UNKNOWN
        image = op(image, call.interp, gen.node)
    return image


@method("datagen", "flow_from_directory", "flow_from_dataframe")
def flow_from_files(call) -> Value:
    target = call.arg(None, "target_size", Const(DEFAULT_TARGET))
    image = batch_image(call, known_size(target), call.const(None, "color_mode", "rgb"))
    shuffled = call.const(None, "shuffle", True)
    method = call.node.func.attr.value if hasattr(call.node.func, "attr") else "flow_from_directory"
    return Dataset(TupleVal((generated(call, image), UNKNOWN)), shuffled if isinstance(shuffled, bool) else None,
                   files=method, reshuffles=method if shuffled is True else None)


@method("datagen", "flow")
def flow(call) -> Value:
    """Batches of ``x`` (with ``y``: (x, y) pairs); ``x`` may also be an (x, y) tuple."""
    x, y = call.arg(0, "x"), call.arg(1, "y", Const(None))
    if isinstance(x, TupleVal):
        x, y = (x.items[0], UNKNOWN) if x.items else (UNKNOWN, y)
    if not isinstance(x, Image) and call.receiver.scales_pixels:
        x = Image(scale=RAW)  # as for x / 255.: nobody rescales by 1/255 but 0..255 pixels
    shuffled = call.const(None, "shuffle", True)
    shuffled = shuffled if isinstance(shuffled, bool) else None
    if not isinstance(x, Image):
        return Dataset(UNKNOWN, shuffled)
    batch = generated(call, x.but(batched=True))
    return Dataset(batch if y == Const(None) else TupleVal((batch, UNKNOWN)), shuffled)


@method("datagen", "fit")
def datagen_fit(call) -> Value:
    return Const(None)


# -- keras.utils.image_dataset_from_directory ---------------------------------------------
@function("keras.utils.image_dataset_from_directory")
def image_dataset_from_directory(call) -> Value:
    size = known_size(call.arg(None, "image_size", Const(DEFAULT_TARGET)))
    image = batch_image(call, size, call.const(None, "color_mode", "rgb"))
    if call.const(None, "batch_size", 32) is None:
        image = image.but(batched=False)
    shuffled = call.const(None, "shuffle", True)
    element = image if call.const(None, "labels", "inferred") is None else TupleVal((image, UNKNOWN))
    ds = Dataset(element, shuffled if isinstance(shuffled, bool) else None,
                 reshuffles="image_dataset_from_directory" if shuffled is True else None)
    if call.const(None, "subset", None) == "both":  # (training, validation)
        return ListVal(ds, items=(ds, ds))
    return ds


# -- tf.data ----------------------------------------------------------------------------------
def unbatched(value: Value) -> Value:
    if isinstance(value, Image):
        return value.but(batched=False) if value.batched else value.but(batched=None)
    if isinstance(value, TupleVal):
        return TupleVal(tuple(unbatched(v) for v in value.items))
    return UNKNOWN


def rebatched(value: Value) -> Value:
    if isinstance(value, Image):
        return value.but(batched=True, from_slices=False) if value.batched is False else value.but(batched=None)
    if isinstance(value, TupleVal):
        return TupleVal(tuple(rebatched(v) for v in value.items))
    return UNKNOWN


@function("tensorflow.data.Dataset.from_tensor_slices")
def from_tensor_slices(call) -> Value:
    """Elements are slices along the first axis: single images, until ``.batch()``."""
    tensors = call.arg(0, "tensors")
    if isinstance(tensors, TupleVal) and tensors.items:  # (x, y): x is what a model gets
        first = tensors.items[0]
        x = sliced(unbatched(first)) if isinstance(first, Image) else slice_of_unknown(first)
        return Dataset(TupleVal((x,) + tuple(unbatched(v) for v in tensors.items[1:])), sliced=True)
    if isinstance(tensors, Image):
        return Dataset(sliced(unbatched(tensors)) if tensors.batched is not None or tensors.origin
                       else slice_of_unknown(UNKNOWN), sliced=True)
    if isinstance(tensors, ListVal):  # file names, usually
        return Dataset(element_of(tensors), sliced=True)
    return Dataset(slice_of_unknown(tensors), sliced=True)


def slice_of_unknown(value: Value) -> Value:
    """A slice of an array of unknown origin: one axis fewer, so no batch axis (when it is an image at all)."""
    if value is UNKNOWN or isinstance(value, Opaque):
        return Image(batched=False, from_slices=True)
    if isinstance(value, Image):  # x / 255. of unknown data
        return value.but(batched=False, from_slices=True)
    return UNKNOWN


def sliced(value: Value) -> Value:
    if isinstance(value, Image):
        return value.but(from_slices=True) if value.batched is False else value
    if isinstance(value, TupleVal):
        return TupleVal(tuple(sliced(v) for v in value.items))
    return value


@function("tensorflow.data.Dataset.from_tensors")
def from_tensors(call) -> Value:
    return Dataset(call.arg(0, "tensors"), single=True)


def pass_element(ds: Dataset) -> Value:
    """An element as one pass over the dataset sees it: when every pass is in a new order, its labels
    are in that pass's order only."""
    element = ds.element
    if ds.reshuffles and isinstance(element, TupleVal) and len(element.items) >= 2:
        labels = PassLabels(ds.reshuffles)
        return TupleVal((element.items[0],) + tuple(labels if v is UNKNOWN else v for v in element.items[1:]))
    return element


@method("dataset", "map")
def dataset_map(call) -> Value:
    ds: Dataset = call.receiver
    fn = call.arg(0, "map_func")
    element = pass_element(ds)
    args = list(element.items) if isinstance(element, TupleVal) else [element]
    result = call.interp.call(fn, replace(call, args=args, kwargs={}, indirect=True))
    return replace(ds, element=sliced(result) if ds.sliced else result, single=False, files=None)


@method("dataset", "batch", "padded_batch")
def dataset_batch(call) -> Value:
    return replace(call.receiver, element=rebatched(call.receiver.element), sliced=False, single=False)


@method("dataset", "shuffle")
def dataset_shuffle(call) -> Value:
    again = call.const(None, "reshuffle_each_iteration", True)
    return replace(call.receiver, shuffled=True, reshuffles="Dataset.shuffle" if again is True else None)


@method("dataset", "cache")
def dataset_cache(call) -> Value:
    """After the first pass a cached dataset replays it: its order no longer changes."""
    return replace(call.receiver, reshuffles=None)


@method("dataset", "unbatch")
def dataset_unbatch(call) -> Value:
    return replace(call.receiver, element=unbatched(call.receiver.element))


@method("dataset", "repeat")
def dataset_repeat(call) -> Value:
    ds: Dataset = call.receiver
    if ds.single and isinstance(ds.element, Image) and ds.element.batched is False:  # one image, over and over
        return replace(ds, element=ds.element.but(repeated=True))
    return ds


@method("dataset", "prefetch", "take", "skip", "filter", "with_options", "apply",
        "as_numpy_iterator", "__iter__")
def dataset_same(call) -> Value:
    return call.receiver


def element_of(value: Value) -> Value:
    """What iterating over a value yields."""
    if isinstance(value, Dataset):
        return pass_element(value)
    if isinstance(value, ListVal):
        return value.item if value.item is not None else UNKNOWN
    if isinstance(value, TupleVal) and value.items:
        from ..facts import join

        item = value.items[0]
        for other in value.items[1:]:
            item = join(item, other)
        return item
    if isinstance(value, Image) and value.batched:
        return value.but(batched=False)
    if isinstance(value, Model):  # iterating a model's modules (PyTorch): what it says it yields
        return value.attrs.get("element", UNKNOWN)
    if isinstance(value, Predictions):  # one prediction per input, in the inputs' order
        return value
    return UNKNOWN


@function("tqdm.tqdm", "tqdm.auto.tqdm", "tqdm.notebook.tqdm", "tqdm.std.tqdm")
def tqdm(call) -> Value:
    """A progress bar over an iterable yields what the iterable yields."""
    return call.arg(0, "iterable")


@function("random.choice")
def random_choice(call) -> Value:
    return element_of(call.arg(0, "seq"))


@function("random.sample", "random.choices")
def random_sample(call) -> Value:
    item = element_of(call.arg(0, "population"))
    return ListVal(item) if item is not UNKNOWN else UNKNOWN


# -- dicts ---------------------------------------------------------------------------------------
@function("builtins.dict")
def builtin_dict(call) -> Value:
    """``dict()``, ``dict(a=x)``, and ``dict(pairs)`` (keys unknown, values like the pairs' second items)."""
    if not call.args:
        return DictVal(tuple(call.kwargs.items()))
    pair = element_of(call.args[0])
    if isinstance(pair, TupleVal) and len(pair.items) == 2:
        return DictVal(None, pair.items[1])
    return UNKNOWN


@function("multiprocessing.Pool", "multiprocessing.pool.Pool", "multiprocessing.pool.ThreadPool",
          "concurrent.futures.ThreadPoolExecutor", "concurrent.futures.ProcessPoolExecutor")
def worker_pool(call) -> Value:
    return Opaque("pool")


@method("pool", "map", "imap", "imap_unordered")
def pool_map(call) -> Value:
    """``pool.map(f, xs)``: f applied to the items of xs in worker processes, as map() does."""
    return builtin_map(call)


@method("dict", "items")
def dict_items(call) -> Value:
    d: DictVal = call.receiver
    if d.items is None:
        return ListVal(TupleVal((UNKNOWN, d.item if d.item is not None else UNKNOWN)))
    pairs = tuple(TupleVal((Const(k), v)) for k, v in d.items)
    return ListVal(joined(pairs), items=pairs)


@method("dict", "values")
def dict_values(call) -> Value:
    d: DictVal = call.receiver
    if d.items is None:
        return ListVal(d.item)
    return ListVal(joined(d.values()), items=d.values())


@method("dict", "keys")
def dict_keys(call) -> Value:
    d: DictVal = call.receiver
    return Const(tuple(k for k, _ in d.items)) if d.items is not None and all(
        isinstance(k, (str, int)) for k, _ in d.items) else ListVal(UNKNOWN)


@method("dict", "get")
def dict_get(call) -> Value:
    key = call.arg(0, "key")
    found = call.receiver.get(key.value) if isinstance(key, Const) else UNKNOWN
    return found if found is not UNKNOWN else call.arg(1, "default", UNKNOWN)


@function("functools.partial")
def partial(call) -> Value:
    return Partial(call.arg(0, "func"), tuple(call.args[1:]), tuple(call.kwargs.items()))


@function("builtins.next")
def builtin_next(call) -> Value:
    return element_of(call.arg(0))


@function("builtins.iter", "builtins.list", "builtins.sorted", "builtins.reversed")
def builtin_iter(call) -> Value:
    if not call.args and not call.kwargs and call.qualname == "builtins.list":
        return ListVal(None, items=())  # list(): an empty list, to append to
    value = call.arg(0)
    if isinstance(value, Dataset):
        return value
    return ListVal(element_of(value)) if value is not UNKNOWN else UNKNOWN


@function("builtins.map")
def builtin_map(call) -> Value:
    """``map(f, xs)``: f applied to the items of xs (one call on what they have in common)."""
    items = call.args[1:]
    if not items:
        return UNKNOWN
    args = [element_of(v) for v in items]
    return ListVal(call.interp.call(call.arg(0), replace(call, args=args, kwargs={}, indirect=True)))


@function("builtins.enumerate")
def builtin_enumerate(call) -> Value:
    return ListVal(TupleVal((INDEX, element_of(call.arg(0)))))


@function("builtins.range", "numpy.arange")
def builtin_range(call) -> Value:
    """Whole numbers: ``x[i]`` for ``i in range(len(x))`` is one item of x."""
    return ListVal(INDEX) if call.qualname == "builtins.range" else UNKNOWN


@function("builtins.len", "random.randint", "random.randrange", "numpy.random.randint", "numpy.random.choice")
def whole_number(call) -> Value:
    if call.qualname.startswith("numpy.random") and "size" in call.kwargs or len(call.args) > 2:
        return UNKNOWN  # an array of them
    row = call.arg(0)
    if call.qualname == "builtins.len" and isinstance(row, Predictions) and row.row \
            and isinstance(row.model.attrs.get("units"), Const):
        return row.model.attrs["units"]  # if len(preds[0]) > 1:
    return INDEX


@function("builtins.zip")
def builtin_zip(call) -> Value:
    if not call.args and len(call.star_args) == 1:  # zip(*rows): the columns of rows of known length
        row = element_of(call.star_args[0])
        if isinstance(row, TupleVal):
            columns = tuple(ListVal(v) for v in row.items)
            return ListVal(joined(columns), items=columns)
        return UNKNOWN
    return ListVal(TupleVal(tuple(element_of(a) for a in call.args)))
