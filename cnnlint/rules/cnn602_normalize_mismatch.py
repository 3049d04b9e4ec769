"""CNN602: the images were normalised, but not with the statistics the model's weights were trained with
(ImageNet's mean and std for a model trained with 0.5, CLIP's, or a normalisation scaled afterwards)."""
from .base import Rule
from .torch_verdicts import normalize_verdict, scale_text, wanted_text, where


def check(module):
    for sink in module.sinks:
        if normalize_verdict(sink) == "CNN602":
            e = sink.model.expects
            last = next((s for s in reversed(sink.seen.steps) if s.kind in ("normalize", "scale", "preprocess")), None)
            by_normalize = last is not None and last.kind == "normalize"
            yield sink, (
                f"{e.model} expects {wanted_text(e)}, but `{sink.arg}` holds "
                f"{scale_text(sink.seen.scale, equivalent=not by_normalize)}"
                f"{where(sink, ('normalize', 'scale', 'preprocess'))}; use the weights' own statistics "
                f"({e.preprocess_hint})")


RULE = Rule("CNN602", "normalize-mismatch",
            "Images normalised with statistics other than those the PyTorch model's weights were trained with", check)
