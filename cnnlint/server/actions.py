"""What the editor offers on a finding: its certain fix (the edits ``cnnlint --fix`` makes, in a
file or in a notebook's cells), a ``# noqa: CODE`` comment on its line (as ``--add-noqa`` adds it),
every certain fix of the file or notebook at once (the code action kind ``source.fixAll.cnnlint``,
for fix-on-save), and the rule's page on hover.
"""
from __future__ import annotations

import difflib
import os
from functools import lru_cache
from typing import TYPE_CHECKING, Awaitable, Callable, Sequence

from lsprotocol import types
from pygls.workspace import PositionCodec

from ..lint import Finding
from ..notebooks import NotRewritable, cell_sources
from ..rules import BY_CODE
from ..suppressions import commentable_lines, with_codes
from .diagnostics import SOURCE, Edits, Report, lines_of, position
from .documents import Opened

if TYPE_CHECKING:
    from ..fixes import FileFix

# The lines of a text that can take a comment: a tokenization (60 ms for 1,000 lines), asked for again
# on every cursor move over a finding of the same text.
_open_lines = lru_cache(maxsize=4)(commentable_lines)

FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.cnnlint"
KINDS = [types.CodeActionKind.QuickFix, FIX_ALL]

Offload = Callable[..., Awaitable]  # runs a function off the event loop: await offload(fn, *args)


async def code_actions(report: Report, uri: str, params: types.CodeActionParams, text: str, current: bool,
                       codec: PositionCodec, offload: Offload) -> list[types.CodeAction]:
    """The actions for the diagnostics of ``uri`` (a file or a cell) in the requested range.

    ``text`` is the document (or cell) as it is now; fixes are offered only when it is still the
    version ``report`` analysed (``current``), since their edits are against that text.
    """
    only = params.context.only
    shown = [d for d in params.context.diagnostics if d.source == SOURCE]  # as the editor shows them now
    fixable = report.linted.fixes is not None and current
    actions = []
    if wanted(types.CodeActionKind.QuickFix, only):
        actions += await _fixes(report, uri, shown, codec, offload) if fixable else []
        actions += await offload(_noqa_comments, text, uri, shown, codec) if shown else []
    if wanted(FIX_ALL, only) and fixable:
        edits = await offload(fix_edits, report, report.linted.fixes.offered, codec)
        if edits:
            actions.append(_action("cnnlint: fix all certain problems", FIX_ALL, edits))
    return actions


async def _fixes(report: Report, uri: str, shown: list[types.Diagnostic], codec: PositionCodec,
                 offload: Offload) -> list[types.CodeAction]:
    """The certain fix of each diagnostic that has one."""
    ours = {(d.code, _span(d.range)): finding for d, finding in report.diagnostics.get(uri, [])}
    actions = []
    for diagnostic in shown:
        finding = ours.get((diagnostic.code, _span(diagnostic.range)))
        edits = await offload(fix_edits, report, [finding], codec) if finding and finding.fix else None
        if edits:
            actions.append(_action(f"{finding.code}: {advice(finding)}", types.CodeActionKind.QuickFix, edits,
                                   [diagnostic], preferred=True))
    return actions


def _noqa_comments(text: str, uri: str, shown: list[types.Diagnostic], codec: PositionCodec) -> list[types.CodeAction]:
    """A ``# noqa`` comment for each line and code (off the event loop: it tokenizes the text)."""
    one: dict[tuple[int, str], types.Diagnostic] = {}
    for diagnostic in shown:
        one.setdefault((diagnostic.range.start.line, diagnostic.code), diagnostic)
    actions = []
    commentable = _open_lines(text) or set()  # None: the text does not tokenize
    for diagnostic in one.values():
        edit = noqa_edit(text, diagnostic, commentable, codec)
        if edit is not None:
            actions.append(_action(f"{diagnostic.code}: ignore on this line (# noqa)", types.CodeActionKind.QuickFix,
                                   {uri: [edit]}, [diagnostic]))
    return actions


def wanted(kind: str, only: Sequence[str] | None) -> bool:
    """Whether the editor asked for actions of this kind (``only`` lists kinds, or kinds they refine)."""
    return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)


def advice(finding: Finding) -> str:
    """What the fix does, as the message's last clause says it ("add the batch axis with ...")."""
    return finding.message.rsplit("; ", 1)[-1] if "; " in finding.message else "apply the certain fix"


def fix_edits(report: Report, findings: list[Finding], codec: PositionCodec) -> Edits:
    """The edits that apply these findings' certain fixes to the analysed text (remembered per report)."""
    key = tuple(sorted(id(f) for f in findings))
    if key not in report.edits:
        try:
            outcome = report.linted.fixes.apply(findings)
        except NotRewritable:  # a notebook line the fix cannot be written into: --fix leaves it too
            outcome = None
        report.edits[key] = file_edits(report.linted.opened, outcome[0], codec) if outcome else {}
    return report.edits[key]


def file_edits(opened: Opened, change: FileFix, codec: PositionCodec) -> Edits:
    """The edits of a fixed file, or of the cells a fix changed in a notebook (whose texts are its JSON)."""
    if opened.notebook:
        before, after = cell_sources(change.before), cell_sources(change.after)
    else:
        before, after = [change.before], [change.after]
    return {part.uri: text_edits(old, new, codec) for part, old, new in zip(opened.parts, before, after) if old != new}


def text_edits(before: str, after: str, codec: PositionCodec) -> list[types.TextEdit]:
    """The edits that turn ``before`` into ``after``: one per run of changed lines."""
    old, new = lines_of(before), lines_of(after)
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        end = types.Position(i2, 0)
        if i2 == len(old) and not old[-1].endswith(("\n", "\r")):  # the last line has no line ending
            end = position(old, i2 - 1, len(old[-1]), codec)
        edits.append(types.TextEdit(types.Range(types.Position(i1, 0), end), "".join(new[j1:j2])))
    return edits


def noqa_edit(text: str, diagnostic: types.Diagnostic, open_lines: set[int],
              codec: PositionCodec) -> types.TextEdit | None:
    """The code added to the diagnostic's first line as ``--add-noqa`` adds it (``  # noqa: CODE``, or
    ``, CODE`` in the noqa comment there); None where it adds none: CNN000 (no comment hides it), a
    line not in ``open_lines`` (``commentable_lines``: it ends inside a string or continues), a comment
    that already hides the code."""
    code, line = diagnostic.code, diagnostic.range.start.line
    lines = lines_of(text)
    if code not in BY_CODE or code == "CNN000" or line + 1 not in open_lines or line >= len(lines):
        return None
    body = lines[line].rstrip("\r\n")
    new = with_codes(body, [code])
    if new == body:
        return None
    at = len(os.path.commonprefix([body, new]))
    return types.TextEdit(types.Range(position(lines, line, at, codec), position(lines, line, len(body), codec)),
                          new[at:])


def hover(report: Report, uri: str, where: types.Position) -> types.Hover | None:
    """The page of each rule with a diagnostic under the cursor."""
    found = report.touching(uri, types.Range(where, where))
    codes = dict.fromkeys(finding.code for _, finding in found)
    if not codes:
        return None
    pages = "\n\n---\n\n".join(BY_CODE[code].page for code in codes)
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, pages), found[0][0].range)


def _action(title: str, kind: str, edits: Edits, diagnostics: list[types.Diagnostic] | None = None,
            preferred: bool = False) -> types.CodeAction:
    return types.CodeAction(title, kind=kind, diagnostics=diagnostics, is_preferred=preferred or None,
                            edit=types.WorkspaceEdit(changes=edits))


def _span(r: types.Range) -> tuple[int, int, int, int]:
    return r.start.line, r.start.character, r.end.line, r.end.character
