"""CNN102: the input went through another family's preprocess_input, of a different mode."""
from .base import Rule
from .verdicts import expected, got, scale_verdict


def check(module):
    for sink in module.sinks:
        if scale_verdict(sink) == "CNN102":
            hint = sink.model.expects.preprocess_hint
            fix = f"; use {hint}" if hint else "; feed it 0..255 pixels" if sink.model.expects.scale.hi == 255 \
                else "; scale the pixels to [0, 1] instead"
            yield sink.node, f"{expected(sink)}, but {got(sink)}{fix}"


RULE = Rule("CNN102", "preprocess-family-mismatch",
            "The input was preprocessed for another model family (a different preprocessing mode)", check)
