"""Suppression comments on a line: ``# noqa``, ``# noqa: CNN101,CNN203``, ``# cnnlint: ignore[CNN101]``.

Read (which findings they hide), checked (codes that are no rule; codes that hide nothing,
reported as CNN001 when it is selected, like ruff's RUF100) and added (``--add-noqa``).
"""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
IGNORE = re.compile(r"#\s*cnnlint:\s*ignore\[(?P<codes>[^\]]*)\]")
OURS = re.compile(r"CNN\d*$")  # in a noqa comment, other codes (E501, F401) belong to other tools


@dataclass(frozen=True)
class Directive:
    """One suppression comment: ``codes`` None is a bare ``# noqa`` (every code)."""

    line: int  # in the analysed text (a notebook's joined cells)
    column: int  # 1-based, where the comment starts
    kind: str  # "noqa" or "ignore"
    codes: tuple[str, ...] | None

    def hides(self, code: str) -> bool:
        return self.codes is None or code in self.codes

    @property
    def name(self) -> str:
        return "`noqa`" if self.kind == "noqa" else "`cnnlint: ignore`"

    def ours(self) -> tuple[str, ...]:
        """The codes that are cnnlint's to judge: all of an ignore[...], the CNN ones of a noqa."""
        return tuple(c for c in self.codes or () if self.kind == "ignore" or OURS.match(c))


def directives(text: str) -> dict[int, list[Directive]]:
    """The suppression comments of a text, by line."""
    found: dict[int, list[Directive]] = {}
    if "noqa" not in text.lower() and "cnnlint:" not in text:
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        if "#" not in line:
            continue
        for kind, pattern in (("noqa", NOQA), ("ignore", IGNORE)):
            m = pattern.search(line)
            if m:
                codes = m.group("codes")
                listed = tuple(c for c in re.split(r"[\s,]+", codes.upper()) if c) if codes is not None else None
                found.setdefault(number, []).append(Directive(number, m.start() + 1, kind, listed))
    return found


def hidden(found: dict[int, list[Directive]], line: int, code: str) -> bool:
    return any(d.hides(code) for d in found.get(line, ()))


def unknown(directive: Directive, known) -> list[str]:
    return [c for c in directive.ours() if c not in known]


def unused_message(directive: Directive, used: set[str], selected: set[str], known) -> str | None:
    """CNN001's message for a directive whose codes hide nothing, as ruff's RUF100 words it; None
    when every code is used. A bare ``# noqa`` is not judged: it may be there for another tool."""
    codes = directive.ours()
    if not codes or "CNN001" in codes:
        return None
    groups = {"unused": [c for c in codes if c in known and c in selected and c not in used],
              "non-enabled": [c for c in codes if c in known and c not in selected],
              "unknown": [c for c in codes if c not in known]}
    listed = "; ".join(f"{kind}: {', '.join(f'`{c}`' for c in found)}" for kind, found in groups.items() if found)
    return f"unused {directive.name} directive ({listed})" if listed else None


# -- --add-noqa --------------------------------------------------------------------------------

def with_codes(line: str, codes: list[str]) -> str:
    """The line (without its line ending) with ``codes`` added to its noqa comment, or a new one."""
    m = NOQA.search(line) if "#" in line else None
    if m and m.group("codes") is not None:
        have = re.split(r"[\s,]+", m.group("codes").upper())
        new = [c for c in codes if c not in have]
        return line[:m.end("codes")] + "".join(f", {c}" for c in new) + line[m.end("codes"):] if new else line
    if m:  # a bare noqa hides everything already
        return line
    return f"{line.rstrip()}  # noqa: {', '.join(codes)}"


def commentable_lines(text: str) -> set[int] | None:
    """Lines whose end is in code, where a comment can go (not inside a string, not continued with
    a backslash); None when the text does not tokenize."""
    try:
        return {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(text).readline)
                if tok.type in (tokenize.NEWLINE, tokenize.NL)}
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None


def add_to_text(text: str, codes_by_line: dict[int, list[str]]) -> tuple[str, int, list[int]]:
    """The text with noqa comments added; how many lines changed; the lines that could take none."""
    lines = text.splitlines(keepends=True)
    open_lines = commentable_lines(text)
    changed, refused = 0, []
    for number, codes in sorted(codes_by_line.items()):
        if open_lines is None or number not in open_lines or number > len(lines):
            refused.append(number)
            continue
        line = lines[number - 1]
        body = line.rstrip("\r\n")
        new = with_codes(body, codes)
        if new != body:
            lines[number - 1] = new + line[len(body):]
            changed += 1
    return "".join(lines), changed, refused


def add_noqa(result) -> tuple[int, list[str]]:
    """``--add-noqa``: a noqa comment for every finding (CNN000 excepted) on the line it is reported on.

    Files are rewritten like fixes (atomically, with their encoding and line endings; not if they
    changed since they were read). Returns the number of comments added and notes for the user.
    """
    from .fixes import ChangedOnDisk, write
    from .notebooks import add_to_notebook
    from .sources import SourceError, decode_with_encoding, read

    by_file: dict[str, dict] = {}
    for f in result.findings:
        if f.code not in ("CNN000", "CNN001"):
            by_file.setdefault(f.path, {}).setdefault((f.cell, f.line), []).append(f.code)
    added, notes = 0, []
    for display, places in sorted(by_file.items()):
        path = Path(display)
        try:
            original = read(path)
            if path.suffix == ".ipynb":
                text, count, refused = add_to_notebook(original, places)
                encoding = "utf-8"
            else:
                before, encoding = decode_with_encoding(original)
                text, count, refused = add_to_text(before, {line: codes for (_, line), codes in places.items()})
            if count:
                write(path, text, original, encoding)
        except (SourceError, OSError, ChangedOnDisk, ValueError) as e:
            notes.append(f"no noqa comments added to {display}: {e}")
            continue
        added += count
        notes += [f"{display}:{line}: no noqa comment added: the line ends inside a string or continues"
                  for line in refused]
    return added, notes
