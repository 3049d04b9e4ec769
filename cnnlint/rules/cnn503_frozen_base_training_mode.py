"""CNN503: a frozen base model called without training=False, then unfrozen for fine-tuning."""
from ..analysis.facts import Const
from .base import Rule


HOW = {
    "call": "it is called without training=False",
    "sequential": "it sits in a Sequential, which cannot call it with training=False",
    "output": "this model is built on its .output, so its layers cannot be called with training=False",
}


def check(module):
    for node, base, how in module.base_calls:
        if base.attrs.get("batchnorm") == Const(False):
            continue  # VGG, ConvNeXt: no BatchNormalization, nothing drifts
        history = base.trainable_history
        if False in history and True in history[history.index(False) + 1:]:
            how = HOW[how]
            yield node, (f"{base.name} is frozen, then unfrozen for fine-tuning, but {how}: its BatchNormalization "
                         f"layers will update their statistics and wreck the pre-trained features; call it as "
                         f"base(x, training=False) in a functional model")


RULE = Rule("CNN503", "frozen-base-training-mode",
            "A frozen pre-trained base is called without training=False and later unfrozen", check)
