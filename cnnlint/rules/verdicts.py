"""How a model's expectations compare with what reached it; the rules pick their own verdicts."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..analysis.paths import path_key
from ..analysis.facts import NATIVE, RAW, Const, FileSize, Image, Loc, Model, Scale, Step
from ..knowledge import knowledge
from .torch_verdicts import is_torch, training_call

if TYPE_CHECKING:
    from ..analysis.interpreter import Sink


def scale_verdict(sink: "Sink") -> str | None:
    """CNN101, CNN102, CNN104 (or CNN105 when tf.image.convert_image_dtype caused it) when the value
    range is wrong on every path; None when fine or unknown."""
    expects, seen = sink.model.expects, sink.seen
    if sink.result_unused:
        return None  # the values that came out are never looked at (only their shape)
    if expects is None or expects.scale is None or seen.scale is None or seen.garbled \
            or seen.scale.same(expects.scale) or seen.scale.mode in HALF_DONE:
        return None
    if seen.scale.mode == "standardised" and expects.scale.mode == "torch":
        return None  # per-image standardisation is close to torch mode's per-channel one
    last = seen.steps[-1] if seen.steps else None
    if last is not None and last.kind == "convert":
        return "CNN105"  # convert_image_dtype made (or left) the wrong range
    if seen.scale.same(RAW):
        return "CNN101" if expects.preprocess_hint else "CNN104"
    if last is not None and last.kind == "preprocess":
        return "CNN102"
    return "CNN104"


# Half-done normalisations whose range is close to some mode's: too near to call wrong.
HALF_DONE = {"centred", "imagenet-centred", "imagenet-centred-255"}


def size_verdict(sink: Sink) -> str | None:
    expects, seen = sink.model.expects, sink.seen
    if expects is None or seen.size is None:
        return None
    if seen.size == NATIVE or isinstance(seen.size, FileSize) and expects.size and tuple(seen.size) != expects.size:
        return "CNN201" if expects.size else None  # never resized (a file of the project: to another size)
    if expects.size:
        return "CNN202" if tuple(seen.size) != expects.size else None
    if expects.min_size and min(seen.size) < expects.min_size:
        return "CNN202"
    return None


def expected(sink: Sink) -> str:
    e = sink.model.expects
    return f"{e.model} expects {e.describe}"


def got(sink: Sink) -> str:
    """What the argument holds, with the line where it got that way."""
    seen, arg = sink.seen, sink.arg
    last: Step | None = seen.steps[-1] if seen.steps else None
    if seen.scale is not None and seen.scale.same(RAW) and all(s.kind == "convert" for s in seen.steps):
        where = f" (loaded at {seen.origin.text(sink.path)})" if seen.origin else ""
        return f"`{arg}` holds raw 0..255 pixels{where}"
    if last is not None and last.kind == "preprocess":
        mode = _mode_of(seen)
        did = f" ({knowledge().modes[mode].did})" if mode else ""
        return f"`{arg}` was preprocessed with {last.what}{did} at {last.loc.text(sink.path)}"
    how = f" ({last.what} at {last.loc.text(sink.path)})" if last else ""
    return f"`{arg}` holds {seen.scale.describe()}{how}"


def _mode_of(seen: Image) -> str | None:
    if seen.scale.mode:
        return seen.scale.mode
    for name, mode in knowledge().modes.items():
        if mode.range and seen.scale.same(Scale.interval(*mode.range)) and name != "none":
            return name
    return None


def rescaling_advice(expects) -> str:
    """What a Rescaling layer in front of a model should become for the model to get its input."""
    scale = expects.scale
    if scale.mode is not None:  # caffe, torch: channel means (and BGR) that no Rescaling makes
        return (f"; no Rescaling layer makes {scale.mode}-mode input: use {expects.preprocess_hint} on 0..255 "
                "pixels instead (in a model, a Lambda layer)")
    if scale.same(RAW):
        return f"; remove the Rescaling layer: {expects.model} takes 0..255 pixels"
    offset = f", offset={scale.lo:g}" if scale.lo else ""
    return f"; use Rescaling(1.0 / {255 / (scale.hi - scale.lo):g}{offset}) instead"


@dataclass(frozen=True)
class Trained:
    """What every fit of a model before a given call gave it (None where they disagree)."""

    scale: Scale | None
    size: tuple[int, int] | str | None
    channels: int | None
    order: str | None
    where: Loc  # the first of those fits


def role(sink: "Sink") -> str:
    """"train", "validation" or "inference": ``sink.role``, and a PyTorch model called where the code
    around the call trains (a loop that calls ``.backward()``) is trained there."""
    if sink.role == "inference" and is_torch(sink) and training_call(sink):
        return "train"
    return sink.role


def training(project) -> dict[int, list]:
    """Model id -> its training sinks (``fit``, PyTorch's training calls), in the order they ran;
    computed once per project."""
    fits = getattr(project, "_fits", None)
    if fits is None:
        fits = {}
        for state in project.modules.values():
            for sink in state.sinks:
                if role(sink) == "train" and not sink.seen.garbled:
                    fits.setdefault(id(sink.model), []).append(sink)
        for sinks in fits.values():
            sinks.sort(key=lambda s: s.order)
        project._fits = fits
    return fits


def trained_model(sink: "Sink"):
    """The model a call uses, as trained: a model loaded from the file it was saved to is that model,
    and so is a model that loaded its weights (PyTorch: ``load_state_dict`` of what
    ``torch.save(model.state_dict(), path)`` wrote)."""
    model = sink.model
    for _ in range(8):  # a chain of saves and loads, never a circle
        loaded = path_key(model.attrs.get("loaded_from"))
        saved = sink.project.saved.get(loaded, sink.source) if loaded is not None else None
        source = saved if saved is not None else model.attrs.get("weights_of")
        if not isinstance(source, Model) or source is model:
            break
        model = source
    return model


def trained_on(sink: "Sink") -> Trained | None:
    """What the model met at this call was trained on, by the fits that ran before it."""
    earlier = [t for t in training(sink.project).get(id(trained_model(sink)), []) if t.order < sink.order]
    if not earlier:
        return None

    def agreed(values, same=lambda a, b: a == b):
        known = [v for v in values if v is not None]
        return known[0] if known and len(known) == len(values) and all(same(known[0], v) for v in known) else None

    return Trained(agreed([t.seen.scale for t in earlier], lambda a, b: a.same(b)),
                   agreed([t.seen.size for t in earlier]), agreed([t.seen.channels for t in earlier]),
                   agreed([t.seen.order for t in earlier]), earlier[0].where())


def needs(sink: "Sink", fact: str) -> str | None:
    """What the model at this call needs, in words, for the rules about the image itself: a pre-trained
    model by what it is, a model trained in the project by what its earlier fits gave it, a model of
    unknown origin by what the code around it says (never used for the value range, which that
    evidence decides itself). ``fact``: "channels" (3-channel RGB), "order" (RGB), "batch" (a batch
    axis). None when not known."""
    expects = sink.model.expects
    if expects is not None:
        return {"channels": f"{expects.model} takes 3-channel RGB images",
                "order": f"{expects.model} was trained on RGB images", "batch": expects.model}[fact]
    trained = trained_on(sink) if role(sink) != "train" else None
    if trained is not None:
        where = f"(fit at {trained.where.text(sink.path)})"
        if fact == "channels" and trained.channels == 3:
            return f"the model was trained on 3-channel images {where}"
        if fact == "order" and trained.order == "RGB":
            return f"the model was trained on RGB images {where}"
        if fact == "batch":
            return "the model"
        return None
    evidence = imagenet_evidence(sink) if sink.model.attrs.get("origin") == Const("unknown") else None
    if evidence is None:
        return None
    return {"channels": f"the model takes 3-channel RGB images ({evidence})",
            "order": f"the model was trained on RGB images ({evidence})", "batch": f"the model ({evidence})"}[fact]


def imagenet_evidence(sink: "Sink") -> str | None:
    """Why a model nothing else is known of must be an RGB ImageNet model: the code around it says so.
    A keras ``preprocess_input`` prepares its input, or its predictions go to ``decode_predictions``."""
    step = next((s for s in reversed(sink.seen.steps) if s.kind == "preprocess"), None)
    if step is not None:
        return f"inferred from {step.what} at {step.loc.text(sink.path)}"
    decoded = sink.model.attrs.get("decoded_at")
    if isinstance(decoded, Loc):
        return f"inferred from decode_predictions at {decoded.text(sink.path)}"
    return None


def size_text(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"
