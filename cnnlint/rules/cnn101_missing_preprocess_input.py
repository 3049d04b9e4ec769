"""CNN101: raw 0..255 pixels reach a model whose family needs its preprocess_input."""
from .base import Rule
from .verdicts import expected, got, scale_verdict


def check(module):
    for sink in module.sinks:
        if scale_verdict(sink) == "CNN101":
            hint = sink.model.expects.preprocess_hint
            if sink.seen.order == "BGR":  # preprocess_input wants RGB (caffe mode flips it to BGR itself)
                advice = f"convert them to RGB (cv2.cvtColor(..., cv2.COLOR_BGR2RGB)), then apply {hint}"
            else:
                advice = f"apply {hint} first"
            yield sink, f"{expected(sink)}, but {got(sink)}; {advice}"


RULE = Rule("CNN101", "missing-preprocess-input",
            "Raw 0..255 images reach a pre-trained model whose family needs preprocess_input", check)
