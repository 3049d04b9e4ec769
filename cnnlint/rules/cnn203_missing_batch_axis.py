"""CNN203: a single HxWxC image passed where the model takes a batch.

Fix: wrap the argument in ``np.expand_dims(x, 0)`` (numpy's name as the module imports it),
offered only when every path to this call passes a single image and the argument does not
come from the enclosing function's parameters (another caller could pass a batch).
"""
from ..analysis.facts import ModuleRef
from .base import Rule
from .verdicts import needs


def check(module):
    for sink in module.sinks:
        if sink.seen.batched is not False or sink.from_dataset or sink.seen.from_slices:
            continue
        model = needs(sink, "batch")
        if model is not None:
            yield sink, (
                f"`{sink.arg}` is a single image (height, width, channels), but {model}.{sink.method} "
                f"takes a batch; add the batch axis with np.expand_dims({sink.arg}, 0)"), fix(sink, module)


def fix(sink, module):
    from .. import fixes

    if sink.arg_node is None:
        return None
    if any(s.node is sink.node and s.seen.batched is not False for s in module.sinks):
        return None
    if fixes.names_in(sink.arg_node) & fixes.param_names(sink.function):
        return None
    numpy = [name for name, value in module.env.vars.items() if value == ModuleRef("numpy")]
    if len(numpy) != 1 or _rebound(module.tree, numpy[0]):
        return None
    return fixes.expand_dims(sink.arg_node, numpy[0])


def _rebound(tree, name: str) -> bool:
    """Whether ``name`` is assigned or a parameter anywhere: then it may not be numpy at the call."""
    import libcst as cst

    from .. import fixes
    from ..analysis.walk import walk

    return any((type(n) is cst.AssignTarget and name in fixes.names_in(n.target))
               or (type(n) is cst.Param and n.name.value == name) for n in walk(tree))


RULE = Rule("CNN203", "missing-batch-axis", "A single image is passed where a batch is expected", check)
