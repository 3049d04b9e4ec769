"""CNN401: the same image repeated into the batch, or one image predicted in every iteration of a loop over files."""
from .base import Rule


def check(module):
    for sink in module.sinks:
        if sink.model.expects is None:
            continue  # models cnnlint cannot identify (or trains from scratch) are left alone
        if sink.seen.repeated:
            yield sink, (f"`{sink.arg}` is one image repeated into a batch (np.repeat, np.tile, [x] * n, "
                              f"Dataset.repeat of one element): every prediction is for the same picture")
        elif sink.stale:
            where = f" at {sink.seen.origin.text(sink.path)}" if sink.seen.origin else ""
            yield sink, (f"every iteration of the loop predicts the same image: the image loaded{where} does "
                              f"not depend on the loop's variable; load the file of the current iteration")


RULE = Rule("CNN401", "repeated-input", "The same image is repeated into the batch or reused in a loop over files",
            check)
