"""CNN501: softmax over one unit is always 1.0; argmax over one unit is always 0."""
from .base import Rule


def check(module):
    for event in module.events:
        if event.kind == "single-unit-softmax":
            yield event, (f"`{event.details['layer']}` applies softmax to a single unit: the output is always "
                               f"1.0, whatever the image; use Dense(1, activation='sigmoid') for two classes, or "
                               f"one unit per class with softmax")
        elif event.kind == "argmax-one-unit":
            yield event, ("argmax over a model output of one unit is always 0; threshold it "
                               "(prediction > 0.5) instead")


RULE = Rule("CNN501", "single-unit-softmax", "softmax (or argmax) over a single output unit: always the same answer",
            check)
