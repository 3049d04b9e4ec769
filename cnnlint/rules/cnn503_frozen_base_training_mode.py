"""CNN503: a frozen base model called without training=False, then unfrozen for fine-tuning."""
from ..analysis.facts import Const
from .base import Rule


def check(module):
    for node, base in module.base_calls:
        if base.attrs.get("batchnorm") == Const(False):
            continue  # VGG, ConvNeXt: no BatchNormalization, nothing drifts
        history = base.trainable_history
        if False in history and True in history[history.index(False) + 1:]:
            yield node, (f"{base.name} is frozen, then unfrozen for fine-tuning, but it is called without "
                         f"training=False: its BatchNormalization layers will update their statistics and wreck "
                         f"the pre-trained features; call it as base(x, training=False) in a functional model")


RULE = Rule("CNN503", "frozen-base-training-mode",
            "A frozen pre-trained base is called without training=False and later unfrozen", check)
