"""Positions from CPython's ast agree with libcst's metadata for every node kind cnnlint locates,
and the fast tree walk visits nodes in libcst's own order."""
from __future__ import annotations

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from libcst.metadata import MetadataWrapper, PositionProvider

import ast

from cnnlint.analysis.positions import KINDS, MAX_NESTING, TooDeep, index, positions
from cnnlint.analysis.project import ModuleState, _dotted
from cnnlint.analysis.walk import LAYOUT, walk
from conftest import REPO

TRICKY = '''\
import numpy as np
@app.route("/predict", methods=["POST"])
def predict(x=f(g(1), h(2)), *, y=(a - b) / c):
    café = "é" * 3 + load("ünïcode.jpg")
    z = (model.predict(np.expand_dims(x, 0)))[0]
    w = [k(i) for i in range(3) if i > -1]
    v = lambda q: q(q(1)) + -q(2)
    s = f"{model.predict(x)} and {z!r:>{width(3)}}"
    t = a.b(c)(d)(e)
    u = not x < y <= z
    x += 1; x -= f(2)
    return (yield_(x)
            + 1)
'''


def libcst_positions(text: str) -> dict:
    wrapper = MetadataWrapper(cst.parse_module(text))
    found = wrapper.resolve(PositionProvider)
    ours = {}
    for node, where in found.items():
        if type(node) in KINDS:
            ours[node] = ((where.start.line, where.start.column), (where.end.line, where.end.column))
    return wrapper.module, ours


def sources():
    yield "tricky", TRICKY
    for path in sorted((REPO / "examples").rglob("*.py")):
        yield path.name, path.read_text()


@pytest.mark.parametrize("name, text", list(sources()), ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "")
def test_ast_positions_match_libcst(name, text):
    module, expected = libcst_positions(text)
    found = positions(module, text)
    assert found is not None
    inside_fstrings = {n for n in expected if n not in found}
    for node, (start, end) in expected.items():
        if node in inside_fstrings:
            continue
        got = found[node]
        assert (tuple(got.start), tuple(got.end)) == (start, end), module.code_for_node(node)
    assert all(module.code_for_node(n) in text for n in inside_fstrings)


class _Everything(cst.CSTVisitor):
    def __init__(self):
        super().__init__()
        self.seen: list[cst.CSTNode] = []

    def on_visit(self, node):
        self.seen.append(node)
        return True


def assert_walk_is_libcst_order(module: cst.Module) -> None:
    """The walk is libcst's own visit without the layout (whitespace, comments, punctuation, tokens)."""
    expected = _Everything()
    module.visit(expected)
    structural = [node for node in expected.seen if type(node) not in LAYOUT]
    found = list(walk(module))
    assert len(found) == len(structural)
    assert all(a is b for a, b in zip(found, structural))
    assert len(structural) < len(expected.seen) or not module.body  # there is layout, and it is left out


def test_layout_is_leaves_without_names():
    """What the walk leaves out holds nothing the analysis looks for: every node under a layout node
    is layout too (whitespace, comments, tokens), never a name, call or expression."""
    expected = _Everything()
    cst.parse_module(TRICKY + "x = [a ,b]  # note\nif (a) : pass\n").visit(expected)
    for node in expected.seen:
        if type(node) in LAYOUT:
            inside = _Everything()
            node.visit(inside)
            assert all(type(n) in LAYOUT for n in inside.seen), type(node)
    assert {cst.Comment, cst.Comma, cst.SimpleWhitespace, cst.LeftParen, cst.Add} <= LAYOUT


@pytest.mark.parametrize("name, text", list(sources()), ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "")
def test_walk_visits_every_node_in_libcst_order(name, text):
    assert_walk_is_libcst_order(cst.parse_module(text))


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(hypothesmith.from_node())
def test_walk_order_on_generated_programs(code):
    """Every node kind and shape libcst can produce, including the ones whose fields are not in source order."""
    assert_walk_is_libcst_order(cst.parse_module(code))


def libcst_called_names(module: cst.Module) -> set[str]:
    """What ModuleState finds walking libcst's tree, as it does when CPython cannot parse the text."""
    return ModuleState(REPO, "m", module, None, module.code).called_names()


@pytest.mark.parametrize("name, text", list(sources()), ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "")
def test_called_names_from_cpython_are_libcsts(name, text):
    """The names a module calls come from CPython's tree, read in the walk that places the nodes; they
    decide which functions run first. libcst's tree would give the same, f-strings and decorators included."""
    assert index(text).called == libcst_called_names(cst.parse_module(text))


@settings(max_examples=40, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(hypothesmith.from_node())
def test_called_names_on_generated_programs(code):
    try:
        found = index(code)
    except TooDeep:
        return
    if found is not None:  # CPython parses it too
        assert found.called == libcst_called_names(cst.parse_module(code))


def depth(tree: ast.AST) -> int:
    """The depth of CPython's tree, every node counted (contexts and operators too)."""
    return 1 + max((depth(child) for child in ast.iter_child_nodes(tree)), default=0)


@pytest.mark.parametrize("make", [
    lambda n: "x = " + "-" * n + "1",
    lambda n: "a" + ".b" * n,
    lambda n: "f" + "()" * n,
    lambda n: "x = " + "not " * n + "y",
    lambda n: "x = " + "+".join(["1"] * n),
    lambda n: "x = " + "a if b else " * n + "c",
], ids=["unary", "attributes", "calls", "not", "sum", "conditionals"])
def test_too_deep_exactly_past_max_nesting(make):
    """index() refuses a tree deeper than MAX_NESTING levels, counting the leaves it does not walk into."""
    import sys

    old = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)
    try:
        for n in range(MAX_NESTING - 12, MAX_NESTING + 4):
            code = make(n)
            deep = depth(ast.parse(code)) > MAX_NESTING
            if deep:
                with pytest.raises(TooDeep):
                    index(code)
            else:
                assert index(code) is not None
    finally:
        sys.setrecursionlimit(old)


@pytest.mark.parametrize("code", ["a", "a.b.c", "(a).b", "a . b", "a.\\\n b", "(a.b)", "f().b", "a.b[0]"])
def test_dotted_code_is_libcsts(code):
    module = cst.parse_module(f"x = {code}\n")
    node = module.body[0].body[0].value
    assert (_dotted(node) or module.code_for_node(node)) == module.code_for_node(node)


def assert_parsed_as_libcst_validates(code: str) -> None:
    from cnnlint.analysis import parser

    fast = parser.parse(code, validate=False)
    assert fast.deep_equals(cst.parse_module(code))
    assert fast.code == code


@pytest.mark.parametrize("name, text", list(sources()), ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "")
def test_unvalidated_parse_is_libcsts(name, text):
    assert_parsed_as_libcst_validates(text)


@settings(max_examples=40, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(hypothesmith.from_node())
def test_unvalidated_parse_on_generated_programs(code):
    assert_parsed_as_libcst_validates(code)


def test_nodes_built_outside_a_parse_are_still_validated():
    import threading

    from cnnlint.analysis import parser

    with pytest.raises(cst.ParserSyntaxError):
        parser.parse("x = = 1\n", validate=False)
    with pytest.raises(cst.CSTValidationError):  # the failed parse turned validation back on
        cst.Name("")
    outcome = []

    def elsewhere():  # another thread (a fix in the language server) while this one parses
        try:
            cst.Name("")
        except cst.CSTValidationError:
            outcome.append("validated")

    parser._parsing.active = True  # as in the middle of parser.parse on this thread
    try:
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
    finally:
        parser._parsing.active = False
    assert outcome == ["validated"]
