"""Abstract values: what the interpreter knows about each Python value.

Every fact is either known or ``None`` (unknown). Joining two paths keeps a
fact only where both agree, so a rule that needs a fact stays silent whenever
the branches disagree: that is how "precision first" is built in.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

NATIVE = "native"  # spatial size: whatever size the file had (never resized)
FILE_CHANNELS = -1  # channel count: whatever the file has (a PIL image never converted, a PNG read as is)


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


@dataclass(frozen=True)
class Scale:
    """What the pixel values are: an interval reached by arithmetic, or the output of a mode."""

    lo: float | None = None
    hi: float | None = None
    mode: str | None = None  # caffe / torch: mean-subtracted, not a plain interval

    @staticmethod
    def interval(lo: float, hi: float) -> Scale:
        return Scale(min(lo, hi), max(lo, hi))

    def is_interval(self) -> bool:
        return self.mode is None and self.lo is not None

    def same(self, other: Scale) -> bool:
        if self.mode or other.mode:
            return self.mode == other.mode
        tol = 0.01 * max(1.0, abs(self.hi - self.lo))  # x / 128 - 1 is [-1, 0.99]: the same input
        return abs(self.lo - other.lo) <= tol and abs(self.hi - other.hi) <= tol

    def affine(self, mul: float, add: float) -> Scale | None:
        if not self.is_interval():
            return None
        return Scale.interval(self.lo * mul + add, self.hi * mul + add)

    def describe(self) -> str:
        if self.mode:
            return f"{self.mode}-mode values"
        if self.same(RAW):
            return "raw 0..255 pixels"
        return f"values in [{_num(self.lo)}, {_num(self.hi)}]"


def _num(x: float) -> str:
    return f"{x:g}" if abs(x) >= 0.01 or x == 0 else f"{x:.2g}"


RAW = Scale(0.0, 255.0)


class Loc(NamedTuple):
    """Where something happened: the file (as shown to the user) and the line."""

    path: str
    line: int
    cell: int | None = None  # notebooks: the cell, and line is the line within it

    def text(self, here: str) -> str:
        """``line 9`` in the same file, ``utils.py:9`` in another; ``cell 4, line 2`` in a notebook."""
        seen = _MENTIONED.get()
        if seen is not None:
            seen.append(self)
        where = f"cell {self.cell}, line {self.line}" if self.cell is not None else f"line {self.line}"
        if self.path == here:
            return where
        return f"{Path(self.path).name}:{self.line}" if self.cell is None else f"{Path(self.path).name} {where}"


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

    def but(self, **changes: Any) -> Image:
        return replace(self, **changes)


@dataclass(frozen=True)
class PixelMax(Value):
    """``img.max()``: dividing by it maps non-negative pixels to [0, 1]."""

    of: Image


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


@dataclass(frozen=True)
class Dataset(Value):
    """A tf.data.Dataset or a Keras generator/iterator: it yields ``element``."""

    element: Value
    shuffled: bool | None = None
    files: str | None = None  # a flow_from_* iterator: its .classes/.filenames are in file order
    single: bool = False  # Dataset.from_tensors: one element
    sliced: bool = False  # Dataset.from_tensor_slices, not batched since: elements are single items


@dataclass(frozen=True)
class Predictions(Value):
    """What a model returned: which model, and whether the inputs came in shuffled order."""

    model: Any = field(compare=False)
    shuffled: bool | None = None


@dataclass(frozen=True)
class FileOrder(Value):
    """Labels or file names in file order, e.g. ``test_gen.classes``."""

    what: str  # classes, filenames, ...
    source: str = "flow_from_directory"  # the generator method that made it


@dataclass(frozen=True)
class PathStr(Value):
    """A file path found at run time (glob, os.listdir): a loop over these is a loop over files."""


@dataclass(frozen=True)
class Array(Value):
    """A numeric array that is not an image (a mean, a std)."""

    dtype: str | None = None


@dataclass(frozen=True)
class DataGen(Value):
    """An ImageDataGenerator: the transforms its flow_* methods apply, in Keras's order."""

    ops: tuple[Op, ...]
    node: Any = field(repr=False)


@dataclass(frozen=True)
class Function(Value):
    """A function or lambda defined in the project."""

    node: Any = field(repr=False)
    module: Any = field(repr=False)  # the ModuleState it was defined in
    closure: Any = field(default=None, repr=False)  # enclosing Env for nested functions


@dataclass(frozen=True)
class Bound(Value):
    """``obj.method`` before it is called."""

    obj: Value
    name: str


@dataclass(frozen=True)
class Opaque(Value):
    """A known kind of object that carries no image facts (a VideoCapture, a file)."""

    kind: str


def join(a: Value, b: Value) -> Value:
    """The value that holds on both paths."""
    if a is b or a == b:
        return a
    if isinstance(a, Image) and isinstance(b, Image):
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
    if isinstance(a, Dataset) and isinstance(b, Dataset):
        return Dataset(join(a.element, b.element), a.shuffled if a.shuffled == b.shuffled else None,
                       a.files if a.files == b.files else None, a.single and b.single, a.sliced and b.sliced)
    return UNKNOWN


def image_of(value: Value) -> Image | None:
    """The image inside a value fed to a model: the value itself, or the x of an (x, y) pair."""
    if isinstance(value, Image):
        return value
    if isinstance(value, TupleVal) and value.items and isinstance(value.items[0], Image):
        return value.items[0]
    return None
