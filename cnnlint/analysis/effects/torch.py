"""PyTorch: torchvision, timm and torch.hub models, transforms, tensors, datasets and DataLoader.

A model built with pre-trained weights expects what its weights' transforms do (``Expectation.normalize``:
the standardisation of [0, 1] pixels by the weights' mean and std; [0, 1] for detection models, which
normalise inside). A transform, or a ``Compose`` of them, is a ``Pipeline`` whose ops are applied where
it is called; random augmentations among them are recorded as steps of kind "augment". A model's
train/eval mode is object state (``interp.set_state``), which follows control flow like a variable.

Everything known about the libraries' models comes from ``knowledge/torchvision.toml`` and
``knowledge/timm.toml`` (generated from the libraries); this module never imports torch.
"""
from __future__ import annotations

from dataclasses import replace

from ...knowledge import datasets as dataset_knowledge
from ...knowledge import torch as torch_knowledge
from ..arithmetic import binary
from ..facts import (
    FILE_CHANNELS,
    NATIVE,
    RAW,
    UNIT,
    UNKNOWN,
    Bound,
    Const,
    Dataset,
    DictVal,
    Expectation,
    Function,
    Image,
    Instance,
    Layer,
    ListVal,
    MethodRef,
    Model,
    ModuleRef,
    Opaque,
    Pipeline,
    Predictions,
    Step,
    TupleVal,
    Value,
    from_stats,
    image_of,
    joined,
    predictions,
    predictions_of,
)
from . import files
from .images import MUTATING_METHODS, add_batch_axis, known_size, loaded, opened_channels, stacked
from .pipelines import element_of, rebatched, unbatched
from .table import (FILE_ORDER, MODEL_STATE, attribute, constructed, dtype_name, escaped, function, method, resolver,
                    setter)

TORCH = Const("torch")
TRAIN, EVAL = Const("train"), Const("eval")
GRAD_OFF = ("torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad", "torch.autograd.grad_mode.no_grad",
            "torch.autograd.grad_mode.inference_mode")
# nn.Module methods and attributes that are not submodules (``model.eval``, ``model.fc`` is a submodule).
MODULE_METHODS = frozenset(
    "add_module apply bfloat16 buffers children compile cpu cuda double eval extra_repr float forward get_buffer "
    "get_extra_state get_parameter get_submodule half ipu load_state_dict modules mtia named_buffers named_children "
    "named_modules named_parameters parameters register_backward_hook register_buffer register_forward_hook "
    "register_forward_pre_hook register_full_backward_hook register_full_backward_pre_hook "
    "register_load_state_dict_post_hook register_module register_parameter requires_grad_ set_extra_state "
    "share_memory state_dict to to_empty train type xpu zero_grad training dump_patches call_super_init "
    "pretrained_cfg default_cfg num_classes num_features reset_classifier get_classifier forward_head "
    "forward_features forward_intermediates set_grad_checkpointing".split())
# Layers whose behaviour differs between train() and eval() mode.
MODE_LAYERS = ("BatchNorm", "Dropout", "SyncBatchNorm", "InstanceNorm", "AlphaDropout", "FeatureAlphaDropout")


# -- helpers ------------------------------------------------------------------------------------
def is_torch(model: Value) -> bool:
    return isinstance(model, Model) and model.attrs.get("framework") == TORCH


def torch_model(name: str, expects: Expectation | None, line: int, **attrs) -> Model:
    """A PyTorch model: in train mode, as every nn.Module is after construction (set by the caller)."""
    model = Model(name, expects, line=line, attrs={"framework": TORCH, **attrs})
    model.attrs["element"] = one_module(model)
    return model


def one_module(model: Model) -> Model:
    """What iterating over a model (its children, its ``_modules``) yields: one of its modules, its stem
    first; it has BatchNorm or Dropout when the model may (iterating runs each of them)."""
    root = root_of(model)
    part = Model(root.name, root.expects, line=root.line, attrs={"framework": TORCH, "part_of": root})
    if isinstance(model.attrs.get("trains"), Const):
        part.attrs["trains"] = model.attrs["trains"]
    return part


def built(call, model: Model, trains: bool = True) -> Model:
    """A model just constructed: train mode, as nn.Module starts."""
    model.attrs["trains"] = Const(trains)
    call.interp.set_state(model, "mode", TRAIN)
    return model


def expectation(weights: torch_knowledge.Weights, model: str) -> Expectation | None:
    """What a model with these weights expects, from what its weights' transforms do."""
    if weights.kind in ("ImageClassification", "SemanticSegmentation") and weights.mean and weights.std:
        normalize = from_stats(weights.mean, weights.std)
    elif weights.kind == "ObjectDetection":
        normalize = UNIT  # detection models take [0, 1] images and normalise inside (GeneralizedRCNNTransform)
    else:
        return None  # video, optical flow: other inputs
    if weights.kind == "ImageClassification":
        described = (f"input scaled to [0, 1] and normalised with mean {_nums(weights.mean)} and std "
                     f"{_nums(weights.std)}")
    elif weights.kind == "ObjectDetection":
        described = "[0, 1] float images (it normalises them itself)"
    else:
        described = f"input normalised with mean {_nums(weights.mean)} and std {_nums(weights.std)}"
    size = weights.crop if weights.fixed and weights.kind == "ImageClassification" else None
    min_size = weights.min_size[0] if weights.min_size and weights.min_size[0] > 1 else None
    return Expectation(f"{model} ({weights.name})", None, described, weights.hint, size, min_size,
                       "with its fixed input size" if size else "", normalize=normalize)


def _nums(values) -> str:
    values = tuple(values)
    return f"{values[0]:g}" if len(values) == 1 else "(" + ", ".join(f"{v:g}" for v in values) + ")"


def weights_model(call, display: str, weights: torch_knowledge.Weights | None, **attrs) -> Model:
    expects = expectation(weights, display) if weights is not None else None
    model = torch_model(display, expects, call.line, **attrs)
    if weights is not None:
        model.attrs["weights"] = Const(weights.name)
        model.attrs["pretrained"] = Const(True)
    return built(call, model)


# -- torchvision model builders -----------------------------------------------------------------------
def _chosen_weights(call, builder: torch_knowledge.Builder, value: Value) -> tuple[bool, object]:
    """(known, weights) from a ``weights=`` value: a weights enum member, a string, None."""
    tv = torch_knowledge.torchvision()
    if value == Const(None):
        return True, None
    if isinstance(value, Const) and isinstance(value.value, str):
        enum, _, member = value.value.rpartition(".")
        return True, tv.weights(enum or builder.weights, member, builder.fixed)
    if isinstance(value, ModuleRef):
        enum_path, _, member = value.qualname.rpartition(".")
        enum = tv.enum_of(enum_path)
        if enum is not None:
            return True, tv.weights(enum, member, builder.fixed)
    return False, None


def _legacy_weights(builder: torch_knowledge.Builder):
    if builder.legacy is None:
        return None
    enum, _, member = builder.legacy.rpartition(".")
    return torch_knowledge.torchvision().weights(enum, member, builder.fixed)


def torchvision_builder(builder: torch_knowledge.Builder, call, value: Value | None = None,
                        pretrained: Value | None = None) -> Value:
    """``models.resnet50(weights=...)``, ``(pretrained=True)``, ``(True)``: a model with or without weights."""
    first = call.arg(0, None)
    if value is None:
        value = call.arg(None, "weights", UNKNOWN if "weights" in call.kwargs else Const(None))
    if pretrained is None:
        pretrained = call.kwargs.get("pretrained")
    if isinstance(first, Const) and isinstance(first.value, bool) and pretrained is None:
        pretrained = first  # models.resnet50(True): the old positional pretrained
    elif first is not UNKNOWN and "weights" not in call.kwargs and call.args:
        value = first
    if pretrained is not None and value == Const(None):
        if not isinstance(pretrained, Const):
            return UNKNOWN
        weights = _legacy_weights(builder) if pretrained.value else None
        known = True
    else:
        known, weights = _chosen_weights(call, builder, value)
    if not known:
        return UNKNOWN
    if weights is None and builder.module.startswith("detection"):
        backbone = call.arg(None, "weights_backbone", Const("default"))
        pretrained_backbone = call.arg(None, "pretrained_backbone", Const(True))
        if backbone != Const(None) and pretrained_backbone == Const(True):  # an ImageNet backbone: [0, 1] input
            model = torch_model(builder.function, Expectation(builder.function, None, "[0, 1] float images", None,
                                                              None, None, normalize=UNIT), call.line)
            return built(call, model)
    model = weights_model(call, builder.function, weights, builder=Const(builder.name))
    if builder.children is not None:  # its top-level modules, and whether train() changes what it computes
        model.attrs["child_names"] = Const(builder.children)
        model.attrs["mode_child_names"] = Const(builder.mode_children)
        model.attrs["trains"] = Const(bool(builder.mode_children))
    if weights is None:
        # from scratch; weights loaded later (load_state_dict) may be anything, but it takes RGB images
        model.expects_with_weights = Expectation(builder.function, None, "", None,
                                                 None, None, normalize=None)
        model.attrs["pretrained"] = Const(False)
    return model


@resolver("torchvision")
def resolve_torchvision(name: str):
    tv = torch_knowledge.torchvision()
    builder = tv.builder(name)
    if builder is not None:
        return lambda call: torchvision_builder(builder, call)
    head, _, last = name.rpartition(".")
    if last == "transforms" and tv.enum_of(head.rpartition(".")[0]) is not None:  # Weights.MEMBER.transforms()
        enum = tv.enum_of(head.rpartition(".")[0])
        member = head.rpartition(".")[2]
        weights = tv.weights(enum, member)
        if weights is not None:
            return lambda call: preset(call, weights)
    return None


@function("torchvision.models.get_model", "torchvision.models._api.get_model")
def get_model(call) -> Value:
    name = call.const(0, "name")
    builder = torch_knowledge.torchvision().builders.get(name) if isinstance(name, str) else None
    if builder is None:
        return UNKNOWN
    return torchvision_builder(builder, replace(call, args=call.args[1:]))


@function("torchvision.models.get_weight", "torchvision.models._api.get_weight")
def get_weight(call) -> Value:
    name = call.const(0, "name")
    return ModuleRef(f"torchvision.models.{name}") if isinstance(name, str) else UNKNOWN


def preset(call, weights: torch_knowledge.Weights) -> Value:
    """``weights.transforms()``: resize, crop, [0, 1] floats, Normalize with the weights' statistics."""
    ops = []
    if weights.kind in ("ImageClassification", "SemanticSegmentation"):
        ops.append(resize_op(weights.crop))
    ops.append(_to_float_op(weights.hint, call.loc))
    if weights.mean and weights.std:
        ops.append(normalize_op(weights.mean, weights.std, weights.hint, call.loc))
    return Pipeline(weights.hint, tuple(ops))


# -- timm and torch.hub ---------------------------------------------------------------------------------
def timm_model(call, name: Value, pretrained: Value) -> Value:
    if not isinstance(name, Const) or not isinstance(name.value, str):
        return UNKNOWN
    if pretrained == Const(False):
        model = torch_model(name.value, None, call.line, pretrained=Const(False))
        return built(call, model)
    if not isinstance(pretrained, Const):
        return UNKNOWN
    weights = torch_knowledge.timm().weights(name.value)
    if weights is None:
        return UNKNOWN
    if call.const(None, "in_chans", 3) != 3:
        return built(call, torch_model(name.value, None, call.line))
    return weights_model(call, name.value.partition(".")[0], weights, timm=Const(weights.name))


@function("timm.create_model", "timm.models.create_model", "timm.models._factory.create_model")
def create_model(call) -> Value:
    return timm_model(call, call.arg(0, "model_name"), call.arg(1, "pretrained", Const(False)))


@resolver("timm")
def resolve_timm(name: str):
    parts = name.split(".")
    if len(parts) >= 3 and parts[1] == "models" and parts[-1] in torch_knowledge.timm().archs:
        arch = parts[-1]  # timm.models.resnet50(pretrained=True), timm.models.resnet.resnet50(...)
        return lambda call: timm_model(call, Const(arch), call.arg(0, "pretrained", Const(False)))
    return None


@function("torch.hub.load")
def hub_load(call) -> Value:
    """``torch.hub.load("pytorch/vision", "resnet50", pretrained=True)``: a library's model by its name."""
    repo, name = call.const(0, "repo_or_dir"), call.const(1, "model")
    if not isinstance(repo, str) or not isinstance(name, str) or call.const(None, "source", "github") != "github":
        return UNKNOWN
    library = torch_knowledge.timm().hub.get(repo.partition(":")[0])
    rest = replace(call, args=call.args[2:])
    if library == "torchvision":
        builder = torch_knowledge.torchvision().builders.get(name)
        return torchvision_builder(builder, rest) if builder is not None else UNKNOWN
    if library == "timm":
        return timm_model(call, Const(name), call.arg(2, "pretrained", Const(False)))
    return UNKNOWN


# -- model methods and state ---------------------------------------------------------------------------
def root_of(model: Model) -> Model:
    part_of = model.attrs.get("part_of")
    return root_of(part_of) if isinstance(part_of, Model) else model


def linked(obj: Value, depth: int = 0) -> list:
    """The models and module objects whose mode a call of ``obj.eval()`` also sets."""
    out: list = [obj]
    if depth > 4:
        return out
    if isinstance(obj, Model):
        root = root_of(obj)
        if root is not obj:
            out += linked(root, depth + 1)
        for key in ("parts", "joined"):
            parts = obj.attrs.get(key)
            for part in parts.items if isinstance(parts, TupleVal) else ():
                out += linked(part, depth + 1)
    if isinstance(obj, Instance):
        for value in members(obj):
            if isinstance(value, (Model, Instance)) and value is not obj:
                out += linked(value, depth + 1)
            elif isinstance(value, ListVal) and isinstance(value.item, (Model, Instance)):
                out += linked(value.item, depth + 1)
    return out


def members(obj: Instance) -> list[Value]:
    """What an object of a project class holds: its attributes, and its class's."""
    own = [v for k, v in obj.attrs.items() if not k.startswith("<")]
    return own + [v for k, v in obj.cls.attrs.items() if k not in obj.attrs]


def set_mode(call, obj: Value, mode: Value) -> None:
    for target in linked(obj):
        call.interp.set_state(target, "mode", mode)


def mode_of(interp, obj: Value) -> Value:
    """train, eval or unknown: the join over the module and what it contains."""
    found = [interp.state(o, "mode") for o in linked(obj)]
    return joined(found) or UNKNOWN  # an object with no state of its own (a part, a join) has no say


def trains_differently(obj: Value, depth: int = 0) -> bool:
    """Whether train() and eval() change what the module computes (BatchNorm, Dropout)."""
    if depth > 4:
        return False
    if isinstance(obj, Model) and isinstance(obj.attrs.get("trains"), Const) and "part_of" in obj.attrs:
        return obj.attrs["trains"] == Const(True)  # a module of a model that says whether it has them
    if isinstance(obj, Model):
        return root_of(obj).attrs.get("trains") == Const(True) or any(
            trains_differently(p, depth + 1) for p in linked(obj)[1:])
    if isinstance(obj, Layer):
        return obj.name.startswith(MODE_LAYERS)
    if isinstance(obj, Instance):
        return any(trains_differently(v, depth + 1) for v in members(obj) if v is not obj)
    if isinstance(obj, ListVal):
        return any(trains_differently(v, depth + 1) for v in (obj.items or (obj.item,)) if v is not None)
    return False


def state_hook(interp, model: Model) -> dict:
    if not is_torch(model):
        return {}
    return {"mode": mode_of(interp, model), "mode_of": root_of(model), "entry": getattr(interp, "entry", False)}


MODEL_STATE.append(state_hook)


def record(call, model: Model, method: str, x: Value, keyword: str | None = None) -> Value:
    """``model(x)``: the input reaches the model."""
    if keyword is not None and keyword not in call.kwargs:
        keyword = None
    if isinstance(x, ListVal) and isinstance(x.item, Image) and x.item.batched is False:
        x = x.item.but(batched=True)  # a list of images (detection models take them so) is a batch
    if "part_of" in model.attrs and image_of(x.element if isinstance(x, Dataset) else x) is None:
        x = Image()  # a module of a model run on what its earlier modules made: only the mode is known
    call.interp.sink(call, model, method, x, keyword, state=state_hook(call.interp, model))
    return predictions(model, x)


@method("model", "__call__")
def model_call(call) -> Value | None:
    """``model(x)`` of a PyTorch model (None: not one, the generic model call applies)."""
    model = call.receiver
    if not is_torch(model):
        return None
    keyword = model.attrs.get("input")
    keyword = keyword.value if isinstance(keyword, Const) else "input"
    return record(call, model, "__call__", call.arg(0, keyword), keyword)


def is_module(value: Value) -> bool:
    """A PyTorch module: a torch model value, or an object of a project nn.Module class."""
    return is_torch(value) or (isinstance(value, Instance) and is_module_class(value))


@method("model", "eval", "train")
@method("instance", "eval", "train")
def module_mode(call) -> Value:
    """``.eval()``, ``.train()``, ``.train(False)``: the mode of the module and of what it contains."""
    if not is_module(call.receiver):
        return UNKNOWN
    flag = call.arg(0, "mode", Const(True)) if method_name(call) == "train" else Const(False)
    set_mode(call, call.receiver, TRAIN if flag == Const(True) else EVAL if flag == Const(False) else UNKNOWN)
    return call.receiver


@method("model", "to", "cuda", "cpu", "half", "float", "double", "requires_grad_", "share_memory", "type",
        "bfloat16", "to_empty", "xpu")
@method("instance", "to", "cuda", "cpu", "half", "float", "double", "requires_grad_", "share_memory", "type",
        "bfloat16", "to_empty", "xpu")
def module_same(call) -> Value:
    return call.receiver if is_module(call.receiver) else UNKNOWN


def method_name(call) -> str:
    func = call.node.func
    return func.attr.value if hasattr(func, "attr") else ""


@method("model", "forward", "forward_features")
def model_forward(call) -> Value:
    if not is_torch(call.receiver):
        return UNKNOWN
    return record(call, call.receiver, method_name(call) or "forward", call.arg(0, "x"))


@method("model", "children", "modules", "named_children", "named_modules")
def model_children(call) -> Value:
    """The model's submodules, its stem first (``nn.Sequential(*list(model.children())[:-1])``)."""
    if not is_torch(call.receiver):
        return UNKNOWN
    part = call.receiver.attrs.get("element", UNKNOWN)
    return ListVal(TupleVal((UNKNOWN, part)) if method_name(call).startswith("named") else part)


@method("model", "state_dict")
def model_state_dict(call) -> Value:
    """What ``torch.save`` writes: these weights, to be loaded into another model."""
    return Bound(call.receiver, "state_dict()") if is_torch(call.receiver) else UNKNOWN


@method("model", "load_state_dict")
def model_load_state_dict(call) -> Value:
    """Weights saved from a model of the project make this model that one; weights from elsewhere keep a
    pre-trained model's expectations, and give a model built without weights only its architecture's."""
    model = call.receiver
    if not is_torch(model):
        return UNKNOWN
    source = weights_source(call.arg(0, "state_dict"))
    if source is not None and source is not model:
        model.attrs["weights_of"] = source
        if source.expects is not None:
            model.expects = source.expects
    elif model.expects is None and model.expects_with_weights is not None and source is None:
        model.expects = model.expects_with_weights
    return UNKNOWN


def weights_source(value: Value) -> Model | None:
    if isinstance(value, Bound) and value.name == "state_dict()" and isinstance(value.obj, Model):
        return value.obj
    if isinstance(value, Model):
        return value
    if isinstance(value, DictVal) and value.items is not None:  # a checkpoint {"state_dict": ..., "epoch": ...}
        found = [weights_source(v) for _, v in value.items]
        found = [f for f in found if f is not None]
        return found[0] if len(found) == 1 else None
    return None


@method("model", "*")
def model_submodule(call) -> Value:
    """``model.features(x)``, ``model.conv1(x)``: a submodule of the model gets the images."""
    model = call.receiver
    name = method_name(call)
    if not is_torch(model) or name in MODULE_METHODS:
        return UNKNOWN
    x = call.arg(0, None)
    if isinstance(x, (Image, Dataset, TupleVal)):
        return record(call, model, name, x)
    return UNKNOWN


@attribute("model", "*")
def model_attribute(model: Model, name: str) -> Value | None:
    """``model.features``: a submodule, which gets the images when it is the model's stem."""
    if not is_torch(model) or name in MODULE_METHODS or (name.startswith("_") and name != "_modules"):
        return None
    root = root_of(model)
    children, modal = model.attrs.get("child_names"), model.attrs.get("mode_child_names")
    if name == "_modules":  # model._modules.items(), model._modules["features"]: its children
        known = isinstance(children, Const)
        model.attrs[name] = DictVal(tuple((n, model_attribute(model, n)) for n in children.value)) if known \
            else DictVal(None, one_module(model))
        return model.attrs[name]
    part = torch_model(root.name, root.expects, root.line, part_of=root)
    if isinstance(children, Const) and name in children.value:  # VGG's features have no BatchNorm, no Dropout
        part.attrs["trains"] = Const(name in modal.value)
        part.attrs["element"] = one_module(part)
    model.attrs[name] = part
    return part


@function("torch.max", "torch.min", "torch.topk", "torch.sort", "torch.kthvalue")
def torch_reduce_pair(call) -> Value:
    """``torch.max(outputs, 1)``: (values, indices), both one per input, in the inputs' order."""
    return predictions_pair(call, call.arg(0, "input"), call.qualname.rsplit(".", 1)[-1], 1)


@method("predictions", "max", "min", "topk", "sort", "kthvalue")
def predictions_reduce_pair(call) -> Value:
    """``outputs.max(1)`` of a PyTorch model's outputs: (values, indices)."""
    return predictions_pair(call, call.receiver, method_name(call), 0)


def predictions_pair(call, outputs: Value, name: str, dim_at: int) -> Value:
    if not isinstance(outputs, Predictions) or not is_torch(outputs.model):
        return outputs if isinstance(outputs, Predictions) else UNKNOWN  # numpy's preds.max(1): one array
    if name in ("max", "min") and call.arg(dim_at, "dim", None) is None:
        return UNKNOWN  # torch.max(outputs): one number
    return TupleVal((outputs, outputs))


@method("model", "run")
def onnx_run(call) -> Value:
    """``session.run(outputs, {"input": x})`` of an onnxruntime session made from an exported model."""
    model = call.receiver
    if model.attrs.get("framework") != Const("onnxruntime"):
        return UNKNOWN
    feeds = call.arg(1, "input_feed")
    x = next((v for _, v in feeds.items), UNKNOWN) if isinstance(feeds, DictVal) and feeds.items else UNKNOWN
    call.interp.sink(call, model, "run", x, keyword="input_feed")
    return Predictions(model, False)


# -- saving, loading, exporting -----------------------------------------------------------------------------
@function("torch.save")
def torch_save(call) -> Value:
    files.write(call, call.arg(1, "f"), call.arg(0, "obj"))
    return Const(None)


@function("torch.load", "torch.jit.load")
def torch_load(call) -> Value:
    found = files.read(call, call.arg(0, "f"))
    return found if found is not None else UNKNOWN


@function("onnxruntime.InferenceSession")
def onnx_session(call) -> Value:
    found = files.read(call, call.arg(0, "path_or_bytes"))
    if not isinstance(found, Model):
        return UNKNOWN
    return Model(found.name, found.expects, line=call.line,
                 attrs={"framework": Const("onnxruntime"), "weights_of": found})


def exported(call, how: str) -> Value:
    """Tracing or exporting a model runs it once and keeps what its layers did: it must be in eval mode."""
    model = call.arg(0, "model") if isinstance(call.arg(0, "model"), (Model, Instance)) else call.arg(0, "mod")
    if isinstance(model, Instance):
        standin = instance_model(model)
        model, target = standin, model
    else:
        target = model
    if isinstance(model, Model) and is_torch(model):
        call.interp.event("torch-export", call.node, model=model, how=how, mode=mode_of(call.interp, target),
                          trains=trains_differently(target), entry=getattr(call.interp, "entry", False),
                          mode_of=root_of(model) if isinstance(target, Model) else target)
    return model if isinstance(model, Model) else UNKNOWN


@function("torch.jit.trace", "torch.jit.trace_module")
def jit_trace(call) -> Value:
    result = call.arg(0, "func")
    if isinstance(result, Pipeline):
        return result
    return exported(call, "torch.jit.trace")


@function("torch.jit.script")
def jit_script(call) -> Value:
    obj = call.arg(0, "obj")
    if isinstance(obj, Pipeline):
        return obj  # scripted transforms do what they did
    return obj if isinstance(obj, (Model, Instance)) else UNKNOWN


@function("torch.onnx.export", "torch.onnx.dynamo_export")
def onnx_export(call) -> Value:
    model = exported(call, "torch.onnx.export")
    files.write(call, call.arg(2, "f"), model if isinstance(model, Model) else UNKNOWN)
    return Const(None)


@function("torch.export.export")
def export_export(call) -> Value:
    exported(call, "torch.export.export")
    return UNKNOWN


# -- explainability libraries that call the model they wrap -----------------------------------------------------
@resolver("pytorch_grad_cam")
def resolve_grad_cam(name: str):
    """``GradCAM(model=m, target_layers=...)``: calling it, ``cam(input_tensor=x)``, runs ``m(x)``."""
    last = name.rsplit(".", 1)[-1]
    if last[:1].isupper() and ("CAM" in last or last in ("FullGrad", "GuidedBackpropReLUModel")):
        return explainer
    return None


def explainer(call) -> Value:
    model = call.arg(0, "model")
    if not is_torch(model):
        return UNKNOWN
    wrapper = torch_model(model.name, model.expects, call.line, parts=TupleVal((model,)), input=Const("input_tensor"))
    wrapper.attrs["trains"] = Const(trains_differently(model))
    for key in ("pretrained", "part_of"):
        if key in model.attrs:
            wrapper.attrs["pretrained"] = root_of(model).attrs.get("pretrained", UNKNOWN)
    call.interp.set_state(wrapper, "mode", mode_of(call.interp, model))
    return wrapper


# -- grad modes ---------------------------------------------------------------------------------------------
@function("torch.no_grad", "torch.autograd.no_grad", "torch.autograd.grad_mode.no_grad")
def no_grad(call) -> Value:
    return Opaque("torch.no_grad")


@function("torch.inference_mode", "torch.autograd.grad_mode.inference_mode")
def inference_mode(call) -> Value:
    return Opaque("torch.inference_mode") if call.arg(0, "mode", Const(True)) == Const(True) else Opaque("grad")


@function("torch.set_grad_enabled", "torch.autograd.set_grad_enabled")
def set_grad_enabled(call) -> Value:
    return Opaque("torch.no_grad") if call.arg(0, "mode") == Const(False) else Opaque("grad")


@function("torch.enable_grad")
def enable_grad(call) -> Value:
    return Opaque("grad")


def grad_off(managers) -> bool:
    """Whether the innermost grad context switches gradients off (no_grad, inference_mode)."""
    for c in reversed(managers):
        if c == Opaque("grad"):
            return False
        if c in (Opaque("torch.no_grad"), Opaque("torch.inference_mode")) or (
                isinstance(c, ModuleRef) and c.qualname in GRAD_OFF):
            return True
    return False


# -- nn.Module objects of the project, nn.Sequential, layers ------------------------------------------------
TORCH_BASES = ("torch.nn.Module", "torch.nn.modules.module.Module", "torch.nn.Sequential",
               "torch.nn.modules.container.Sequential", "pytorch_lightning.LightningModule",
               "lightning.LightningModule", "lightning.pytorch.LightningModule")


def is_module_class(instance: Instance) -> bool:
    """A project nn.Module: derived from torch.nn (or Lightning), or defining forward() on a base the
    analysis cannot name (``nn`` from a star import)."""
    cls = instance.cls
    if any(b in TORCH_BASES or b.startswith("torch.nn.") for b in cls.library_bases()):
        return True
    return cls.method("forward") is not None and any(b is UNKNOWN for c in cls.mro() for b in c.bases)


def instance_model(instance: Instance) -> Model:
    """The model an object of a project nn.Module class is, for the rules (one per object)."""
    model = instance.attrs.get("<model>")
    if not isinstance(model, Model):
        model = Model(instance.cls.node.name.value, None, line=0, attrs={"framework": TORCH, "instance": instance})
        instance.attrs["<model>"] = model
    return model


@escaped
def mode_forgotten(interp, value: Value) -> None:
    """A model handed to a library cnnlint does not know (a trainer, ``accelerator.prepare``) may be
    switched to eval or train there: its mode is unknown from then on."""
    if isinstance(value, Model) and is_torch(value) or isinstance(value, Instance) and is_module_class(value):
        for target in linked(value):
            interp.set_state(target, "mode", UNKNOWN)


@constructed
def module_made(interp, instance: Instance) -> None:
    """A module object made here starts in train mode, as nn.Module does."""
    if is_module_class(instance):
        interp.set_state(instance, "mode", TRAIN)


@method("instance", "__call__")
def instance_call(call) -> Value:
    """``net(x)`` of a project nn.Module: a model call (its forward is interpreted too)."""
    instance = call.receiver
    x = call.arg(0, None)
    if is_module_class(instance) and isinstance(x, (Image, TupleVal)):
        model = instance_model(instance)
        model.attrs["trains"] = Const(trains_differently(instance))
        if any(isinstance(m, Model) and root_of(m).attrs.get("pretrained") == Const(True) for m in linked(instance)):
            model.attrs["pretrained"] = Const(True)  # it wraps a pre-trained model
        call.interp.sink(call, model, "__call__", x, state={
            "mode": mode_of(call.interp, instance), "mode_of": instance, "entry": getattr(call.interp, "entry", False)})
    return UNKNOWN


@method("instance", "forward")
def instance_forward(call) -> Value:
    forward = call.receiver.cls.method("forward")
    return call.interp.call(MethodRef(forward, call.receiver), call) if forward is not None else UNKNOWN


@function("torch.nn.Sequential", "torch.nn.modules.container.Sequential")
def sequential(call) -> Value:
    """Transforms in a Sequential are a transform; a pre-trained model (or its children) in one is a model
    that keeps its expectations, with the transforms before it as its front."""
    items: list[Value] = list(call.args)
    for star in call.star_args:
        items += list(star.items) if isinstance(star, ListVal) and star.items is not None else \
            [star.item] if isinstance(star, ListVal) and star.item is not None else [UNKNOWN]
    if items and all(isinstance(i, Pipeline) for i in items):
        return compose_of(items)
    front: list = []
    for i, item in enumerate(items):
        if isinstance(item, Pipeline):
            front += item.ops
            continue
        if isinstance(item, (Model, Instance)) and (not isinstance(item, Model) or is_torch(item)):
            base = item if isinstance(item, Model) else instance_model(item)
            rest = items[i + 1:]
            model = torch_model(base.name, base.expects, call.line, parts=TupleVal((item,) + tuple(rest)))
            model.front = tuple(front)
            model.attrs["trains"] = Const(trains_differently(item) or any(trains_differently(r) for r in rest))
            if isinstance(root_of(base).attrs.get("pretrained"), Const):
                model.attrs["pretrained"] = root_of(base).attrs["pretrained"]
            call.interp.set_state(model, "mode", TRAIN)
            return model
        break
    model = torch_model("Sequential", None, call.line, parts=TupleVal(tuple(items)))
    return built(call, model, trains=any(trains_differently(i) for i in items))


@function("torch.nn.ModuleList", "torch.nn.modules.container.ModuleList")
def module_list(call) -> Value:
    """A list of modules: iterating yields them (the first a model's stem when they are its children)."""
    items = call.arg(0, "modules", ListVal(None, items=()))
    if not isinstance(items, ListVal):
        return UNKNOWN
    members = items.items if items.items is not None else (items.item,) if items.item is not None else ()
    model = torch_model("ModuleList", None, call.line, parts=TupleVal(tuple(members)))
    model.attrs["element"] = items.item if items.item is not None else UNKNOWN
    return built(call, model, trains=any(trains_differently(m) for m in members))


@resolver("torch")
def resolve_torch(name: str):
    parts = name.split(".")
    if len(parts) >= 3 and parts[1] == "nn" and parts[-1][:1].isupper() and parts[-1] not in ("Module", "Parameter"):
        layer = parts[-1]
        return lambda call: Layer(layer)
    return None


# -- transforms --------------------------------------------------------------------------------------------
V1 = "torchvision.transforms.{,transforms.}"
V2 = "torchvision.transforms.v2.{,_container.,_geometry.,_color.,_misc.,_type_conversion.,_augment.,_auto_augment.}"


def transforms(*names: str) -> list[str]:
    return [prefix + n for n in names for prefix in (V1, V2)]


def single(name: str, op, random: str | None = None) -> Pipeline:
    return Pipeline(name, (op,), (random,) if random else ())


def step_op(what: str, loc, kind: str, **changes):
    def apply(image: Value, interp, at) -> Value:
        if not isinstance(image, Image):
            return UNKNOWN
        return image.but(**changes, steps=image.steps + (Step(what, loc, kind=kind),))

    return apply


def run_pipeline(pipeline: Pipeline, value: Value, interp, at) -> Value:
    for op in pipeline.ops:
        value = op(value, interp, at)
    return value


@method("pipeline", "__call__")
def call_pipeline(call) -> Value:
    """``transform(img)``; v2 transforms also take (image, boxes, ...) and return them all."""
    pipeline: Pipeline = call.receiver
    x = call.arg(0, "inpt") if call.args or "inpt" in call.kwargs else call.arg(None, "img")
    result = run_pipeline(pipeline, x, call.interp, call.node)
    if len(call.args) > 1:
        return TupleVal((result,) + tuple(UNKNOWN for _ in call.args[1:]))
    return result


@method("pipeline", "forward")
def pipeline_forward(call) -> Value:
    return call_pipeline(call)


def as_pipeline(value: Value, call) -> Pipeline:
    """A transform of a Compose: a known transform, or a callable of the project (a function, an object
    with __call__) run by the interpreter, or an unknown one that makes the image unknown."""
    if isinstance(value, Pipeline):
        return value
    if isinstance(value, (Function, Instance, MethodRef)):
        interp = call.interp

        def run(image, interp_, at, fn=value):
            return interp.call(fn, replace(call, args=[image], kwargs={}, node=at, indirect=True))

        return Pipeline("callable", (run,))
    return Pipeline("unknown", (lambda image, interp, at: UNKNOWN,))


def compose_of(items, call=None, name: str = "Compose") -> Pipeline:
    parts = [as_pipeline(i, call) for i in items]
    return Pipeline(name, tuple(op for p in parts for op in p.ops), tuple(r for p in parts for r in p.random),
                    tuple(parts))


@function(*transforms("Compose"))
def compose(call) -> Value:
    items = call.arg(0, "transforms")
    if isinstance(items, ListVal) and items.items is not None:
        return compose_of(items.items, call)
    if isinstance(items, TupleVal):
        return compose_of(items.items, call)
    return Pipeline("Compose", (lambda image, interp, at: UNKNOWN,))


def resize_op(size):
    def apply(image: Value, interp, at) -> Value:
        if isinstance(image, Image):
            return image.but(size=size)
        return Image(size=size) if size is not None and image is UNKNOWN else UNKNOWN

    return apply


def _size(value: Value, square: bool) -> tuple[int, int] | None:
    """A transform's size: (h, w); an int is the shorter side for Resize (unknown result) and a square
    for the crops."""
    if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return (value.value, value.value) if square else None
    if isinstance(value, Const) and isinstance(value.value, (tuple, list)):
        if len(value.value) == 1:
            return _size(Const(value.value[0]), square)
        return known_size(value)
    return None


@function(*transforms("Resize"))
def resize(call) -> Value:
    return single("Resize", resize_op(_size(call.arg(0, "size"), square=False)))


@function(*transforms("CenterCrop"))
def center_crop(call) -> Value:
    return single("CenterCrop", resize_op(_size(call.arg(0, "size"), square=True)))


def random_op(label: str, loc, size=False, **changes):
    """A random augmentation: recorded as a step, so inference that sees it can be told."""

    def apply(image: Value, interp, at) -> Value:
        if not isinstance(image, Image):
            return UNKNOWN
        new = image.but(steps=image.steps + (Step(label, loc, kind="augment"),), **changes)
        return new.but(size=size) if size is not False else new

    return apply


RANDOM_SIZED = ("RandomResizedCrop", "RandomCrop", "RandomSizedCrop")
RANDOM_KEEPING = ("RandomHorizontalFlip", "RandomVerticalFlip", "RandomRotation", "RandomAffine", "RandomPerspective",
                  "ColorJitter", "RandomGrayscale", "RandomErasing", "RandAugment", "AutoAugment", "TrivialAugmentWide",
                  "AugMix", "RandomApply", "RandomChoice", "RandomOrder", "RandomAdjustSharpness", "RandomAutocontrast",
                  "RandomEqualize", "RandomInvert", "RandomPosterize", "RandomSolarize", "ElasticTransform",
                  "RandomPhotometricDistort", "RandomChannelPermutation", "RandomZoomOut", "RandomIoUCrop",
                  "RandomShortestSize", "RandomResize", "ScaleJitter", "GaussianNoise", "JPEG")


def _label(call, name: str) -> str:
    text = call.interp.module.code(call.node)
    return text if len(text) <= 60 else f"{name}(...)"


@function(*transforms(*RANDOM_SIZED))
def random_sized(call) -> Value:
    name = call.qualname.rsplit(".", 1)[-1]
    size = _size(call.arg(0, "size"), square=True)
    return single(name, random_op(_label(call, name), call.loc, size=size), _label(call, name))


@function(*transforms(*RANDOM_KEEPING))
def random_keeping(call) -> Value:
    name = call.qualname.rsplit(".", 1)[-1]
    p = call.const(None, "p", None if name not in ("RandomHorizontalFlip", "RandomVerticalFlip") else 0.5)
    if p == 0 or (name == "ColorJitter" and not call.args and not call.kwargs):
        return single(name, lambda image, interp, at: image)  # never applied
    if name in ("RandomShortestSize", "RandomResize", "ScaleJitter", "RandomZoomOut", "RandomIoUCrop"):
        return single(name, random_op(_label(call, name), call.loc, size=None), _label(call, name))
    return single(name, random_op(_label(call, name), call.loc), _label(call, name))


@function(*transforms("GaussianBlur"))
def gaussian_blur(call) -> Value:
    sigma = call.arg(1, "sigma", Const((0.1, 2.0)))
    if isinstance(sigma, Const) and isinstance(sigma.value, (int, float)):
        return single("GaussianBlur", lambda image, interp, at: image)
    label = _label(call, "GaussianBlur")
    return single("GaussianBlur", random_op(label, call.loc), label)


@function(*transforms("RandomApply", "RandomChoice", "RandomOrder"))
def random_container(call) -> Value:
    """RandomApply: its transforms or none; RandomChoice: one of them; RandomOrder: all, in any order.
    The image is what holds on every one of those paths, and a random step."""
    name = call.qualname.rsplit(".", 1)[-1]
    items = call.arg(0, "transforms")
    if call.const(None, "p", 0.5) == 0:
        return single(name, lambda image, interp, at: image)
    if not isinstance(items, ListVal) or items.items is None:
        return single(name, lambda image, interp, at: UNKNOWN)
    parts = [as_pipeline(i, call) for i in items.items]
    label = _label(call, name)
    augment = random_op(label, call.loc)

    def apply(image: Value, interp, at) -> Value:
        if name == "RandomChoice":
            paths = [run_pipeline(p, image, interp, at) for p in parts]
        else:
            paths = [run_pipeline(compose_of(parts), image, interp, at)]
            paths += [image] if name == "RandomApply" else [run_pipeline(compose_of(parts[::-1]), image, interp, at)]
        result = joined(paths) or UNKNOWN
        return augment(result, interp, at)

    return Pipeline(name, (apply,), (label,))


@function(*transforms("Pad", "FiveCrop", "TenCrop", "LinearTransformation", "UniformTemporalSubsample"))
def unknown_transform(call) -> Value:
    return single(call.qualname.rsplit(".", 1)[-1], lambda image, interp, at: UNKNOWN)


@function(*transforms("Lambda"))
def lambda_transform(call) -> Value:
    return as_pipeline(call.arg(0, "lambd"), call)


def _to_float_op(what: str, loc):
    """uint8 0..255 becomes float [0, 1]; float stays as it is (ToDtype(scale=True), ConvertImageDtype)."""

    def apply(image: Value, interp, at) -> Value:
        if image is UNKNOWN:
            return Image(scale=UNIT, dtype="float", container="tensor", batched=False)
        if not isinstance(image, Image):
            return UNKNOWN
        if image.scale is None and image.dtype is None and image.container is None and not image.steps:
            # an image of unknown origin, only resized: taken as what ToTensor is for, as above
            return image.but(scale=UNIT, dtype="float", container="tensor")
        if image.dtype == "uint8" or image.container == "pil":
            scale = image.scale.affine(1 / 255, 0) if image.scale is not None else None
            return image.but(scale=scale, dtype="float", container="tensor",
                             steps=image.steps + (Step(what, loc, kind="convert"),))
        if image.dtype == "float":
            return image.but(container="tensor")
        return image.but(scale=None, dtype="float", container="tensor")

    return apply


def to_tensor_op(what: str, loc):
    """``ToTensor()``: PIL images and uint8 arrays to [0, 1] floats; float arrays keep their values. One
    HWC image (or PIL image) becomes one CHW tensor. An input of unknown origin is taken as a PIL image
    (what ToTensor is for), giving [0, 1]."""
    to_float = _to_float_op(what, loc)

    def apply(image: Value, interp, at) -> Value:
        result = to_float(image, interp, at)
        return result.but(batched=False) if isinstance(result, Image) else result

    return apply


@function(*transforms("ToTensor"), "torchvision.transforms.functional.to_tensor")
def to_tensor(call) -> Value:
    op = to_tensor_op("ToTensor()", call.loc)
    if call.qualname.endswith("to_tensor"):
        return op(call.arg(0, "pic"), call.interp, call.node)
    return single("ToTensor", op)


def _uint8_tensor(image: Value, interp, at) -> Value:
    """PILToTensor / ToImage / pil_to_tensor: the same values, as a uint8 tensor."""
    if not isinstance(image, Image):
        return UNKNOWN
    return image.but(container="tensor", dtype=image.dtype or ("uint8" if image.container == "pil" else None))


@function(*transforms("PILToTensor", "ToImage", "ToImageTensor", "ToPureTensor"))
def pil_to_tensor(call) -> Value:
    return single("PILToTensor", _uint8_tensor)


@function("torchvision.transforms.functional.pil_to_tensor", "torchvision.transforms.v2.functional.to_image",
          "torchvision.transforms.v2.functional.pil_to_tensor", "torchvision.transforms.v2.functional.to_image_tensor")
def pil_to_tensor_fn(call) -> Value:
    return _uint8_tensor(call.arg(0, "pic") if "pic" in call.kwargs or call.args else call.arg(None, "inpt"),
                         call.interp, call.node)


def to_dtype_op(dtype: str | None, scale: bool, what: str, loc, callee=None):
    to_float = _to_float_op(what, loc)

    def apply(image: Value, interp, at) -> Value:
        if not isinstance(image, Image):
            return UNKNOWN
        if dtype == "float" and scale:
            return to_float(image, interp, at)
        if dtype == "float":  # ToDtype(torch.float32) without scale=True: the values stay 0..255
            return image.but(dtype="float", container="tensor",
                             steps=image.steps + (Step(what, loc, kind="cast", callee=callee),))
        if dtype == "uint8" and scale and image.dtype == "float" and image.scale is not None:
            return image.but(dtype="uint8", scale=image.scale.affine(255, 0))
        return image.but(dtype=dtype, scale=None if dtype is None else image.scale)

    return apply


@function(*transforms("ToDtype"))
def to_dtype(call) -> Value:
    target = call.arg(0, "dtype")
    if isinstance(target, DictVal):  # {tv_tensors.Image: torch.float32, "others": None}
        target = next((v for k, v in target.items or () if v != Const(None)), UNKNOWN)
    scale = call.const(1, "scale", False)
    dtype = dtype_name(target)
    what = f"ToDtype({call.source() if call.node.args else ''}{', scale=True' if scale is True else ''})"
    return single("ToDtype", to_dtype_op(dtype, scale is True, what, call.loc, call.node))


@function(*transforms("ConvertImageDtype"), "torchvision.transforms.functional.convert_image_dtype",
          "torchvision.transforms.v2.functional.to_dtype")
def convert_image_dtype(call) -> Value:
    if call.qualname.endswith("ConvertImageDtype"):
        return single("ConvertImageDtype", to_dtype_op(dtype_name(call.arg(0, "dtype")) or "float", True,
                                                       "ConvertImageDtype", call.loc))
    scale = call.const(2, "scale", call.qualname.endswith("convert_image_dtype"))
    op = to_dtype_op(dtype_name(call.arg(1, "dtype")) or "float", scale is True, call.qualname.rsplit(".", 1)[-1],
                     call.loc)
    return op(call.arg(0, "image") if "image" in call.kwargs or call.args else call.arg(None, "inpt"),
              call.interp, call.node)


def normalize_op(mean, std, what: str, loc):
    """``Normalize(mean, std)``: (x - mean) / std per channel. Statistics of [0, 1] pixels applied to
    0..255 values is the unscaled-tensor bug: its step says so."""

    def apply(image: Value, interp, at) -> Value:
        if not isinstance(image, Image):
            return UNKNOWN
        if image.garbled:
            return image
        if len(mean) == 3 and image.channels in (FILE_CHANNELS, 1, 2, 4):
            # three statistics on an image of another channel count: Normalize raises at run time
            interp.event("normalize-channels", at, image=image, what=what)
            image = image.but(channels=None)  # reported here, not again where a model gets it
        before = image.scale
        unscaled = before is not None and before.is_interval() and before.hi > 2 and max(mean) <= 1.5
        step = Step(what, loc, kind="normalize-unscaled" if unscaled else "normalize")
        scale = None
        if before is not None and before.is_interval() and before.hi != before.lo:
            span = before.hi - before.lo
            scale = from_stats(tuple((m - before.lo) / span for m in mean), tuple(s / span for s in std))
        elif before is not None and before.per_channel() is not None:  # already standardised
            m0, s0 = before.per_channel()
            n = max(len(m0), len(mean))
            pick = lambda values, c: values[c if len(values) > 1 else 0]  # noqa: E731
            scale = from_stats(tuple(pick(m0, c) + pick(mean, c) * pick(s0, c) for c in range(n)),
                               tuple(pick(s0, c) * pick(std, c) for c in range(n)))
            back = next((pixels for pixels in (UNIT, RAW) if scale is not None and scale.same(pixels)), None)
            if back is None:
                interp.renormalised(at, image, step)  # normalised twice (undoing a normalisation is fine)
                return image.but(scale=None, garbled=True, steps=image.steps + (step,))
            scale = back
        elif before is not None and before.mode:
            interp.renormalised(at, image, step)
            return image.but(scale=None, garbled=True, steps=image.steps + (step,))
        return image.but(scale=scale, dtype="float", steps=image.steps + (step,))

    return apply


def _numbers(value: Value) -> tuple[float, ...] | None:
    from ..arithmetic import channel_values

    if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return (float(value.value),)
    values = channel_values(value)
    return tuple(float(v) for v in values) if values else None


@function(*transforms("Normalize"), "torchvision.transforms.functional.normalize",
          "torchvision.transforms.v2.functional.normalize")
def normalize(call) -> Value:
    functional = call.qualname.endswith("normalize")
    offset = 1 if functional else 0
    mean, std = _numbers(call.arg(offset, "mean")), _numbers(call.arg(offset + 1, "std"))
    if mean is None or std is None or 0 in std:
        op = lambda image, interp, at: image.but(scale=None, dtype="float") if isinstance(image, Image) else UNKNOWN  # noqa: E731
    else:
        what = f"Normalize(mean={_nums(mean)}, std={_nums(std)})"
        op = normalize_op(mean, std, what, call.loc)
    if functional:
        return op(call.arg(0, "tensor") if "tensor" in call.kwargs or call.args else call.arg(None, "inpt"),
                  call.interp, call.node)
    return single("Normalize", op)


def channels_op(channels):
    def apply(image: Value, interp, at) -> Value:
        return image.but(channels=channels, order=None if channels == 1 else image.order) \
            if isinstance(image, Image) else UNKNOWN

    return apply


@function(*transforms("Grayscale"))
def grayscale(call) -> Value:
    n = call.const(0, "num_output_channels", 1)
    return single("Grayscale", channels_op(n if isinstance(n, int) else None))


@function("torchvision.transforms.functional.to_grayscale", "torchvision.transforms.functional.rgb_to_grayscale",
          "torchvision.transforms.v2.functional.rgb_to_grayscale", "torchvision.transforms.v2.functional.to_grayscale")
def grayscale_fn(call) -> Value:
    n = call.const(1, "num_output_channels", 1)
    return channels_op(n if isinstance(n, int) else None)(call.arg(0, "img"), call.interp, call.node)


def to_pil_op(image: Value, interp, at) -> Value:
    """``ToPILImage``: float tensors are taken as [0, 1] and multiplied by 255; uint8 stays."""
    if not isinstance(image, Image):
        return UNKNOWN
    if image.dtype == "float":
        scale = RAW if image.scale is not None and image.scale.same(UNIT) else None
        return image.but(container="pil", dtype="uint8", scale=scale)
    return image.but(container="pil")


@function(*transforms("ToPILImage"))
def to_pil_image(call) -> Value:
    return single("ToPILImage", to_pil_op)


@function("torchvision.transforms.functional.to_pil_image", "torchvision.transforms.v2.functional.to_pil_image")
def to_pil_image_fn(call) -> Value:
    return to_pil_op(call.arg(0, "pic"), call.interp, call.node)


@function("torchvision.transforms.functional.resize", "torchvision.transforms.v2.functional.resize")
def resize_fn(call) -> Value:
    return resize_op(_size(call.arg(1, "size"), square=False))(call.arg(0, "img"), call.interp, call.node)


@function("torchvision.transforms.functional.center_crop", "torchvision.transforms.v2.functional.center_crop")
def center_crop_fn(call) -> Value:
    return resize_op(_size(call.arg(1, "output_size"), square=True))(call.arg(0, "img"), call.interp, call.node)


@function("torchvision.transforms.functional.{hflip,vflip,adjust_brightness,adjust_contrast}")
def keep_fn(call) -> Value:
    image = call.arg(0, "img")
    return image if isinstance(image, Image) else UNKNOWN


# -- timm data configs and transforms ---------------------------------------------------------------------
def _timm_config(model: Value) -> Value:
    root = root_of(model) if isinstance(model, Model) else None
    name = root.attrs.get("timm") if root is not None else None
    weights = torch_knowledge.timm().weights(name.value) if isinstance(name, Const) else None
    if weights is None:
        return DictVal(None, UNKNOWN)
    return DictVal((("input_size", Const((3,) + weights.crop)), ("interpolation", Const(weights.interpolation)),
                    ("mean", Const(weights.mean)), ("std", Const(weights.std)),
                    ("crop_pct", Const(weights.crop[0] / weights.resize)), ("crop_mode", Const("center"))))


@function("timm.data.resolve_data_config", "timm.data.config.resolve_data_config")
def resolve_data_config(call) -> Value:
    model = call.arg(None, "model", UNKNOWN)
    args = call.arg(0, "args", DictVal(()))
    if isinstance(args, DictVal) and args.items == () and isinstance(model, Model):
        return _timm_config(model)
    if isinstance(model, Model) and isinstance(args, DictVal) and args.items is not None:
        base = _timm_config(model)
        return base if all(k not in dict(args.items) for k in ("mean", "std")) else DictVal(None, UNKNOWN)
    return DictVal(None, UNKNOWN)


@function("timm.data.resolve_model_data_config", "timm.data.config.resolve_model_data_config")
def resolve_model_data_config(call) -> Value:
    return _timm_config(call.arg(0, "model"))


@function("timm.data.create_transform", "timm.data.transforms_factory.create_transform")
def create_transform(call) -> Value:
    """timm's eval transform: resize, center crop, ToTensor, Normalize; is_training=True adds augmentation."""
    config = dict(call.kwargs)
    for star in call.star_kwargs:
        if isinstance(star, DictVal) and star.items is not None:
            config = {**{k: v for k, v in star.items}, **config}
        else:
            return Pipeline("create_transform", (lambda image, interp, at: UNKNOWN,))
    size = config.get("input_size", call.arg(0, "input_size"))
    mean, std = _numbers(config.get("mean", Const((0.485, 0.456, 0.406)))), \
        _numbers(config.get("std", Const((0.229, 0.224, 0.225))))
    if mean is None or std is None:
        return Pipeline("create_transform", (lambda image, interp, at: UNKNOWN,))
    crop = size.value[1:] if isinstance(size, Const) and isinstance(size.value, tuple) and len(size.value) == 3 \
        else (size.value, size.value) if isinstance(size, Const) and isinstance(size.value, int) else None
    ops = []
    random: tuple[str, ...] = ()
    if config.get("is_training", call.arg(1, "is_training", Const(False))) == Const(True):
        label = "timm.data.create_transform(is_training=True)"
        ops.append(random_op(label, call.loc, size=tuple(crop) if crop else None))
        random = (label,)
    else:
        ops.append(resize_op(tuple(crop) if crop else None))
    ops.append(to_tensor_op("timm create_transform", call.loc))
    ops.append(normalize_op(mean, std, f"Normalize(mean={_nums(mean)}, std={_nums(std)}) of timm's create_transform",
                            call.loc))
    return Pipeline("create_transform", tuple(ops), random)


# -- images: torchvision.io, tensors -------------------------------------------------------------------------
@function("torchvision.io.read_image", "torchvision.io.decode_image", "torchvision.io.image.read_image",
          "torchvision.io.image.decode_image", "torchvision.io.decode_jpeg", "torchvision.io.decode_png")
def read_image(call) -> Value:
    """uint8 CHW tensors; the file's own channels unless ``mode=ImageReadMode.RGB``."""
    mode = call.arg(1, "mode", Const(None))
    name = mode.qualname.rsplit(".", 1)[-1] if isinstance(mode, ModuleRef) else \
        mode.value if isinstance(mode, Const) and isinstance(mode.value, str) else None
    channels = {"RGB": 3, "GRAY": 1, "RGB_ALPHA": 4, "GRAY_ALPHA": 2, "UNCHANGED": None}.get(name or "UNCHANGED")
    if channels is None:
        channels = 3 if call.qualname.endswith("jpeg") else opened_channels(call.arg(0, "path"))
    return loaded(call, "tensor", channels=channels)


@function("torch.from_numpy", "torch.as_tensor", "torch.tensor", "torch.Tensor", "torch.FloatTensor",
          "torch.autograd.Variable", "torch.asarray")
def to_torch(call) -> Value:
    value = call.arg(0, "data" if not call.qualname.endswith("from_numpy") else "ndarray")
    if isinstance(value, (ListVal, TupleVal)):
        value = stacked(value)
        value = value.but(container="tensor") if isinstance(value, Image) else value
    if not isinstance(value, Image):
        return UNKNOWN
    dtype = dtype_name(call.arg(None, "dtype", Const(None)))
    if call.qualname.endswith("FloatTensor"):
        dtype = "float"
    return value.but(container="tensor", dtype=dtype or value.dtype)


@function("torch.stack", "torch.cat", "torch.concat", "torch.concatenate", "torch.vstack")
def torch_stack(call) -> Value:
    items = call.arg(0, "tensors")
    if not isinstance(items, (ListVal, TupleVal)):
        return UNKNOWN
    if predictions_of(items) is not None:
        return predictions_of(items)  # torch.cat(outputs): the predictions of every batch, in order
    if call.qualname.endswith("stack") and not call.qualname.endswith("vstack"):
        if call.const(1, "dim", 0) != 0:
            return UNKNOWN
        result = stacked(items)
        return result.but(container="tensor") if isinstance(result, Image) else UNKNOWN
    elements = items.items if isinstance(items, TupleVal) else (items.items or (items.item,))
    if elements and all(isinstance(e, Image) and e.batched for e in elements) and call.const(1, "dim", 0) == 0:
        return joined(elements) or UNKNOWN
    return UNKNOWN


@function("torch.unsqueeze")
def torch_unsqueeze(call) -> Value:
    image = call.arg(0, "input")
    if call.const(1, "dim", UNKNOWN) == 0:
        return add_batch_axis(image)
    return image.but(batched=None) if isinstance(image, Image) else UNKNOWN


@function("torch.squeeze")
def torch_squeeze(call) -> Value:
    image = call.arg(0, "input")
    return image.but(batched=None) if isinstance(image, Image) else UNKNOWN


@function("torch.flip")
def torch_flip(call) -> Value:
    image = call.arg(0, "input")
    return image.but(order=None) if isinstance(image, Image) else UNKNOWN


@method("tensor", "unsqueeze", "unsqueeze_")
@method("array", "unsqueeze")
def tensor_unsqueeze(call) -> Value:
    if call.const(0, "dim", UNKNOWN) == 0:
        return add_batch_axis(call.receiver)
    return call.receiver.but(batched=None)


@method("tensor", "squeeze", "squeeze_")
def tensor_squeeze(call) -> Value:
    return call.receiver.but(batched=None)


@method("tensor", "permute", "transpose", "contiguous", "detach", "clone", "to", "cuda", "cpu",
        "requires_grad_", "pin_memory")
@method("array", "transpose", "swapaxes")
def tensor_keep(call) -> Value:
    """Layout and device changes: the values stay what they are."""
    dtype = dtype_name(call.arg(0, None)) if method_name(call) == "to" else None
    return call.receiver.but(dtype=dtype) if dtype else call.receiver


@attribute("tensor", "data")
@attribute("array", "T")
def tensor_data(image: Value, name: str) -> Value:
    return image


@method("tensor", "float", "double", "half")
def tensor_float(call) -> Value:
    return call.receiver.but(dtype="float")


@method("tensor", "byte")
def tensor_byte(call) -> Value:
    return call.receiver.but(dtype="uint8")


@method("tensor", "type")
def tensor_type(call) -> Value:
    dtype = dtype_name(call.arg(0, "dtype"))
    if dtype is None and isinstance(call.arg(0, "dtype"), ModuleRef) and "Float" in call.arg(0, "dtype").qualname:
        dtype = "float"
    return call.receiver.but(dtype=dtype)


@method("tensor", "view", "view_as", "expand", "expand_as", "reshape_as")
def tensor_view(call) -> Value:
    shape = tuple(a.value if isinstance(a, Const) else None for a in call.args)
    if len(shape) == 1 and isinstance(shape[0], tuple):
        shape = shape[0]
    if method_name(call) == "view" and len(shape) == 4 and shape[0] in (1, -1):
        return call.receiver.but(batched=True)
    return call.receiver.but(batched=None)


ARITHMETIC = {"div": "Divide", "div_": "Divide", "true_divide": "Divide", "mul": "Multiply", "mul_": "Multiply",
              "sub": "Subtract", "sub_": "Subtract", "add": "Add", "add_": "Add"}


@method("tensor", *ARITHMETIC)
def tensor_arithmetic(call) -> Value:
    return binary(call.interp, call.node, call.receiver, ARITHMETIC[method_name(call)], call.arg(0, "other"))


for _name in ("unsqueeze_", "div_", "mul_", "sub_", "add_", "squeeze_"):
    MUTATING_METHODS[_name] = None  # in place: the variable holds what the method returns


@method("dataset", "next", "__next__")
def iterator_next(call) -> Value:
    return element_of(call.receiver)


# -- datasets, DataLoader -------------------------------------------------------------------------------------
def apply_transform(call, image: Value, transform: Value) -> Value:
    if transform == Const(None):
        return image
    if isinstance(transform, Pipeline):
        return run_pipeline(transform, image, call.interp, call.node)
    if isinstance(transform, (Function, Instance, MethodRef)):
        return call.interp.call(transform, replace(call, args=[image], kwargs={}, indirect=True))
    return UNKNOWN


def library_dataset(call, image: Image, transform: Value, files: str | None = None) -> Dataset:
    """A torchvision dataset of (transform(image), label); its ``transform`` can be set afterwards
    (``dataset.transform = t``, also through a random_split Subset's ``.dataset``): the dataset object
    then yields what the new transform makes, wherever it is used from then on."""
    dataset = Dataset(TupleVal((apply_transform(call, image, transform), UNKNOWN)), files=files)
    call.interp.set_state(dataset, "raw", image)
    return dataset


@setter("dataset", "transform")
@setter("dataset", "dataset.transform")
def set_dataset_transform(interp, dataset: Value, transform: Value) -> None:
    raw = interp.state(dataset, "raw")
    if isinstance(raw, Image):
        at = interp.calls[-1][0] if interp.calls else None
        element = run_pipeline(transform, raw, interp, at) if isinstance(transform, Pipeline) else UNKNOWN
        interp.set_state(dataset, "current", replace(dataset, element=TupleVal((element, UNKNOWN))))
    elif isinstance(dataset, Dataset):
        interp.set_state(dataset, "current", replace(dataset, element=UNKNOWN))


def current(interp, dataset: Value) -> Value:
    """A dataset as it is now: after a later ``.transform = ...``."""
    now = interp.state(dataset, "current") if isinstance(dataset, Dataset) else None
    return now if now is not None else dataset


@function("torchvision.datasets.ImageFolder", "torchvision.datasets.folder.ImageFolder",
          "torchvision.datasets.DatasetFolder")
def image_folder(call) -> Value:
    """(image, label) pairs: RGB PIL images of the files' sizes (its loader converts to RGB)."""
    if call.arg(None, "loader", Const(None)) != Const(None):
        return Dataset(TupleVal((UNKNOWN, UNKNOWN)), files="ImageFolder")
    image = Image(scale=RAW, size=NATIVE, batched=False, channels=3, order="RGB", dtype="uint8", container="pil",
                  origin=call.loc)
    return library_dataset(call, image, call.arg(1, "transform", Const(None)), files="ImageFolder")


def torchvision_dataset(name, info):
    def construct(call) -> Value:
        size = None if info.size is None else NATIVE if info.size == "native" else info.size
        channels = info.channels
        image = Image(scale=RAW, size=size, batched=False, channels=channels,
                      order="RGB" if channels == 3 else None, dtype="uint8", container="pil", origin=call.loc)
        return library_dataset(call, image, call.arg(None, "transform", Const(None)), files=name)

    return construct


# A torchvision dataset's labels (and an ImageFolder's files) in its fixed order; its .classes are the class names.
FILE_ORDER["ImageFolder"] = ("targets", "samples", "imgs")
for _name, _info in dataset_knowledge().get("torchvision", {}).items():
    function(f"torchvision.datasets.{_name}")(torchvision_dataset(_name, _info))
    FILE_ORDER[_name] = ("targets", "labels")


@function("torch.utils.data.TensorDataset", "torch.utils.data.dataset.TensorDataset")
def tensor_dataset(call) -> Value:
    return Dataset(TupleVal(tuple(unbatched(a) for a in call.args)))


@function("torch.utils.data.random_split", "torch.utils.data.dataset.random_split")
def random_split(call) -> Value:
    """Subsets share their dataset, and its transform."""
    dataset = call.arg(0, "dataset")
    lengths = call.arg(1, "lengths")
    n = len(lengths.value) if isinstance(lengths, Const) and isinstance(lengths.value, tuple) else \
        len(lengths.items) if isinstance(lengths, (ListVal, TupleVal)) and lengths.items is not None else None
    if n is None:
        return ListVal(dataset)
    return ListVal(dataset, items=tuple(dataset for _ in range(n)))


@function("torch.utils.data.Subset", "torch.utils.data.dataset.Subset")
def subset(call) -> Value:
    return call.arg(0, "dataset")


@function("torch.utils.data.ConcatDataset")
def concat_dataset(call) -> Value:
    parts = call.arg(0, "datasets")
    elements = [element_of(p) for p in (parts.items or ())] if isinstance(parts, ListVal) else []
    return Dataset(joined(elements) or UNKNOWN) if elements else UNKNOWN


@function("torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader")
def data_loader(call) -> Value:
    """Batches of the dataset's elements (the batch axis added by default_collate), or what collate_fn
    makes of a list of them."""
    dataset = current(call.interp, call.arg(0, "dataset"))
    element = call.interp.element_of(dataset) if isinstance(dataset, (Instance, Dataset)) else UNKNOWN
    collate = call.arg(None, "collate_fn", Const(None))
    if collate != Const(None):
        batch = call.interp.call(collate, replace(call, args=[ListVal(element)], kwargs={}, indirect=True))
    elif call.arg(1, "batch_size", Const(1)) == Const(None):
        batch = element
    else:
        batch = collated(element)
    shuffle = call.const(2, "shuffle", False)
    if call.arg(None, "sampler", Const(None)) != Const(None) or call.arg(None, "batch_sampler", Const(None)) \
            != Const(None):
        shuffle = None
    shuffle = shuffle if isinstance(shuffle, bool) else None
    step = Step(f"DataLoader at {call.loc.text(call.loc.path)}", call.loc, kind="batch")
    return Dataset(from_loader(batch, step, shuffle), shuffle)


def collated(element: Value) -> Value:
    """What default_collate makes of a list of elements: images get the batch axis, in tuples and dicts."""
    if isinstance(element, DictVal) and element.items is not None:
        return DictVal(tuple((k, collated(v)) for k, v in element.items))
    if isinstance(element, TupleVal):
        return TupleVal(tuple(collated(v) for v in element.items))
    if isinstance(element, Image):
        return rebatched(element)
    return UNKNOWN


def from_loader(batch: Value, step: Step, shuffled: bool | None) -> Value:
    """The batches of one DataLoader carry a step naming it (a rule can tell them from another loader's),
    and whether the loader shuffles (what a model makes of them comes in that order)."""
    if isinstance(batch, Image):
        return batch.but(steps=batch.steps + (step,), shuffled=shuffled)
    if isinstance(batch, TupleVal) and batch.items and isinstance(batch.items[0], Image):
        return TupleVal((from_loader(batch.items[0], step, shuffled),) + batch.items[1:])
    if isinstance(batch, DictVal) and batch.items is not None:
        return DictVal(tuple((k, from_loader(v, step, shuffled)) for k, v in batch.items))
    return batch


# -- isinstance on what the analysis knows -------------------------------------------------------------------
@function("builtins.isinstance")
def builtin_isinstance(call) -> Value:
    """``isinstance(image, np.ndarray)`` on an image whose container is known decides the branch."""
    obj, classes = call.arg(0, "obj"), call.arg(1, "class_or_tuple")
    names = [c.qualname for c in (classes.items if isinstance(classes, TupleVal) else (classes,))
             if isinstance(c, ModuleRef)]
    if not names or len(names) != (len(classes.items) if isinstance(classes, TupleVal) else 1):
        return UNKNOWN
    if isinstance(obj, (TupleVal, ListVal)):  # a batch (images, labels): a tuple or a list
        return Const(True) if any(n in ("builtins.tuple", "builtins.list") for n in names) else UNKNOWN
    if all(n.startswith("builtins.") for n in names) and (isinstance(obj, (Image, Model, Pipeline, Dataset)) or (
            isinstance(obj, Instance) and not any(b.startswith("builtins.") for b in obj.cls.library_bases()))):
        return Const(False)  # an image, a model or an object of a project class is no list, tuple or number
    if not isinstance(obj, Image) or obj.container is None:
        return UNKNOWN
    kinds = {"numpy.ndarray": "array", "PIL.Image.Image": "pil", "torch.Tensor": "tensor"}
    if any(n not in kinds for n in names):
        return UNKNOWN
    return Const(any(kinds[n] == obj.container for n in names))


__all__ = ["grad_off", "is_torch", "trains_differently"]
