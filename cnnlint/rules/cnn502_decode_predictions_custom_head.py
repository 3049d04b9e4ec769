"""CNN502: decode_predictions on the output of a model without the 1000-class ImageNet top."""
from .base import Rule


def check(module):
    for event in module.events:
        if event.kind == "decode-custom-head":
            model = event.details["model"]
            yield event, (f"decode_predictions maps 1000 ImageNet classes, but these predictions come from "
                               f"{model.name} without its ImageNet top (include_top=False or another head); "
                               f"use your own class names")


RULE = Rule("CNN502", "decode-predictions-custom-head",
            "decode_predictions on a model that has no 1000-class ImageNet output", check)
