"""Code that does not parse, left out piece by piece so the rest is still analysed.

A notebook with one unfinished cell (an exercise's blank, an unclosed bracket) is still a
notebook: Jupyter runs its other cells. The cells that do not parse are left out, and so is the
one top-level statement of a ``.py`` file that does not (a file with several is not Python 3 code
at all, Python 2 for one: it stays one CNN000); each is reported as CNN000 at its own place. Names the
left-out code would have assigned become unknown (``x = ...`` lines are kept as ``x = <unknown>``),
so nothing after it is judged on facts that code might have changed. Line numbers do not move.
"""
from __future__ import annotations

import re

MAX_LEFT_OUT = 8  # pieces left out of one file before it is given up as a whole
UNKNOWN_NAME = "__cnnlint_left_out__"  # never bound: evaluates to unknown
ASSIGNED = re.compile(r"^([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*(?:[-+*/%@&|^]|//|\*\*|>>|<<)?=(?!=)")
DEFINED = re.compile(r"^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)")
# A line at column 0 that continues the statement before it
CONTINUES = re.compile(r"^(?:[)\]}]|else\b|elif\b|except\b|finally\b|case\b|#|$)")


def pieces(lines: list[str], cell_starts: tuple[int, ...] | None) -> list[tuple[int, int]]:
    """(first, last) 1-based lines of each piece: the cells of a notebook, else top-level statements."""
    if cell_starts:
        bounds = list(cell_starts) + [len(lines) + 1]
        return [(bounds[i], bounds[i + 1] - 1) for i in range(len(bounds) - 1) if bounds[i] <= len(lines)]
    starts = [i + 1 for i, line in enumerate(lines) if line[:1] not in ("", " ", "\t", "\n", "\r")
              and not CONTINUES.match(line)]
    if not starts or starts[0] != 1:
        starts = [1] + starts
    bounds = starts + [len(lines) + 1]
    return [(bounds[i], bounds[i + 1] - 1) for i in range(len(bounds) - 1)]


def left_out(text: str, reason, cell_starts: tuple[int, ...] | None = None):
    """The text with the pieces that do not parse left out, and (message, line, column) for each;
    None when that does not make the text parse. ``reason(text)`` is CPython's (message, line, column),
    or None when the text parses."""
    lines = text.splitlines(keepends=True)
    spans = pieces(lines, cell_starts)
    dropped: list[tuple[str, int, int]] = []
    done: set[tuple[int, int]] = set()
    # A script with one bad statement is a slip; one with several (Python 2 code) is not Python 3 at all
    for _ in range(MAX_LEFT_OUT if cell_starts else 1):
        problem = reason("".join(lines))
        if problem is None:
            return "".join(lines), dropped
        message, line, column = problem
        span = next((s for s in spans if s[0] <= line <= s[1]), None)
        if span is None or span in done or len(done) + 1 >= len(spans):
            return None  # nothing to leave out, or it would leave nothing
        done.add(span)
        for i in range(span[0] - 1, span[1]):
            lines[i] = placeholder(lines[i])
        dropped.append((message, line, column))
    return ("".join(lines), dropped) if reason("".join(lines)) is None else None


def placeholder(line: str) -> str:
    """What stands for one left-out line: its assignment to an unknown value, or nothing."""
    ending = line[len(line.rstrip("\r\n")):] or "\n"
    found = ASSIGNED.match(line) or DEFINED.match(line)
    return f"{found.group(1)} = {UNKNOWN_NAME}{ending}" if found else ending
