"""``path:line:col: CODE message`` (``path:cell N:line:col:`` in notebooks), one finding per line;
``CODE [*] message`` when a certain fix is offered, as ruff marks them."""
from __future__ import annotations

from typing import TextIO

from ..sources import escaped  # one finding per line, whatever the path holds


def write(findings, out: TextIO, rules=()) -> None:
    for f in findings:
        cell = f"cell {f.cell}:" if f.cell is not None else ""
        mark = "[*] " if f.fixable else ""
        out.write(f"{escaped(f.path)}:{cell}{f.line}:{f.column}: {f.code} {mark}{f.message}\n")
