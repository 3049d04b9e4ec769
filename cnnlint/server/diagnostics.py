"""Findings as LSP diagnostics.

Each finding becomes a diagnostic on the file or notebook cell it is in, over the range of the
reported expression (in the editor's position encoding), with its code linked to the rule's page
and, as related information, the places its message names ("loaded at line 7", "/ 255.0 at
imaging.py:6"): the same places the command line's message gives, as links.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path
from pygls.workspace import PositionCodec

from ..analysis.facts import Loc
from ..lint import Finding
from ..rules import BY_CODE
from .documents import Opened
from .linting import Linted

RULE_PAGES = "https://github.com/cnnlint/cnnlint/blob/main/rules/"
SOURCE = "cnnlint"

Edits = dict[str, list[types.TextEdit]]  # by the URI of the file, or of each notebook cell


@dataclass
class Report:
    """One analysis of an open document as the editor was shown it."""

    linted: Linted
    diagnostics: dict[str, list[tuple[types.Diagnostic, Finding]]]  # by the URI of the file or each cell
    edits: dict[tuple[int, ...], Edits] = field(default_factory=dict)  # fixes computed so far

    def touching(self, uri: str, where: types.Range) -> list[tuple[types.Diagnostic, Finding]]:
        """The diagnostics of ``uri`` whose range meets ``where``."""
        start, end = _point(where.start), _point(where.end)
        return [(d, f) for d, f in self.diagnostics.get(uri, [])
                if _point(d.range.start) <= end and start <= _point(d.range.end)]


def report(linted: Linted, codec: PositionCodec) -> Report:
    opened = linted.opened
    diagnostics: dict[str, list] = {part.uri: [] for part in opened.parts}
    lines = {part.uri: lines_of(part.text) for part in {opened.part(f.cell) for f in linted.findings}}
    for finding in linted.findings:
        uri = opened.part(finding.cell).uri
        diagnostics[uri].append((diagnostic(finding, lines[uri], opened, codec), finding))
    return Report(linted, diagnostics)


def diagnostic(finding: Finding, lines: list[str], opened: Opened, codec: PositionCodec) -> types.Diagnostic:
    """The diagnostic of a finding in a text of these ``lines`` (the file's, or its cell's)."""
    rule = BY_CODE[finding.code]
    start = (finding.line - 1, finding.column - 1)
    end = (finding.end_line - 1, finding.end_column - 1)
    if start == end:  # a place, not an expression (CNN000): the rest of its line
        end = (start[0], len(lines[start[0]].rstrip("\r\n")) if start[0] < len(lines) else start[1])
    return types.Diagnostic(
        range=types.Range(position(lines, *start, codec), position(lines, *end, codec)),
        message=finding.message,
        severity=types.DiagnosticSeverity.Error if finding.code == "CNN000" else types.DiagnosticSeverity.Warning,
        code=finding.code,
        code_description=types.CodeDescription(href=RULE_PAGES + rule.filename),
        source=SOURCE,
        related_information=[types.DiagnosticRelatedInformation(location(loc, opened), clause(finding.message,
                                                                                               loc.text(finding.path)))
                             for loc in finding.related] or None,
    )


def location(loc: Loc, opened: Opened) -> types.Location:
    """The whole line a message names, in this notebook's cell or in a file (``opened`` or another)."""
    if loc.cell is not None and 0 < loc.cell <= len(opened.parts):
        uri = opened.part(loc.cell).uri
    else:
        path = Path(os.path.normpath(os.path.join(os.getcwd(), loc.path)))  # findings name files as display_path does
        uri = opened.uri if path == opened.path else from_fs_path(str(path))
    return types.Location(uri, types.Range(types.Position(loc.line - 1, 0), types.Position(loc.line, 0)))


def clause(message: str, named: str) -> str:
    """The words of ``message`` that name a place: ``loaded at line 12`` from ``... (loaded at line 12);
    apply ...``; a clause ends at an opening bracket, "; " or ", " outside brackets and `quoted code`."""
    at = message.find(named)
    if at < 0:
        return named
    depth, quoted, start = 0, False, 0
    for i in range(at - 1, -1, -1):
        c = message[i]
        if c == "`":
            quoted = not quoted
        elif quoted:
            continue
        elif c == ")":
            depth += 1
        elif c == "(" and depth:
            depth -= 1
        elif c == "(" or (not depth and message.startswith(("; ", ", "), i)):
            start = i + (1 if c == "(" else 2)
            break
    return message[start:at + len(named)].strip().removeprefix("but ")


def lines_of(text: str) -> list[str]:
    """The lines of a text as LSP counts them (ended by \\n, \\r\\n or \\r), with their endings."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text) or [""]


def position(lines: list[str], line: int, character: int, codec: PositionCodec) -> types.Position:
    """A 0-based line and character (code points) in the editor's units."""
    text = lines[line] if line < len(lines) else ""
    return types.Position(line, codec.client_num_units(text[:character]))


def _point(p: types.Position) -> tuple[int, int]:
    return p.line, p.character
