"""CNN102: the input went through another family's preprocess_input, of a different mode.

Fix: name the model's own family instead, in ``keras.applications.<family>.preprocess_input``
or in the ``from ...<family> import preprocess_input`` line. Offered only when every model
this preprocess_input call feeds wants that same family, and the imported name is bound and
used nowhere else (``resnet50.preprocess_input`` elsewhere is another name).
"""
from functools import cache

from ..knowledge import knowledge
from .base import Rule
from .verdicts import expected, got, scale_verdict


def check(module):
    from .. import fixes

    names = cache(lambda: fixes.bindings_and_uses(module.tree))  # one walk of the module, however many findings
    for sink in module.sinks:
        if scale_verdict(sink) == "CNN102":
            hint = sink.model.expects.preprocess_hint
            fix = f"; use {hint}" if hint else "; feed it 0..255 pixels" if sink.model.expects.scale.hi == 255 \
                else "; scale the pixels to [0, 1] instead"
            yield sink, f"{expected(sink)}, but {got(sink)}{fix}", family_fix(sink, module, names)


def family_fix(sink, module, names):
    import libcst as cst

    from .. import fixes

    step = sink.seen.steps[-1]
    hint = sink.model.expects.preprocess_hint
    if step.callee is None or hint is None or step.loc.path != module.display:
        return None
    for other in module.sinks:  # all models fed by this call must want the same family
        if any(s.callee is step.callee for s in other.seen.steps):
            if other.seen.steps[-1].callee is not step.callee or scale_verdict(other) != "CNN102" \
                    or other.model.expects.preprocess_hint != hint:
                return None
    family = hint.split(".")[0]
    callee = step.callee
    families = knowledge().families
    if isinstance(callee, cst.Attribute) and isinstance(callee.value, cst.Attribute) \
            and callee.value.attr.value in families:
        return fixes.rename(callee.value.attr, family)
    if isinstance(callee, cst.Name):
        imported = _import_of(module.tree, callee.value)
        if imported is not None and names()[callee.value] == 2:
            return fixes.rename(imported, family)
    return None


def _import_of(tree, bound: str):
    """The family name in the only ``from keras...applications.<family> import preprocess_input as <bound>``."""
    import libcst as cst

    for stmt in tree.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
                continue
            if len(small.names) != 1 or not isinstance(small.module, cst.Attribute):
                continue
            alias = small.names[0]
            name = alias.asname.name.value if alias.asname else alias.name.value
            if name == bound and alias.name.value == "preprocess_input" \
                    and small.module.attr.value in knowledge().families:
                return small.module.attr
    return None


RULE = Rule("CNN102", "preprocess-family-mismatch",
            "The input was preprocessed for another model family (a different preprocessing mode)", check)
