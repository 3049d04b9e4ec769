"""CNN605: a random augmentation (RandomResizedCrop, RandomHorizontalFlip, ColorJitter, RandAugment...) in
the transform of images used for inference: evaluation, validation, prediction, feature extraction. Each
run sees other crops and colours, so predictions and accuracy change from run to run and do not measure
the model on the images themselves.

Any model counts, pre-trained or not. A call is inference when nothing around it trains (no
``.backward()`` in its loop). Batches of a DataLoader that also feeds training are the training data
looked at (a t-SNE of the training set), not an evaluation: they get nothing. Test-time augmentation on
purpose (averaging several random views) deserves a ``# noqa: CNN605``.
"""
from .base import Rule
from .torch_verdicts import in_forward, training_call


def check(module):
    training_loaders = None
    for sink in module.sinks:
        if sink.model.attrs.get("framework") is None or training_call(sink) or in_forward(sink, module):
            continue
        augment = [s for s in sink.seen.steps if s.kind == "augment"]
        if not augment:
            continue
        if training_loaders is None:
            training_loaders = {s for state in module.project.modules.values() for other in state.sinks
                                if training_call(other) for s in other.seen.steps if s.kind == "batch"}
        if any(s.kind == "batch" and s in training_loaders for s in sink.seen.steps):
            continue
        first = augment[0]
        more = f" and {len(augment) - 1} more" if len(augment) > 1 else ""
        yield sink, (
            f"`{sink.arg}` went through {first.what} at {first.loc.text(sink.path)}{more}, a random augmentation, "
            f"but this call is inference: results change from run to run; use a deterministic transform "
            f"(Resize and CenterCrop) for evaluation and prediction")


RULE = Rule("CNN605", "random-augmentation-at-inference",
            "Random augmentation in the transform of images used for evaluation or prediction", check)
