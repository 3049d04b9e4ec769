"""CNN601: a PyTorch model with pre-trained weights gets [0, 1] (or 0..255) tensors without the Normalize
its weights expect."""
from .base import Rule
from .torch_verdicts import normalize_verdict, scale_text, wanted_text, where


def check(module):
    for sink in module.sinks:
        if normalize_verdict(sink) == "CNN601":
            e = sink.model.expects
            yield sink, (
                f"{e.model} expects {wanted_text(e)}, but `{sink.arg}` holds {scale_text(sink.seen.scale)}"
                f"{where(sink, ('convert', 'cast', 'scale'))} with no Normalize; add it (or use {e.preprocess_hint})")


RULE = Rule("CNN601", "missing-normalize",
            "A PyTorch model with pre-trained weights gets tensors without the Normalize its weights expect", check)
