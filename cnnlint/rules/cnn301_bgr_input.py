"""CNN301: OpenCV's BGR images reach a pre-trained RGB model, directly or through its preprocess_input.

For models cnnlint identifies as pre-trained, and models the project trained on RGB images (a
model trained from scratch on BGR images is consistent, and a model of unknown origin may have
been trained on BGR).
"""
from .base import Rule
from .verdicts import needs

FIX = "convert with cv2.cvtColor(image, cv2.COLOR_BGR2RGB) (or image[..., ::-1]) first"


def check(module):
    for sink in module.sinks:
        seen = sink.seen
        need = needs(sink, "order")
        if need is None:
            continue
        preprocessed = [s for s in seen.steps if s.kind == "preprocess"]
        if preprocessed and preprocessed[-1].on_bgr:
            step = preprocessed[-1]
            yield sink, (f"{step.what} at {step.loc.text(sink.path)} expects RGB images, but `{sink.arg}` "
                              f"comes from OpenCV in BGR; {FIX}")
        elif not preprocessed and seen.order == "BGR" and not (seen.scale and seen.scale.mode == "caffe") \
                and not _takes_bgr(sink.model.expects):
            where = f" (read at {seen.origin.text(sink.path)})" if seen.origin else ""
            yield sink, f"{need}, but `{sink.arg}` is BGR from OpenCV{where}; {FIX}"


def _takes_bgr(expects) -> bool:
    """Caffe-mode networks (VGG, ResNet) take BGR: their preprocess_input turns RGB into BGR."""
    return expects is not None and expects.scale is not None and expects.scale.mode == "caffe"


RULE = Rule("CNN301", "bgr-input", "OpenCV (BGR) images reach an RGB model without cvtColor(..., COLOR_BGR2RGB)",
            check)
