"""CNN202: images resized to a size the model does not take."""
from .base import Rule
from .verdicts import size_text, size_verdict


def check(module):
    for sink in module.sinks:
        if size_verdict(sink) == "CNN202":
            e, size = sink.model.expects, sink.seen.size
            if e.size:
                need = f"{e.model} {e.size_reason} takes {size_text(e.size)} input"
            else:
                need = f"{e.model} needs at least {e.min_size}x{e.min_size} input"
            yield sink, f"{need}, but `{sink.arg}` is {size_text(size)}"


RULE = Rule("CNN202", "input-size-mismatch", "Images are resized to a size the model does not take", check)
