"""CNN105: arithmetic on uint8 images that wraps around, and tf.image.convert_image_dtype misuse."""
from .base import Rule
from .verdicts import expected, got, scale_verdict


def check(module):
    for event in module.events:
        if event.kind == "uint8-wrap":
            yield event, (
                f"`{module.code(event.node)}` is computed in uint8 (the image was loaded at "
                f"{event.details['image'].origin.text(module.display) if event.details['image'].origin else 'an earlier line'}"
                f"): values below 0 or above 255 wrap around; convert first, e.g. .astype('float32')")
    for sink in module.sinks:
        if scale_verdict(sink) == "CNN105":
            yield sink, (f"{expected(sink)}, but {got(sink)}: tf.image.convert_image_dtype scales uint8 "
                              f"input to [0, 1] and leaves float input unchanged")


RULE = Rule("CNN105", "uint8-arithmetic",
            "uint8 image arithmetic that wraps around, or tf.image.convert_image_dtype that does not scale as meant",
            check)
