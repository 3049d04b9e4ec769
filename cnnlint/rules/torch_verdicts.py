"""How a PyTorch model call compares with what its weights expect; the CNN6xx rules pick their verdicts.

A call is *training* when the code around it trains: the innermost enclosing loop (or, before any
loop, an enclosing function) calls ``.backward()`` or is a Lightning ``training_step``. Any other call
is inference (evaluation, validation, prediction, feature extraction).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..analysis.facts import RAW, UNIT, Const, Instance, Model, Scale

if TYPE_CHECKING:  # libcst and the analysis load only when a file is analysed: a cached run never needs them
    import libcst as cst

    from ..analysis.interpreter import Sink

TRAIN = Const("train")
TRAINING_FUNCTIONS = ("training_step", "train_step", "train_one_epoch", "train_epoch")
_trains: dict[int, tuple[cst.CSTNode, bool]] = {}


def _calls_backward(node: cst.CSTNode) -> bool:
    """Whether a loop's body (or a function's) calls ``.backward()`` itself: not in a loop nested in it,
    which trains on its own (an epoch loop whose training loop and validation pass are inside)."""
    import libcst as cst

    cached = _trains.get(id(node))
    if cached is None or cached[0] is not node:
        from ..analysis.walk import walk

        found = any(type(n) is cst.Call and type(n.func) is cst.Attribute and n.func.attr.value == "backward"
                    for n in walk(node, lambda n: n is node or type(n) not in (cst.For, cst.While)))
        cached = _trains[id(node)] = (node, found)
    return cached[1]


def training_call(sink: "Sink") -> bool:
    """Whether the call is part of training: the innermost enclosing loop (or, before any loop, an
    enclosing function) calls ``.backward()`` where gradients are on. Under ``torch.no_grad()`` (or
    ``set_grad_enabled(False)``), a ``.backward()`` inside the no-grad block cannot run: the call is
    inference (a validation pass through the training code); a no-grad block inside a training step
    (a frozen feature extractor) is training."""
    import libcst as cst

    from ..analysis.effects.torch import grad_off

    grad_with = None
    if grad_off(sink.managers):
        grad_with = next((i for i, s in enumerate(sink.scopes) if _grad_off(s, any_mode=True)), None)
        if grad_with is not None and _calls_backward(sink.scopes[grad_with]):
            return False
    for i, scope in enumerate(sink.scopes):
        inside = grad_with is not None and i < grad_with
        if isinstance(scope, cst.FunctionDef) and scope.name.value in TRAINING_FUNCTIONS:
            return not inside
        if isinstance(scope, cst.With):
            continue
        if _calls_backward(scope):
            return not inside
        if isinstance(scope, (cst.For, cst.While, cst.ListComp, cst.GeneratorExp, cst.SetComp, cst.DictComp)):
            return False
    return False


def _grad_off(scope: cst.CSTNode, any_mode: bool = False) -> bool:
    """A ``with torch.no_grad()`` (or inference_mode; any grad mode with ``any_mode``) statement."""
    import libcst as cst

    if not isinstance(scope, cst.With):
        return False
    wanted = ("no_grad", "inference_mode") + (("set_grad_enabled",) if any_mode else ())
    return any(name in wanted for item in scope.items for name in _names(item.item))


def _names(node: cst.CSTNode) -> set[str]:
    import libcst as cst

    from ..analysis.walk import walk

    return {n.value for n in walk(node) if type(n) is cst.Name}


def is_torch(sink: "Sink") -> bool:
    return sink.model.attrs.get("framework") == Const("torch")


def root(model: Model) -> Model:
    part_of = model.attrs.get("part_of")
    return root(part_of) if isinstance(part_of, Model) else model


def in_forward(sink: "Sink", module) -> bool:
    """A call inside the forward() of a project nn.Module: the call of the module itself is judged."""
    import libcst as cst

    function = sink.function
    if not isinstance(function, cst.FunctionDef) or function.name.value not in ("forward", "__call__"):
        return False
    owner = module.owners.get(id(function))
    return owner is not None and any(b.startswith(("torch.", "pytorch_lightning.", "lightning."))
                                     for b in owner.library_bases())


# -- normalisation (CNN601, CNN602, CNN603) ----------------------------------------------------------------
def normalize_verdict(sink: "Sink") -> str | None:
    expects = sink.model.expects
    seen = sink.seen
    if expects is None or expects.normalize is None or seen.scale is None or seen.garbled:
        return None
    wanted = expects.normalize
    if seen.scale.same(wanted):
        return None
    steps = [s for s in seen.steps if s.kind.startswith("normalize")]
    if steps and steps[-1].kind == "normalize-unscaled":
        return "CNN603"
    if wanted.same(UNIT):  # a detection model: it normalises itself
        return "CNN603" if seen.scale.same(RAW) else "CNN602"
    if not steps and (seen.scale.same(UNIT) or seen.scale.same(RAW)) and not seen.scale.mode:
        return "CNN601"
    if seen.scale.mode in ("centred", "imagenet-centred", "imagenet-centred-255"):
        return None  # half of a normalisation by hand: too near to call
    return "CNN602"


def wanted_text(expects) -> str:
    stats = expects.normalize.per_channel() if expects.normalize is not None else None
    if expects.normalize is not None and expects.normalize.same(UNIT):
        return "[0, 1] float images (it normalises them itself)"
    if stats is None:
        return expects.describe
    mean, std = stats
    return f"[0, 1] values normalised with mean {_nums(mean)} and std {_nums(std)}"


def _nums(values) -> str:
    values = tuple(values)
    if len(set(values)) == 1:
        return f"{values[0]:.4g}"
    return "(" + ", ".join(f"{v:.4g}" for v in values) + ")"


def scale_text(scale: Scale, equivalent: bool = True) -> str:
    """The values, in PyTorch's terms: [0, 1], 0..255, or what Normalize statistics they are."""
    if scale.same(UNIT) and not scale.mode:
        return "values in [0, 1]"
    if scale.same(RAW) and not scale.mode:
        return "raw 0..255 values"
    stats = scale.per_channel()
    if scale.mode in ("torch", "normalized") and stats:
        return f"values normalised with mean {_nums(stats[0])} and std {_nums(stats[1])}"
    if scale.is_interval() and stats and equivalent:
        return f"values in [{scale.lo:g}, {scale.hi:g}], as Normalize(mean={_nums(stats[0])}, std={_nums(stats[1])}) gives"
    if scale.is_interval():
        return f"values in [{scale.lo:g}, {scale.hi:g}]"
    return scale.describe()


def where(sink: "Sink", kinds: tuple[str, ...]) -> str:
    """`` (ToTensor() at line 7)``: the last step of these kinds, for messages."""
    for step in reversed(sink.seen.steps):
        if step.kind in kinds:
            return f" ({step.what} at {step.loc.text(sink.path)})"
    return ""


# -- mode (CNN604) and augmentation (CNN605) ------------------------------------------------------------------
def mode_owner(sink: "Sink"):
    owner = sink.state.get("mode_of")
    return owner if isinstance(owner, (Model, Instance)) else None


def trains_differently(sink: "Sink") -> bool:
    """Whether the module called has BatchNorm or Dropout: a module of a model by what is known of it
    (VGG's ``features`` have neither), else by the whole model."""
    own = sink.model.attrs.get("trains")
    if isinstance(own, Const) and "part_of" in sink.model.attrs:
        return own == Const(True)
    return root(sink.model).attrs.get("trains") == Const(True) or own == Const(True)


def trained_objects(project) -> dict[int, int]:
    """The models (by the object whose mode they have) that some training call of the project runs, and
    when the first such call ran (its order among the project's model calls)."""
    found: dict[int, int] = {}
    for state in project.modules.values():
        for sink in state.sinks:
            owner = mode_owner(sink)
            if owner is not None and training_call(sink):
                found[id(owner)] = min(found.get(id(owner), sink.order), sink.order)
    return found


def stays_in_train_mode(sink: "Sink", project) -> bool:
    """Train mode on every path here; for an entry point (a function nobody in the project calls), the
    model must never have been switched at all."""
    if sink.state.get("mode") != TRAIN:
        return False
    if sink.state.get("entry"):
        owner = mode_owner(sink)
        return owner is not None and (id(owner), "mode") not in project.interp.heap_changed
    return True
