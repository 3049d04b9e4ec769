"""``path:line:col: CODE message`` (``path:cell N:line:col:`` in notebooks), one finding per line."""
from __future__ import annotations

from typing import TextIO


def escape(path: str) -> str:
    """Paths with newlines or other control characters are shown escaped, one finding per line."""
    return path.encode("unicode_escape").decode("ascii") if not path.isprintable() else path


def write(findings, out: TextIO, rules=()) -> None:
    for f in findings:
        cell = f"cell {f.cell}:" if f.cell is not None else ""
        out.write(f"{escape(f.path)}:{cell}{f.line}:{f.column}: {f.code} {f.message}\n")
