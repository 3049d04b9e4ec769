"""CNN403: a model is trained on images prepared one way and validated or used on images prepared
another way (same model, or the file it was saved to); or trained on two preparations at once.

Any model counts, pre-trained or not: what matters is that the inputs disagree. The model saved
with ``model.save(path)`` (or a ``ModelCheckpoint``) and loaded with ``load_model(path)`` anywhere
in the project is the same model, and so is a model that loaded another one's weights (PyTorch:
``load_state_dict`` of what ``torch.save(model.state_dict(), path)`` wrote). Only training that
ran before is the reference (``fit``; PyTorch models are trained by calling them where the code
calls ``.backward()``): a notebook runs its cells top to bottom.
"""
from .base import Rule
from .torch_verdicts import is_torch, scale_text
from .verdicts import role, size_text, trained_on, training


def check(module):
    for sink in module.sinks:
        if sink.seen.garbled:
            continue
        if role(sink) == "train":
            yield from disagreeing_fits(sink, module)
            continue
        trained = trained_on(sink)
        if trained is None:
            continue
        seen, used = sink.seen, "validated" if sink.role == "validation" else "used"
        describe = scale_text if is_torch(sink) else lambda scale: scale.describe()
        differences = []
        if trained.scale is not None and seen.scale is not None and not trained.scale.same(seen.scale):
            differences.append(f"{describe(trained.scale)}, but `{sink.arg}` holds {describe(seen.scale)}")
        if isinstance(trained.size, tuple) and isinstance(seen.size, tuple) and tuple(seen.size) != trained.size:
            differences.append(f"{size_text(trained.size)} images, but `{sink.arg}` is {size_text(seen.size)}")
        if differences:
            where = f"{'training' if is_torch(sink) else 'fit'} at {trained.where.text(module.display)}"
            yield sink, (f"the model was trained on {'; and on '.join(differences)} ({where}); it is "
                         f"{used} on images prepared differently from training: prepare them the same way")


def disagreeing_fits(sink, module):
    """A fit whose images are prepared differently from the fits of the same model before it."""
    earlier = [t for t in training(module.project).get(id(sink.model), []) if t.order < sink.order]
    scales = [t.seen.scale for t in earlier if t.seen.scale is not None]
    if not scales or sink.seen.scale is None or not all(scales[0].same(s) for s in scales):
        return
    if not scales[0].same(sink.seen.scale):
        first = earlier[0]
        describe = scale_text if is_torch(sink) else lambda scale: scale.describe()
        yield sink, (f"the model was first trained on {describe(scales[0])} (fit at "
                     f"{first.where().text(module.display)}), but this fit gives it {describe(sink.seen.scale)} "
                     f"(`{sink.arg}`): it is trained on two preparations of the images")


RULE = Rule("CNN403", "train-infer-mismatch",
            "Training, validation and prediction prepare the images of the same model differently", check)
