"""The static findings for the script, each marked by what the run observed.

A static finding points into a model call (its input argument, usually); the run knows the
line each call was made from. Both are matched through the call expressions of the file
(CPython's ``ast``, so a call written over several lines still matches; in a notebook, of its
code cells joined). The value codes are one bug seen from two sides: a static CNN105 (uint8
wrap-around, convert_image_dtype) or CNN103 is confirmed by the wrong values the run measured.
"""
from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from functools import cache

from .verdicts import RuntimeFinding, pretrained_base, recognise

# any of them shows in the values that reach the model
VALUE_CODES = frozenset({"CNN101", "CNN102", "CNN103", "CNN104", "CNN105", "CNN601", "CNN602", "CNN603"})
SHAPE_CODES = frozenset({"CNN201", "CNN202", "CNN203", "CNN204"})

CONFIRMED, CONTRADICTED, NOT_REACHED, NOT_OBSERVABLE = (
    "confirmed", "contradicted", "not reached", "not observable at run time")
STATUSES = (CONFIRMED, CONTRADICTED, NOT_REACHED, NOT_OBSERVABLE)


@dataclass(frozen=True)
class Linked:
    finding: object  # cnnlint.lint.Finding
    status: str
    evidence: str = ""
    observed: RuntimeFinding | None = None  # the runtime finding that confirms it

    def as_dict(self) -> dict:
        return {**self.finding.as_dict(), "status": self.status, "evidence": self.evidence,
                "observed": None if self.observed is None else {"code": self.observed.code, "line": self.observed.line}}


def link(static: list, report) -> list[Linked]:
    return [_link(f, report) for f in static]


def _link(finding, report) -> Linked:
    path = os.path.abspath(finding.path)
    program = report.programs.get(path)
    line = program.cells.line_of(finding.cell, finding.line) if finding.cell is not None and program else finding.line
    spans = _calls(program.text if program is not None else _text(path)) if finding.cell is None or program else ()
    here = [s for s in report.sites if _same(s.path, path) and any(
        lo <= line <= hi and lo <= s.line <= hi for lo, hi in spans)]
    codes = VALUE_CODES if finding.code in VALUE_CODES else {finding.code}
    if finding.code not in VALUE_CODES | SHAPE_CODES | {"CNN401", "CNN604"}:
        return Linked(finding, NOT_OBSERVABLE)
    if not here:  # these codes are reported on the input of a model call: that call never ran
        return Linked(finding, NOT_REACHED)
    observed = report.findings
    for site in here:
        seen = [o for o in observed if o.code in codes and _same(o.path, site.path) and o.line == site.line]
        if seen:
            return Linked(finding, CONFIRMED, f"observed {seen[0].code} at {report.where(site.path, site.line)}",
                          seen[0])
        stats = site.stats
        if finding.code == "CNN401" and stats is not None and stats.hashed >= 2 and stats.distinct < stats.hashed:
            return Linked(finding, CONFIRMED, f"{stats.hashed} images reached {site.label} over {site.calls} "
                                              f"calls, only {stats.distinct} distinct")
    decidable = [s for s in here if _decidable(s, finding.code)]
    if decidable:
        site = decidable[0]
        calls = f"{site.calls} call{'s' * (site.calls != 1)}"
        return Linked(finding, CONTRADICTED, f"{calls} of {site.label} observed; the input showed no such problem")
    return Linked(finding, NOT_OBSERVABLE, "the call was reached, but its input could not be measured")


def _decidable(site, code: str) -> bool:
    """Whether what reached the site could have shown the problem: values no mode explains
    (blank images) cannot, nor can inputs never measured."""
    stats = site.stats
    if stats is None or not stats.measured:
        return False
    if code == "CNN401":
        return stats.hashed >= 2
    if site.torch is not None:  # a PyTorch model with known weights: its values and mode were seen
        return code != "CNN604" or site.calls > 0
    if not pretrained_base(site):
        return False
    if code in VALUE_CODES:
        return recognise(float(stats.values.low.min()), float(stats.values.high.max())) is not None
    return True


def _same(a: str, b: str) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)


def _text(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


@cache
def _calls(text: str) -> tuple[tuple[int, int], ...]:
    """(first line, last line) of every call in the code."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return ()
    return tuple((node.lineno, node.end_lineno or node.lineno) for node in ast.walk(tree) if isinstance(node, ast.Call))
