"""The runtime report as text (for people) and as a dict (``--format json``)."""
from __future__ import annotations

import os
from collections import Counter

from .. import __version__
from ..report.summary import plural
from .link import STATUSES


def shown(path: str) -> str:
    """Relative to the current folder when inside it, as the linter prints paths."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def render(report) -> str:
    sites, found = report.sites, report.findings
    lines = ["", "cnnlint run: what reached the models"]
    if not sites:
        lines.append("no Keras or PyTorch model was called.")
    for site in sites:
        lines.extend(_site(site, report))
    if found:
        lines.extend(["", "Observed problems:"])
        lines.extend(f"{report.where(f.path, f.line)}: {f.code} {f.message}" for f in found)
    if report.static:
        lines.extend(["", "Static findings for the script, against what the run observed:"])
        for linked in report.static:
            f = linked.finding
            where = f"{f.path}:cell {f.cell}:{f.line}:{f.column}" if f.cell else f"{f.path}:{f.line}:{f.column}"
            lines.append(f"{where}: {f.code} {f.message}")
            see = ", see above" if linked.observed is not None else ""
            lines.append(f"    -> {linked.status}" + (f": {linked.evidence}{see}" if linked.evidence else ""))
    lines.extend(f"cnnlint: warning: {failure} (please report this bug)" for failure in report.failures)
    lines.extend(["", summary(report)])
    return "\n".join(lines)


def summary(report) -> str:
    """``1 problem, seen at 1 of 3 model call sites; static findings: 1 confirmed.``"""
    found, sites = report.findings, report.sites
    at = len({(f.path, f.line, f.entry) for f in found})
    calls = plural(len(sites), "model call site")
    if found:
        text = f"{plural(len(found), 'problem')}, seen at " + (f"{at} of {calls}" if at != len(sites) else calls)
    else:
        text = f"No problem seen at {calls}" if sites else "No Keras or PyTorch model was called"
    hidden = report.suppressed
    if hidden:
        text += f" ({len(hidden)} suppressed)"
    if report.static:
        counts = Counter(linked.status for linked in report.static)
        text += "; static findings: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
    return text + "."


def inputs(site) -> str:
    """``96x96x3 images, 2 batches``; ``96x96x3, a single image (no batch axis)``."""
    parts = []
    for shape, n in site.shapes.most_common(4):
        size, singles = "x".join(map(str, shape)), site.singles[shape]
        if n > singles:
            parts.append(f"{size} images, {plural(n - singles, 'batch', 'batches')}")
        if singles:
            parts.append(f"{size}, {'a single image' if singles == 1 else f'{singles} single images'} (no batch axis)")
    return "; ".join(parts)


def _site(site, report) -> list[str]:
    out = [f"{report.where(site.path, site.line)}: {site.label}: {plural(site.calls, 'call')}"]
    if site.torch is not None:
        out.append(f"    weights: {site.torch.describe}")
        if site.train_mode_inference:
            out.append(f"    {plural(site.train_mode_inference, 'call')} in training mode with gradients off")
    if site.app is not None:
        front = f", after {' -> '.join(site.front)}" if site.front else ""
        out.append(f"    base model: {site.app.describe}{front}" +
                   ("" if site.front_known else " (its input could not be followed through the layers in front)"))
    elif site.torch is None:
        out.append("    base model: not identified (no keras application built while watched or found in its "
                   "layers): only the checks that need no family apply")
    if site.shapes:
        out.append(f"    input: {inputs(site)}; dtype {', '.join(site.dtypes)}")
    stats = site.stats
    if stats is not None and stats.values.count:
        v = stats.values
        given = f"    {plural(stats.images, 'image')}" + (f", {stats.distinct} distinct" if site.inference else "")
        out.append(given + (f"; values measured on {stats.measured} of them, after the layers in front"
                            if stats.measured != stats.images else ""))
        out.append("    channel        min        max       mean        std")
        for c in range(v.channels):
            out.append(f"    {c:>7} {v.low[c]:10.4g} {v.high[c]:10.4g} {v.mean[c]:10.4g} {v.std[c]:10.4g}")
    if site.unobserved:
        out.append(f"    {plural(site.unobserved, 'input')} cnnlint could not read (several inputs, dicts, "
                   "channels-first arrays, batches made in worker processes)")
    if site.classifier:  # a feature extractor's outputs have no classes
        top = ", ".join(f"{k} ({n})" for k, n in site.predictions.top1.most_common(5))
        out.append(f"    top-1 classes of {plural(site.predictions.count, 'prediction')}: {top}")
    return out


def as_dict(report) -> dict:
    from .verdicts import numbers

    return {
        "version": __version__,
        "sites": [
            {**_placed({"path": shown(s.path), "line": s.line}, report, s.path), "entry": s.entry, "model": s.model,
             "base": None if s.app is None else {
                 "name": s.app.name, "family": s.app.family, "mode": s.app.mode, "weights": s.app.weights,
                 "include_top": s.app.include_top, "input_shape": list(s.app.input_shape),
                 "include_preprocessing": s.app.include_preprocessing},
             "torch": None if s.torch is None else {
                 "name": s.torch.name, "weights": s.torch.weights, "kind": s.torch.kind, "mean": s.torch.mean,
                 "std": s.torch.std, "crop": s.torch.crop, "calls_in_training_mode": s.train_mode_inference},
             "front": list(s.front), "measured": numbers(s)}
            for s in report.sites
        ],
        "findings": [_placed({**f.as_dict(), "path": shown(f.path)}, report, f.path) for f in report.findings],
        "suppressed": [_placed({**f.as_dict(), "path": shown(f.path)}, report, f.path) for f in report.suppressed],
        "static": [linked.as_dict() for linked in report.static],
        "failures": report.failures,
    }


def _placed(entry: dict, report, path: str) -> dict:
    """A JSON entry's line, and cell (null outside notebooks), as the static findings give them."""
    program = report.programs.get(path)
    cell, line = program.place(entry["line"]) if program is not None else (None, entry["line"])
    return {**entry, "line": line, "cell": cell}
