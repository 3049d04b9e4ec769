"""Abstract values: what the interpreter knows about each Python value.

Every fact is either known or ``None`` (unknown). Joining two paths keeps a
fact only where both agree, so a rule that needs a fact stays silent whenever
the branches disagree: that is how "precision first" is built in.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from typing import Any, Callable, Iterator, NamedTuple

NATIVE = "native"  # spatial size: whatever size the file had (never resized)


class FileSize(tuple):
    """(height, width) of an image file of the project, read from its header: never resized, it is
    the size the file had, and known."""
FILE_CHANNELS = -1  # channel count: whatever the file has (a PIL image never converted, a PNG read as is)
RECEIVED_CHANNELS = -2  # channel count: whatever bytes received at run time hold (a data URL, request data)


class Value:
    """Base of all abstract values."""


@dataclass(frozen=True)
class Unknown(Value):
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


@dataclass(frozen=True)
class Const(Value):
    """A Python literal the interpreter computed (numbers, strings, tuples, None, bools)."""

    value: Any


Stats = tuple[tuple[float, ...], tuple[float, ...]]  # per-channel (mean, std) of [0, 1] pixels


@dataclass(frozen=True)
class Scale:
    """What the pixel values are: an interval reached by arithmetic, or the output of a mode.

    ``stats``: the values are ``(p - mean) / std`` per channel, for pixels p in [0, 1] (a
    standardisation by per-channel statistics, as torchvision's Normalize does); known for mode
    "torch" (the ImageNet statistics) when it was reached that way, and for mode "normalized"
    (any other statistics). Statistics that are the same for every channel make a plain interval.
    """

    lo: float | None = None
    hi: float | None = None
    mode: str | None = None  # caffe / torch: mean-subtracted, not a plain interval
    stats: Stats | None = None

    @staticmethod
    def interval(lo: float, hi: float) -> Scale:
        return Scale(min(lo, hi), max(lo, hi))

    def is_interval(self) -> bool:
        return self.mode is None and self.lo is not None

    def same(self, other: Scale) -> bool:
        if (self.stats or other.stats) and (self.mode == "normalized" or other.mode == "normalized"):
            return close_stats(self, other)
        if self.mode or other.mode:
            return self.mode == other.mode
        tol = 0.01 * max(1.0, abs(self.hi - self.lo))  # x / 128 - 1 is [-1, 0.99]: the same input
        return abs(self.lo - other.lo) <= tol and abs(self.hi - other.hi) <= tol

    def affine(self, mul: float, add: float) -> Scale | None:
        if self.stats is not None and mul:  # (p - m) / s * mul + add = (p - (m - add * s / mul)) / (s / mul)
            mean, std = self.stats
            return from_stats(tuple(m - add * d / mul for m, d in zip(mean, std)), tuple(d / mul for d in std))
        if not self.is_interval():
            return None
        return Scale.interval(self.lo * mul + add, self.hi * mul + add)

    def per_channel(self) -> Stats | None:
        """The (mean, std) of [0, 1] pixels that give these values, when it is a standardisation."""
        if self.stats is not None:
            return self.stats
        if self.mode == "torch":
            from ..knowledge import knowledge

            torch = knowledge().modes["torch"]
            return tuple(torch.mean), tuple(torch.std)
        if self.is_interval() and self.hi != self.lo:
            std = 1.0 / (self.hi - self.lo)
            return (-self.lo * std,), (std,)
        return None

    def describe(self) -> str:
        if self.mode == "normalized" and self.stats:
            return f"values normalised with mean {_nums(self.stats[0])} and std {_nums(self.stats[1])}"
        if self.mode:
            return OTHER_MODES.get(self.mode, f"{self.mode}-mode values")
        if self.same(RAW):
            return "raw 0..255 pixels"
        return f"values in [{_num(self.lo)}, {_num(self.hi)}]"


def _nums(values) -> str:
    return "(" + ", ".join(f"{v:.4g}" for v in values) + ")"


def from_stats(mean: tuple[float, ...], std: tuple[float, ...]) -> Scale | None:
    """The scale of ``(p - mean) / std`` for [0, 1] pixels: an interval when every channel is alike,
    mode "torch" for the ImageNet statistics, else mode "normalized" with the statistics."""
    if not mean or not std or any(s == 0 for s in std) or len(mean) not in (1, len(std)) and len(std) != 1:
        return None
    n = max(len(mean), len(std))
    mean = tuple(mean) * n if len(mean) == 1 else tuple(mean)
    std = tuple(std) * n if len(std) == 1 else tuple(std)
    if max(mean) - min(mean) <= 1e-6 * max(1.0, abs(mean[0])) and max(std) - min(std) <= 1e-6 * abs(std[0]):
        return Scale.interval((0 - mean[0]) / std[0], (1 - mean[0]) / std[0])
    scale = Scale(mode="normalized", stats=(mean, std))
    torch = Scale(mode="torch")
    return Scale(mode="torch", stats=(mean, std)) if close_stats(scale, torch) else scale


def close_stats(a: Scale, b: Scale) -> bool:
    """Whether two standardisations give the same values up to rounding of their statistics: per
    channel, for black and white pixels, within 5% of the values' range."""
    pa, pb = a.per_channel(), b.per_channel()
    if pa is None or pb is None:
        return False
    n = max(len(pa[0]), len(pb[0]))

    def value(stats, c: int, p: float) -> float:
        mean, std = stats
        return (p - mean[c if len(mean) > 1 else 0]) / std[c if len(std) > 1 else 0]

    for c in range(n):
        lo, hi = value(pb, c, 0.0), value(pb, c, 1.0)
        tol = 0.05 * max(1.0, abs(hi - lo))
        if abs(value(pa, c, 0.0) - lo) > tol or abs(value(pa, c, 1.0) - hi) > tol:
            return False
    return True


def _num(x: float) -> str:
    return f"{x:g}" if abs(x) >= 0.01 or x == 0 else f"{x:.2g}"


RAW = Scale(0.0, 255.0)
UNIT = Scale(0.0, 1.0)

# Values that are neither an interval nor a keras preprocess_input mode: what hand-made or library
# normalisation made of the pixels.
OTHER_MODES = {
    "standardised": "values standardised to mean 0 and std 1",
    "centred": "mean-subtracted values",
    "imagenet-centred": "values with the ImageNet mean subtracted, not yet divided by its std",
    "l2-normalised": "values scaled to unit norm per sample",
}


class Loc(NamedTuple):
    """Where something happened: the file (as shown to the user) and the line."""

    path: str
    line: int
    cell: int | None = None  # notebooks: the cell, and line is the line within it

    def text(self, here: str) -> str:
        """``line 9`` in the same file; in another, ``utils.py:9`` beside it, ``app/utils.py:9`` below its
        folder, else the path as shown (from the current folder); ``cell 4, line 2`` in a notebook."""
        seen = _MENTIONED.get()
        if seen is not None:
            seen.append(self)
        where = f"cell {self.cell}, line {self.line}" if self.cell is not None else f"line {self.line}"
        if self.path == here:
            return where
        below = os.path.relpath(self.path, os.path.dirname(here) or ".")
        other = self.path if below.startswith("..") else below
        return f"{other}:{self.line}" if self.cell is None else f"{other} {where}"


_MENTIONED: ContextVar[list[Loc] | None] = ContextVar("mentioned", default=None)


@contextmanager
def mentions() -> Iterator[list[Loc]]:
    """The places written into messages (every ``Loc.text()``) while the block runs: the steps a
    finding's message points at, which editors show as its related locations."""
    token = _MENTIONED.set([])
    try:
        yield _MENTIONED.get()
    finally:
        _MENTIONED.reset(token)


@dataclass(frozen=True)
class Step:
    """One normalisation applied to an image, kept for messages and double-normalisation."""

    what: str  # "mobilenet_v2.preprocess_input", "/ 255.0", "Rescaling(1/255)"
    loc: Loc
    kind: str = "scale"  # "preprocess" for a preprocess_input, "scale" for arithmetic and layers
    callee: Any = field(default=None, compare=False, repr=False)  # the called expression, for autofix
    on_bgr: bool = False  # a preprocess_input applied to OpenCV's BGR pixels


@dataclass(frozen=True)
class Image(Value):
    """An image or a batch of images (PIL image, numpy array or tensor)."""

    scale: Scale | None = None
    size: tuple[int, int] | str | None = None  # (height, width), NATIVE, or unknown
    batched: bool | None = None  # has a leading batch axis
    channels: int | None = None
    order: str | None = None  # "RGB" | "BGR"
    dtype: str | None = None  # "uint8" | "float"
    container: str | None = None  # "pil" | "array" | "tensor"
    steps: tuple[Step, ...] = ()
    origin: Loc | None = None  # where it was loaded
    garbled: bool = False  # already reported as double-normalised: rules stay quiet
    repeated: bool | None = None  # one image repeated or tiled into the batch
    stale_loop: int | None = None  # loaded in this loop over paths without using the loop's variables
    from_slices: bool | None = None  # an element of Dataset.from_tensor_slices: one image, no batch axis
    blank: bool = False  # np.zeros((n, h, w, 3)): a batch allocated to be filled with images
    shuffled: bool | None = None  # a batch drawn from a loader that shuffles: predictions on it come in that order

    def but(self, **changes: Any) -> Image:
        return replace(self, **changes)


@dataclass(frozen=True)
class PixelMax(Value):
    """``img.max()``: dividing by it maps non-negative pixels to [0, 1]."""

    of: Image


@dataclass(frozen=True)
class Stat(Value):
    """``img.mean()``, ``np.std(x, axis=...)``: a statistic of an image's values."""

    of: Image
    kind: str  # "mean" | "std"


@dataclass(frozen=True)
class TupleVal(Value):
    items: tuple[Value, ...]


@dataclass(frozen=True)
class ListVal(Value):
    """A list whose elements all look like ``item`` (``None``: empty or mixed)."""

    item: Value | None
    repeated: bool = False  # built as [x] * n
    items: tuple[Value, ...] | None = None  # the elements of a literal list, in order


@dataclass(frozen=True)
class DictVal(Value):
    """A dict: its values by constant key, in order (``items``), or by unknown keys (``items`` None),
    where every value looks like ``item``."""

    items: tuple[tuple[Any, Value], ...] | None = None
    item: Value | None = None

    def get(self, key: Any) -> Value:
        if self.items is None:
            return self.item if self.item is not None else UNKNOWN
        for k, v in self.items:
            if k == key:
                return v
        return UNKNOWN

    def values(self) -> tuple[Value, ...] | None:
        return tuple(v for _, v in self.items) if self.items is not None else None

    def with_item(self, key: Any, value: Value) -> DictVal:
        """The dict after ``d[key] = value`` (an unknown key forgets the keys)."""
        if self.items is None or key is UNKNOWN:
            old = self.item if self.items is None else joined(self.values())
            return DictVal(None, value if old is None else join(old, value))
        return DictVal(tuple((k, v) for k, v in self.items if k != key) + ((key, value),))


@dataclass(frozen=True)
class ModuleRef(Value):
    """A name from outside the project, by qualified name: ``keras.applications.resnet50``."""

    qualname: str


# An operation on an image, replayed where a model meets its input:
# op(value, interp, at_node) -> value
Op = Callable[[Value, Any, Any], Value]


@dataclass(frozen=True)
class Expectation:
    """What a pre-trained model needs from its input."""

    model: str  # for messages: "ResNet50", "TF Hub model"
    scale: Scale | None  # None: the value range it needs is unknown (weights of unknown origin)
    describe: str  # "caffe-mode input (BGR, ...)"
    preprocess_hint: str | None  # "resnet50.preprocess_input"; None when no preprocess_input applies
    size: tuple[int, int] | None  # fixed input size, if any
    min_size: int | None
    size_reason: str = ""  # "with its ImageNet top", "built with input_shape=(150, 150, 3)"
    # Models that say which standardisation their weights were trained on (PyTorch weights: their
    # transforms' Normalize; [0, 1] for detection models, which normalise inside). The CNN6xx rules
    # compare with it; ``scale`` (preprocess_input modes) stays None for them.
    normalize: Scale | None = None


@dataclass(eq=False)
class Model(Value):
    """A model object. ``expects`` is None when nothing is known (scratch, loaded, unknown)."""

    name: str
    expects: Expectation | None = None
    front: tuple[Op, ...] = ()  # transforms inside the model, before the pre-trained part
    line: int = 0
    attrs: dict[str, Value] = field(default_factory=dict)
    layers: list[Value] | None = None  # a Sequential built with .add()
    trainable_history: list[bool] = field(default_factory=list)  # model.trainable = ..., in order
    expects_with_weights: Expectation | None = None  # what model.load_weights(path) makes it expect
    with_imagenet_weights: Any = None  # (the model with ImageNet weights, include_top): for load_weights

    def __hash__(self) -> int:
        return id(self)


@dataclass(frozen=True)
class Layer(Value):
    """A keras layer. ``op`` is its effect on an image; ``keeps`` says it does not change values."""

    name: str
    op: Op | None = None
    keeps: bool = False
    units: int | None = None  # Dense: its units
    softmax: bool = False  # Activation("softmax"), Softmax(), or a Dense with activation="softmax"


@dataclass(frozen=True)
class Symbolic(Value):
    """A keras symbolic tensor while a functional model is built.

    ``ops`` are the transforms applied since the Input; once the tensor passes
    through a pre-trained model, ``base`` is that model and ``ops`` is frozen.
    ``opaque`` means an unknown layer came before the base: its needs are unknown.
    """

    ops: tuple[Op, ...] = ()
    base: Model | None = None
    opaque: bool = False
    units: int | None = None  # the last Dense layer's units, for the head rules
    through_output: bool = False  # built on base.output: the base's layers cannot get training=False


@dataclass(frozen=True)
class Dataset(Value):
    """A tf.data.Dataset or a Keras generator/iterator: it yields ``element``."""

    element: Value
    shuffled: bool | None = None
    files: str | None = None  # a flow_from_* iterator: its .classes/.filenames are in file order
    single: bool = False  # Dataset.from_tensors: one element
    sliced: bool = False  # Dataset.from_tensor_slices, not batched since: elements are single items
    reshuffles: str | None = None  # each pass in a new order: what shuffles it (image_dataset_from_directory)


@dataclass(frozen=True)
class Predictions(Value):
    """What a model returned: which model, and whether the inputs came in shuffled order."""

    model: Any = field(compare=False)
    shuffled: bool | None = None  # the inputs came in shuffled order (not file order)
    reshuffled: bool | None = None  # ... in an order another pass over the same data does not repeat
    row: bool = False  # one row of them (preds[0]): its length is the number of units


@dataclass(frozen=True)
class PassLabels(Value):
    """Labels taken in one pass over a dataset that reshuffles on every pass: another pass (the one
    ``model.predict(ds)`` makes) sees the images in another order."""

    source: str  # "image_dataset_from_directory", "Dataset.shuffle"


def predictions(model: Any, x: Value) -> Predictions:
    """What ``model`` returns for ``x``: in shuffled order when ``x`` is a shuffling generator (in an order
    of this pass only when it reshuffles on every pass), or a batch drawn from a loader that shuffles."""
    if isinstance(x, Dataset):
        return Predictions(model, x.shuffled, bool(x.reshuffles))
    return Predictions(model, isinstance(x, Image) and x.shuffled is True, False)


def predictions_of(value: Value) -> Predictions | None:
    """Predictions, or a list of them (collected batch by batch)."""
    if isinstance(value, (ListVal, TupleVal)):
        items = value.items if isinstance(value, TupleVal) else (value.items or (value.item,))
        found = [predictions_of(v) for v in items]
        return found[0] if found and all(found) and all(f.shuffled == found[0].shuffled for f in found) else None
    return value if isinstance(value, Predictions) else None


@dataclass(frozen=True)
class FileOrder(Value):
    """Labels or file names in file order, e.g. ``test_gen.classes``."""

    what: str  # classes, filenames, ...
    source: str = "flow_from_directory"  # the generator method that made it


@dataclass(frozen=True)
class TextFile(Value):
    """A text file of the project opened (or its text read): a JSON architecture for model_from_json."""

    key: str  # its path, as path_key gives it


@dataclass(frozen=True)
class PathEnd(Value):
    """A path whose start is known only at run time: ``os.path.join(BASE_DIR, "model/cnn.h5")``."""

    tail: str  # "model/cnn.h5"


@dataclass(frozen=True)
class PathStr(Value):
    """A file path found at run time (glob, os.listdir) or built from parts (``folder + "/" + name``,
    ``f"data/{name}.png"``): a loop over these is a loop over files. ``suffix`` is the file type when
    the code names it (``glob("*.png")``, ``name + ".jpg"``, a ``JPEGImages/`` folder)."""

    suffix: str = ""


@dataclass(frozen=True)
class Array(Value):
    """A numeric array that is not an image (a mean, a std)."""

    dtype: str | None = None
    values: tuple[float, ...] | None = None  # its numbers, flattened, when written as literals


@dataclass(frozen=True)
class DataGen(Value):
    """An ImageDataGenerator: the transforms its flow_* methods apply, in Keras's order."""

    ops: tuple[Op, ...]
    node: Any = field(repr=False)
    scales_pixels: bool = False  # rescale=1/255 (or 1/127.5): whatever it is given is taken as 0..255 pixels


@dataclass(frozen=True)
class Function(Value):
    """A function or lambda defined in the project."""

    node: Any = field(repr=False)
    module: Any = field(repr=False)  # the ModuleState it was defined in
    closure: Any = field(default=None, repr=False)  # enclosing Env for nested functions
    # parameter -> its default, evaluated where and when the def or lambda ran, as Python does
    defaults: dict[str, Value] = field(default_factory=dict, compare=False, repr=False)


@dataclass(eq=False)
class ClassVal(Value):
    """A class defined in the project: its methods and class attributes, and its bases (project
    classes, or library classes by qualified name) for what it inherits."""

    node: Any = field(repr=False)  # the libcst ClassDef
    module: Any = field(repr=False)  # the ModuleState it was defined in
    methods: dict[str, Function] = field(default_factory=dict)
    attrs: dict[str, Value] = field(default_factory=dict)
    bases: tuple[Value, ...] = ()
    given: dict[str, Value] = field(default_factory=dict)  # what its objects were given (obj.x = ...), joined

    def __hash__(self) -> int:
        return id(self)

    def mro(self):
        """This class, then its project bases, depth first (enough for the code people write)."""
        seen: list[ClassVal] = []
        todo = [self]
        while todo:
            cls = todo.pop(0)
            if cls not in seen:
                seen.append(cls)
                todo += [b for b in cls.bases if isinstance(b, ClassVal)]
        return seen

    def method(self, name: str) -> Function | None:
        return next((cls.methods[name] for cls in self.mro() if name in cls.methods), None)

    def attr(self, name: str) -> Value | None:
        return next((cls.attrs[name] for cls in self.mro() if name in cls.attrs), None)

    def library_bases(self) -> set[str]:
        """The qualified names of the library classes it derives from (``keras.layers.Layer``...)."""
        return {b.qualname for cls in self.mro() for b in cls.bases if isinstance(b, ModuleRef)}


@dataclass(eq=False)
class Instance(Value):
    """An object of a class defined in the project, with its own attributes (``self.model = ...``);
    what it does not set comes from the class. Objects made at different places are different values."""

    cls: ClassVal
    attrs: dict[str, Value] = field(default_factory=dict)

    def __hash__(self) -> int:
        return id(self)

    def attr(self, name: str) -> Value | None:
        return self.attrs[name] if name in self.attrs else self.cls.attr(name)

    def set_attr(self, name: str, value: Value) -> None:
        """``obj.name = value``: this object's attribute, and what a method run on an object of the
        class it did not see made sees (``cls.given``: what all its objects were given, joined)."""
        attrs = self.attrs
        attrs[name] = join(attrs[name], value) if name in attrs else value
        given = self.cls.given
        given[name] = join(given[name], value) if name in given else value


@dataclass(frozen=True)
class Super(Value):
    """``super()`` inside a method of ``cls`` called on ``instance``."""

    cls: ClassVal
    instance: Value

    def attribute(self, name: str) -> Value:
        for base in self.cls.mro()[1:]:
            if name in base.methods:
                return MethodRef(base.methods[name], self.instance)
        return UNKNOWN


@dataclass(frozen=True)
class MethodRef(Value):
    """A project method bound to an instance: ``super().__init__``, or a method looked up on a base."""

    function: Function
    instance: Value


@dataclass(frozen=True)
class Partial(Value):
    """``functools.partial(func, *args, **kwargs)``."""

    func: Value
    args: tuple[Value, ...]
    kwargs: tuple[tuple[str, Value], ...]


@dataclass(frozen=True)
class Bound(Value):
    """``obj.method`` before it is called."""

    obj: Value
    name: str


@dataclass(frozen=True)
class Pipeline(Value):
    """A callable object that applies image ops in order: a torchvision transform or Compose.

    Calling it applies ``ops`` (like a Keras model's ``front``). ``random``: the augmentations among
    them, for messages (``RandomResizedCrop(224)``); ``parts``: the transforms it was composed of,
    in order, when they are known (``Compose.transforms``).
    """

    name: str
    ops: tuple[Op, ...] = ()
    random: tuple[str, ...] = ()
    parts: tuple[Value, ...] | None = None


@dataclass(frozen=True)
class Checkpoint(Value):
    """``keras.callbacks.ModelCheckpoint(path)``: fit saves the model there."""

    path: Value


@dataclass(frozen=True)
class Opaque(Value):
    """A known kind of object that carries no image facts (a VideoCapture, a file)."""

    kind: str


class Alternative(NamedTuple):
    """One alternative of a choice the code makes: the choice (``by``), which way it went, in words."""

    by: Any  # what decides: the condition's text of an if, a dict's key expression, a loop
    label: str  # which way: "false", "'vgg16'", "VGG16"
    words: str  # for messages, with {} for the label(s): "when `args.checkpoint is not None` is {}"
    of: int = 2  # how many ways the choice has


@dataclass(frozen=True)
class Choice(Value):
    """One of several values, by a choice the code makes at run time: a model picked in an if/else,
    a dict of constructors indexed by a command-line argument, the item of a loop over a list.
    Each alternative is a possible run; alternatives of the same choice (``by``) go together."""

    by: Any
    options: tuple[tuple[Alternative, Value], ...]

    def values(self) -> tuple[Value, ...]:
        return tuple(v for _, v in self.options)


# What makes a choice worth following path by path: the model, or the preprocessing applied.
def worth_choosing(value: Value) -> bool:
    return isinstance(value, (Model, Choice)) or (isinstance(value, ModuleRef) and "applications" in value.qualname)


def choose(by: Any, options: list[tuple[Alternative, Value]]) -> Value:
    """A choice between values; one value when they are all the same."""
    first = options[0][1]
    if all(v is first or v == first for _, v in options[1:]):
        return first
    return Choice(by, tuple(options))


INDEX = Opaque("int")  # a whole number of unknown value: a loop counter over range(), len(x)


def join(a: Value, b: Value) -> Value:
    """The value that holds on both paths."""
    if a is b or a == b:
        return a
    if isinstance(a, Choice) and isinstance(b, Choice) and a.by == b.by \
            and [o for o, _ in a.options] == [o for o, _ in b.options]:
        return Choice(a.by, tuple((o, join(x, y)) for (o, x), (_, y) in zip(a.options, b.options)))
    if isinstance(a, Model) and isinstance(b, Model):
        return join_models(a, b)
    if isinstance(a, Image) and isinstance(b, Image):
        if a.blank != b.blank:  # a batch before and after it is filled: what it is filled with counts
            return a if b.blank else b
        merged = {}
        for f in fields(Image):
            x, y = getattr(a, f.name), getattr(b, f.name)
            if f.name == "scale":
                merged[f.name] = x if (x is not None and y is not None and x.same(y)) else None
            elif f.name == "steps":
                merged[f.name] = x if x == y else ()
            elif f.name == "garbled":
                merged[f.name] = x or y
            else:
                merged[f.name] = x if x == y else None
        return Image(**merged)
    if isinstance(a, TupleVal) and isinstance(b, TupleVal) and len(a.items) == len(b.items):
        return TupleVal(tuple(join(x, y) for x, y in zip(a.items, b.items)))
    if isinstance(a, ListVal) and isinstance(b, ListVal):
        if a.item is None or b.item is None:
            return ListVal(a.item if b.item is None else b.item, a.repeated and b.repeated)
        return ListVal(join(a.item, b.item), a.repeated and b.repeated)
    if isinstance(a, Instance) and isinstance(b, Instance) and a.cls is b.cls:  # either object: what both have
        names = a.attrs.keys() & b.attrs.keys()
        return Instance(a.cls, {n: join(a.attrs[n], b.attrs[n]) for n in names})
    if isinstance(a, DictVal) and isinstance(b, DictVal):
        if a.items is not None and b.items is not None and [k for k, _ in a.items] == [k for k, _ in b.items]:
            return DictVal(tuple((k, join(x, y)) for (k, x), (_, y) in zip(a.items, b.items)))
        return DictVal(None, joined((a.values() or (a.item,)) + (b.values() or (b.item,))))
    if isinstance(a, Dataset) and isinstance(b, Dataset):
        return Dataset(join(a.element, b.element), a.shuffled if a.shuffled == b.shuffled else None,
                       a.files if a.files == b.files else None, a.single and b.single, a.sliced and b.sliced,
                       a.reshuffles if a.reshuffles == b.reshuffles else None)
    return UNKNOWN


def join_models(a: Model, b: Model) -> Value:
    """Two models chosen on two paths (``vgg16(...)`` or ``alexnet(...)``): one model with what both
    expect, when they expect the same (their names aside); ``attrs["joined"]`` holds them."""
    if a.front != b.front or a.attrs.get("framework") != b.attrs.get("framework") or a.layers or b.layers:
        return UNKNOWN
    if (a.expects is None) != (b.expects is None):
        return UNKNOWN
    expects = a.expects
    if a.expects is not None and b.expects is not None and a.expects != b.expects:
        texts = ("model", "preprocess_hint", "size_reason")
        if replace(a.expects, min_size=b.expects.min_size, **{t: getattr(b.expects, t) for t in texts}) != b.expects:
            return UNKNOWN

        def either(x, y):
            return x if x == y or not y else y if not x else f"{x} or {y}"

        least = [m for m in (a.expects.min_size, b.expects.min_size) if m]  # too small for both: too small
        expects = replace(a.expects, min_size=min(least) if len(least) == 2 else None,
                          **{t: either(getattr(a.expects, t), getattr(b.expects, t)) for t in texts})
    attrs = {k: v for k, v in a.attrs.items() if k in b.attrs and (b.attrs[k] is v or b.attrs[k] == v)}
    attrs["joined"] = TupleVal((a, b))
    name = a.name if a.name == b.name else f"{a.name} or {b.name}"
    return Model(name, expects, a.front, a.line, attrs)


def joined(values) -> Value | None:
    """The join of several values (None for none at all; ``None`` items are skipped)."""
    out = None
    for v in values:
        if v is not None:
            out = v if out is None else join(out, v)
    return out


def image_of(value: Value) -> Image | None:
    """The image inside a value fed to a model: the value itself, the x of an (x, y) pair, or the one
    input of a list of inputs (``model.predict([x])``)."""
    if isinstance(value, Image):
        return value
    if isinstance(value, ListVal) and value.items is not None and len(value.items) == 1:
        return image_of(value.items[0])
    if isinstance(value, TupleVal) and value.items and isinstance(value.items[0], Image):
        return value.items[0]
    return None
