"""scikit-image, scikit-learn and scipy on images.

scikit-image converts uint8 images to floats in [0, 1] (``resize``, ``rescale``, ``rotate``,
``rgb2gray``, ``img_as_float``) unless ``preserve_range=True``; float input keeps its range.
scikit-learn's scalers standardise or rescale whatever array they are fitted on.
"""
from __future__ import annotations

from ..facts import RAW, UNIT, UNKNOWN, Image, Opaque, Scale, Step, TupleVal, Value
from .images import known_size, loaded
from .table import function, method


def as_float(call, image: Image, what: str, **changes) -> Image:
    """scikit-image's conversion of its input to float: uint8 0..255 becomes [0, 1], float keeps its
    range, and ``preserve_range=True`` keeps any range."""
    result = image.but(dtype="float", **changes)
    if call.const(None, "preserve_range", False) is True or image.dtype == "float":
        return result
    if image.dtype == "uint8":
        return result.but(scale=UNIT, steps=image.steps + (Step(what, call.loc),))
    return result.but(scale=None)


# -- scikit-image ----------------------------------------------------------------------------------
@function("skimage.io.imread")
def skimage_imread(call) -> Value:
    if call.const(None, "as_gray", False) is True:
        return loaded(call, "array", channels=1, dtype="float", scale=UNIT)
    return loaded(call, "array", channels=None, as_in_file=True)


@function("skimage.transform.resize")
def skimage_resize(call) -> Value:
    image, size = call.arg(0, "image"), known_size(call.arg(1, "output_shape"))
    if not isinstance(image, Image):
        return Image(size=size) if size else UNKNOWN
    return as_float(call, image, "skimage.transform.resize", size=size)


@function("skimage.transform.rescale", "skimage.transform.rotate", "skimage.transform.warp",
          "skimage.transform.resize_local_mean")
def skimage_transform(call) -> Value:
    image = call.arg(0, "image")
    if not isinstance(image, Image):
        return UNKNOWN
    keeps_size = call.qualname.endswith("rotate") and call.const(None, "resize", False) is False
    name = call.qualname.removeprefix("skimage.")
    return as_float(call, image, name, **({} if keeps_size else {"size": None}))


@function("skimage.img_as_float", "skimage.util.img_as_float", "skimage.img_as_float32",
          "skimage.util.img_as_float32", "skimage.img_as_float64", "skimage.util.img_as_float64")
def img_as_float(call) -> Value:
    image = call.arg(0, "image")
    return as_float(call, image, "img_as_float") if isinstance(image, Image) else UNKNOWN


@function("skimage.img_as_ubyte", "skimage.util.img_as_ubyte")
def img_as_ubyte(call) -> Value:
    """Floats in [0, 1] become 0..255 uint8; uint8 stays as it is."""
    image = call.arg(0, "image")
    if not isinstance(image, Image):
        return UNKNOWN
    if image.dtype == "uint8":
        return image
    return image.but(dtype="uint8", scale=RAW if image.scale is not None and image.scale.same(UNIT) else None)


@function("skimage.color.rgb2gray")
def rgb2gray(call) -> Value:
    image = call.arg(0, "rgb")
    return as_float(call, image, "skimage.color.rgb2gray", channels=1, order=None) \
        if isinstance(image, Image) else UNKNOWN


@function("skimage.color.gray2rgb", "skimage.color.gray2rgba")
def gray2rgb(call) -> Value:
    image = call.arg(0, "image")
    rgba = call.qualname.endswith("rgba")
    return image.but(channels=4 if rgba else 3, order="RGB") if isinstance(image, Image) else UNKNOWN


# -- scipy ------------------------------------------------------------------------------------------
@function("scipy.misc.imresize")
def scipy_imresize(call) -> Value:
    """Old scipy: the result is uint8 0..255 (byte-scaled), of the size given as (height, width)."""
    image = call.arg(0, "arr")
    size = call.const(1, "size")
    size = tuple(size[:2]) if isinstance(size, tuple) and len(size) >= 2 else None
    if not isinstance(image, Image):
        return Image(size=size) if size else UNKNOWN
    return image.but(size=size, dtype="uint8", scale=RAW, container="array")


# -- scikit-learn -------------------------------------------------------------------------------------
SCALERS = {  # what fit_transform makes of any data
    "StandardScaler": Scale(mode="standardised"),
    "RobustScaler": Scale(mode="standardised"),
    "MinMaxScaler": UNIT,
    "Normalizer": Scale(mode="l2-normalised"),
}


def scaler(name: str):
    def construct(call) -> Value:
        if name == "MinMaxScaler":
            rng = call.const(0, "feature_range", (0, 1))
            if rng != (0, 1):
                return Opaque("sklearn.unknown-scaler")
        return Opaque(f"sklearn.{name}")

    return construct


def scaled(name: str):
    def transform(call) -> Value:
        image = call.arg(0, "X")
        if not isinstance(image, Image):
            return UNKNOWN
        return image.but(scale=SCALERS[name], dtype="float",
                         steps=image.steps + (Step(f"{name}.{call.node.func.attr.value}", call.loc),))

    return transform


for _name in SCALERS:
    function(f"sklearn.preprocessing.{_name}")(scaler(_name))
    method(f"sklearn.{_name}", "fit_transform", "transform")(scaled(_name))


@method("sklearn.unknown-scaler", "fit_transform", "transform")
def unknown_scaled(call) -> Value:
    image = call.arg(0, "X")
    return image.but(scale=None) if isinstance(image, Image) else UNKNOWN


@function("sklearn.utils.shuffle")
def sklearn_shuffle(call) -> Value:
    """The arrays, reordered together: each keeps its facts."""
    return TupleVal(tuple(call.args)) if len(call.args) > 1 else (call.args[0] if call.args else UNKNOWN)


@function("sklearn.model_selection.train_test_split", "sklearn.cross_validation.train_test_split")
def train_test_split(call) -> Value:
    """(a_train, a_test, b_train, b_test, ...): each part keeps the facts of the array it was cut from."""
    parts: list[Value] = []
    for array in call.args:
        parts += [array, array]
    return TupleVal(tuple(parts)) if parts else UNKNOWN
