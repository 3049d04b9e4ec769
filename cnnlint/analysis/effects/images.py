"""Where images come from and what array operations do to them.

PIL, keras.utils image loading, OpenCV, tf.io / tf.image, numpy, scikit-image, imageio.
"""
from __future__ import annotations

import posixpath

from ..facts import (
    FILE_CHANNELS,
    NATIVE,
    RECEIVED_CHANNELS,
    FileSize,
    RAW,
    UNIT,
    Array,
    PathEnd,
    PathStr,
    TextFile,
    UNKNOWN,
    Const,
    Image,
    ListVal,
    ModuleRef,
    Opaque,
    PixelMax,
    Scale,
    Stat,
    Step,
    Symbolic,
    TupleVal,
    Value,
    INDEX,
    join,
    joined,
)
from ..arithmetic import binary
from ..paths import path_key, suffix_of
from .files import written_size
from .table import ITEMS, apply, dtype_name, function, method

COLOR_MODES = {"rgb": 3, "grayscale": 1, "rgba": 4}
PIL_MODES = {"RGB": 3, "L": 1, "RGBA": 4, "LA": 2, "1": 1, "P": 1, "I": 1, "F": 1, "CMYK": 4}


def loaded(call, container: str, *, size=NATIVE, channels=3, order="RGB", dtype="uint8", scale=RAW,
           as_in_file: bool = False) -> Image:
    """An image read from a file; in a loop over files that the call ignores, it is the same image each time.

    A file the project itself wrote (cv2.imwrite of a resized image) has the size it was written with;
    an image file in the project has the size (and, read ``as_in_file``, the channels) of its header.
    """
    if size == NATIVE and call.args:
        size = written_size(call, call.args[0]) or NATIVE
    found = file_header(call, call.args[0]) if call.args else None
    if found is not None:
        size = FileSize((found.height, found.width)) if size == NATIVE else size
        channels = found.channels if as_in_file else channels
    return Image(scale=scale, size=size, batched=False, channels=channels, order=order, dtype=dtype,
                 container=container, origin=call.loc, stale_loop=call.interp.stale_load(call.node))


NOT_ALWAYS_RGB = (".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ico", ".pgm", ".ppm")
HEADERS_READ = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp")  # cnnlint/imagefiles.py


def file_header(call, path: Value):
    """The header of the project's image file a literal path names: ``Image.open("images/cat.jpg")``."""
    key = path_key(path)
    if key is None or posixpath.splitext(key)[1].lower() not in HEADERS_READ:
        return None
    return call.interp.project.image_file(key, call.interp.module)


def file_channels(path: Value) -> int | None:
    """The channels of a file read as it is, by the type its path names (a literal, ``*.png``,
    ``name + ".png"``): a PNG, GIF, TIFF... may be RGBA, gray or paletted. A JPEG is RGB (or rarely
    gray), and so is a path in a JPEG folder (``data/jpg/``, ``VOC2012/JPEGImages/``); a file whose
    type the code does not name (a path argument, whatever a folder holds) is unknown: silence."""
    key = path_key(path)
    suffix = posixpath.splitext(key)[1].lower() if key is not None else suffix_of(path)
    return FILE_CHANNELS if suffix in NOT_ALWAYS_RGB else None


# What arrives at run time from outside: an uploaded file (any format, so any channel count), bytes
# received otherwise (a data URL, request data: any format too, for all the code knows); the bytes of a
# JPEG, or of a file whose type the code does not name: no channel fact.
UPLOAD = Opaque("upload")
UPLOADED = Opaque("upload bytes")
RECEIVED = Opaque("bytes")
FILE_BYTES = Opaque("file bytes")


def opened_channels(source: Value) -> int | None:
    """The channels of an image opened as it is (PIL.Image.open, torchvision read_image): those of the
    file a path names (file_channels) or of an upload; of whatever was received for other bytes;
    unknown for other file bytes (a JPEG, a file of unknown type)."""
    if source in (UPLOAD, UPLOADED):
        return FILE_CHANNELS
    if source == RECEIVED:
        return RECEIVED_CHANNELS
    if source == FILE_BYTES:
        return None
    return file_channels(source)


def known_size(value, pil_order: bool = False) -> tuple[int, int] | None:
    """(height, width) from a size argument; PIL and OpenCV take (width, height)."""
    if isinstance(value, Const) and isinstance(value.value, (tuple, list)) and len(value.value) >= 2:
        a, b = value.value[0], value.value[1]
        if isinstance(a, int) and isinstance(b, int):
            return (b, a) if pil_order else (a, b)
    if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return (value.value, value.value)
    return None


# -- keras.utils ----------------------------------------------------------------
@function("keras.preprocessing.image.load_img")
def load_img(call):
    mode = call.const(None, "color_mode", "rgb")
    if call.const(None, "grayscale", False) is True:
        mode = "grayscale"
    target = call.arg(None, "target_size", Const(None))
    if len(call.args) > 1:  # old positional signatures differ between versions
        return loaded(call, "pil", size=None, channels=None)
    size = NATIVE if target == Const(None) else known_size(target)
    return loaded(call, "pil", size=size, channels=COLOR_MODES.get(mode) if isinstance(mode, str) else None)


@function("keras.preprocessing.image.img_to_array")
def img_to_array(call):
    image = call.arg(0, "img")
    if isinstance(image, Image):
        return image.but(container="array", dtype=dtype_name(call.arg(None, "dtype")) or "float")
    return UNKNOWN


@function("keras.preprocessing.image.array_to_img")
def array_to_img(call):
    image = call.arg(0, "x")
    if isinstance(image, Image):
        scale = image.scale if call.const(None, "scale", True) is False else (RAW if image.scale else None)
        return image.but(container="pil", scale=scale, dtype="uint8")
    return UNKNOWN


@function("keras.preprocessing.image.smart_resize")
def smart_resize(call):
    return resized(call.arg(0, "x"), known_size(call.arg(1, "size")))


def resized(image: Value, size) -> Value:
    """The image at its new size; whatever was resized, its size is known (its other facts are not)."""
    if isinstance(image, Image):
        return image.but(size=size)
    if size is not None and (image is UNKNOWN or isinstance(image, Opaque)):
        return Image(size=size)
    return UNKNOWN


# -- PIL ------------------------------------------------------------------------
@function("PIL.Image.open")
def pil_open(call):
    return loaded(call, "pil", channels=opened_channels(call.arg(0, "fp")), as_in_file=True)


@function("PIL.Image.fromarray")
def pil_fromarray(call):
    image = call.arg(0, "obj")
    return image.but(container="pil") if isinstance(image, Image) else UNKNOWN


@method("pil", "convert")
def pil_convert(call):
    mode = call.const(0, "mode")
    channels = PIL_MODES.get(mode) if isinstance(mode, str) else None
    return call.receiver.but(channels=channels)


@method("pil", "resize")
def pil_resize(call):
    return call.receiver.but(size=known_size(call.arg(0, "size"), pil_order=True))


@method("pil", "crop", "rotate", "transpose")
def pil_geometry(call):
    return call.receiver.but(size=None)


@method("pil", "copy")
@method("array", "copy")
@method("tensor", "copy")
def same(call):
    return call.receiver


@function("PIL.ImageOps.fit", "PIL.ImageOps.pad")
def pil_fit(call):
    return resized(call.arg(0, "image"), known_size(call.arg(1, "size"), pil_order=True))


@function("PIL.ImageOps.exif_transpose")
def pil_exif_transpose(call):
    return resized(call.arg(0, "image"), None)  # may swap width and height


# In-place methods: what the receiver becomes (``img.thumbnail((224, 224))`` keeps the aspect ratio).
MUTATING_METHODS = {
    "thumbnail": lambda image: image.but(size=None),
    "resize_": lambda image: image.but(size=None),
}


# -- OpenCV ---------------------------------------------------------------------
def _imread_channels(flag: Value) -> int | None:
    if flag == Const(None):
        return 3
    name = flag.qualname.rsplit(".", 1)[-1] if isinstance(flag, ModuleRef) else None
    if isinstance(flag, Const) and isinstance(flag.value, int):
        return {0: 1, 1: 3, -1: FILE_CHANNELS}.get(flag.value)
    return {"IMREAD_GRAYSCALE": 1, "IMREAD_COLOR": 3, "IMREAD_REDUCED_COLOR_2": 3,
            "IMREAD_UNCHANGED": FILE_CHANNELS}.get(name or "")


@function("cv2.imread")
def cv2_imread(call):
    channels = _imread_channels(call.arg(1, "flags", Const(None)))
    return loaded(call, "array", channels=channels, order=None if channels == 1 else "BGR")


@function("cv2.imdecode")
def cv2_imdecode(call):
    channels = _imread_channels(call.arg(1, "flags"))
    return loaded(call, "array", channels=channels, order=None if channels == 1 else "BGR")


@function("cv2.VideoCapture")
def cv2_capture(call):
    return Opaque("cv2.VideoCapture")


@method("cv2.VideoCapture", "read")
def capture_read(call):
    return TupleVal((UNKNOWN, Image(scale=RAW, size=NATIVE, batched=False, channels=3, order="BGR",
                                    dtype="uint8", container="array", origin=call.loc)))


CVT_CODES = {  # conversion code suffix -> (order, channels)
    "BGR2RGB": ("RGB", 3), "RGB2BGR": ("BGR", 3), "BGRA2RGB": ("RGB", 3), "BGRA2BGR": ("BGR", 3),
    "RGBA2RGB": ("RGB", 3), "RGBA2BGR": ("BGR", 3), "BGR2GRAY": (None, 1), "RGB2GRAY": (None, 1),
    "GRAY2RGB": ("RGB", 3), "GRAY2BGR": ("BGR", 3), "BGR2RGBA": ("RGB", 4), "BGR2BGRA": ("BGR", 4),
    "BGRA2RGBA": ("RGB", 4), "RGBA2BGRA": ("BGR", 4), "BGR2HSV": (None, 3), "BGR2LAB": (None, 3),
}


@function("cv2.cvtColor")
def cv2_cvtcolor(call):
    image, code = call.arg(0, "src"), call.arg(1, "code")
    if not isinstance(image, Image):
        return UNKNOWN
    name = code.qualname.rsplit(".", 1)[-1] if isinstance(code, ModuleRef) else ""
    order, channels = CVT_CODES.get(name.removeprefix("COLOR_"), (None, None))
    if name.endswith(("HSV", "LAB", "YUV", "YCrCb")):
        return image.but(order=None, channels=channels, scale=None)
    return image.but(order=order, channels=channels)


@function("cv2.resize")
def cv2_resize(call):
    size = known_size(call.arg(1, "dsize"), pil_order=True)
    return resized(call.arg(0, "src"), size)


# -- tf.io / tf.image -----------------------------------------------------------
@function("tensorflow.io.read_file", "tensorflow.io.gfile.GFile", "builtins.open")
def read_bytes(call):
    path = call.arg(0, "filename")
    key = path_key(path)
    if key is not None and key.lower().endswith(".json"):
        return TextFile(key)  # a model's architecture, perhaps (model_from_json)
    if path in (UPLOAD, UPLOADED):
        return UPLOADED
    if path == RECEIVED or file_channels(path) == FILE_CHANNELS:
        return RECEIVED  # a PNG the code names: any channel count, like bytes received
    return FILE_BYTES


@function("io.BytesIO", "base64.b64decode", "base64.decodebytes", "base64.urlsafe_b64decode")
def received_bytes(call):
    """Bytes in memory: of a file the code read (the file's kind), else received at run time."""
    data = call.arg(0, "initial_bytes")
    if call.qualname == "io.BytesIO" and data in (FILE_BYTES, UPLOADED):
        return data
    return RECEIVED


@function("streamlit.{,sidebar.}file_uploader", "flask.request.files.get", "flask.request.files.getlist", "fastapi.File",
          "fastapi.UploadFile", "fastapi.datastructures.UploadFile")
def upload(call):
    """A file a user uploads: any image format, unless the uploader accepts JPEG only."""
    kinds = call.const(1, "type")
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    if isinstance(kinds, (tuple, list)) and kinds and all(
            isinstance(k, str) and k.lower().lstrip(".") in ("jpg", "jpeg") for k in kinds):
        return FILE_BYTES
    return ListVal(UPLOAD) if call.qualname.endswith("getlist") else UPLOAD


@method("upload", "read", "getvalue", "getbuffer")
def upload_read(call):
    return UPLOADED


ITEMS["flask.request.files"] = UPLOAD


@method("textfile", "read")
def read_text(call):
    return call.receiver


@function("keras.utils.get_file", "keras.utils.data_utils.get_file")
def get_file(call):
    """The local path of a download, by the name it is saved under: the name tells the file type
    (``'grace_hopper.jpg'``) or what the file is (``'vgg16_weights_tf_dim_ordering_tf_kernels.h5'``)."""
    fname = call.arg(0, "fname")
    if isinstance(fname, Const) and isinstance(fname.value, str) and call.const(None, "extract", False) is not True:
        return fname
    origin = call.arg(1, "origin")
    if isinstance(origin, Const) and isinstance(origin.value, str) and file_channels(origin) is None:
        return origin
    return UNKNOWN


@function("tensorflow.{io,image}.decode_{jpeg,png,image,bmp,gif}")
def tf_decode(call):
    """uint8 0..255; ``decode_png(dtype=tf.uint16)`` 0..65535; ``decode_image(dtype=tf.float32)``
    converts to [0, 1] as convert_image_dtype does."""
    channels = call.const(1, "channels", 0)
    if channels == 0 and call.qualname.endswith("png"):
        channels = FILE_CHANNELS  # a PNG keeps its channels: RGBA, gray...
    elif channels == 0 and not call.qualname.endswith("jpeg"):
        channels = opened_channels(call.arg(0, "contents"))  # decode_image keeps them too, if it may be one
    image = loaded(call, "tensor", channels=channels if isinstance(channels, int) and channels else None)
    dtype = call.arg(2 if call.qualname.endswith(("png", "image")) else None, "dtype", Const(None))
    if dtype == Const(None):
        return image
    name = dtype.qualname.rsplit(".", 1)[-1] if isinstance(dtype, ModuleRef) else dtype.value \
        if isinstance(dtype, Const) else None
    if name == "uint8":
        return image
    if name == "uint16" and call.qualname.endswith("png"):
        return image.but(dtype="uint16", scale=Scale(0.0, 65535.0))
    if dtype_name(dtype) == "float" and call.qualname.endswith("image"):
        return image.but(dtype="float", scale=UNIT,
                         steps=(Step("tf.io.decode_image(dtype=float)", call.loc),))
    return image.but(dtype=None, scale=None)


@function("tensorflow.image.per_image_standardization")
def per_image_standardization(call):
    image = call.arg(0, "image")
    if not isinstance(image, Image):
        return UNKNOWN
    return image.but(scale=Scale(mode="standardised"), dtype="float",
                     steps=image.steps + (Step("tf.image.per_image_standardization", call.loc),))


@function("tensorflow.image.resize", "tensorflow.image.resize_images")
def tf_resize(call):
    image = resized(call.arg(0, "images"), known_size(call.arg(1, "size")))
    return image.but(dtype="float") if isinstance(image, Image) else image


@function("tensorflow.image.resize_with_pad", "tensorflow.image.resize_with_crop_or_pad",
          "tensorflow.image.resize_image_with_pad", "tensorflow.image.resize_image_with_crop_or_pad")
def tf_resize_pad(call):
    h, w = call.const(1, "target_height"), call.const(2, "target_width")
    size = (h, w) if isinstance(h, int) and isinstance(w, int) else None
    return resized(call.arg(0, "image"), size)


@function("tensorflow.image.central_crop", "tensorflow.image.crop_to_bounding_box")
def tf_crop(call):
    return resized(call.arg(0, "image"), None)


@function("tensorflow.image.{flip_left_right,random_flip_left_right,random_flip_up_down,flip_up_down}",
          "tensorflow.identity", "tensorflow.convert_to_tensor", "tensorflow.constant", "tensorflow.Variable")
def tf_keep(call):
    image = call.arg(0, "image")
    return image.but(container="tensor") if isinstance(image, Image) else UNKNOWN


@function("tensorflow.cast", "tensorflow.dtypes.cast")
def tf_cast(call):
    image = call.arg(0, "x")
    if isinstance(image, (Image, Symbolic)):
        dtype = dtype_name(call.arg(1, "dtype"))
        return image.but(dtype=dtype) if isinstance(image, Image) else image
    return UNKNOWN


@function("tensorflow.image.convert_image_dtype")
def tf_convert_image_dtype(call):
    """uint8 -> float scales to [0, 1]; float -> float changes nothing."""
    image = call.arg(0, "image")
    if not isinstance(image, Image):
        return UNKNOWN
    target = dtype_name(call.arg(1, "dtype"))
    if target == "float" and image.dtype == "uint8":
        scale = image.scale.affine(1 / 255, 0) if image.scale is not None else None
        step = Step("tf.image.convert_image_dtype (uint8 to [0, 1])", call.loc, kind="convert")
        return image.but(scale=scale, dtype="float", steps=image.steps + (step,))
    if target == "float" and image.dtype == "float":
        step = Step("tf.image.convert_image_dtype (no change: the input is already float)", call.loc, kind="convert")
        return image.but(steps=image.steps + (step,))
    if target == "uint8" and image.dtype == "float":  # [0, 1] floats back to 0..255
        scale = image.scale.affine(255, 0) if image.scale is not None else None
        return image.but(dtype="uint8", scale=scale)
    return image.but(dtype=target, scale=None if image.dtype is None else image.scale)


# -- numpy and tf array construction ---------------------------------------------
def stacked(items: Value) -> Value:
    """A batch made of a list of single images."""
    item = items.item if isinstance(items, ListVal) else None
    if isinstance(items, TupleVal) and items.items:
        from ..facts import join

        item = items.items[0]
        for other in items.items[1:]:
            item = join(item, other)
    if isinstance(item, Image) and item.batched is False:
        repeated = True if isinstance(items, ListVal) and items.repeated else item.repeated
        # images of whatever size their files had stack only if the files share one size: unknown here
        size = None if item.size == NATIVE else item.size
        return item.but(batched=True, container="array", repeated=repeated, size=size)
    return UNKNOWN


@function("numpy.{array,asarray,asanyarray,ascontiguousarray,float32,float64,uint8}")
def np_array(call):
    obj = call.arg(0, "object")
    if isinstance(obj, Const) and isinstance(obj.value, (tuple, int, float)):  # a mean, a std
        values = flat_numbers(obj.value)
        given = dtype_name(call.arg(1, "dtype")) or dtype_name(Const(call.qualname))
        inferred = "float" if values is None or any(isinstance(v, float) for v in values) else "int"
        return Array(given or inferred, values)
    if isinstance(obj, (ListVal, TupleVal)):
        result = stacked(obj)
        item = obj.item if isinstance(obj, ListVal) else joined(obj.items)
        if result is UNKNOWN and isinstance(item, Image) and item.batched:  # batches of one: (n, 1, h, w, c)
            result = item.but(batched=None, size=None, container="array")
    elif isinstance(obj, Image):
        result = obj.but(container="array")
    else:
        return UNKNOWN
    dtype = dtype_name(call.arg(1, "dtype")) or dtype_name(Const(call.qualname))
    if isinstance(result, Image) and dtype:
        result = result.but(dtype=dtype)
    ndmin = call.const(None, "ndmin", 0)
    if isinstance(result, Image) and ndmin == 4:
        result = add_batch_axis(result) if result.batched is False else result
    elif isinstance(result, Image) and ndmin not in (0, 1, 2, 3):
        result = result.but(batched=None)
    return result


@function("numpy.{zeros,empty,ones,ndarray}")
def np_allocate(call):
    """``np.zeros((n, 224, 224, 3))``: a batch to be filled image by image (``batch[i] = img``)."""
    shape = call.arg(0, "shape")
    dims = shape.value if isinstance(shape, Const) and isinstance(shape.value, tuple) else \
        tuple(d.value if isinstance(d, Const) else None for d in shape.items) if isinstance(shape, TupleVal) else None
    if dims is None or len(dims) not in (3, 4) or not all(isinstance(d, int) for d in dims[-3:]):
        return UNKNOWN
    h, w, c = dims[-3:]
    if c not in (1, 3, 4):
        return UNKNOWN
    dtype = dtype_name(call.arg(1, "dtype")) or "float"
    return Image(size=(h, w), channels=c, batched=len(dims) == 4, dtype=dtype, container="array", blank=True)


def filled(batch: Image, image: Value) -> Value:
    """``batch[i] = image``: the batch holds images like ``image`` (cast to the batch's dtype)."""
    if not isinstance(image, Image) or image.batched is not False:
        return batch.but(blank=False, scale=None, steps=(), origin=None) if batch.blank else UNKNOWN
    # the image's own channels count: an RGBA PNG written into an (n, h, w, 3) batch fails there
    new = image.but(batched=True, size=batch.size or image.size,
                    channels=image.channels if image.channels is not None else batch.channels,
                    dtype=batch.dtype, container="array", blank=False)
    return new if batch.blank else join(batch, new)


def flat_numbers(value) -> tuple[float, ...] | None:
    """The numbers of a literal (nested tuples of numbers), flattened; None when it holds anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return (value,)
    if isinstance(value, (tuple, list)):
        out: list = []
        for v in value:
            inner = flat_numbers(v)
            if inner is None:
                return None
            out.extend(inner)
        return tuple(out)
    return None


UFUNCS = {"divide": "Divide", "true_divide": "Divide", "multiply": "Multiply", "subtract": "Subtract",
          "add": "Add"}


@function("numpy.{divide,true_divide,multiply,subtract,add}", "tensorflow.{divide,multiply,subtract,add}",
          "tensorflow.math.{divide,multiply,subtract,add}")
def ufunc(call):
    """``np.divide(x, 255)`` is ``x / 255``."""
    if len(call.args) < 2:
        return UNKNOWN
    left = call.args[0]
    if isinstance(left, ListVal) and left.item in (None, UNKNOWN):
        left = UNKNOWN  # an array made of a list of unknown things
    return binary(call.interp, call.node, left, UFUNCS[call.qualname.rsplit(".", 1)[-1]], call.args[1])


@function("numpy.{stack,vstack,concatenate,row_stack}", "tensorflow.{stack,concat}")
def np_stack(call):
    items = call.arg(0, "arrays" if call.qualname.startswith("numpy") else "values")
    if isinstance(items, (ListVal, TupleVal)):
        item = stacked(items)
        if item is not UNKNOWN:
            return item
        elements = items.items if isinstance(items, TupleVal) else (items.item,)
        if elements and all(isinstance(e, Image) and e.batched for e in elements):
            return elements[0]
    return UNKNOWN


def add_batch_axis(image: Value) -> Value:
    if isinstance(image, Image):
        return image.but(batched=True) if image.batched is False else image.but(batched=None)
    return image if isinstance(image, Symbolic) else UNKNOWN


@function("numpy.expand_dims", "tensorflow.expand_dims", "keras.ops.expand_dims", "keras.backend.expand_dims")
def expand_dims(call):
    image = call.arg(0, "a") if isinstance(call.arg(0, "a"), Image) else call.arg(0, "input")
    axis = call.const(1, "axis", UNKNOWN)
    if axis == 0:
        return add_batch_axis(image)
    return image.but(batched=None) if isinstance(image, Image) else UNKNOWN


@function("numpy.repeat", "numpy.tile", "tensorflow.repeat", "tensorflow.tile")
def repeat(call):
    """One image repeated into a batch: every prediction is for the same picture."""
    image = next((a for a in (call.arg(0, "a"), call.arg(0, "input")) if isinstance(a, Image)), None)
    if image is None:
        return UNKNOWN
    if image.batched is False or (image.batched and _one_image_batch(call)):
        return image.but(batched=True, repeated=True)
    return image.but(batched=None)


def _one_image_batch(call) -> bool:
    """np.repeat(x[None], n, axis=0) or np.tile(x[None], (n, 1, 1, 1)): x is a batch of one, made here."""
    node = call.node.args[0].value if call.node.args else None
    text = call.interp.module.code(node) if node is not None else ""
    return "expand_dims" in text or "[None" in text or "newaxis" in text


@function("glob.glob", "glob.iglob", "os.listdir", "tensorflow.io.gfile.glob", "tensorflow.io.gfile.listdir")
def list_files(call):
    return ListVal(PathStr(suffix_of(call.arg(0, "pathname"))))


@function("os.scandir", "os.walk")
def walk_files(call):
    return ListVal(UNKNOWN)


def joined_suffix(parts: list[Value]) -> str:
    return suffix_of(parts[-1]) or next((s for p in parts[:-1] if (s := suffix_of(p, folder=True))), "")


@function("os.path.join", "os.path.abspath", "os.path.normpath", "os.fspath", "builtins.str")
def path_of(call):
    """A path found at run time stays one; a path joined from constants is a constant."""
    if any(isinstance(a, PathStr) for a in call.args):
        return PathStr(joined_suffix(call.args))
    if call.qualname == "os.path.join" and call.args and not call.kwargs:
        known = [a for a in call.args if isinstance(a, Const) and isinstance(a.value, str)]
        if len(known) == len(call.args):
            return Const(posixpath.join(*(a.value for a in known)))
        tail = []  # os.path.join(BASE_DIR, "model", "cnn.h5"): the end of the path is known
        for a in reversed(call.args):
            if not (isinstance(a, Const) and isinstance(a.value, str)):
                break
            tail.insert(0, a.value)
        if tail and "." in tail[-1]:
            return PathEnd(posixpath.join(*tail))
        if known:  # os.path.join("VOC2012/JPEGImages", name)
            return PathStr(joined_suffix(call.args))
    if call.qualname == "builtins.str" and isinstance(call.arg(0), Const) and isinstance(call.arg(0).value, str):
        return call.arg(0)
    return UNKNOWN


@function("pathlib.Path")
def path_object(call):
    return PathStr(suffix_of(call.args[-1]) if call.args else "")


@method("pathlib.Path", "glob", "rglob", "iterdir")
def path_glob(call):
    return ListVal(PathStr(suffix_of(call.arg(0, "pattern"))))


@function("numpy.{rollaxis,moveaxis,swapaxes,transpose}", "tensorflow.transpose", "torch.{permute,transpose}")
def axes_moved(call):
    """The same values with their axes moved: the value facts stay, and so do the shape facts of a
    single image (HWC -> CHW for PyTorch) or of a batch whose batch axis stays first (NHWC -> NCHW);
    other moves leave the shape unknown."""
    image = call.arg(0, "a" if "a" in call.kwargs else "input")
    if not isinstance(image, Image):
        return UNKNOWN
    if image.batched is False or (image.batched and _batch_axis_stays(call)):
        return image
    return image.but(batched=None, size=None, channels=None)


PERMUTATIONS = {"numpy.transpose": "axes", "tensorflow.transpose": "perm", "torch.permute": "dims"}


def _batch_axis_stays(call) -> bool:
    """Whether the first axis of a batch (of four axes) stays first."""
    if call.qualname in PERMUTATIONS:  # np.transpose(x, (0, 3, 1, 2)); no axes reverses them all
        order = call.const(1, PERMUTATIONS[call.qualname])
        return isinstance(order, (tuple, list)) and len(order) > 0 and order[0] == 0
    if call.qualname == "numpy.rollaxis":
        moved = (call.const(1, "axis"), call.const(2, "start", 0))
    else:  # swapaxes, moveaxis, torch.transpose: two axes
        moved = (call.const(1), call.const(2))
    return all(isinstance(a, int) and a % 4 != 0 for a in moved)


@function("numpy.squeeze", "tensorflow.squeeze")
def squeeze(call):
    image = call.arg(0, "a")
    return image.but(batched=None) if isinstance(image, Image) else UNKNOWN


def reshaped(image: Image, shape: tuple) -> Image:
    if len(shape) == 4 and (shape[0] == 1 or shape[0] == -1):
        return image.but(batched=True)
    if len(shape) == 3 and image.batched is not None and all(isinstance(d, int) and d > 0 for d in shape):
        return image.but(batched=False)  # (224, 224, 3): one image; (-1, 28, 28), (n, 28, 28) may be a batch
    return image.but(batched=None)


@method("array", "reshape")
@method("tensor", "reshape")
def array_reshape(call):
    shape = call.args[0].value if len(call.args) == 1 and isinstance(call.args[0], Const) else tuple(
        a.value if isinstance(a, Const) else None for a in call.args)
    if not isinstance(shape, tuple):
        return call.receiver.but(batched=None)
    return reshaped(call.receiver, shape)


@function("numpy.reshape", "tensorflow.reshape")
def np_reshape(call):
    image, shape = call.arg(0, "a"), call.arg(1, "newshape")
    if not isinstance(image, Image):
        return UNKNOWN
    if isinstance(shape, Const) and isinstance(shape.value, tuple):
        return reshaped(image, shape.value)
    return image.but(batched=None)


@method("array", "astype")
@method("tensor", "astype")
def astype(call):
    return call.receiver.but(dtype=dtype_name(call.arg(0, "dtype")), container="array")


@method("tensor", "numpy")
def tensor_numpy(call):
    return call.receiver.but(container="array")


@method("array", "max")
@method("tensor", "max")
def array_max(call):
    return PixelMax(call.receiver) if not call.args and not call.kwargs else UNKNOWN


@method("array", "mean", "std")
@method("tensor", "mean", "std")
def array_stat(call):
    return Stat(call.receiver, call.node.func.attr.value)


@function("numpy.mean", "numpy.std", "numpy.nanmean", "numpy.nanstd", "tensorflow.reduce_mean",
          "tensorflow.math.reduce_mean", "tensorflow.math.reduce_std", "tensorflow.reduce_std")
def np_stat(call):
    image = call.arg(0, "a") if isinstance(call.arg(0, "a"), Image) else call.arg(0, "input_tensor")
    return Stat(image, "std" if call.qualname.endswith("std") else "mean") if isinstance(image, Image) else UNKNOWN


@function("numpy.max", "numpy.amax", "tensorflow.reduce_max")
def np_max(call):
    image = call.arg(0, "a")
    return PixelMax(image) if isinstance(image, Image) and len(call.args) == 1 and not call.kwargs else UNKNOWN


# -- other readers ---------------------------------------------------------------
@function("imageio.imread", "imageio.v2.imread", "imageio.v3.imread")
def other_imread(call):
    return loaded(call, "array", channels=None, as_in_file=True)


@function("matplotlib.pyplot.imread", "matplotlib.image.imread")
def mpl_imread(call):
    return loaded(call, "array", channels=None, scale=None, dtype=None)  # PNGs load as [0, 1] floats


def cropped(image: Image, spatial: list) -> Image:
    """A single image sliced as [rows, columns(, channels)]: a crop, its channels kept or cut to 3."""
    full = slice(None, None, None)
    if len(spatial) == 3 and spatial[2] != full:
        channels = 3 if spatial[2] in (slice(None, 3, None), slice(0, 3, None)) else None
        image = image.but(channels=channels)
    return image if all(i == full for i in spatial[:2]) else image.but(size=None)


def subscript_image(image: Image, indices: list) -> Value:
    """``x[None]``, ``x[np.newaxis, ...]``, ``x[..., ::-1]``, ``batch[0]``, ``x[:, :, :3]``."""
    from ..facts import Const as C

    def is_newaxis(i):
        return i == C(None) or (isinstance(i, ModuleRef) and i.qualname.endswith("newaxis"))

    def is_ellipsis(i):
        return isinstance(i, C) and i.value is Ellipsis

    if indices and is_newaxis(indices[0]):
        rest = indices[1:]
        if all(is_ellipsis(i) or (isinstance(i, slice) and i == slice(None, None, None)) for i in rest):
            return add_batch_axis(image)
        return image.but(batched=None)
    last = indices[-1] if indices else None
    if isinstance(last, slice) and last.step == -1 and last.start is None and last.stop is None and len(indices) >= 2:
        flipped = {"RGB": "BGR", "BGR": "RGB"}.get(image.order or "")
        leading_full = all(is_ellipsis(i) or i == slice(None, None, None) for i in indices[:-1])
        if leading_full:
            return image.but(order=flipped)
    if all(isinstance(i, slice) and i == slice(None, None, None) or is_ellipsis(i) for i in indices[:-1]) \
            and isinstance(last, slice) and last.start in (None, 0) and last.stop == 3 and last.step is None \
            and len(indices) >= 2:
        return image.but(channels=3)
    if len(indices) == 1 and isinstance(indices[0], slice):
        return image  # a slice of the batch
    if len(indices) > 1 and image.batched and isinstance(indices[0], C) and isinstance(indices[0].value, int) \
            and all(isinstance(i, slice) for i in indices[1:]):
        # batch[0, y:y + 224, x:x + 224, :]: one image of the batch, cropped
        return cropped(image.but(batched=False), indices[1:])
    if image.batched is False and 2 <= len(indices) <= 3 and all(isinstance(i, slice) for i in indices):
        return cropped(image, indices)  # img[y:y + 64, x:x + 64, :3]
    if len(indices) == 1 and (isinstance(indices[0], C) and isinstance(indices[0].value, int) or indices[0] == INDEX):
        return image.but(batched=False) if image.batched else image.but(batched=None, size=None)
    if len(indices) == 1 and not isinstance(indices[0], slice):  # x[idx]: one image, or a shuffled batch
        return image.but(batched=None) if image.batched else UNKNOWN
    return image.but(size=None, batched=None) if any(isinstance(i, slice) for i in indices) else UNKNOWN


__all__ = ["MUTATING_METHODS", "subscript_image", "add_batch_axis", "apply"]
