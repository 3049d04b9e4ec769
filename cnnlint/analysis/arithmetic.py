"""Arithmetic on abstract values: ``x / 255.``, ``x / 127.5 - 1``, ``(x - 127.5) / 127.5``.

Scaling by constants moves an image's value interval; anything else (a mean
array, another image) makes the scale unknown, never wrong.
"""
from __future__ import annotations

import operator
from typing import TYPE_CHECKING

from ..knowledge import knowledge
from .facts import (RAW, UNIT, UNKNOWN, Array, Const, Image, ListVal, Opaque, PathStr, PixelMax, Scale, Stat, Step,
                    Symbolic, Value)
from .paths import suffix_of

# Arithmetic on a value of unknown origin: still unknown, but no longer "the data as loaded",
# so ``(x - 127.5) / 127.5`` is not mistaken for ``x / 127.5`` of 0..255 pixels.
SHIFTED = Opaque("arithmetic result")

if TYPE_CHECKING:
    from .interpreter import Interpreter

_PYTHON_OPS = {
    "Add": operator.add, "Subtract": operator.sub, "Multiply": operator.mul, "Divide": operator.truediv,
    "FloorDivide": operator.floordiv, "Modulo": operator.mod, "Power": operator.pow,
}
_SYMBOL = {"Add": "+", "Subtract": "-", "Multiply": "*", "Divide": "/"}


def _number(value: Value) -> float | None:
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return float(value.value)
    return None


def _pixel_scaling(op: str, k: float | None) -> bool:
    if k is None:
        return False
    if op == "Divide":
        return k in (255.0, 127.5)
    return op == "Multiply" and any(abs(k - 1 / d) < 1e-6 for d in (255.0, 127.5))


def wraps(image: Image, op: str, other: Value, image_on_left: bool) -> bool:
    """Mean subtraction (or addition) that stays uint8 and so wraps around: ``img - mean_uint8``,
    ``img - 100`` (numpy and tf keep uint8 for Python ints and uint8 arrays).

    Small shifts (``mask - 1`` on label masks) and multiplications are left alone: they wrap
    only for values the code usually does not have.
    """
    if image.dtype != "uint8" or image.garbled or image.container not in ("array", "tensor") \
            or op not in ("Subtract", "Add") or not image_on_left:
        return False
    if isinstance(other, Array):
        return other.dtype == "uint8"
    return isinstance(other, Const) and isinstance(other.value, int) and not isinstance(other.value, bool) \
        and abs(other.value) >= MEAN_LIKE


MEAN_LIKE = 16  # a constant this large subtracted from pixels is a mean, and wraps dark pixels


def affine(op: str, k: float, image_on_left: bool) -> tuple[float, float] | None:
    """``x op k`` (or ``k op x``) as ``x * mul + add``."""
    if op == "Multiply":
        return k, 0.0
    if op == "Divide" and image_on_left and k != 0:
        return 1.0 / k, 0.0
    if op == "Add":
        return 1.0, k
    if op == "Subtract":
        return (1.0, -k) if image_on_left else (-1.0, k)
    return None


def scale_op(mul: float, add: float, what: str, loc, kind: str = "scale"):
    """An op that scales image values; replayable inside a model's front. ``kind``: "layer" for a
    Rescaling layer (the advice is then another Rescaling)."""

    def apply(image: Value, interp, at) -> Value:
        if not isinstance(image, Image):
            return UNKNOWN
        new = image.scale.affine(mul, add) if image.scale is not None else None
        dtype = "float" if (mul != int(mul) or add != int(add) or image.dtype != "uint8") else image.dtype
        return image.but(scale=new, steps=image.steps + (Step(what, loc, kind=kind),), dtype=dtype)

    return apply


# Constants the interpreter folds stay small: user code such as ``10 ** 10 ** 9``, ``(0,) * 10**9``
# or ``s = s + s`` forty times must not cost cnnlint minutes or gigabytes. Bigger is just unknown.
MAX_CONST_BITS = 4096  # integers
MAX_CONST_LEN = 10_000  # strings, bytes, tuples


def small(value) -> bool:
    """Whether a computed constant is small enough to keep."""
    if isinstance(value, int):
        return value.bit_length() <= MAX_CONST_BITS
    if isinstance(value, (str, bytes, tuple)):
        return len(value) <= MAX_CONST_LEN
    return True


def _affordable(op: str, a, b) -> bool:
    """Whether ``a op b`` can be computed cheaply: the result's size is estimated before computing it."""
    if op == "Power" and isinstance(a, int) and isinstance(b, int) and b > 0:
        return max(a.bit_length(), 1) * b <= MAX_CONST_BITS
    if op == "Multiply":
        for seq, n in ((a, b), (b, a)):
            if isinstance(seq, (str, bytes, tuple)) and isinstance(n, int):
                return len(seq) * n <= MAX_CONST_LEN
    return True


def fold(op: str, a, b) -> Value:
    """``a op b`` on Python constants, as Python computes it, or unknown when it fails or is too big."""
    fn = _PYTHON_OPS.get(op)
    if isinstance(a, str) or isinstance(b, str):  # str % args is formatting, str * n repetition: not folded
        fn = operator.add if op == "Add" and type(a) is type(b) else None
    if fn is None or not _affordable(op, a, b):
        return UNKNOWN
    try:
        result = fn(a, b)
    except Exception:  # 1 / 0, overflow, unsupported operands: Python would raise, the value is unknown
        return UNKNOWN
    return Const(result) if small(result) else UNKNOWN


def channel_values(value: Value) -> tuple[float, ...] | None:
    """The numbers of a per-channel constant (``np.array([0.485, 0.456, 0.406])``, a literal list)."""
    if isinstance(value, Array):
        return value.values
    if isinstance(value, Const) and isinstance(value.value, (tuple, list)):
        from .effects.images import flat_numbers

        return flat_numbers(value.value)
    return None


def _close(values: tuple[float, ...], wanted: tuple[float, ...] | None, factor: float = 1.0) -> bool:
    return wanted is not None and len(values) == len(wanted) and all(
        abs(v - w * factor) <= 0.01 * abs(w * factor) for v, w in zip(values, wanted))


def normalised(interp: "Interpreter", node, image: Image, op: str, other: Value) -> Image | None:
    """Standardisation by hand: ``(x - x.mean()) / x.std()``, and a mode's own constants subtracted and
    divided by hand (``(x / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]`` is torch mode)."""
    scale = image.scale
    step = Step(f"{_SYMBOL[op]} {interp.module.code(_operand(node, True))}", interp.loc(node))
    done = None
    if isinstance(other, Stat) and other.kind == "mean" and op == "Subtract":
        done = Scale(mode="centred")
    elif isinstance(other, Stat) and other.kind == "std" and op == "Divide" and scale == Scale(mode="centred"):
        done = Scale(mode="standardised")
    else:
        values = channel_values(other)
        modes = knowledge().modes
        torch, caffe = modes["torch"], modes["caffe"]
        if values is None or scale is None:
            return None
        if op == "Subtract" and scale.same(UNIT) and _close(values, torch.mean):
            done = Scale(mode="imagenet-centred")
        elif op == "Subtract" and scale.same(RAW) and _close(values, torch.mean, 255.0):
            done = Scale(mode="imagenet-centred-255")
        elif op == "Subtract" and scale.same(RAW) and image.order == "BGR" and _close(values, caffe.mean):
            done = Scale(mode="caffe")
        elif op == "Divide" and scale == Scale(mode="imagenet-centred") and _close(values, torch.std):
            done = Scale(mode="torch")
        elif op == "Divide" and scale == Scale(mode="imagenet-centred-255") and _close(values, torch.std, 255.0):
            done = Scale(mode="torch")
    if done is None:
        return None
    return image.but(scale=done, dtype="float", steps=image.steps + (step,))


def uniform(value: Value) -> Value:
    """A per-channel constant with the same number for every channel is that number: ``[0.5, 0.5, 0.5]``."""
    if isinstance(value, Const) and not isinstance(value.value, (tuple, list)) or (
            isinstance(value, Array) and value.dtype == "uint8"):
        return value
    values = channel_values(value)
    return Const(float(values[0])) if values and len(set(values)) == 1 else value


def binary(interp: "Interpreter", node, left: Value, op: str, right: Value) -> Value:
    """``left op right`` on abstract values."""
    if isinstance(left, Const) and isinstance(right, Const):
        return fold(op, left.value, right.value)
    if op == "Add" and any(isinstance(v, PathStr) or isinstance(v, Const) and isinstance(v.value, str)
                           for v in (left, right)):
        # folder + "/" + name: a path built at run time
        return PathStr(suffix_of(right) or suffix_of(left, folder=True))
    if isinstance(left, Image) and op in ("Subtract", "Divide") and not wraps(left, op, right, True):
        done = normalised(interp, node, left, op, right)
        if done is not None:
            return done
        right = uniform(right)
    elif isinstance(right, Image):
        left = uniform(left)
    if op == "Multiply" and isinstance(left, ListVal) and isinstance(right, Const):
        return ListVal(left.item, repeated=True)
    if isinstance(left, Image) and isinstance(right, PixelMax) and op == "Divide":
        if left.scale is not None and left.scale.is_interval() and left.scale.lo == 0:
            return left.but(scale=Scale.interval(0.0, 1.0), dtype="float",
                            steps=left.steps + (Step("/ max()", interp.loc(node)),))
        return left.but(scale=None)
    if left is UNKNOWN and _pixel_scaling(op, _number(right)):
        left = Image(scale=RAW)  # nobody divides by 255 but to scale 0..255 pixels
    image, other, image_on_left = (left, right, True) if isinstance(left, (Image, Symbolic)) else (right, left, False)
    if not isinstance(image, (Image, Symbolic)):
        return SHIFTED if UNKNOWN in (left, right) or SHIFTED in (left, right) else UNKNOWN
    if isinstance(image, Image) and wraps(image, op, other, image_on_left):
        interp.event("uint8-wrap", node, op=_SYMBOL[op], image=image)
        image = image.but(garbled=True, scale=None)
    k = _number(other)
    if isinstance(image, Image) and image_on_left and _pixel_scaling(op, k) and not image.garbled \
            and image.steps and image.steps[-1].kind == "preprocess":
        # x / 255 meant for 0..255 pixels, on values preprocess_input already normalised
        step = Step(f"{_SYMBOL[op]} {interp.module.code(_operand(node, True))}", interp.loc(node))
        interp.renormalised(node, image, step)
        return image.but(scale=None, garbled=True, steps=image.steps + (step,))
    coeffs = affine(op, k, image_on_left) if k is not None else None
    if coeffs is None:
        if isinstance(image, Symbolic):
            return image if image.base is not None else Symbolic(image.ops, None, opaque=True)
        # Mean arrays, other images, unknown numbers: the scale is no longer known.
        return image.but(scale=None, steps=image.steps)
    number = interp.module.code(_operand(node, image_on_left))  # as written: `/ 255.0`, `* (1 / 127.5)`
    text = f"{_SYMBOL[op]} {number}" if image_on_left else f"{number} {_SYMBOL[op]}"
    step = scale_op(*coeffs, text, interp.loc(node))
    if isinstance(image, Symbolic):
        return image if image.base is not None else Symbolic(image.ops + (step,), None, image.opaque)
    return step(image, interp, node)


def _operand(node, image_on_left: bool):
    """The other operand's expression in ``x / 255.0``, ``255 - x``, ``x /= 127.5``, ``np.divide(x, 255)`` or
    ``x.div(255)``."""
    if hasattr(node, "left"):
        return node.right if image_on_left else node.left
    if hasattr(node, "args") and len(node.args) >= 2:  # np.divide(x, 255)
        return node.args[1 if image_on_left else 0].value
    if hasattr(node, "args") and node.args:  # a tensor's method: x.div(255)
        return node.args[0].value
    return node.value  # an augmented assignment
