"""CNN203: a single HxWxC image passed where the model takes a batch.

Fix: wrap the argument in ``np.expand_dims(x, 0)`` (numpy's name as the module imports it), or
call ``x.unsqueeze(0)`` on a PyTorch tensor,
offered only when every path to this call passes a single image and the argument does not
come from the enclosing function's parameters (another caller could pass a batch).
"""
from functools import cache

from ..analysis.facts import ModuleRef
from .base import Rule
from .verdicts import needs


def check(module):
    numpy = cache(lambda: _numpy_name(module))  # one walk of the module, however many findings
    for sink in module.sinks:
        if sink.seen.batched is not False or sink.from_dataset or sink.seen.from_slices:
            continue
        model = needs(sink, "batch")
        if model is None:
            continue
        if sink.seen.container == "tensor":  # a PyTorch tensor: (channels, height, width)
            yield sink, (f"`{sink.arg}` is a single image (channels, height, width), but {model} takes a batch; "
                         f"add the batch axis with {sink.arg}.unsqueeze(0)"), fix(sink, module, numpy)
        else:
            yield sink, (
                f"`{sink.arg}` is a single image (height, width, channels), but {model}.{sink.method} "
                f"takes a batch; add the batch axis with np.expand_dims({sink.arg}, 0)"), fix(sink, module, numpy)


def fix(sink, module, numpy):
    from .. import fixes

    if sink.arg_node is None:
        return None
    if any(s.node is sink.node and (s.seen.batched is not False or s.seen.container != sink.seen.container)
           for s in module.sinks):
        return None
    if fixes.names_in(sink.arg_node) & fixes.param_names(sink.function):
        return None
    if sink.seen.container == "tensor":
        return fixes.unsqueeze(sink.arg_node)
    name = numpy()
    return fixes.expand_dims(sink.arg_node, name) if name is not None else None


def _numpy_name(module) -> str | None:
    """numpy's one name in the module, unless that name is also rebound somewhere."""
    names = [name for name, value in module.env.vars.items() if value == ModuleRef("numpy")]
    return names[0] if len(names) == 1 and not _rebound(module.tree, names[0]) else None


def _rebound(tree, name: str) -> bool:
    """Whether ``name`` is assigned or a parameter anywhere: then it may not be numpy at the call."""
    import libcst as cst

    from .. import fixes
    from ..analysis.walk import walk

    return any((type(n) is cst.AssignTarget and name in fixes.names_in(n.target))
               or (type(n) is cst.Param and n.name.value == name) for n in walk(tree))


RULE = Rule("CNN203", "missing-batch-axis", "A single image is passed where a batch is expected", check)
