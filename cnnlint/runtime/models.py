"""What a watched script built: Keras application models, and the models that wrap them.

An application model is known from its constructor call (family, weights, include_top,
include_preprocessing). A model that contains one is followed to it, and the layers in
front of it become a small "front" model: applying it to a sample of the input shows what
really reached the pre-trained base, whatever Rescaling or Lambda layers sit before it.
"""
from __future__ import annotations

import warnings
import weakref
from dataclasses import dataclass

from ..knowledge import knowledge


@dataclass(frozen=True)
class Application:
    """A ``keras.applications`` model as its constructor was called."""

    name: str  # the constructor, e.g. "ResNet50"
    family: str  # its keras.applications module, e.g. "resnet50"
    mode: str  # the input mode the model expects: caffe, tf, torch or none (0..255)
    weights: str | None  # "imagenet", a weights file, or None (random)
    include_top: bool
    input_shape: tuple  # (None, height, width, channels) as built
    size: int  # the size of its ImageNet weights
    include_preprocessing: bool | None = None  # None: the constructor has no such argument

    @property
    def pretrained(self) -> bool:
        return self.weights is not None

    @property
    def describe(self) -> str:
        weights = "random weights" if not self.pretrained else (
            "imagenet weights" if self.weights == "imagenet" else f"weights from {self.weights}")
        preprocessing = "" if self.include_preprocessing is None else \
            f", include_preprocessing={self.include_preprocessing}"
        return f"{self.name} ({weights}, include_top={self.include_top}{preprocessing})"

    @classmethod
    def from_call(cls, name: str, arguments: dict, model) -> Application | None:
        info = knowledge().models.get(name)
        if info is None:
            return None
        mode = info.mode
        if arguments.get("include_preprocessing") is False and info.without_preprocessing:
            mode = info.without_preprocessing
        weights = arguments.get("weights")
        return cls(name, info.family, mode, None if weights is None else str(weights),
                   bool(arguments.get("include_top", True)), tuple(model.input_shape), info.size,
                   arguments.get("include_preprocessing"))


class Registry:
    """Application models by identity, without keeping them alive."""

    def __init__(self):
        self._apps: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._fronts: dict = {}

    def add(self, model, app: Application) -> None:
        self._apps[model] = app

    def get(self, model) -> Application | None:
        try:
            return self._apps.get(model)
        except TypeError:  # not weak-referenceable or not hashable: not one of ours
            return None

    def base(self, model):
        """The application model ``model`` is or contains (directly), with its front.

        Returns (base, application, front, front_layers): ``front`` is None when nothing sits
        before the base, a callable on arrays otherwise; a base whose front cannot be built
        (nested deeper, several inputs) is returned with front ``False``: unknown.
        """
        app = self.get(model)
        if app is not None:
            return model, app, None, ()
        layers = getattr(model, "layers", None) or []
        for layer in layers:
            app = self.get(layer)
            if app is not None:
                key = (id(model), id(layer))
                if key not in self._fronts:
                    self._fronts[key] = _front(model, layer)
                front, names = self._fronts[key]
                return layer, app, front, names
        return self.identified(model)

    def identified(self, model):
        """An application inside a model nobody built while watched (loaded, rebuilt from a config),
        told by its layers as the static analysis tells saved files (knowledge.identify): a nested
        model with an application's name, or the model's own layers."""
        key = ("identified", id(model))
        if key not in self._fronts:
            self._fronts[key] = (model, _identify(model))
        kept, found = self._fronts[key]
        if kept is not model or found is None:
            return None, None, False, ()
        base, app = found
        if base is model:
            return model, app, None, ()
        front_key = (id(model), id(base))
        if front_key not in self._fronts:
            self._fronts[front_key] = _front(model, base)
        front, names = self._fronts[front_key]
        return base, app, front, names


def _identify(model):
    """(base layer or the model itself, its Application), or None."""
    from ..knowledge import identify

    layers = list(getattr(model, "layers", None) or [])
    for layer in layers:
        if getattr(layer, "layers", None):  # a model used as a layer
            name = identify({layer.name}, set())
            if name is not None:
                return layer, _loaded_application(name, layer)
    names = {layer.name for layer in layers}
    name = identify(set(), names)
    if name is None or any(type(layer).__name__ in ("Rescaling", "Normalization", "Lambda", "TFOpLambda")
                           for layer in layers[:3]):
        return None  # a flat model with preprocessing layers of its own in front: not followed
    return model, _loaded_application(name, model)


def _loaded_application(name: str, model) -> Application:
    info = knowledge().models[name]
    inner = {type(layer).__name__ for layer in getattr(model, "layers", [])}
    preprocessing = ("Rescaling" in inner) if info.without_preprocessing else None
    mode = info.mode if preprocessing is not False else info.without_preprocessing
    return Application(name, info.family, mode, "the loaded model", _has_top(model), tuple(model.input_shape),
                       info.size, preprocessing)


def _has_top(model) -> bool:
    last = (getattr(model, "layers", None) or [None])[-1]
    return type(last).__name__ == "Dense" and getattr(last, "units", None) == 1000


def _front(outer, base):
    """What ``outer`` does to its input before ``base`` gets it: (callable on arrays or None, names).

    Sequential: the layers before the base. Functional: the part of the graph between the
    input and the base, as a model (Keras ops such as ``x / 127.5 - 1`` included). Subclassed
    models run Python of their own before the base: unknown (False).
    """
    kinds = {cls.__name__ for cls in type(outer).__mro__}
    layers = list(outer.layers)
    if "Sequential" in kinds:
        before = [layer for layer in layers[:layers.index(base)] if type(layer).__name__ != "InputLayer"]
        if not before:
            return None, ()

        def apply(x):
            x = _as_input(x, outer)
            for layer in before:
                x = layer(x, training=False) if _takes_training(layer) else layer(x)
            return x

        return apply, tuple(type(layer).__name__ for layer in before)
    inputs = getattr(outer, "inputs", None) or []
    if "Functional" not in kinds or len(inputs) != 1:
        return False, ()
    for node in getattr(base, "_inbound_nodes", []):
        tensors = getattr(node, "input_tensors", [])
        if len(tensors) != 1:
            continue
        if tensors[0] is inputs[0]:
            return None, ()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # named: an unnamed model would take the next automatic name from the script's models
                functional = next(c for c in type(outer).__mro__ if c.__name__ == "Functional")
                sub = functional(inputs[0], tensors[0], name=f"cnnlint_front_{id(outer)}")
        except Exception:  # that call of the base belongs to another model
            continue
        names = tuple(type(layer).__name__ for layer in sub.layers if type(layer).__name__ != "InputLayer")
        return (lambda x: sub(_as_input(x, outer), training=False)), names or ("operations",)
    return False, ()


def _as_input(x, model):
    """The array as the model's input layer would cast it (uint8 images become float32)."""
    import numpy as np

    dtype = getattr((getattr(model, "inputs", None) or [None])[0], "dtype", None) or "float32"
    try:
        return np.asarray(x).astype(str(getattr(dtype, "name", dtype)), copy=False)
    except TypeError:
        return np.asarray(x, dtype="float32")


def _takes_training(layer) -> bool:
    import inspect

    try:
        return "training" in inspect.signature(layer.call).parameters
    except (TypeError, ValueError):
        return False
