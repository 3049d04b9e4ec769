"""Certain fixes, done with libcst so formatting and comments survive.

A rule offers a ``Fix`` only when the rewrite is right on every path cnnlint sees; the
fixed code is re-parsed before it is written, files are replaced atomically (same
permissions, same encoding and line endings), and a file that changed on disk since it
was read is left alone. A notebook's fixed lines are written into its cells (``notebooks.py``).
"""
from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import libcst as cst
from libcst.helpers import get_full_name_for_node


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` (a node of the parsed module) by ``build(updated old)``."""

    old: cst.CSTNode
    build: Callable[[cst.CSTNode], cst.CSTNode]


@dataclass(frozen=True)
class Fix:
    edits: tuple[Edit, ...]


@dataclass
class FileFix:
    path: Path
    display: str
    before: str
    after: str
    codes: tuple[tuple[str, str], ...]  # (code, name) of each finding fixed
    original: bytes = b""  # the file as read, to notice a change on disk before writing
    encoding: str = "utf-8"

    @property
    def fixed(self) -> int:
        return len(self.codes)

    def write(self) -> None:
        write(self.path, self.after, self.original, self.encoding)

    def diff(self) -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(True), self.after.splitlines(True),
                                            f"a/{self.display}", f"b/{self.display}"))


class _Apply(cst.CSTTransformer):
    def __init__(self, edits: dict[int, Edit]):
        super().__init__()
        self.edits = edits

    def on_leave(self, original_node, updated_node):
        edit = self.edits.get(id(original_node))
        return edit.build(updated_node) if edit is not None else updated_node


def fixed_module(tree: cst.Module, fixes: Iterable[Fix]) -> tuple[str, list[Fix]]:
    """The module's code with the fixes applied, and the fixes that were.

    A fix whose edits all target nodes already edited is the same rewrite (one import renamed
    for two findings): it counts as applied. One that overlaps only in part is skipped.
    """
    edits: dict[int, Edit] = {}
    applied: list[Fix] = []
    for fix in fixes:
        targets = [id(e.old) in edits for e in fix.edits]
        if all(targets):
            applied.append(fix)
        elif not any(targets):
            edits.update((id(e.old), e) for e in fix.edits)
            applied.append(fix)
    if not edits:
        return tree.code, []
    code = tree.visit(_Apply(edits)).code
    cst.parse_module(code)  # a fix that breaks the syntax is a bug: raise rather than write it
    return code, applied


class ChangedOnDisk(Exception):
    pass


def write(path: Path, text: str, original: bytes, encoding: str) -> None:
    """Replace ``path`` atomically, unless someone changed it since we read it.

    The new text goes to a temporary file beside the real one (a symlink's target, so the link
    stays a link), with the old file's permissions and owner, flushed to disk, then renamed over
    it: a run killed at any point leaves the old file or the new one, never half of one. The file
    is compared with what was read once more just before the rename.
    """
    from .sources import SourceError, read

    target = Path(os.path.realpath(path))

    def unchanged() -> os.stat_result:
        try:
            if read(target) == original:
                return os.stat(target)
        except (SourceError, OSError):
            pass
        raise ChangedOnDisk(f"{path} changed on disk while cnnlint was fixing it; not written")

    before = unchanged()
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".cnnlint-fix")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode(encoding))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(before.st_mode))
        try:
            os.chown(tmp, before.st_uid, before.st_gid)
        except OSError:  # not ours to give away: the new file keeps our owner
            pass
        unchanged()
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# -- the rewrites rules offer ----------------------------------------------------------------
def expand_dims(arg: cst.BaseExpression, numpy_name: str) -> Fix:
    """``x`` -> ``np.expand_dims(x, 0)``."""

    def build(updated: cst.BaseExpression) -> cst.BaseExpression:
        return cst.Call(
            func=cst.Attribute(cst.Name(numpy_name), cst.Name("expand_dims")),
            args=[cst.Arg(updated, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                  cst.Arg(cst.Integer("0"))],
        )

    return Fix((Edit(arg, build),))


def unsqueeze(arg: cst.BaseExpression) -> Fix:
    """``x`` -> ``x.unsqueeze(0)`` (a PyTorch tensor); an expression that binds looser than an attribute
    is parenthesised first."""

    def build(updated: cst.BaseExpression) -> cst.BaseExpression:
        simple = isinstance(updated, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)) or updated.lpar
        base = updated if simple else updated.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return cst.Call(func=cst.Attribute(base, cst.Name("unsqueeze")), args=[cst.Arg(cst.Integer("0"))])

    return Fix((Edit(arg, build),))


def rename(name: cst.Name, new: str) -> Fix:
    return Fix((Edit(name, lambda updated: updated.with_changes(value=new)),))


def names_in(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class Collect(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            found.add(n.value)

    node.visit(Collect())
    return found


def bindings_and_uses(tree: cst.Module) -> Counter[str]:
    """How often each variable is bound (imports, assignments, definitions, parameters) or used, by
    name; one walk of the module, however many names a rule asks about.

    Attribute names (``resnet50.preprocess_input``), keyword arguments (``f(preprocess_input=...)``)
    and module paths in imports are other things that happen to be spelled the same: not counted.
    """
    from .analysis.walk import children

    counts: Counter[str] = Counter()
    todo: list[cst.CSTNode] = [tree]
    while todo:
        node = todo.pop()
        kind = type(node)
        if kind is cst.Name:
            counts[node.value] += 1
        elif kind is cst.Attribute or kind is cst.Arg:  # not the attribute's name, not the keyword
            todo.append(node.value)
        elif kind is cst.ImportAlias:
            if node.asname is None:  # import a.b binds a; from m import b binds b
                counts[get_full_name_for_node(node.name).split(".")[0]] += 1
            elif isinstance(node.asname.name, cst.Name):
                counts[node.asname.name.value] += 1
        elif kind is cst.ImportFrom:  # the names imported, not the module's path
            if not isinstance(node.names, cst.ImportStar):
                todo.extend(node.names)
        else:
            todo.extend(children(node))
    return counts


def param_names(function: cst.CSTNode | None) -> set[str]:
    if function is None:
        return set()
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    every += [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    return {p.name.value for p in every}
