"""Findings seen under alternatives: which of them hold on a real run, and the words that say when.

The analysis follows a choice the code makes (a model picked in an if/else, a dict of
constructors indexed by a command-line argument, the items of a loop over models) one
alternative at a time, and records what each alternative sees. A finding at one place is kept
when it holds for every record there, or for every record of one alternative: that alternative is
a possible run, so the bug is real. A finding that only holds for some combinations of two
independent choices is dropped: those combinations may never run together.
"""
from __future__ import annotations

from itertools import chain


def real_runs(module, reports: list[tuple]) -> list[tuple]:
    """``reports`` as (code, record, node, message, offered); those that hold on a real run, the
    message naming the alternatives when the finding does not hold for all of them."""
    seen_at: dict[tuple, list] = {}
    for record in chain(module.sinks, module.events, module.renormalised):
        seen_at.setdefault((id(record.node), _kind(record)), []).append(record)
    grouped: dict[tuple, list[tuple]] = {}
    for report in reports:
        grouped.setdefault((id(report[2]), report[0]), []).append(report)
    kept = []
    for group in grouped.values():
        contexts = [getattr(record, "context", ()) for _, record, *_ in group]
        if not all(contexts):  # seen on a plain path: as it is
            kept += group
            continue
        code, record, node, message, offered = group[0]
        triggered = {id(r) for _, r, *_ in group}
        everything = seen_at.get((id(node), _kind(record)), [])
        if all(id(r) in triggered for r in everything):
            kept.append(group[0])  # on every run
            continue
        holding = []
        for alternative in dict.fromkeys(a for c in contexts for a in c):
            runs = [r for r in everything if alternative in r.context]
            if runs and all(id(r) in triggered for r in runs):
                holding.append(alternative)
        if holding:
            kept.append((code, record, node, f"{message} ({when(holding)})", offered))
    return kept


def same_input(module, reports: list[tuple]) -> list[tuple]:
    """One root cause used in many places (the same generator fitted, evaluated and predicted on):
    every place is reported, the later ones pointing at the first (``same input as line 36``)."""
    first: dict[tuple, object] = {}
    out = []
    for code, record, node, message, offered in sorted(reports, key=lambda r: getattr(r[1], "order", 0)):
        seen = getattr(record, "seen", None)
        if seen is None or getattr(record, "place", None) is None:
            out.append((code, record, node, message, offered))
            continue
        key = (code, record.arg, seen.origin, seen.steps)
        earlier = first.setdefault(key, record)
        if earlier is not record and earlier.place != record.place:
            message = f"{message} (same input as {earlier.place.text(module.display)})"
        out.append((code, record, node, message, offered))
    return out


def when(alternatives: list) -> str:
    """``for VGG16 and ResNet50 (2 of the 23) in `models```, ``when `args.weights` is 'imagenet'``."""
    by_choice: dict = {}
    for a in alternatives:
        by_choice.setdefault(a.by, []).append(a)
    parts = []
    for same in by_choice.values():
        labels = list(dict.fromkeys(a.label for a in same))
        shown = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        if len(labels) > 1 and same[0].of > 2:
            shown += f" ({len(labels)} of the {same[0].of})"
        parts.append(same[0].words.format(shown))
    return "; ".join(parts)


def _kind(record) -> str:
    return getattr(record, "kind", type(record).__name__)
