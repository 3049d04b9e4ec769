"""Positions from CPython's ast agree with libcst's metadata for every node kind cnnlint locates."""
from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from cnnlint.analysis.positions import KINDS, positions
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
