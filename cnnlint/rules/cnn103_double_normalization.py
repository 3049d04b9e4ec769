"""CNN103: values that were already normalised are normalised again."""
from .base import Rule
from .torch_verdicts import scale_text


def check(module):
    for event in module.renormalised:
        first = event.before.steps[-1] if event.before.steps else None
        earlier = f"{first.what} at {first.loc.text(module.display)}" if first else "an earlier step"
        if event.step.kind.startswith("normalize"):  # a PyTorch Normalize or weights.transforms()
            yield event, (
                f"the images are normalised twice: {event.step.what} expects [0, 1] values (or PIL images), but "
                f"they were already normalised by {earlier} ({scale_text(event.before.scale)})")
            continue
        yield event, (
            f"the images are normalised twice: {event.step.what} expects 0..255 pixels, but they were already "
            f"normalised by {earlier} ({event.before.scale.describe()})")


RULE = Rule("CNN103", "double-normalization",
            "Images are normalised twice (preprocess_input after /255, rescale= plus preprocessing_function=, ...)",
            check)
