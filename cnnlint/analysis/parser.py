"""libcst's parser, without validating again the nodes it builds from code it has just accepted.

libcst checks every node when it is built (``CSTNode.__post_init__`` calls ``_validate``: a regular
expression on each piece of whitespace, the brackets of each expression...). That check is for
nodes a program puts together, and its parser builds hundreds of thousands per module from code
its grammar has accepted; libcst's own source notes that parsing need not validate. ``parse``
skips the check for the nodes built during the parse of code CPython has parsed too (where the
check could only fail on libcst's own bugs), on the calling thread only: nodes built anywhere
else (the fixes, another thread of the language server) are validated as before. The trees are
the same (tested against libcst's validated parse).
"""
from __future__ import annotations

import threading

import libcst as cst

_parsing = threading.local()
_validated_post_init = cst.CSTNode.__post_init__


def _post_init(node: cst.CSTNode) -> None:
    if not getattr(_parsing, "active", False):
        _validated_post_init(node)


cst.CSTNode.__post_init__ = _post_init


def parse(text: str, validate: bool = True) -> cst.Module:
    """``libcst.parse_module(text)``, raising what it raises; ``validate=False`` for code CPython parses."""
    if validate:
        return cst.parse_module(text)
    _parsing.active = True
    try:
        return cst.parse_module(text)
    finally:
        _parsing.active = False
