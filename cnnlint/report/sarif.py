"""SARIF 2.1.0, the format GitHub code scanning and other result viewers read: one run, one result per finding.

SARIF has no notebook cells: a finding in a notebook keeps the notebook as its artifact, and its region is
the lines of the ``.ipynb`` file where the cell's source lines are written (Jupyter writes one per line),
so code scanning shows the right place; the cell and the line within it are in the message and in the
result's property bag (``{"cell": N}``). A notebook that cannot be read again (standard input) has no region.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path, PurePath
from typing import TextIO
from urllib.parse import quote

from .. import __version__
from ..rules import BY_CODE

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/cnnlint/cnnlint"
PAGES_URI = "https://github.com/cnnlint/cnnlint/blob/main/rules/"


def level(code: str) -> str:
    """A file cnnlint could not parse is a blind spot, not a bug in the code: a warning."""
    return "warning" if code == "CNN000" else "error"


def uri(path: str) -> str:
    """A relative path stays relative (forward slashes, percent-encoded); an absolute one becomes a file: URI.

    The bytes of the name are encoded, so a file name that is not UTF-8 (``b"bad\\xff.py"``) is ``bad%FF.py``.
    """
    p = Path(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(os.fsencode(PurePath(path).as_posix()))  # on POSIX a backslash is part of a name: %5C


def description(page: str) -> str:
    """The prose of the page's "What it does" section: the rule's full description."""
    m = re.search(r"^## What it does\s*\n(.*?)(?=^## |\Z)", page, re.MULTILINE | re.DOTALL)
    text = m.group(1) if m else ""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n\n".join(paragraphs)


def descriptor(rule) -> dict:
    page = rule.page
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": description(page) or rule.summary},
        "help": {"text": page, "markdown": page},
        "helpUri": PAGES_URI + quote(rule.filename),
        "defaultConfiguration": {"level": level(rule.code)},
    }


def message(f) -> str:
    if f.cell is None or re.search(rf"\(cell {f.cell}\b[^()]*\)$", f.message):  # CNN000 names its cell itself
        return f.message
    return f"{f.message} (cell {f.cell}, line {f.line})"


def region(f) -> dict:
    start_line, start_col = max(f.line, 1), max(f.column, 1)
    end_line, end_col = max(f.end_line, 1), max(f.end_column, 1)
    end_line, end_col = max((end_line, end_col), (start_line, start_col))
    return {"startLine": start_line, "startColumn": start_col, "endLine": end_line, "endColumn": end_col}


class NotebookLines:
    """Where the lines of each cell are in the .ipynb files, read once per notebook."""

    def __init__(self):
        self.files: dict[str, dict[int, list[int]]] = {}

    def region(self, f) -> dict | None:
        """The lines of the notebook's JSON that hold the finding's lines of its cell."""
        if f.path not in self.files:
            from ..notebooks import source_lines

            try:
                self.files[f.path] = source_lines(Path(f.path).read_text("utf-8-sig"))
            except (OSError, ValueError):
                self.files[f.path] = {}
        lines = self.files[f.path].get(f.cell, [])
        if not 0 < f.line <= len(lines):
            return None
        start, end = lines[f.line - 1], lines[min(max(f.end_line, f.line), len(lines)) - 1]
        return {"startLine": start, "endLine": max(start, end)}


def location(f, notebooks: NotebookLines) -> dict:
    where = {"artifactLocation": {"uri": uri(f.path)}}
    found = region(f) if f.cell is None else notebooks.region(f)
    if found is not None:
        where["region"] = found
    return {"physicalLocation": where}


def log(findings, rules=()) -> dict:
    """The SARIF log as a dict: every selected rule is described, in order, whether or not it found anything."""
    described = list(rules)
    codes = {r.code for r in described}
    for code in sorted({f.code for f in findings} - codes):  # a finding of a rule not passed in: still described
        described.append(BY_CODE[code])
        codes.add(code)
    index = {r.code: i for i, r in enumerate(described)}
    notebooks = NotebookLines()
    results = []
    for f in findings:
        result = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": level(f.code),
            "message": {"text": message(f)},
            "locations": [location(f, notebooks)],
        }
        if f.cell is not None:
            result["properties"] = {"cell": f.cell}
        results.append(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cnnlint",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [descriptor(r) for r in described],
            }},
            "columnKind": "unicodeCodePoints",  # columns count characters, as Python's str does
            "results": results,
        }],
    }


def write(findings, out: TextIO, rules=()) -> None:
    json.dump(log(findings, rules), out, indent=2)  # ASCII: safe whatever the output's encoding
    out.write("\n")
