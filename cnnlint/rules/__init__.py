"""The rule catalog: every ``cnnNNN_*.py`` module here holds one rule (``RULE``); its page is in
the top-level rules/ folder. Adding a rule is adding a module and a page."""
from __future__ import annotations

import importlib
import pkgutil
from typing import Iterable

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
    return selected([(select or None, (), ignore)])


Layer = tuple["tuple[str, ...] | None", "tuple[str, ...]", "tuple[str, ...]"]  # select, extend-select, ignore


def selected(layers: Iterable[Layer]) -> tuple[Rule, ...]:
    """The rules chosen by layers of (select, extend-select, ignore), the configuration file's first,
    then the command line's, as ruff chooses them.

    A layer that sets ``select`` starts afresh (the layers below, their ``ignore`` too, no longer
    count); one that does not adds its ``extend-select`` to what the layers below chose and takes
    its ``ignore`` away. Within a layer the more specific pattern wins (``CNN101`` over ``CNN1``
    over ``ALL``), and between equally specific ones ``ignore`` wins. With no ``select`` anywhere,
    the rules that are on by default are chosen.
    """
    chosen = {r.code for r in ALL_RULES if r.default}
    carried: tuple[str, ...] = ()  # `select = []` with an `ignore`: the ignore holds for the next layer
    for select, extend, ignore in layers:
        ignores, carried = ignore + carried, ()
        updates: dict[str, bool] = {}
        patterns = [(p, True) for p in (select or ()) + extend] + [(p, False) for p in ignores]
        for pattern, on in sorted(patterns, key=lambda item: _specificity(item[0])):  # stable: ignore last
            updates.update((r.code, on) for r in ALL_RULES if matches(r.code, (pattern,)))
        if select is not None:
            chosen = {code for code, on in updates.items() if on}
            if not select and not extend and ignore:
                carried = ignore
        else:
            chosen = (chosen | {c for c, on in updates.items() if on}) - {c for c, on in updates.items() if not on}
    return tuple(r for r in ALL_RULES if r.code in chosen)


def _specificity(pattern: str) -> int:
    return 0 if pattern == "ALL" else len(pattern)
