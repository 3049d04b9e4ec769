"""Output formats: one function per format, each writing findings to a stream."""
from __future__ import annotations

import json
from typing import Callable, TextIO

from ..lint import Finding


def text(findings: list[Finding], out: TextIO) -> None:
    for f in findings:
        cell = f"cell {f.cell}:" if f.cell is not None else ""
        out.write(f"{f.path}:{cell}{f.line}:{f.column}: {f.code} {f.message}\n")


def json_list(findings: list[Finding], out: TextIO) -> None:
    json.dump([f.as_dict() for f in findings], out, indent=2)
    out.write("\n")


FORMATS: dict[str, Callable[[list[Finding], TextIO], None]] = {"text": text, "json": json_list}
