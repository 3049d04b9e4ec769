"""Notebooks on the way back: code written into their cells (fixes, noqa comments), and where a
cell's line is in the ``.ipynb`` file itself (SARIF).

Reading a notebook into one program is in ``sources.notebook_program``; the cells here are
numbered as there (1-based, counting every cell). Notebooks are rewritten with nbformat's own
writer (the format Jupyter saves: one line per source line, sorted keys), so outputs, metadata
and every cell not changed stay as they were; nbformat 3 notebooks are not rewritten.
"""
from __future__ import annotations

import json
import re
from typing import Callable

from .sources import CellMap

# JSON tokens: strings (with their escapes), punctuation, and bare words (numbers, true, false, null)
TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


class NotRewritable(ValueError):
    """A notebook cnnlint does not write back (its reason is the message)."""


def _read(data: bytes):
    import nbformat.reader

    try:
        nb = nbformat.reader.reads(data.decode("utf-8-sig"))
    except Exception as e:  # the analysis read it a moment ago: it changed, or it is not version 4
        raise NotRewritable(f"cannot read the notebook again: {type(e).__name__}") from None
    if nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list):
        raise NotRewritable("only nbformat 4 notebooks are rewritten")
    if any(isinstance(c, dict) and c.get("cell_type") == "code" and "outputs" not in c for c in nb["cells"]):
        raise NotRewritable("a code cell has no outputs (not saved by Jupyter): nbformat cannot write it back")
    return nb


def rewritable(data: bytes) -> bool:
    try:
        _read(data)
    except NotRewritable:
        return False
    return True


def _write(nb, original: bytes) -> str:
    import nbformat

    text = nbformat.versions[4].writes_json(nb)
    return text + "\n" if original.rstrip(b" \t").endswith(b"\n") and not text.endswith("\n") else text


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def cell_sources(text: str) -> list[str]:
    """The source of every cell of a notebook's JSON (as ``fixed_notebook`` writes it), in order."""
    return [_source(cell) for cell in json.loads(text)["cells"]]


def _edit_cells(data: bytes, edit: Callable[[int, str], str | None]) -> str | None:
    """The notebook's JSON with each code cell's source replaced by ``edit(number, source)`` (None:
    unchanged); None when no cell changed."""
    nb = _read(data)
    changed = False
    for number, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        new = edit(number, _source(cell))
        if new is not None and new != _source(cell):
            cell["source"] = new
            changed = True
    return _write(nb, data) if changed else None


def fixed_notebook(data: bytes, cells: CellMap, before: str, after: str) -> str | None:
    """The notebook with the lines a fix changed in its program (the joined, masked code cells)
    written into their cells; None when nothing changed.

    A fix may only change lines that are the cell's own text (not an IPython line cnnlint
    masked, not a cell it dedented) and may not add or remove lines: otherwise NotRewritable.
    """
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if len(old) != len(new):
        raise NotRewritable("a fix changed the number of lines")
    bounds = {number: (start, end) for number, start, end in
              zip(cells.cells, cells.starts, (*cells.starts[1:], len(old) + 1))}

    def edit(number: int, source: str) -> str | None:
        start, end = bounds.get(number, (0, 0))
        if old[start - 1:end - 1] == new[start - 1:end - 1]:
            return None
        lines = source.splitlines(keepends=True)
        for k, (was, now) in enumerate(zip(old[start - 1:end - 1], new[start - 1:end - 1])):
            if was == now:
                continue
            if k >= len(lines) or lines[k].rstrip("\r\n") != was.rstrip("\n"):
                raise NotRewritable(f"cell {number}, line {k + 1} is not the cell's own text (IPython syntax, dedent)")
            lines[k] = now.rstrip("\n") + lines[k][len(lines[k].rstrip("\r\n")):]
        return "".join(lines)

    return _edit_cells(data, edit)


def add_to_notebook(data: bytes, places: dict[tuple[int, int], list[str]]) -> tuple[str, int, list[int]]:
    """``--add-noqa`` in notebooks: places are (cell, line) -> codes."""
    from .suppressions import add_to_text

    count, refused = 0, []

    def edit(number: int, source: str) -> str | None:
        nonlocal count
        wanted = {line: codes for (cell, line), codes in places.items() if cell == number}
        if not wanted:
            return None
        text, changed, refused_here = add_to_text(source, wanted)
        count += changed
        refused.extend(refused_here)
        return text

    text = _edit_cells(data, edit)
    return (text if text is not None else data.decode("utf-8-sig")), count, refused


def source_lines(text: str) -> dict[int, list[int]]:
    """For each cell of an nbformat 4 notebook (1-based), the line of the ``.ipynb`` file on which
    each line of its source is written: the line of the string holding it, one per source line
    when the source is a list of lines, as Jupyter writes it."""
    out: dict[int, list[int]] = {}
    stack: list[list] = []  # [kind, key or index, expecting a key]
    line, at = 1, 0
    for m in TOKEN.finditer(text):
        token = m.group()
        if token in "{[":
            stack.append(["obj" if token == "{" else "arr", None if token == "{" else 0, token == "{"])
        elif token in "}]":
            if stack:
                stack.pop()
        elif token == ",":
            if stack:
                top = stack[-1]
                top[1], top[2] = (None, True) if top[0] == "obj" else (top[1] + 1, False)
        elif token == ":":
            if stack:
                stack[-1][2] = False
        elif stack and stack[-1][0] == "obj" and stack[-1][2]:
            stack[-1][1] = _string(token)
        else:
            cell = _source_cell(stack)
            if cell is not None and token.startswith('"'):
                line += text.count("\n", at, m.start())
                at = m.start()
                value = _string(token)
                out.setdefault(cell, []).extend([line] * (value.count("\n") + (not value.endswith("\n"))))
    return out


def _string(token: str) -> str:
    try:
        value = json.loads(token)
    except ValueError:
        return ""
    return value if isinstance(value, str) else ""


def _source_cell(stack: list[list]) -> int | None:
    """The cell number when the value being read is (a line of) ``cells[i].source``."""
    if len(stack) not in (3, 4) or stack[0][1] != "cells" or stack[1][0] != "arr" or stack[2][1] != "source":
        return None
    if len(stack) == 4 and stack[3][0] != "arr":
        return None
    return stack[1][1] + 1
