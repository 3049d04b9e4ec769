"""CNN204: grayscale, RGBA or unconverted images into a 3-channel model: a pre-trained one, or one the
project trained on 3-channel images."""
from ..analysis.facts import FILE_CHANNELS, RECEIVED_CHANNELS
from .base import Rule
from .verdicts import needs

CHANNELS = {1: "1 channel (grayscale)", 2: "2 channels (grayscale + alpha)", 4: "4 channels (RGBA)"}


def check(module):
    for sink in module.sinks:
        channels = sink.seen.channels
        need = needs(sink, "channels") if channels not in (None, 3) else None
        if need is None:
            continue
        if channels in (FILE_CHANNELS, RECEIVED_CHANNELS):
            where = f" at {sink.seen.origin.text(sink.path)}" if sink.seen.origin else ""
            got = (f"`{sink.arg}` keeps the channels of the file it was read from{where} (never converted to RGB): "
                   "a PNG with transparency gives 4, a grayscale image 1; convert with .convert('RGB') "
                   "(or channels=3 when decoding)")
        else:
            got = f"`{sink.arg}` has {CHANNELS.get(channels, f'{channels} channels')}"
        yield sink, f"{need}, but {got}"
    for event in module.events:
        if event.kind == "normalize-channels":  # a PyTorch Normalize of three channels
            image = event.details["image"]
            if image.channels == FILE_CHANNELS:
                where = f" at {image.origin.text(module.display)}" if image.origin else ""
                has = (f"keeps the channels of the file it was read from{where} (never converted to RGB): an RGBA "
                       f"PNG gives 4, a grayscale image 1, and Normalize fails on them; convert with .convert('RGB')")
            else:
                has = f"has {CHANNELS.get(image.channels, f'{image.channels} channels')}"
            node = event.node
            arg = f"`{module.code(node.args[0].value)}`" if getattr(node, "args", None) else "the image"
            yield event, f"{event.details['what']} takes 3-channel images, but {arg} {has}"
        if event.kind == "discarded-convert":
            yield event, (f"`{module.code(event.node)}` returns a new image and this one is thrown away: "
                               f"`{event.details['image']}` keeps its mode; write "
                               f"`{event.details['image']} = {module.code(event.node)}`")


RULE = Rule("CNN204", "channel-count-mismatch",
            "Grayscale, RGBA or never-converted images reach a 3-channel pre-trained model", check)
