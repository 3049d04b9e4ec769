"""Keras models and layers: pre-trained constructors, preprocess_input, wrappers, TF Hub.

A model's ``expects`` comes from the knowledge base; a model that wraps a
pre-trained one keeps its expectations, with the layers in front of it
(``Rescaling``, ``Lambda(preprocess_input)``, ...) kept as ``front`` ops that
are replayed on the input where the model is called.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ...knowledge import ModelInfo, knowledge, zoos
from ..facts import (
    RAW,
    UNKNOWN,
    Const,
    Expectation,
    Image,
    Layer,
    ListVal,
    Model,
    Checkpoint,
    Scale,
    Step,
    Predictions,
    Symbolic,
    TextFile,
    TupleVal,
    Value,
)
from ..arithmetic import scale_op
import posixpath

from ..paths import path_key
from .images import resized
from .table import apply, function

# Families whose constructors take (include_top, weights, input_tensor, input_shape) positionally.
STANDARD_ORDER = {"vgg16", "vgg19", "resnet", "resnet50", "resnet_v2", "inception_v3", "inception_resnet_v2",
                  "xception", "densenet", "efficientnet", "efficientnet_v2"}
# Layers that leave pixel values as they are (augmentation, shape plumbing).
KEEPING_LAYERS = {"RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast",
                  "RandomBrightness", "RandomCrop", "InputLayer", "Activation_linear", "Identity"}
# Layers after which the previous Dense layer's units are still the output's units.
UNIT_KEEPING_LAYERS = {"Dropout", "BatchNormalization", "LayerNormalization", "GaussianNoise", "GaussianDropout",
                       "Activation", "Softmax", "ActivityRegularization", "AlphaDropout", "Identity"}


def mode_scale(mode: str) -> Scale:
    rng = knowledge().modes[mode].range
    return Scale.interval(*rng) if rng else Scale(mode=mode)


# A model whose origin the code does not show (loaded from a file cnnlint cannot read, unpickled):
# the code around it may say what it is (rules/verdicts.py imagenet_evidence).
UNKNOWN_ORIGIN = Const("unknown")


# -- preprocess_input -------------------------------------------------------------
def preprocess_op(mode: str, what: str, loc, callee=None):
    """``preprocess_input`` of a mode: expects 0..255 RGB; whatever came before is a double normalisation."""

    def apply_mode(image: Value, interp, at) -> Value:
        if not isinstance(image, Image):
            return UNKNOWN
        if image.garbled:
            return image
        step = Step(what, loc, kind="preprocess", callee=callee, on_bgr=image.order == "BGR")
        if image.scale is not None and not image.scale.same(RAW):
            interp.renormalised(at, image, step)
            return image.but(scale=None, garbled=True, steps=image.steps + (step,))
        return image.but(scale=mode_scale(mode), dtype="float", steps=image.steps + (step,))

    return apply_mode


def preprocess_input(mode: str | None, label: str):
    def effect(call):
        chosen = mode
        if chosen is None:  # imagenet_utils.preprocess_input(x, mode="caffe")
            chosen = call.const(2, "mode", "caffe")
            if chosen not in knowledge().modes:
                return UNKNOWN
        op = preprocess_op(chosen, label if mode else f"imagenet_utils.preprocess_input(mode={chosen!r})",
                           call.loc, None if call.indirect else call.node.func)
        return apply(call.arg(0, "x"), op, call.interp, call.node)

    effect.preprocess_mode = mode
    return effect


# -- constructors -------------------------------------------------------------------
def application(info: ModelInfo):
    def construct(call) -> Model:
        if call.args and info.family not in STANDARD_ORDER:
            return Model(info.name, line=call.line)  # positional order differs: stay silent
        weights = call.arg(1, "weights", Const("imagenet"))
        include_top = call.const(0, "include_top", True)
        input_shape = call.const(3, "input_shape", None)
        if call.arg(2, "input_tensor", Const(None)) != Const(None):
            input_shape = UNKNOWN
        if not isinstance(weights, Const) or weights.value is None:
            # weights=None or unknown: no pre-trained expectations. If weights are loaded later
            # (model.load_weights(path)), only the architecture's input size is certain, unless the
            # file is keras's own ImageNet weights file for it.
            model = Model(info.name, line=call.line)
            size, reason = fixed_size(info, include_top, input_shape, pretrained=False)
            if size:
                model.expects_with_weights = Expectation(info.name, None, "", None, size, info.min_size, reason)
            imagenet = pretrained(call, info, "imagenet", include_top, input_shape)
            model.with_imagenet_weights = (imagenet, include_top)
            return model
        return pretrained(call, info, weights.value, include_top, input_shape)

    return construct


def pretrained(call, info: ModelInfo, weights, include_top, input_shape) -> Model:
    """The application with weights (``"imagenet"`` or a file of them): what it expects."""
    mode = info.mode
    hint = f"{info.family}.preprocess_input" if mode != "none" else None
    preprocessing = call.const(None, "include_preprocessing", True)
    if preprocessing is False and info.without_preprocessing:
        mode = info.without_preprocessing
        hint = None  # the family's own preprocess_input is the identity: it cannot help
    elif preprocessing is not True and info.without_preprocessing:
        return Model(info.name, line=call.line)
    described = knowledge().modes[mode].describe
    size, reason = fixed_size(info, include_top, input_shape, pretrained=weights == "imagenet")
    expects = Expectation(info.name, mode_scale(mode), described, hint, size, info.min_size, reason)
    model = Model(info.name, expects, line=call.line)
    model.attrs["include_top"] = Const(include_top) if include_top is not UNKNOWN else UNKNOWN
    model.attrs["batchnorm"] = Const(info.family not in knowledge().without_batchnorm)
    classes = call.const(5 if info.family in STANDARD_ORDER else None, "classes", 1000)
    if include_top is False or (include_top is True and classes == 1000 and weights == "imagenet"):
        model.attrs["imagenet_top"] = Const(include_top is True)
    return model


def load_weights(model: Model, path: Value) -> None:
    """``model.load_weights(path)`` on an application built with weights=None: keras's own ImageNet
    weights file for it (``inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5``) makes it the
    pre-trained model; any other file leaves only its input size certain."""
    if model.expects is not None:
        return
    imagenet = getattr(model, "with_imagenet_weights", None)
    key = path_key(path)
    if imagenet is not None and key is not None and knowledge().is_imagenet_weights_file(model.name, key):
        model.expects = imagenet[0].expects
        model.attrs.update(imagenet[0].attrs)
    elif imagenet is None and model.expects_with_weights is None and key is not None:
        model.expects = weights_file_expectation(key)  # a model defined in the project, given known weights
    else:
        model.expects = model.expects_with_weights


def weights_file_expectation(key: str) -> Expectation | None:
    """What a model defined in the project expects once it loads the ImageNet weights of a known model,
    told by the file's name: keras's own (``resnet50_weights_tf_dim_ordering_tf_kernels.h5``), or the
    copies projects keep of others (``inception-v4_weights_tf_dim_ordering_tf_kernels.h5``)."""
    k = knowledge()
    name = key.rsplit("/", 1)[-1]
    known = [m for m in k.models if k.is_imagenet_weights_file(m, name)]
    if len(known) == 1:
        info = k.models[known[0]]
        mode = info.without_preprocessing and "none" or info.mode
        hint = f"{info.family}.preprocess_input" if mode != "none" else None
        label = f"the model with {known[0]}'s ImageNet weights"
        return Expectation(label, mode_scale(mode), k.modes[mode].describe, hint, None, info.min_size)
    for start, model in zoos()["weight_files"].items():
        if name.lower().startswith(start):
            label = f"the model with {model.name}'s ImageNet weights"
            return Expectation(label, mode_scale(model.mode), k.modes[model.mode].describe, None,
                               (model.size, model.size), None, f"as {model.name} is")
    return None


def fixed_size(info: ModelInfo, include_top, input_shape, pretrained: bool) -> tuple[tuple[int, int] | None, str]:
    """The one input size a model takes, and why; (None, "") when it takes many."""
    if include_top is True and pretrained:  # keras insists on a size it has weights for
        if isinstance(input_shape, tuple) and len(input_shape) == 3 and input_shape[0] == input_shape[1] \
                and input_shape[0] in info.sizes:
            return (input_shape[0], input_shape[1]), f"with its ImageNet top, built with input_shape={input_shape}"
        return (info.size, info.size), "with its ImageNet top"
    if isinstance(input_shape, tuple) and len(input_shape) == 3 and all(isinstance(d, int) for d in input_shape[:2]):
        return (input_shape[0], input_shape[1]), f"built with input_shape={input_shape}"
    if include_top is True and input_shape is None:
        return (info.size, info.size), "with its ImageNet top"
    return None, ""


@function("tensorflow_hub.KerasLayer", "tensorflow_hub.load")
def hub_model(call) -> Value:
    handle = call.const(0, "handle")
    k = knowledge()
    if not isinstance(handle, str) or not k.is_hub_image_handle(handle):
        return Model("TF Hub model", line=call.line)
    n = k.hub_size(handle) if "classification" in handle else None
    size = (n, n) if n else None
    short = handle.rstrip("/").split("/")
    name = "TF Hub model " + "/".join(short[-3:-1] if short[-1].isdigit() else short[-2:])
    expects = Expectation(name, Scale.interval(*k.hub_range), k.hub_describe, None, size, None,
                          "as its handle names" if size else "")
    return Model(name, expects, line=call.line)


def decode_predictions(call) -> Value:
    """decode_predictions needs the 1000-class ImageNet output."""
    preds = call.arg(0, "preds")
    if isinstance(preds, Predictions) and preds.model.attrs.get("imagenet_top") == Const(False):
        call.interp.event("decode-custom-head", call.node, model=preds.model)
    if isinstance(preds, Predictions) and preds.model.expects is None:
        preds.model.attrs.setdefault("decoded_at", call.loc)  # evidence: an ImageNet classifier
    return UNKNOWN


@function("keras.models.load_model", "tensorflow.saved_model.load")
def load_model(call) -> Value:
    """The model the project saved at that path (``model.save("m.h5")`` in the training script) is the
    model loaded: it expects what it was built and trained for. Otherwise nothing is known."""
    path = call.arg(0, "filepath")
    saved, reader = call.interp.project.saved, call.interp.module.path
    key = path_key(path)
    if key is not None and saved.get(key, reader) is None:
        call.interp.project.run_mentioning(posixpath.basename(key), call.interp.module)
    found = saved.get(key, reader) if key is not None else None
    if found is not None:
        return found
    model = from_file(call, key) if key is not None else None
    if model is None:
        model = Model("loaded model", line=call.line, attrs={"origin": UNKNOWN_ORIGIN})
    model.attrs["loaded_from"] = path
    return model


@function("keras.models.model_from_json", "keras.saving.model_from_json")
def model_from_json(call) -> Value:
    """The architecture in a project's .json file, read as data like a saved model's."""
    text = call.arg(0, "json_string")
    model = from_file(call, text.key) if isinstance(text, TextFile) else None
    return model if model is not None else Model("model from JSON", line=call.line, attrs={"origin": UNKNOWN_ORIGIN})


def from_file(call, key: str) -> Model | None:
    """A saved model file in the project, read as data (cnnlint/savedmodels.py): the keras application
    it holds expects what it always does; the layers in front of it are replayed on the input."""
    file = call.interp.project.model_file(key, call.interp.module)
    if file is None:
        return None
    name = Path(file.path).name
    front = tuple(saved_layer(layer, call, name) for layer in file.front)
    model = Model(f"{file.application or 'the model'} saved in {name}", front=front, line=call.line)
    if file.units is not None:
        model.attrs["units"] = Const(file.units)
    if file.application is None:
        return model if front else None
    info = knowledge().models[file.application]
    mode = info.mode
    if info.without_preprocessing:
        mode = "none"  # saved as built, with its own preprocessing inside (include_preprocessing's default)
    hint = f"{info.family}.preprocess_input" if mode != "none" else None
    size, reason = (file.input_size, f"saved with input shape {file.input_size[0]}x{file.input_size[1]}") \
        if file.input_size else (None, "")
    model.expects = Expectation(model.name, mode_scale(mode), knowledge().modes[mode].describe, hint, size,
                                info.min_size, reason)
    model.attrs["batchnorm"] = Const(info.family not in knowledge().without_batchnorm)
    model.attrs["imagenet_top"] = Const(file.units == 1000)
    return model


def saved_layer(layer: tuple, call, file_name: str):
    """The op of a preprocessing layer read from a saved file."""
    if layer[0] == "Rescaling":
        scale, offset = layer[1], layer[2]
        what = f"Rescaling({scale:g}" + (f", offset={offset:g})" if offset else ")") + f" inside {file_name}"
        return normalising_op(scale_op(scale, offset, what, call.loc, kind="layer"), Step(what, call.loc, kind="layer"))
    return unknown_scale_op


@function("pickle.load", "pickle.loads", "joblib.load", "dill.load", "cloudpickle.load")
def unpickled(call) -> Value:
    """Whatever a pickle holds (cnnlint never opens it): a model, perhaps, of unknown origin."""
    return Model("the unpickled model", line=call.line, attrs={"origin": UNKNOWN_ORIGIN})


def save(call, model: Model, path: Value) -> None:
    """``model.save(path)``, ``save_model(model, path)``, a ``ModelCheckpoint(path)`` in ``fit``."""
    key = path_key(path)
    if key is not None:
        call.interp.project.saved.put(key, model, call.interp.module.path)


@function("keras.models.save_model", "keras.saving.save_model")
def save_model(call) -> Value:
    model = call.arg(0, "model")
    if isinstance(model, Model):
        save(call, model, call.arg(1, "filepath"))
    return Const(None)


@function("keras.callbacks.ModelCheckpoint")
def model_checkpoint(call) -> Value:
    return Checkpoint(call.arg(0, "filepath"))


# -- layers ----------------------------------------------------------------------------
@function("keras.layers.Rescaling")
def rescaling(call) -> Value:
    scale, offset = call.const(0, "scale"), call.const(1, "offset", 0.0)
    if not isinstance(scale, (int, float)) or not isinstance(offset, (int, float)):
        return Layer("Rescaling", op=unknown_scale_op)
    code = call.interp.module.code
    written = ", ".join(f"{a.star}{a.keyword.value + '=' if a.keyword else ''}{code(a.value)}" for a in call.node.args)
    what = f"Rescaling({written})"  # as written: Rescaling(1.0 / 255), not Rescaling(0.00392157)
    return Layer("Rescaling", op=normalising_op(scale_op(float(scale), float(offset), what, call.loc, kind="layer"),
                                                   Step(what, call.loc, kind="layer")))


def normalising_op(op, step: Step):
    """A layer or generator option meant for 0..255 input: on anything else it normalises twice."""

    def apply_once(image: Value, interp, at) -> Value:
        if isinstance(image, Image) and not image.garbled and image.scale is not None and not image.scale.same(RAW):
            interp.renormalised(at, image, step)
            return image.but(scale=None, garbled=True, steps=image.steps + (step,))
        return op(image, interp, at)

    return apply_once


def unknown_scale_op(image: Value, interp, at) -> Value:
    return image.but(scale=None) if isinstance(image, Image) else UNKNOWN


@function("keras.layers.Normalization")
def normalization(call) -> Value:
    return Layer("Normalization", op=unknown_scale_op)


@function("keras.layers.Resizing", "keras.layers.CenterCrop")
def resizing(call) -> Value:
    h, w = call.const(0, "height"), call.const(1, "width")
    size = (h, w) if isinstance(h, int) and isinstance(w, int) else None
    return Layer("Resizing", op=lambda image, interp, at: resized(image, size))


@function("keras.layers.Lambda")
def lambda_layer(call) -> Value:
    fn = call.arg(0, "function")
    interp = call.interp

    def op(image, interp_, at):
        return interp.call(fn, replace(call, args=[image], kwargs={}, node=at, indirect=True))

    return Layer("Lambda", op=op)


@function("keras.layers.Input", "keras.Input", "keras.layers.InputLayer")
def keras_input(call) -> Value:
    return Symbolic()


def generic_layer(name: str):
    def construct(call) -> Value:
        return Layer(name, keeps=name in KEEPING_LAYERS)

    return construct


def _is_softmax(value: Value) -> bool:
    text = value.value if isinstance(value, Const) else getattr(value, "qualname", None)
    return isinstance(text, str) and text.rsplit(".", 1)[-1] == "softmax"


@function("keras.layers.Dense")
def dense(call) -> Value:
    units = call.const(0, "units")
    softmax = _is_softmax(call.arg(1, "activation", Const(None)))
    if units == 1 and softmax:
        call.interp.event("single-unit-softmax", call.node, layer=call.interp.module.code(call.node))
    return Layer("Dense", units=units if isinstance(units, int) else None, softmax=softmax)


@function("keras.layers.Activation")
def activation(call) -> Value:
    return Layer("Activation", keeps=False, softmax=_is_softmax(call.arg(0, "activation")))


@function("keras.layers.Softmax")
def softmax_layer(call) -> Value:
    return Layer("Softmax", softmax=True)


def symbolic_through(values) -> Symbolic | None:
    """What comes out of a layer or function the analysis does not know, given symbolic tensors: after
    a pre-trained base, still downstream of it; before one, opaque (it may have normalised)."""
    tensors = []
    for v in values:
        if isinstance(v, Symbolic):
            tensors.append(v)
        elif isinstance(v, (ListVal, TupleVal)):
            tensors += [t for t in (v.items or (v.item,) if isinstance(v, ListVal) else v.items)
                        if isinstance(t, Symbolic)]
    if not tensors:
        return None
    based = [t for t in tensors if t.base is not None]
    if based:
        return Symbolic(based[0].ops, based[0].base, based[0].opaque)
    return Symbolic(tensors[0].ops, None, opaque=True)


def call_layer(layer: Layer, call) -> Value:
    x = call.arg(0, "inputs")
    if isinstance(x, (ListVal, TupleVal)):  # Concatenate()([x, skip]), Add()([a, b])
        return symbolic_through([x]) or UNKNOWN
    if isinstance(x, Symbolic):
        units = layer.units if layer.name == "Dense" else x.units if layer.name in UNIT_KEEPING_LAYERS else None
        if layer.softmax and layer.name != "Dense" and x.units == 1:
            text = "Activation('softmax')" if layer.name == "Activation" else f"{layer.name}()"
            call.interp.event("single-unit-softmax", call.node, layer=f"{text} after a one-unit Dense")
        if x.base is not None or layer.keeps:
            return replace(x, units=units)
        if layer.op is not None:
            return apply(x, layer.op, call.interp, call.node)
        return Symbolic(x.ops, None, opaque=True, units=units)
    if isinstance(x, Image):
        if layer.keeps:
            return x
        if layer.op is not None:
            return layer.op(x, call.interp, call.node)
    return UNKNOWN


# -- models that wrap a pre-trained model ------------------------------------------------
def wrapping(name: str, out: Value, line: int) -> Model:
    """The model whose output tensor is ``out``."""
    if isinstance(out, (TupleVal, ListVal)):
        items = out.items if isinstance(out, TupleVal) else (out.item,)
        out = items[0] if items else UNKNOWN
    if not isinstance(out, Symbolic):
        return Model(name, line=line)
    units = {"units": Const(out.units)} if out.units is not None else {}
    if out.opaque:  # its own layers: the transforms before the first one apply if it loads known weights
        return Model(name, line=line, attrs=units, front=out.ops if out.base is None else ())
    if out.base is None:
        model = Model(name, line=line, attrs=units)
        model.attrs["transform"] = TupleVal(())  # marker: only value-level transforms, usable as a layer
        model.front = out.ops
        return model
    base = out.base
    attrs = {"base": base, "include_top": base.attrs.get("include_top", UNKNOWN), **units}
    if "batchnorm" in base.attrs:  # a VGG16 inside stays without BatchNormalization
        attrs["batchnorm"] = base.attrs["batchnorm"]
    top = base.attrs.get("imagenet_top")
    if out.units is not None and out.units != 1000 or top == Const(False):
        attrs["imagenet_top"] = Const(False)  # a custom head, or features
    elif top == Const(True) and out.units is None:
        attrs["imagenet_top"] = top
    return Model(base.name, base.expects, front=out.ops + base.front, line=line, attrs=attrs)


@function("keras.models.Model")
def functional_model(call) -> Value:
    outputs = call.arg(1, "outputs")
    for out in (outputs.items or (outputs.item,)) if isinstance(outputs, (ListVal, TupleVal)) else (outputs,):
        if isinstance(out, Symbolic) and out.through_output and out.base is not None:
            # a head on base.output: the base's layers run in this model as they are (CNN503)
            call.interp.module.base_calls.append((call.node, out.base.attrs.get("layer_of", out.base), "output"))
    return wrapping("model", outputs, call.line)


@function("keras.models.Sequential")
def sequential(call) -> Value:
    layers = call.arg(0, "layers", ListVal(None, items=()))
    model = Model("model", line=call.line, layers=list(layers.items) if isinstance(layers, ListVal)
                  and layers.items is not None else None)
    rebuild(model, call)
    return model


def rebuild(model: Model, call, added: int | None = None) -> None:
    """Recompute a Sequential's expectations from its layers.

    After ``model.add(layer)`` (``added`` is its index) only that layer's findings are new.
    """
    if model.layers is None:
        model.expects, model.front = None, ()
        return
    x: Value = Symbolic()
    for i, layer in enumerate(model.layers):
        x = feed(layer, x, call if added in (None, i) else replace(call, interp=_Quiet(call.interp)))
    built = wrapping(model.name, x, model.line)
    model.name, model.expects, model.front = built.name, built.expects, built.front
    for derived in ("units", "imagenet_top", "base", "include_top", "batchnorm", "transform"):
        model.attrs.pop(derived, None)  # what the layers before the last .add() made it is gone
    model.attrs.update(built.attrs)


class _Quiet:
    """The interpreter, minus its events: re-feeding a Sequential's old layers reports nothing twice."""

    def __init__(self, interp):
        self._interp = interp
        self.module = _QuietModule()

    def event(self, *args, **kwargs) -> None:
        pass

    def __getattr__(self, name):
        return getattr(self._interp, name)


class _QuietModule:
    def __init__(self):
        self.base_calls = []

    def code(self, node):
        return ""


def feed(layer: Value, x: Value, call) -> Value:
    """Pass a symbolic tensor through one layer or model."""
    if isinstance(layer, Layer):
        return call_layer(layer, replace(call, args=[x], kwargs={}))
    if isinstance(layer, Model):
        if layer.expects is not None and isinstance(x, Symbolic) and x.base is None:
            call.interp.module.base_calls.append((call.node, layer, "sequential"))  # no training=False there
        return model_on_symbolic(layer, x)
    if isinstance(layer, Symbolic):  # keras.Input inside a Sequential
        return x
    return Symbolic(x.ops, x.base, opaque=True) if isinstance(x, Symbolic) and x.base is None else x


def model_on_symbolic(model: Model, x: Symbolic) -> Value:
    units = model.attrs["units"].value if isinstance(model.attrs.get("units"), Const) else None
    if x.base is not None:
        return replace(x, units=units)
    if model.expects is not None:
        return Symbolic(x.ops, model, x.opaque, units=units)
    if "transform" in model.attrs:
        return Symbolic(x.ops + model.front, None, x.opaque)
    return Symbolic(x.ops, None, opaque=True)
