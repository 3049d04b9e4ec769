"""CNN402: elements of Dataset.from_tensor_slices (single images) predicted without .batch()."""
from .base import Rule


def check(module):
    for sink in module.sinks:
        if sink.seen.batched is False and sink.seen.from_slices and sink.model.expects is not None:
            where = "the dataset yields" if sink.from_dataset else f"`{sink.arg}` holds"
            yield sink, (f"{where} single images from Dataset.from_tensor_slices, without a batch axis: "
                              f"{sink.model.name}.{sink.method} reads the image's first axis as the batch; add "
                              f".batch(n) to the dataset")


RULE = Rule("CNN402", "unbatched-dataset",
            "Dataset.from_tensor_slices elements reach a model one by one, without .batch()", check)
