"""Source positions of the nodes the analysis reports, without libcst's position metadata.

libcst's PositionProvider regenerates the code of the whole module to find positions, which
costs more than parsing and analysing together. cnnlint only needs the positions of a few node
kinds (calls, operators, comparisons). CPython's ``ast`` has them for free: the nodes of each
kind are matched in source order, libcst's pre-order against ast's sorted starts. When the two
trees disagree on a count, ``None`` is returned and the caller falls back to libcst's metadata.
Nodes inside f-strings are left out on both sides (CPython before 3.12 places them unreliably).
"""
from __future__ import annotations

import ast
import warnings
from typing import NamedTuple

import libcst as cst

from .walk import walk

# libcst node type -> ast node type(s) with the same meaning
KINDS = {
    cst.Call: (ast.Call,),
    cst.BinaryOperation: (ast.BinOp,),
    cst.UnaryOperation: (ast.UnaryOp,),
    cst.Comparison: (ast.Compare,),
    cst.AugAssign: (ast.AugAssign,),
}


class Point(NamedTuple):
    line: int
    column: int  # 0-based, in characters


class Range(NamedTuple):
    start: Point
    end: Point


def collect(module: cst.Module) -> dict[type, list[cst.CSTNode]]:
    """The nodes of the kinds in KINDS, in source order, leaving out f-strings; and under
    ``FormattedString`` the f-strings themselves (so what they hold can be walked on its own). One walk
    of the tree, shared with ModuleState.called_names."""
    found: dict[type, list[cst.CSTNode]] = {kind: [] for kind in (*KINDS, cst.FormattedString)}
    for node in walk(module, into=lambda n: type(n) is not cst.FormattedString):
        bucket = found.get(type(node))
        if bucket is not None:
            bucket.append(node)
    return found


MAX_NESTING = 1000  # AST levels; real code stays under 50, CPython refuses about 3000


class TooDeep(Exception):
    """Code nested deeper than MAX_NESTING (``-----...1``, ``a.b.b.b...``, ``f()()()...``).

    libcst's parser needs time cubic in the depth: 13 s at 4,000 levels, minutes at 10,000, which
    CPython itself refuses to run. CPython's parser finds the depth in milliseconds, so it is asked first.
    """

    def __init__(self):
        super().__init__(f"expressions nested more than {MAX_NESTING} levels deep")


# Where CPython places a node: (line, column, -end line, -end column); sorted, the source order of
# libcst's pre-order walk (an enclosing node first).
Place = tuple[int, int, int, int]


class Index(NamedTuple):
    """What CPython's tree tells of a module before libcst parses it."""
    places: dict[type, list[Place]]  # where CPython places the nodes of the kinds in KINDS
    called: frozenset[str]  # the names the module calls (``f(...)``, ``obj.f(...)``), f-strings included


# Nodes without fields (Load, Store, Add, Not, Eq...): never walked into, but they count for the depth.
LEAVES = frozenset(kind for base in (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)
                   for kind in base.__subclasses__())


def index(text: str) -> Index | None:
    """Where CPython places the nodes of the kinds in KINDS, and the names called, or None when
    CPython cannot parse ``text``.

    Raises TooDeep (before libcst ever sees the text) when CPython's parser runs out of stack or
    the tree is deeper than MAX_NESTING. Nodes inside f-strings are left out of the places (CPython
    before 3.12 places them unreliably) but count for the depth and for the names called.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (RecursionError, MemoryError):  # CPython's parser stack: thousands of levels
        raise TooDeep() from None
    except (SyntaxError, ValueError):
        return None
    found: dict[type, list[Place]] = {kind: [] for kinds in KINDS.values() for kind in kinds}
    called: set[str] = set()
    todo: list[tuple[ast.AST, int, bool]] = [(tree, 1, False)]
    pop, push, AST, JoinedStr, Call = todo.pop, todo.append, ast.AST, ast.JoinedStr, ast.Call
    while todo:
        node, depth, in_fstring = pop()
        kind = type(node)
        if kind is JoinedStr:
            in_fstring = True
        elif kind is Call:
            func = node.func
            if type(func) is ast.Name:
                called.add(func.id)
            elif type(func) is ast.Attribute:
                called.add(func.attr)
        bucket = found.get(kind)
        if bucket is not None and not in_fstring:
            bucket.append((node.lineno, node.col_offset, -node.end_lineno, -node.end_col_offset))
        depth += 1  # of the children
        for field in node._fields:
            value = getattr(node, field, None)
            for child in (value if type(value) is list else (value,)):
                if isinstance(child, AST):
                    if depth > MAX_NESTING:
                        raise TooDeep()
                    if type(child) not in LEAVES:
                        push((child, depth, in_fstring))
    return Index(found, frozenset(called))


def positions(module: cst.Module, text: str, theirs: Index | None = None,
              collected: dict[type, list[cst.CSTNode]] | None = None) -> dict[cst.CSTNode, Range] | None:
    """Positions of the calls, operators and comparisons of ``module``, or None if unsure.

    ``theirs`` is ``index(text)``, ``collected`` is ``collect(module)``, when the caller already has them.
    """
    if theirs is None:
        try:
            theirs = index(text)
        except TooDeep:
            return None
    if theirs is None:
        return None
    places = theirs.places
    collected = collected if collected is not None else collect(module)
    lines = text.splitlines()
    out: dict[cst.CSTNode, Range] = {}
    for kind, ast_kinds in KINDS.items():
        ours = collected[kind]
        matched = sorted(place for k in ast_kinds for place in places[k])
        if len(ours) != len(matched):
            return None
        for node, (line, column, end_line, end_column) in zip(ours, matched):
            out[node] = Range(Point(line, _chars(lines, line, column)),
                              Point(-end_line, _chars(lines, -end_line, -end_column)))
    return out


def _chars(lines: list[str], line: int, offset: int) -> int:
    """ast counts UTF-8 bytes; findings count characters."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text.encode("utf-8")[:offset].decode("utf-8", "replace")) if not text.isascii() else offset
