"""The transfer-function tables: effects keyed by canonical qualified name or by (kind, method).

Modules in this package fill the tables with ``@function(...)`` and
``@method(...)``; names may use braces for alternatives:
``"numpy.{array,asarray}"`` registers both spellings.
"""
from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING, Callable

from ..facts import UNKNOWN, Const, Image, ModuleRef, Symbolic, Value

if TYPE_CHECKING:
    from ..interpreter import Call

Effect = Callable[["Call"], Value]

FUNCTIONS: dict[str, Effect] = {}
METHODS: dict[tuple[str, str], Effect] = {}
# Names a table cannot list (a library's thousand model builders, its weights enums): a resolver per
# top-level package turns a canonical name into an effect, from the knowledge base, or None.
RESOLVERS: dict[str, Callable[[str], Effect | None]] = {}
# Attributes of values of a kind: ATTRIBUTES[(kind, name)](owner, name) -> value, or None when it has no
# say; (kind, "*") answers for any name (a PyTorch model's submodules).
ATTRIBUTES: dict[tuple[str, str], Callable] = {}
# What an item of a library object is, by the object's qualified name: ``flask.request.files[...]``.
ITEMS: dict[str, Value] = {}
# ``obj.name = value`` on library objects: SETTERS[(kind, name)](interp, obj, value); ``a.b.name = value``
# is (kind of a, "b.name").
SETTERS: dict[tuple[str, str], Callable] = {}
# Object state recorded with each model call (a PyTorch model's train/eval mode): state(interp, model) -> dict.
MODEL_STATE: list[Callable] = []
# What a framework records when an object of a project class is made: made(interp, instance).
CONSTRUCTED: list[Callable] = []
# What a framework forgets about an object handed to a library cnnlint does not know (a trainer may call
# model.eval() itself): escaped(interp, value).
ESCAPED: list[Callable] = []
# The attributes of a dataset that list labels or files in their fixed order, by what made the dataset
# (its Dataset.files); Keras's flow_from_* iterators when not listed here.
FILE_ORDER: dict[str, tuple[str, ...]] = {}


def expand(pattern: str) -> list[str]:
    parts = re.split(r"\{([^}]*)\}", pattern)
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    return ["".join(c) for c in itertools.product(*choices)]


def function(*patterns: str):
    def register(fn: Effect) -> Effect:
        for pattern in patterns:
            for name in expand(pattern):
                FUNCTIONS[name] = fn
        return fn

    return register


def method(kind: str, *names: str):
    """Register a method of values of ``kind`` (``pil``, ``array``, ``tensor``, ``image``, ``dataset``, ...)."""

    def register(fn: Effect) -> Effect:
        for name in names:
            METHODS[(kind, name)] = fn
        return fn

    return register


def attribute(kind: str, name: str):
    """Register an attribute of values of ``kind`` (``"*"``: any attribute not otherwise known)."""

    def register(fn: Callable):
        ATTRIBUTES[(kind, name)] = fn
        return fn

    return register


def setter(kind: str, name: str):
    """Register what assigning an attribute of values of ``kind`` does."""

    def register(fn: Callable):
        SETTERS[(kind, name)] = fn
        return fn

    return register


def constructed(fn: Callable) -> Callable:
    """Register what making an object of a project class does (a PyTorch module starts in train mode)."""
    CONSTRUCTED.append(fn)
    return fn


def escaped(fn: Callable) -> Callable:
    """Register what handing an object to unknown library code makes unknown (a PyTorch model's mode)."""
    ESCAPED.append(fn)
    return fn


def resolver(package: str):
    """Register the resolver of the names under ``package`` (``torchvision``: every model builder)."""

    def register(fn: Callable[[str], Effect | None]):
        RESOLVERS[package] = fn
        return fn

    return register


def apply(value: Value, op, interp, at) -> Value:
    """Apply an image op to a concrete image, or record it on a symbolic tensor."""
    if isinstance(value, Image):
        return op(value, interp, at)
    if isinstance(value, Symbolic):
        if value.base is not None or value.opaque:  # after an unknown layer: not the input's preprocessing
            return value
        return Symbolic(value.ops + (op,), None, value.opaque)
    return UNKNOWN


def dtype_name(value: Value) -> str | None:
    """'float' or 'uint8' from ``np.float32``, ``"float32"``, ``tf.uint8``, ``float``..."""
    text = value.qualname if isinstance(value, ModuleRef) else value.value if isinstance(value, Const) else None
    if not isinstance(text, str):
        return None
    last = text.rsplit(".", 1)[-1]
    if "float" in last or last in ("double", "half"):
        return "float"
    if last == "uint8":
        return "uint8"
    return None
