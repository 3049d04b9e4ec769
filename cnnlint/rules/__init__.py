"""The rule catalog: every ``cnnNNN_*.py`` module here holds one rule (``RULE``); its page is in
the top-level rules/ folder. Adding a rule is adding a module and a page."""
from __future__ import annotations

import importlib
import pkgutil

from .base import Rule

ALL_RULES: tuple[Rule, ...] = tuple(sorted(
    (importlib.import_module(f"{__name__}.{m.name}").RULE for m in pkgutil.iter_modules(__path__)
     if m.name.startswith("cnn")),
    key=lambda r: r.code,
))
BY_CODE = {r.code: r for r in ALL_RULES}


def matches(code: str, patterns: tuple[str, ...]) -> bool:
    """``CNN1`` selects CNN101..CNN105; ``ALL`` selects everything."""
    return any(p == "ALL" or code.startswith(p) for p in patterns)


def choose(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    return tuple(r for r in ALL_RULES if (not select or matches(r.code, select)) and not matches(r.code, ignore))
