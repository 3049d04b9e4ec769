"""Data handed over through files: what one script writes (np.save, Dataset.save, cv2.imwrite,
PIL's save) is what another reads back from the same literal or constant path.

The project keeps what was written by path (``Project.written``). A read of a path nobody has
written yet first runs the project's other modules that name that path, as an import would; a
path the analysis cannot pin down gives nothing.
"""
from __future__ import annotations

import posixpath

from ..facts import UNKNOWN, Const, Dataset, DictVal, Image, Value, join
from ..paths import path_key
from .table import function, method


def write(call, path: Value, value: Value) -> None:
    key = path_key(path)
    if key is not None:
        call.interp.project.written.put(key, value, call.interp.module.path, merge=join)


def read(call, path: Value) -> Value | None:
    """What the project wrote at ``path``, running the modules that name it if need be."""
    key = path_key(path)
    if key is None:
        return None
    project, reader = call.interp.project, call.interp.module.path
    if project.written.get(key, reader) is None:
        project.run_mentioning(posixpath.basename(key), call.interp.module)
    return project.written.get(key, reader)


# -- numpy --------------------------------------------------------------------------------------
@function("numpy.save")
def np_save(call) -> Value:
    value = call.arg(1, "arr")
    write(call, call.arg(0, "file"), value.but(container="array") if isinstance(value, Image) else value)
    return Const(None)


@function("numpy.savez", "numpy.savez_compressed")
def np_savez(call) -> Value:
    """Arrays by name: keywords as given, positional ones as arr_0, arr_1, ..."""
    named = [(f"arr_{i}", v) for i, v in enumerate(call.args[1:])] + list(call.kwargs.items())
    write(call, call.arg(0, "file"), DictVal(tuple(named)))
    return Const(None)


@function("numpy.load")
def np_load(call) -> Value:
    found = read(call, call.arg(0, "file"))
    return found if found is not None else UNKNOWN


# -- tf.data ----------------------------------------------------------------------------------------
@function("tensorflow.data.Dataset.save", "tensorflow.data.save")
def dataset_save(call) -> Value:
    write(call, call.arg(1, "path"), call.arg(0, "dataset"))
    return Const(None)


@method("dataset", "save")
def dataset_save_method(call) -> Value:
    write(call, call.arg(0, "path"), call.receiver)
    return Const(None)


@function("tensorflow.data.Dataset.load", "tensorflow.data.load")
def dataset_load(call) -> Value:
    found = read(call, call.arg(0, "path"))
    return found if isinstance(found, Dataset) else UNKNOWN


# -- image files ------------------------------------------------------------------------------------
def written_size(call, path: Value):
    """The size of the image written at ``path`` in the project, if one was: reading it back gives
    that size, not "whatever the file had"."""
    key = path_key(path)
    found = call.interp.project.written.get(key, call.interp.module.path) if key is not None else None
    return found.size if isinstance(found, Image) and found.size is not None else None


@function("cv2.imwrite", "keras.preprocessing.image.save_img", "imageio.imwrite", "imageio.v2.imwrite",
          "skimage.io.imsave", "matplotlib.pyplot.imsave")
def imwrite(call) -> Value:
    """(path, image) in every one of these."""
    image = call.args[1] if len(call.args) > 1 else next(
        (call.kwargs[k] for k in ("img", "x", "im", "arr") if k in call.kwargs), UNKNOWN)
    if isinstance(image, Image):
        write(call, call.arg(0, "filename"), Image(size=image.size if image.batched is False else None))
    return Const(True)


@method("pil", "save")
def pil_save(call) -> Value:
    write(call, call.arg(0, "fp"), Image(size=call.receiver.size))
    return Const(None)
