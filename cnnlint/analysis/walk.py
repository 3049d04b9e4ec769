"""Read-only walks over libcst trees, without libcst's visitor machinery.

``node.visit(visitor)`` rebuilds and re-validates every node it passes (a transformer's
contract), which for a read-only walk costs more than parsing the module. These walks read
the nodes' fields directly.

The children come in libcst's own visiting order, which is source order and differs from the
order of the fields (``IfExp`` visits ``body`` before ``test``). That order is learned from
libcst itself: the first node of each type and shape (which fields hold nodes) is visited one
level deep by libcst, and the order of its fields is remembered. A shape whose order cannot be
read off unambiguously is visited by libcst every time.

Layout is left out: whitespace, comments, punctuation and operator tokens (``LAYOUT``), two thirds
of the nodes of real code, hold nothing the analysis looks for (no name, call or expression).
"""
from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterator

import libcst as cst

_FIELDS: dict[type, tuple[str, ...]] = {}
_NODE_TYPES: dict[type, bool] = {}  # isinstance() on libcst's abstract node class is slow
_SEQUENCES = (tuple, list)
_ORDER: dict[tuple, tuple[str, ...] | None] = {}  # (type, shape) -> field order; None: ask libcst each time


def _layout() -> frozenset[type]:
    """libcst's whitespace, comment, punctuation and operator node types (those its ``op`` and
    ``whitespace`` modules define) and the brackets."""
    import inspect

    tokens = {c for c in vars(cst).values() if inspect.isclass(c) and issubclass(c, cst.CSTNode)
              and c.__module__.rsplit(".", 1)[-1] in ("op", "whitespace")}
    brackets = {cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace,
                cst.RightCurlyBrace}
    return frozenset(tokens | brackets)


LAYOUT = _layout()  # whitespace, comments, punctuation, operator tokens: leaves of the layout


def _layout_only(annotation) -> bool:
    """Whether a field's declared type admits no node but layout (``whitespace_after: SimpleWhitespace``,
    ``comma: Comma | MaybeSentinel``, ``lpar: Sequence[LeftParen]``); unsure (a forward reference): no."""
    if annotation in (str, type(None), cst.MaybeSentinel):
        return True
    if isinstance(annotation, type):
        return annotation in LAYOUT or not issubclass(annotation, cst.CSTNode) and annotation is not object
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return True
    return bool(args) and all(_layout_only(a) for a in args)


def _is_node(kind: type) -> bool:
    """Whether ``kind`` is a libcst node that is not layout."""
    known = _NODE_TYPES.get(kind)
    if known is None:
        known = _NODE_TYPES[kind] = issubclass(kind, cst.CSTNode) and kind not in LAYOUT
    return known


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The node's children, in source order, layout left out."""
    kind = type(node)
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind) if not _layout_only(f.type))
    held: dict[str, tuple | list] = {}
    for name in names:
        value = getattr(node, name)
        if _is_node(type(value)):
            held[name] = (value,)
        elif type(value) in _SEQUENCES and value and _is_node(type(value[0])):
            held[name] = value
    shape = (kind, *held)
    if shape not in _ORDER:
        _ORDER[shape] = _learn([c for c in _libcst_children(node) if _is_node(type(c))], held)
    order = _ORDER[shape]
    if order is None:
        return [child for child in _libcst_children(node) if _is_node(type(child))]
    return [child for name in order for child in held[name]]


def walk(node: cst.CSTNode, into: Callable[[cst.CSTNode], bool] = lambda n: True) -> Iterator[cst.CSTNode]:
    """``node`` and its descendants, pre-order in source order; ``into(n)`` False skips n's subtree."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if into(current):
            stack.extend(reversed(children(current)))


class _OneLevel(cst.CSTVisitor):
    def __init__(self):
        super().__init__()
        self.seen: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.seen.append(node)
        return False


def _libcst_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """libcst's own list of the node's children, layout included."""
    probe = _OneLevel()
    node._visit_and_replace_children(probe)
    return probe.seen


def _learn(seen: list[cst.CSTNode], held: dict[str, tuple | list]) -> tuple[str, ...] | None:
    """The field order that lists exactly ``seen``, or None when there is none or it is ambiguous."""
    owner: dict[int, str] = {}
    for name, values in held.items():
        for value in values:
            if id(value) in owner:  # one object in two places: cannot tell
                return None
            owner[id(value)] = name
    order: list[str] = []
    for child in seen:
        name = owner.get(id(child))
        if name is None:
            return None
        if name not in order:
            order.append(name)
    listed = [child for name in order for child in held[name]]
    same = len(listed) == len(seen) and all(a is b for a, b in zip(listed, seen))
    return tuple(order) if same else None
