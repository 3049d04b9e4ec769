"""CNN604: a PyTorch model used for inference (prediction, evaluation, feature extraction, tracing or
export) while it is in training mode: BatchNorm normalises with the batch's own statistics (and updates
its running ones), Dropout drops activations. ``torch.no_grad()`` does not change the mode.

Only models whose mode matters: with BatchNorm or Dropout (every torchvision and timm architecture, a
project module that has such layers), pre-trained or trained in the project (by an earlier training call). Train mode must hold on
every path cnnlint sees (modules start in it; ``model.eval()`` or ``model.train(False)`` anywhere on
a path makes the mode unknown there).

Fix: ``model.eval()`` inserted before the ``with torch.no_grad():`` (or ``inference_mode``) block of the
call, when the model is a plain name and the project never trains it (so nothing relies on train mode
afterwards).
"""
from ..analysis.facts import Const
from .base import Rule
from .torch_verdicts import (in_forward, is_torch, mode_owner, root, stays_in_train_mode, trained_objects,
                             trains_differently, training_call)


def check(module):
    from ..analysis.effects.torch import grad_off  # the analysis loads only when a file is analysed

    project = module.project
    trained = None
    for sink in module.sinks:
        if not is_torch(sink) or training_call(sink) or in_forward(sink, module) or not trains_differently(sink) \
                or not stays_in_train_mode(sink, project):
            continue
        owner = mode_owner(sink)
        if trained is None:
            trained = trained_objects(project)
        pretrained = root(sink.model).attrs.get("pretrained") == Const(True)
        if not pretrained and trained.get(id(owner), sink.order) >= sink.order:
            continue  # a model of the project only matters once trained (a first call to see its shape does not)
        how = "pre-trained" if pretrained else "trained in this project"
        name = _model_text(sink, module)
        grad = " (torch.no_grad() does not change the mode)" if grad_off(sink.managers) else ""
        yield sink, (
            f"`{name}` ({sink.model.name}, {how}) is in training mode at this inference call: modules start in "
            f"train mode and no eval() is called on the way, so BatchNorm and Dropout behave as in training{grad}; "
            f"call {name}.eval() first"), fix(sink, module, name, trained, owner)
    for event in module.events:
        if event.kind != "torch-export" or not event.details["trains"] or event.details["mode"] != Const("train"):
            continue
        owner = event.details["mode_of"]
        if event.details["entry"] and (id(owner), "mode") in project.interp.heap_changed:
            continue
        model = event.details["model"]
        if root(model).attrs.get("pretrained") != Const(True):
            if trained is None:
                trained = trained_objects(project)
            if id(owner) not in trained:
                continue
        yield event, (
            f"{event.details['how']} records {model.name} in training mode (no eval() on the way): the exported "
            f"model keeps BatchNorm's batch statistics and Dropout; call model.eval() before exporting")


def _model_text(sink, module) -> str:
    import libcst as cst

    func = sink.node.func if isinstance(sink.node, cst.Call) else None
    if isinstance(func, cst.Attribute) and sink.method != "__call__":
        func = func.value
    return module.code(func) if func is not None else "model"


def fix(sink, module, name, trained, owner):
    """``model.eval()`` before the enclosing ``with torch.no_grad():`` statement (not in a notebook: a fix
    written into its cells may not add lines)."""
    import libcst as cst

    from .. import fixes

    if module.cells is not None or not name.isidentifier() or id(owner) in trained:
        return None
    statement = _enclosing_with(module.tree, sink.node)
    if statement is None:
        return None
    line = cst.SimpleStatementLine([cst.Expr(cst.parse_expression(f"{name}.eval()"))])

    def build(updated):  # the blank lines and comments above the with statement stay above
        return cst.FlattenSentinel([line.with_changes(leading_lines=updated.leading_lines),
                                    updated.with_changes(leading_lines=[])])

    return fixes.Fix((fixes.Edit(statement, build),))


def _enclosing_with(tree, node):
    """The innermost ``with torch.no_grad()/inference_mode()`` statement around ``node``."""
    import libcst as cst

    found = []

    class Find(cst.CSTVisitor):
        def __init__(self):
            self.stack = []

        def visit_With(self, n):
            text = tree.code_for_node(n.items[0].item) if len(n.items) == 1 else ""
            self.stack.append(n if ("no_grad" in text or "inference_mode" in text) else None)

        def leave_With(self, n):
            self.stack.pop()

        def on_visit(self, n):
            if n is node:
                found.extend(w for w in self.stack if w is not None)
                return False
            return super().on_visit(n)

    tree.visit(Find())
    return found[-1] if found else None


RULE = Rule("CNN604", "missing-eval",
            "A PyTorch model is used for inference, tracing or export while still in training mode", check)
