"""Pre-trained Keras models from outside keras.applications (``knowledge/zoos.toml``): qubvel's
``classification_models`` and ``efficientnet`` packages, keras_hub image classifiers."""
from __future__ import annotations

from ...knowledge import knowledge, zoos
from ..facts import UNKNOWN, Const, Expectation, Model, ModuleRef, TupleVal, Value
from .models import mode_scale, preprocess_input
from .table import function, FUNCTIONS


def zoo_constructor(label: str, mode: str, size: int, hint: str | None):
    """A constructor taking keras.applications' arguments, for a model of another zoo."""

    def construct(call) -> Value:
        weights = call.arg(None, "weights", Const("imagenet"))
        if not isinstance(weights, Const) or weights.value is None:
            return Model(label, line=call.line)  # not pre-trained: nothing expected
        include_top = call.const(None, "include_top", True)
        shape = call.const(None, "input_shape", None)
        if include_top is True:
            fixed, reason = (size, size), "with its ImageNet top"
        elif isinstance(shape, tuple) and len(shape) == 3 and all(isinstance(d, int) for d in shape[:2]):
            fixed, reason = (shape[0], shape[1]), f"built with input_shape={shape}"
        else:
            fixed, reason = None, ""
        expects = Expectation(label, mode_scale(mode), knowledge().modes[mode].describe, hint, fixed, 32, reason)
        model = Model(label, expects, line=call.line)
        model.attrs["include_top"] = Const(include_top) if isinstance(include_top, bool) else UNKNOWN
        return model

    return construct


def _register() -> None:
    for package in ("classification_models.keras", "classification_models.tfkeras"):
        function(f"{package}.Classifiers.get")(classifiers_get)
    for name, model in zoos()["efficientnet"].items():
        for package in ("efficientnet.keras", "efficientnet.tfkeras"):
            hint = f"{package}.preprocess_input"
            FUNCTIONS[f"{package}.{name}"] = zoo_constructor(name, model.mode, model.size, hint)
            FUNCTIONS[f"{package}.preprocess_input"] = preprocess_input(model.mode, hint)
    for name, model in zoos()["classification_models"].items():
        if model.application is None:
            hint = None if model.mode == "none" else f"the preprocess_input of Classifiers.get({name!r})"
            FUNCTIONS[f"classification_models.models.{name}"] = zoo_constructor(name, model.mode, model.size, hint)
            FUNCTIONS[f"classification_models.models.{name}.preprocess_input"] = preprocess_input(
                model.mode, f"Classifiers.get({name!r}) preprocess_input")


def classifiers_get(call) -> Value:
    """``Model, preprocess_input = Classifiers.get("resnet18")``: the constructor and its preprocessing."""
    name = call.const(0, "name")
    model = zoos()["classification_models"].get(name) if isinstance(name, str) else None
    if model is None:
        return UNKNOWN
    if model.application is not None:
        family = knowledge().models[model.application].family
        return TupleVal((ModuleRef(f"keras.applications.{model.application}"),
                         ModuleRef(f"keras.applications.{family}.preprocess_input")))
    return TupleVal((ModuleRef(f"classification_models.models.{name}"),
                     ModuleRef(f"classification_models.models.{name}.preprocess_input")))


@function("keras_hub.models.ImageClassifier.from_preset", "keras_nlp.models.ImageClassifier.from_preset")
def hub_classifier_from_preset(call) -> Value:
    """A keras_hub image classifier comes with its preprocessor: it takes 0..255 images of any size."""
    preset = call.const(0, "preset")
    label = f"keras_hub ImageClassifier {preset}" if isinstance(preset, str) else "keras_hub ImageClassifier"
    expects = Expectation(label, mode_scale("none"), "raw 0..255 pixels (its preprocessor scales them)", None,
                          None, None)
    return Model(label, expects, line=call.line)


_register()
