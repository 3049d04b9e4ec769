"""Instrumentation: Keras application constructors and model entry points, patched in place.

Nothing here changes what the script computes. The patched functions call the originals
with the same arguments and return their results; data that arrives lazily (tf.data,
generators, PyDataset) is wrapped so each batch is measured when the model consumes it,
never read ahead. A failure inside cnnlint is counted and the script goes on untouched.
Everything is restored on ``uninstall``.
"""
from __future__ import annotations

import functools
import inspect
import os
import sys
import threading
import types
from importlib.util import find_spec

import numpy as np

from ..knowledge import knowledge
from .models import Application
from .record import Recorder, Site

ENTRIES = ("predict", "__call__", "predict_on_batch", "fit", "evaluate")
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # the cnnlint package
KERAS_PACKAGES = ("keras", "tf_keras")  # each: Model, applications; tf.keras is keras itself

_local = threading.local()  # .busy: cnnlint itself is calling a model on this thread


class Instrumentation:
    def __init__(self, recorder: Recorder):
        self.recorder = recorder
        self.undo: list[tuple[dict, str, object, bool]] = []  # (namespace, name, old value, had it)
        self.library_dirs: tuple[str, ...] = ()
        self.finder = None
        self.patched: set[str] = set()

    def install(self) -> None:
        """Patch the Keras packages already imported, and the others the moment they are.

        Importing them here would come before the script's own ``os.environ`` settings
        (``TF_CPP_MIN_LOG_LEVEL``, ``KERAS_BACKEND``...) and change what the script gets.
        """
        self.library_dirs = tuple(d + os.sep for d in map(_package_dir, (*KERAS_PACKAGES, "tensorflow")) if d)
        pending = []
        for package in KERAS_PACKAGES:
            if sys.modules.get(package) is not None:
                self.patch(sys.modules[package])
            elif package not in sys.modules:  # (None there: blocked, as if not installed)
                pending.append(package)
        if pending:
            self.finder = _PatchOnImport(self, pending)
            sys.meta_path.insert(0, self.finder)

    def patch(self, package) -> None:
        """Patch one imported Keras package (``keras`` or ``tf_keras``), once."""
        if package.__name__ in self.patched:
            return
        self.patched.add(package.__name__)
        try:
            self._patch_entries(package.Model)
            self._patch_constructors(package)
        except Exception as error:  # a Keras that differs from the ones cnnlint knows: watch less
            self.recorder.failed(error)

    def uninstall(self) -> None:
        if self.finder in sys.meta_path:
            sys.meta_path.remove(self.finder)
        for namespace, name, old, had in reversed(self.undo):
            if had:
                namespace[name] = old
            else:
                namespace.pop(name, None)
        self.undo.clear()

    def _set(self, namespace: dict, name: str, value) -> None:
        self.undo.append((namespace, name, namespace.get(name), name in namespace))
        namespace[name] = value

    # -- model entry points ------------------------------------------------------------

    def _patch_entries(self, model_class: type) -> None:
        for entry in ENTRIES:
            original = getattr(model_class, entry)
            self._set(_ClassDict(model_class), entry, self._entry(entry, original))

    def _entry(self, entry: str, original):
        recorder, instrumentation = self.recorder, self

        @functools.wraps(original)
        def watched(model, *args, **kwargs):
            if getattr(_local, "busy", False):
                return original(model, *args, **kwargs)
            frame = instrumentation._user_frame()
            if frame is None or _symbolic(args[0] if args else kwargs.get("inputs", kwargs.get("x"))):
                return original(model, *args, **kwargs)
            site = None
            try:
                _local.busy = True
                site, front = recorder.site(frame.f_code.co_filename, frame.f_lineno, entry, model)
                site.calls += 1
                args, kwargs = _observe_input(recorder, site, front, args, kwargs)
            except Exception as error:  # cnnlint's own failure: the script must not notice
                recorder.failed(error)
            finally:
                _local.busy = False
            out = original(model, *args, **kwargs)
            if site is not None and site.inference:
                try:
                    outputs = _array(out)
                    if outputs is not None:
                        with recorder.lock:
                            site.predictions.add(outputs)
                except Exception as error:
                    recorder.failed(error)
            return out

        return watched

    def _user_frame(self):
        """The frame of the user's code that called the model, or None for library-internal calls."""
        frame = sys._getframe(2)
        while frame is not None and frame.f_code.co_filename.startswith(HERE):
            frame = frame.f_back
        if frame is None or frame.f_code.co_filename.startswith(self.library_dirs):
            return None
        return frame

    # -- application constructors ------------------------------------------------------

    def _patch_constructors(self, package) -> None:
        applications = getattr(package, "applications", None)
        if applications is None:
            return
        for name in knowledge().models:
            original = getattr(applications, name, None)
            if original is None or not callable(original):
                continue
            wrapper = self._constructor(name, original)
            # every module that holds the constructor, the user's included (from ... import ResNet50)
            for module in list(sys.modules.values()):
                try:  # not getattr: TensorFlow's lazy modules would import what they stand for
                    namespace = object.__getattribute__(module, "__dict__")
                except (AttributeError, TypeError):
                    continue
                if isinstance(namespace, dict) and namespace.get(name) is original:
                    self._set(namespace, name, wrapper)

    def _constructor(self, name: str, original):
        recorder = self.recorder
        signature = inspect.signature(original)

        @functools.wraps(original)
        def build(*args, **kwargs):
            model = original(*args, **kwargs)
            try:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                app = Application.from_call(name, bound.arguments, model)
                if app is not None:
                    recorder.registry.add(model, app)
            except Exception as error:
                recorder.failed(error)
            return model

        build.__cnnlint_original__ = original
        return build


class _PatchOnImport:
    """A meta path finder that lets a package (Keras, or torch for the PyTorch instrumentation) load as usual, then patches it."""

    def __init__(self, instrumentation: Instrumentation, packages: list[str]):
        self.instrumentation = instrumentation
        self.packages = set(packages)

    def find_spec(self, name, path=None, target=None):
        # asked again for each lookup (importlib.util.find_spec too): every spec gets the hook
        if name not in self.packages or name in sys.modules:
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return None
        load = loader.exec_module

        def exec_module(module):
            load(module)
            self.instrumentation.patch(module)

        loader.exec_module = exec_module
        return spec


def _package_dir(name: str) -> str | None:
    try:
        spec = find_spec(name)
    except (ImportError, ValueError):
        return None
    origin = getattr(spec, "origin", None)
    return os.path.dirname(os.path.abspath(origin)) if origin else None


class _ClassDict(dict):
    """A class's attributes as a writable namespace (a class's __dict__ is read-only)."""

    def __init__(self, cls: type):
        super().__init__()
        self.cls = cls

    def get(self, name, default=None):
        return self.cls.__dict__.get(name, default)

    def __contains__(self, name):
        return name in self.cls.__dict__

    def __setitem__(self, name, value):
        setattr(self.cls, name, value)

    def pop(self, name, default=None):
        if name in self.cls.__dict__:
            delattr(self.cls, name)
        return default


# -- inputs ------------------------------------------------------------------------------

def _observe_input(recorder: Recorder, site: Site, front, args: tuple, kwargs: dict):
    """Measure the input now if it is an array; wrap it if it arrives batch by batch."""
    key = "inputs" if site.entry == "__call__" else "x"
    if args:
        x, put = args[0], lambda v: ((v, *args[1:]), kwargs)
    elif key in kwargs:
        x, put = kwargs[key], lambda v: (args, {**kwargs, key: v})
    else:
        return args, kwargs
    array = _array(x)
    if array is not None:
        _measure(recorder, site, front, array)
        return args, kwargs
    wrapped = _wrap_stream(recorder, site, front, x)
    if wrapped is None:
        site.unobserved += 1
        return args, kwargs
    return put(wrapped)


def _measure(recorder: Recorder, site: Site, front, array: np.ndarray) -> None:
    _local.busy = True
    try:
        with recorder.lock:
            site.observe(array, front)
    except Exception as error:
        recorder.failed(error)
    finally:
        _local.busy = False


def _symbolic(x) -> bool:
    """A tensor with no values yet: building a functional model, or tracing a tf.function."""
    if isinstance(x, (list, tuple)) and x:
        x = x[0]
    return type(x).__name__ in ("KerasTensor", "SymbolicTensor")


def _array(x) -> np.ndarray | None:
    """A concrete array from a numpy array or an eager tensor; None for anything else."""
    if isinstance(x, np.ndarray):
        return x if x.dtype != object else None
    if type(x).__name__ in ("EagerTensor", "ResourceVariable") and hasattr(x, "numpy"):
        try:
            return np.asarray(x.numpy())
        except Exception:
            return None
    return None


def _first(element):
    """The model input of one batch: ``x`` of ``(x, y)`` or ``(x, y, weights)``."""
    if isinstance(element, (tuple, list)) and element:
        return element[0]
    return element


def _wrap_stream(recorder: Recorder, site: Site, front, x):
    """``x`` again, measuring each batch as it is consumed; None if ``x`` is not a stream."""
    def observe(batch):
        array = _array(batch) if not isinstance(batch, np.ndarray) else batch
        if array is not None:
            _measure(recorder, site, front, array)

    tf = sys.modules.get("tensorflow")
    if tf is not None and isinstance(x, tf.data.Dataset):
        return _wrap_dataset(x, observe)
    pydataset = _pydataset_class()
    if pydataset is not None and isinstance(x, pydataset):
        return None if getattr(x, "use_multiprocessing", False) else _WatchedPyDataset.of(x, observe)
    if isinstance(x, types.GeneratorType):  # other iterators are left as they are: Keras may refuse them
        return _watch_iterator(x, observe)
    return None


def _watch_iterator(iterator, observe):
    for element in iterator:
        observe(_first(element))
        yield element


def _wrap_dataset(dataset, observe):
    import tensorflow as tf

    spec = dataset.element_spec
    first = spec[0] if isinstance(spec, tuple) and spec else spec
    if not isinstance(first, tf.TensorSpec):
        return None

    def measure(x):
        observe(x)
        return np.bool_(True)

    def tap(*element):
        x = element[0]
        done = tf.numpy_function(measure, [x], tf.bool, stateful=True)
        with tf.control_dependencies([done]):
            x = tf.identity(x)
        return (x, *element[1:]) if isinstance(spec, tuple) else x

    return dataset.map(tap)


def _pydataset_class():
    keras = sys.modules.get("keras")
    return getattr(getattr(keras, "utils", None), "PyDataset", None)


class _WatchedPyDataset:
    """A PyDataset that hands out the batches of another one, measuring each.

    Keras reads the first batch once more to learn its shape: a batch is measured the first
    time its index is read in an epoch.
    """

    @staticmethod
    def of(inner, observe):
        from keras.utils import PyDataset

        class Watched(PyDataset):
            def __init__(self):
                super().__init__(workers=getattr(inner, "workers", 1),
                                 use_multiprocessing=False,
                                 max_queue_size=getattr(inner, "max_queue_size", 10))
                self.measured: set[int] = set()

            def __len__(self):
                return len(inner)

            @property
            def num_batches(self):
                return inner.num_batches

            def __getitem__(self, index):
                batch = inner[index]
                if index not in self.measured:
                    self.measured.add(index)
                    observe(_first(batch))
                return batch

            def on_epoch_begin(self):
                if hasattr(inner, "on_epoch_begin"):
                    inner.on_epoch_begin()

            def on_epoch_end(self):
                self.measured.clear()
                inner.on_epoch_end()

        return Watched()
