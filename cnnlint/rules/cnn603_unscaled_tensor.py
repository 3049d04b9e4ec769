"""CNN603: Normalize (or a model that wants [0, 1]) gets 0..255 values: ``torch.from_numpy(img).float()``,
``PILToTensor``, ``ToDtype(torch.float32)`` without ``scale=True`` and ``ToTensor`` on a float array
do not divide by 255.

Fix: ``v2.ToDtype(torch.float32)`` -> ``v2.ToDtype(torch.float32, scale=True)`` when that is the step
that left the values unscaled.
"""
from .base import Rule
from .torch_verdicts import normalize_verdict, wanted_text


def check(module):
    for sink in module.sinks:
        if normalize_verdict(sink) != "CNN603":
            continue
        e = sink.model.expects
        normalize = next((s for s in reversed(sink.seen.steps) if s.kind == "normalize-unscaled"), None)
        cast = next((s for s in reversed(sink.seen.steps) if s.kind == "cast"), None)
        why = (f"{cast.what} at {cast.loc.text(sink.path)} does not scale" if cast is not None
               else "the values were never divided by 255")
        if normalize is not None:
            yield sink, (
                f"{normalize.what} at {normalize.loc.text(sink.path)} expects values in [0, 1], but `{sink.arg}` "
                f"held 0..255 pixels ({why}); scale to [0, 1] first (ToTensor on uint8/PIL, "
                f"ToDtype(torch.float32, scale=True) or / 255)"), fix(cast, module)
        else:
            yield sink, (f"{e.model} expects {wanted_text(e)}, but `{sink.arg}` holds 0..255 values ({why}); "
                              f"scale them to [0, 1]"), fix(cast, module)


def fix(cast, module):
    """``ToDtype(dtype)`` -> ``ToDtype(dtype, scale=True)`` in this file (a notebook's cell too: the line
    keeps its place)."""
    import libcst as cst

    from .. import fixes

    node = cast.callee if cast is not None else None
    if not isinstance(node, cst.Call) or cast.loc.path != module.display \
            or any(a.keyword is not None and a.keyword.value == "scale" for a in node.args) or len(node.args) != 1:
        return None

    def build(updated: cst.Call) -> cst.Call:
        first = updated.args[0].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return updated.with_changes(args=[first, cst.Arg(cst.Name("True"), keyword=cst.Name("scale"),
                                                          equal=cst.AssignEqual(cst.SimpleWhitespace(""),
                                                                                cst.SimpleWhitespace("")))])

    return fixes.Fix((fixes.Edit(node, build),))


RULE = Rule("CNN603", "unscaled-tensor",
            "Normalize (or a PyTorch model that wants [0, 1]) gets 0..255 values that were never scaled", check)
