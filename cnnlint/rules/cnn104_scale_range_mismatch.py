"""CNN104: a hand-made scale that is not what the model expects."""
from .base import Rule
from .verdicts import expected, got, rescaling_advice, scale_verdict


def check(module):
    for sink in module.sinks:
        if scale_verdict(sink) == "CNN104":
            hint = sink.model.expects.preprocess_hint
            last = sink.seen.steps[-1] if sink.seen.steps else None
            if last is not None and last.kind == "layer":  # a Rescaling layer: the right one
                fix = rescaling_advice(sink.model.expects)
            else:
                fix = f"; use {hint} on 0..255 pixels instead" if hint else ""
            yield sink, f"{expected(sink)}, but {got(sink)}{fix}"


RULE = Rule("CNN104", "scale-range-mismatch",
            "Hand-made scaling (such as /255.) that is not the range the model expects", check)
