"""CNN403: a model is trained on one preprocessing and used on another (same model, or its saved file).

Any model counts, pre-trained or not: what matters is that fit and predict disagree. The
model saved with ``model.save(path)`` and loaded with ``load_model(path)`` (the same literal
path, anywhere in the project) is the same model.
"""
from ..analysis.effects.files import lookup, path_key
from ..analysis.facts import Loc
from .base import Rule


def check(module):
    trained = training_scales(module.project)
    for sink in module.sinks:
        if not sink.method.startswith(("predict", "__call__")) or sink.seen.scale is None or sink.seen.garbled:
            continue
        model = sink.model
        loaded = path_key(model.attrs.get("loaded_from"))
        if loaded is not None and lookup(module.project.saved, loaded) is not None:
            model = lookup(module.project.saved, loaded)
        if id(model) not in trained:
            continue
        scale, where = trained[id(model)]
        if not scale.same(sink.seen.scale):
            yield sink, (f"the model was trained on {scale.describe()} (fit at {where.text(module.display)}), "
                              f"but `{sink.arg}` holds {sink.seen.scale.describe()}; prepare the images the same "
                              f"way for training and prediction")


def training_scales(project) -> dict:
    """Model id -> (the value range every fit of it saw, where the first fit is), when the fits agree."""
    fits: dict[int, list] = {}
    for state in project.modules.values():
        for sink in state.sinks:
            if sink.method.startswith("fit") and sink.seen.scale is not None and not sink.seen.garbled:
                fits.setdefault(id(sink.model), []).append((sink.seen.scale, Loc(state.display, state.line(sink.node))))
    return {key: seen[0] for key, seen in fits.items() if all(seen[0][0].same(scale) for scale, _ in seen)}


RULE = Rule("CNN403", "train-infer-mismatch",
            "Training and prediction prepare the images of the same model differently", check)
