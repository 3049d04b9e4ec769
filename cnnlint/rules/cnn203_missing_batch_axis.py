"""CNN203: a single HxWxC image passed where the model takes a batch."""
from .base import Rule


def check(module):
    for sink in module.sinks:
        if sink.seen.batched is False and not sink.from_dataset and sink.model.expects is not None:
            yield sink.node, (
                f"`{sink.arg}` is a single image (height, width, channels), but {sink.model.expects.model}.{sink.method} "
                f"takes a batch; add the batch axis with np.expand_dims({sink.arg}, 0)")


RULE = Rule("CNN203", "missing-batch-axis", "A single image is passed where a batch is expected", check)
