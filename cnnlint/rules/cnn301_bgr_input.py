"""CNN301: OpenCV's BGR images reach an RGB model or a preprocess_input without conversion."""
from .base import Rule

FIX = "convert with cv2.cvtColor(image, cv2.COLOR_BGR2RGB) (or image[..., ::-1]) first"


def check(module):
    for event in module.events:
        if event.kind == "bgr-preprocess":
            yield event.node, f"{event.details['what']} expects RGB images, but these come from OpenCV in BGR; {FIX}"
    for sink in module.sinks:
        seen = sink.seen
        if sink.model.expects is not None and seen.order == "BGR" and not any(
                s.kind == "preprocess" for s in seen.steps):
            where = f" (read at {seen.origin.text(sink.path)})" if seen.origin else ""
            yield sink.node, (f"{sink.model.expects.model} was trained on RGB images, but `{sink.arg}` is BGR from "
                              f"OpenCV{where}; {FIX}")


RULE = Rule("CNN301", "bgr-input", "OpenCV (BGR) images reach an RGB model without cvtColor(..., COLOR_BGR2RGB)",
            check)
