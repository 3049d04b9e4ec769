"""CNN403: a model is trained on one preprocessing and used on another (same model, or its saved file).

Any model counts, pre-trained or not: what matters is that fit and predict disagree. The
model saved with ``model.save(path)`` and loaded with ``load_model(path)`` (the same literal
path, anywhere in the project) is the same model, and so is a model that loaded another one's
weights (PyTorch: ``load_state_dict`` of what ``torch.save(model.state_dict(), path)`` wrote).
PyTorch models are trained by calling them where the code calls ``.backward()``.
"""
from ..analysis.facts import Const, Loc, Model
from .base import Rule
from .torch_verdicts import is_torch, scale_text, training


def trains(sink) -> bool:
    return sink.method.startswith("fit") or (is_torch(sink) and training(sink))


def trained_model(model, project):
    """The model whose training counts: followed through saved files and loaded weights."""
    for _ in range(8):
        loaded = model.attrs.get("loaded_from")
        source = model.attrs.get("weights_of")
        if isinstance(loaded, Const) and loaded.value in project.saved:
            model = project.saved[loaded.value]
        elif isinstance(source, Model):
            model = source
        else:
            break
    return model


def check(module):
    trained = training_scales(module.project)
    for sink in module.sinks:
        if not sink.method.startswith(("predict", "__call__", "forward", "run")) or trains(sink) \
                or sink.seen.scale is None or sink.seen.garbled:
            continue
        model = trained_model(sink.model, module.project)
        if id(model) not in trained:
            continue
        scale, where = trained[id(model)]
        if not scale.same(sink.seen.scale):
            if is_torch(sink):
                yield sink.node, (
                    f"the model was trained on {scale_text(scale)} (training at {where.text(module.display)}), but "
                    f"`{sink.arg}` holds {scale_text(sink.seen.scale)}; prepare the images the same way for "
                    f"training and prediction")
                continue
            yield sink.node, (f"the model was trained on {scale.describe()} (fit at {where.text(module.display)}), "
                              f"but `{sink.arg}` holds {sink.seen.scale.describe()}; prepare the images the same "
                              f"way for training and prediction")


def training_scales(project) -> dict:
    """Model id -> (the value range every fit of it saw, where the first fit is), when the fits agree."""
    fits: dict[int, list] = {}
    for state in project.modules.values():
        for sink in state.sinks:
            if trains(sink) and sink.seen.scale is not None and not sink.seen.garbled:
                model = trained_model(sink.model, project)
                fits.setdefault(id(model), []).append((sink.seen.scale, Loc(state.display, state.line(sink.node))))
    return {key: seen[0] for key, seen in fits.items() if all(seen[0][0].same(scale) for scale, _ in seen)}


RULE = Rule("CNN403", "train-infer-mismatch",
            "Training and prediction prepare the images of the same model differently", check)
