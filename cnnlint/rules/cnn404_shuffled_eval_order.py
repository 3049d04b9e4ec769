"""CNN404: predictions from a shuffling generator compared with labels in file order."""
from .base import Rule


SHUFFLES = {
    "image_dataset_from_directory": "image_dataset_from_directory shuffles by default",
    "Dataset.shuffle": ".shuffle() reshuffles each iteration by default",
    "flow_from_directory": "flow_from_directory shuffles by default",
    "flow_from_dataframe": "flow_from_dataframe shuffles by default",
}


def check(module):
    for event in module.events:
        if event.kind == "shuffled-order" and event.details.get("framework") == "torch":
            yield event, (
                f"the predictions come from a DataLoader with shuffle=True, which draws the batches in a new random "
                f"order each pass, but the {event.details['source']}'s .{event.details['labels']} are in its fixed "
                f"order: they do not line up; evaluate with a DataLoader made with shuffle=False (or collect the "
                f"labels from the same batches)")
        elif event.kind == "shuffled-order":
            yield event, (
                f"the predictions come from a {event.details['source']} generator that shuffles (shuffle=True is "
                f"the default), but its .{event.details['labels']} are in file order: they do not line up; create "
                f"the evaluation generator with shuffle=False")
        elif event.kind == "reshuffled-order":
            yield event, (
                f"the predictions come from one pass over a dataset that is shuffled again on every pass "
                f"({SHUFFLES.get(event.details['source'], event.details['source'])}), and the labels from "
                f"another pass: they do not line up; create the dataset with shuffle=False, or collect labels "
                f"and predictions in the same loop")


RULE = Rule("CNN404", "shuffled-eval-order",
            "Predictions of a shuffled generator are compared with labels in file order", check)
