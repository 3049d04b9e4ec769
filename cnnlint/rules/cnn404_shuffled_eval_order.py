"""CNN404: predictions from a shuffling generator compared with labels in file order."""
from .base import Rule


def check(module):
    for event in module.events:
        if event.kind != "shuffled-order":
            continue
        if event.details.get("framework") == "torch":
            yield event.node, (
                f"the predictions come from a DataLoader with shuffle=True, which draws the batches in a new random "
                f"order each pass, but the {event.details['source']}'s .{event.details['labels']} are in its fixed "
                f"order: they do not line up; evaluate with a DataLoader made with shuffle=False (or collect the "
                f"labels from the same batches)")
            continue
        yield event.node, (
            f"the predictions come from a {event.details['source']} generator that shuffles (shuffle=True is "
            f"the default), but its .{event.details['labels']} are in file order: they do not line up; create "
            f"the evaluation generator with shuffle=False")


RULE = Rule("CNN404", "shuffled-eval-order",
            "Predictions of a shuffled generator are compared with labels in file order", check)
