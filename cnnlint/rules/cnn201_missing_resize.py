"""CNN201: images of whatever size the file had reach a model with a fixed input size."""
from ..analysis.facts import FileSize
from .base import Rule
from .verdicts import size_text, size_verdict


def check(module):
    for sink in module.sinks:
        if size_verdict(sink) == "CNN201":
            e = sink.model.expects
            where = f" (loaded at {sink.seen.origin.text(sink.path)})" if sink.seen.origin else ""
            size = sink.seen.size
            had = f" ({size[1]} wide, {size[0]} high)" if isinstance(size, FileSize) else ""
            yield sink, (
                f"{e.model} {e.size_reason} takes {size_text(e.size)} input, but `{sink.arg}` keeps the size "
                f"the file had{had}{where}; resize it to {size_text(e.size)} (e.g. target_size={e.size})")


RULE = Rule("CNN201", "missing-resize",
            "Images of arbitrary size reach a model that takes a fixed input size", check)
