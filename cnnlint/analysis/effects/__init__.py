"""Transfer functions: what each library call, method and attribute does to abstract values.

The tables live in ``table.py`` and are filled by the modules of this package;
this module dispatches a call, an attribute or a subscript to them.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ...knowledge import knowledge
from ..facts import (
    UNKNOWN,
    Alternative,
    Bound,
    Checkpoint,
    ClassVal,
    Const,
    Dataset,
    DataGen,
    DictVal,
    Image,
    Instance,
    Layer,
    ListVal,
    Model,
    ModuleRef,
    FileOrder,
    Opaque,
    PassLabels,
    PathStr,
    Pipeline,
    Predictions,
    Super,
    Symbolic,
    TextFile,
    TupleVal,
    Value,
    choose,
    joined,
    predictions,
    predictions_of,
    worth_choosing,
)
from ..names import canonical
from . import datasets, files, images, models, pipelines, scikit, torch, zoos
from .images import MUTATING_METHODS, filled, subscript_image
from .models import symbolic_through
from .pipelines import element_of
from .table import (ATTRIBUTES, CONSTRUCTED, ESCAPED, FILE_ORDER, FUNCTIONS, ITEMS, METHODS, MODEL_STATE, RESOLVERS,
                    SETTERS)

if TYPE_CHECKING:
    from ..interpreter import Call, Interpreter

__all__ = ["MUTATING_METHODS", "attribute", "call", "element_of", "filled", "subscript", "lookup", "symbolic_through"]

SINK_METHODS = {"predict", "predict_on_batch", "fit", "evaluate", "predict_generator", "fit_generator",
                "evaluate_generator", "train_on_batch", "test_on_batch", "__call__", "predict_classes",
                "predict_proba"}
MODEL_PROPERTIES = {"input", "inputs", "output", "outputs"}
KERAS_FILE_ORDER = ("classes", "filenames", "labels", "filepaths")
ARRAY_LIBRARIES = ("numpy.", "tensorflow.", "torch.")


def lookup(qualname: str):
    """The effect of calling ``qualname``: from the table, or from the knowledge base for applications."""
    name = canonical(qualname)
    if name in FUNCTIONS:
        return FUNCTIONS[name]
    resolve = RESOLVERS.get(name.split(".", 1)[0])
    if resolve is not None:
        return resolve(name)
    parts = name.split(".")
    k = knowledge()
    if parts[:2] == ["keras", "applications"] and len(parts) in (3, 4):
        last = parts[-1]
        family = parts[2] if len(parts) == 4 else None
        if last in k.models and (family is None or family in k.families):
            return models.application(k.models[last])
        if last == "decode_predictions" and (family in k.families or family == "imagenet_utils"):
            return models.decode_predictions
        if last == "preprocess_input" and family == "imagenet_utils":
            return models.preprocess_input(None, "imagenet_utils.preprocess_input")
        if last == "preprocess_input" and family in k.families:
            return models.preprocess_input(k.families[family], f"{family}.preprocess_input")
    if parts[:2] == ["keras", "layers"] and len(parts) == 3 and parts[2][:1].isupper():
        return models.generic_layer(parts[2])
    return None


def in_place(func: Value) -> bool:
    """Whether calling ``func`` on a float numpy array changes it in place (keras's preprocess_input)."""
    effect = lookup(func.qualname) if isinstance(func, ModuleRef) else None
    return getattr(effect, "preprocess_mode", False) is not False


def kind_of(value: Value) -> str | None:
    if isinstance(value, DictVal):
        return "dict"
    if isinstance(value, TextFile):
        return "textfile"
    if isinstance(value, Image):
        return value.container or "image"
    if isinstance(value, Dataset):
        return "dataset"
    if isinstance(value, DataGen):
        return "datagen"
    if isinstance(value, Opaque):
        return value.kind
    if isinstance(value, PathStr):
        return "pathlib.Path"
    if isinstance(value, Instance):
        return "instance"
    if isinstance(value, Pipeline):
        return "pipeline"
    if isinstance(value, Predictions):
        return "predictions"
    return None


def call(interp: "Interpreter", func: Value, c: "Call") -> Value:
    compared(interp, c.node, c.args + list(c.kwargs.values()))
    if isinstance(func, ModuleRef):
        name = canonical(func.qualname)
        effect = lookup(func.qualname)
        preds, labels = predictions_of(c.arg(0, None)), ordered_labels(c.arg(0, None))
        result = effect(replace(c, qualname=name)) if effect is not None else UNKNOWN
        if effect is None and name.split(".", 1)[0] not in KEEPS_OBJECTS:
            handed_over(interp, c)
        if result is not UNKNOWN or not name.startswith(ARRAY_LIBRARIES):
            return result
        if preds is not None:
            if name.rsplit(".", 1)[-1] == "argmax":
                argmax_over_units(interp, c, preds, c.const(1, "axis", None))
            return preds  # np.argmax(preds, axis=1), np.concatenate(batches), torch.tensor(preds)...
        if labels is not None:
            return labels  # np.array(gen.classes), np.concatenate([y for x, y in ds]), np.argmax(labels, axis=1)
        return UNKNOWN
    if isinstance(func, Bound) and isinstance(func.obj, (PassLabels, FileOrder)):
        return func.obj  # labels.numpy(), labels.argmax(axis=1)
    if isinstance(func, Bound) and isinstance(func.obj, Predictions):
        if func.name == "argmax":
            argmax_over_units(interp, c, func.obj, c.const(0, "axis", None))
        effect = METHODS.get(("predictions", func.name))  # a framework's own (torch's out.max(1) is a pair)
        return effect(replace(c, receiver=func.obj)) if effect is not None else func.obj  # preds.argmax(axis=1)
    if isinstance(func, Model):
        framework = METHODS.get(("model", "__call__"))  # another framework's own model calls
        result = framework(replace(c, receiver=func)) if framework is not None else None
        return result if result is not None else call_model(func, "__call__", c)
    if isinstance(func, Layer):
        return models.call_layer(func, c)
    called = METHODS.get((kind_of(func), "__call__"))  # a transform, or another callable object of a known kind
    if called is not None:
        return called(replace(c, receiver=func))
    if isinstance(func, Bound):
        obj = func.obj
        if isinstance(obj, Model):
            return model_method(obj, func.name, c)
        kind = kind_of(obj)
        effect = METHODS.get((kind, func.name)) or (
            METHODS.get(("array", func.name)) if isinstance(obj, Image) and kind == "image" else None)
        if effect is not None:
            return effect(replace(c, receiver=obj))
        if obj is UNKNOWN or isinstance(obj, Opaque):
            handed_over(interp, c)  # trainer.fit(model), accelerator.prepare(model)
    return UNKNOWN


# Libraries whose functions never change the state of an object they are given (a model's mode): the
# language's own, the frameworks cnnlint models (what they do is in its tables), arrays, and the model
# summaries, progress bars and loggers that take a model and leave its mode as it was.
KEEPS_OBJECTS = frozenset({"builtins", "torch", "torchvision", "timm", "numpy", "copy", "pickle", "json", "os",
                           "sys", "time", "math", "random", "logging", "typing", "functools", "itertools",
                           "torchsummary", "torchinfo", "thop", "tqdm", "matplotlib", "wandb"})


def handed_over(interp, c: "Call") -> None:
    """Objects given to library code cnnlint does not know: what it may have changed becomes unknown."""
    for value in [*c.args, *c.kwargs.values()]:
        for forget in ESCAPED:
            forget(interp, value)


def call_model(model: Model, method: str, c: "Call") -> Value:
    x = c.arg(0, "inputs" if method == "__call__" else "x")
    if isinstance(x, Symbolic):
        if model.expects is not None and x.base is None and c.kwargs.get("training") != Const(False):
            c.interp.module.base_calls.append((c.node, model, "call"))
        return models.model_on_symbolic(model, x)
    if method == "__call__" and "transform" in model.attrs and isinstance(x, Image):
        for op in model.front:
            x = op(x, c.interp, c.node) if isinstance(x, Image) else UNKNOWN
        return x
    if method in ("fit", "fit_generator") and x is UNKNOWN:
        x = c.arg(None, "generator")
    c.interp.sink(c, model, method, x, state=model_state(c.interp, model))
    callbacks = c.arg(None, "callbacks")
    for callback in callbacks.items or () if isinstance(callbacks, ListVal) else ():
        if isinstance(callback, Checkpoint):
            models.save(c, model, callback.path)
    validation = c.arg(None, "validation_data")
    if method in ("fit", "fit_generator") and isinstance(validation, (Dataset, TupleVal, Image)):
        c.interp.sink(c, model, method, validation, keyword="validation_data")
    if method.startswith(("predict", "__call__")):
        return predictions(model, x)
    return UNKNOWN


def model_state(interp, model: Model) -> dict:
    """The object state a framework records with each call of ``model`` (PyTorch: its mode)."""
    state: dict = {}
    for hook in MODEL_STATE:
        state.update(hook(interp, model))
    return state


def assigned(interp, owner: Value, name: str, value: Value) -> None:
    """``owner.name = value`` on an object of a library: what its table says it does."""
    if isinstance(owner, Bound):
        setter = SETTERS.get((kind_of(owner.obj), f"{owner.name}.{name}"))
        owner = owner.obj
    else:
        setter = SETTERS.get((kind_of(owner), name))
    if setter is not None:
        setter(interp, owner, value)


def instance_made(interp, instance: Instance) -> None:
    """An object of a project class is made: what a framework records about it."""
    for made in CONSTRUCTED:
        made(interp, instance)


def instance_called(interp, instance: Instance, c: "Call") -> None:
    """An object of a project class is called (``model(x)``): a framework may record it as a model call."""
    effect = METHODS.get(("instance", "__call__"))
    if effect is not None:
        effect(replace(c, receiver=instance))


def ordered_labels(value: Value) -> Value | None:
    """Labels in an order of their own, alone or in a list (``[y for x, y in ds]``)."""
    if isinstance(value, (PassLabels, FileOrder)):
        return value
    if isinstance(value, ListVal) and isinstance(value.item, (PassLabels, FileOrder)):
        return value.item
    return None


def argmax_over_units(interp, c, predictions: Predictions, axis) -> None:
    """argmax over the class axis of a one-unit output is always 0 (CNN501)."""
    if predictions.model.attrs.get("units") == Const(1) and axis in (1, -1):
        interp.event("argmax-one-unit", c.node)


def compared(interp: "Interpreter", node, values) -> None:
    """Predictions of a shuffled generator (or of a loader that shuffles) put next to labels in file
    order, or predictions of a pass over a reshuffling dataset next to labels of another pass (CNN404)."""
    predictions = [p for p in map(predictions_of, values) if p is not None]
    ordered = [v for v in values if isinstance(v, FileOrder)]
    other_pass = [v for v in values if isinstance(v, PassLabels)]
    shuffled = [p for p in predictions if p.shuffled]
    if ordered and shuffled:
        framework = shuffled[0].model.attrs.get("framework")
        interp.event("shuffled-order", node, labels=ordered[0].what, source=ordered[0].source,
                     framework=framework.value if isinstance(framework, Const) else "keras")
    elif other_pass and any(p.reshuffled for p in predictions):
        interp.event("reshuffled-order", node, source=other_pass[0].source)


def model_method(model: Model, name: str, c: "Call") -> Value:
    if name in SINK_METHODS:
        return call_model(model, name, c)
    if name == "add" and model.layers is not None:
        model.layers.append(c.arg(0, "layer"))
        models.rebuild(model, c, added=len(model.layers) - 1)
    if name == "load_weights":
        models.load_weights(model, c.arg(0, "filepath"))
    if name in ("save", "save_weights"):
        models.save(c, model, c.arg(0, "filepath"))
    if name == "get_layer":  # of a model around a pre-trained base: a layer of the base, or the base itself
        return layer_of(model.attrs.get("base", model))
    effect = METHODS.get(("model", name)) or METHODS.get(("model", "*"))  # another framework's methods
    return effect(replace(c, receiver=model)) if effect is not None else UNKNOWN


def layer_of(model: Model) -> Model:
    """One of a model's layers: its ``.output`` is still downstream of the model's input, and
    ``layer.trainable = ...`` freezes or unfreezes part of the model."""
    if not isinstance(model, Model):
        return UNKNOWN
    return Model(model.name, model.expects, model.front, model.line, {"layer_of": model})


def attribute(interp: "Interpreter", owner: Value, name: str) -> Value:
    if owner is UNKNOWN and name in ("predict", "predict_on_batch"):
        # model.predict(x) of a model the analysis cannot see: the code around it may still say what it is
        return Bound(Model("the model", attrs={"origin": models.UNKNOWN_ORIGIN}), name)
    if isinstance(owner, ModuleRef):
        return ModuleRef(owner.qualname + "." + name)
    if isinstance(owner, Model):
        if name in owner.attrs:
            return owner.attrs[name]
        units = owner.attrs.get("units")
        if name == "output_shape" and isinstance(units, Const):  # if model.output_shape[-1] > 1:
            return Const((None, units.value))
        if name in MODEL_PROPERTIES:
            base = owner.attrs.get("layer_of", owner)
            symbolic = Symbolic() if name.startswith("input") else (
                Symbolic(base=owner, through_output="base" not in owner.attrs and base.expects is not None)
                if owner.expects else Symbolic(opaque=True))
            return ListVal(symbolic, items=(symbolic,)) if name.endswith("s") else symbolic
        known = known_attribute("model", owner, name)  # another framework's (a PyTorch submodule)
        if known is not None:
            return known
        if name == "layers":
            if owner.layers is not None:  # a Sequential: its layers as given (a pre-trained base among them)
                return ListVal(joined(owner.layers), items=tuple(owner.layers))
            return ListVal(layer_of(owner.attrs.get("base", owner)))
        return Bound(owner, name)
    units = owner.model.attrs.get("units") if isinstance(owner, Predictions) else None
    if name == "shape" and isinstance(units, Const) and not owner.row:  # if preds.shape[1] == 1:
        return Const((None, units.value))
    if isinstance(owner, Dataset) and owner.files and name in FILE_ORDER.get(owner.files, KERAS_FILE_ORDER):
        return FileOrder(name, owner.files)
    if isinstance(owner, (Image, Dataset, DataGen, Opaque, Layer, Predictions, PathStr, Pipeline, PassLabels, FileOrder,
                          DictVal, TextFile)):
        known = known_attribute(kind_of(owner), owner, name) if isinstance(owner, Image) else None
        return known if known is not None else Bound(owner, name)
    env = getattr(owner, "env", None)  # a project module
    if env is not None:
        return env.vars.get(name, UNKNOWN)
    if isinstance(owner, Instance):
        value = owner.attr(name)
        if value is not None:
            return value
        known = owner.cls.method(name) is not None or name in SINK_METHODS or ("instance", name) in METHODS
        return Bound(owner, name) if known else UNKNOWN
    if isinstance(owner, Super):
        return owner.attribute(name)
    if isinstance(owner, ClassVal):  # Class.method, Class.attribute
        value = owner.attr(name)
        return value if value is not None else owner.method(name) or UNKNOWN
    return UNKNOWN


def same_library_function(values) -> Value | None:
    """One of several library functions or classes with the same effect (``{"gradcam": GradCAM,
    "scorecam": ScoreCAM}[name]``): any of them."""
    if not values or not all(isinstance(v, ModuleRef) for v in values):
        return None
    found = {lookup(v.qualname) for v in values}
    return values[0] if len(found) == 1 and None not in found else None


def known_attribute(kind: str | None, owner: Value, name: str) -> Value | None:
    hook = ATTRIBUTES.get((kind, name)) or ATTRIBUTES.get((kind, "*"))
    return hook(owner, name) if hook is not None else None


def subscript(interp: "Interpreter", node, owner: Value, indices: list) -> Value:
    if isinstance(owner, ModuleRef) and canonical(owner.qualname) in ITEMS:  # flask.request.files["image"]
        return ITEMS[canonical(owner.qualname)]
    if isinstance(owner, Const) and len(indices) == 1:
        index = indices[0]
        try:
            if isinstance(index, slice) and UNKNOWN not in (index.start, index.stop, index.step):
                return Const(owner.value[index])
            if isinstance(index, Const):
                return Const(owner.value[index.value])
        except Exception:
            return UNKNOWN
        return UNKNOWN
    if isinstance(owner, TupleVal) and len(indices) == 1 and isinstance(indices[0], Const):
        try:
            return owner.items[indices[0].value]
        except Exception:
            return UNKNOWN
    if isinstance(owner, ListVal) and len(indices) == 1 and not isinstance(indices[0], slice):
        index = indices[0]
        if owner.items is not None and isinstance(index, Const) and isinstance(index.value, int) \
                and -len(owner.items) <= index.value < len(owner.items):
            return owner.items[index.value]
        return owner.item if owner.item is not None else UNKNOWN
    if isinstance(owner, ListVal) and len(indices) == 1:  # a slice: a list of the same things
        index = indices[0]
        try:
            items = owner.items[index] if owner.items is not None and UNKNOWN not in (
                index.start, index.stop, index.step) else None
        except (TypeError, ValueError):
            items = None
        return ListVal(joined(items), owner.repeated, items) if items is not None else ListVal(owner.item, owner.repeated)
    if isinstance(owner, Predictions):  # preds[0] is the first row (its length: the number of units)
        row = len(indices) == 1 and not isinstance(indices[0], slice)
        return replace(owner, row=True) if row and not owner.row else owner
    if isinstance(owner, DictVal) and len(indices) == 1 and not isinstance(indices[0], slice):
        key = indices[0]
        if isinstance(key, Const):
            try:
                return owner.get(key.value)
            except TypeError:  # an unhashable key
                return UNKNOWN
        if owner.items is None:
            return owner.get(None)
        if any(worth_choosing(v) for _, v in owner.items):  # MODELS[args.arch]: each entry a possible run
            text = " ".join(interp.module.code(node.slice[0].slice.value).split())
            by = ("key", text)
            return choose(by, [(Alternative(by, repr(k), f"when `{text}` is {{}}", len(owner.items)), v)
                               for k, v in owner.items])
        return same_library_function(owner.values()) or joined(owner.values()) or UNKNOWN
    if isinstance(owner, Dataset) and len(indices) == 1 and isinstance(indices[0], Const) \
            and isinstance(indices[0].value, int):
        return owner.element  # gen[0]: a Keras generator's batch (x, y)
    if isinstance(owner, Image) and indices:
        return subscript_image(owner, indices)
    if isinstance(owner, Symbolic):
        return owner
    return UNKNOWN


# Silence "imported but unused": these modules register their effects on import.
_REGISTERED = (datasets, files, images, pipelines, scikit, torch, zoos)
