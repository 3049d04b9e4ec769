"""The runtime report as text (for people) and as a dict (``--format json``)."""
from __future__ import annotations

import os
from collections import Counter

from .. import __version__
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
        lines.extend(_site(site))
    if found:
        lines.extend(["", "Observed problems:"])
        lines.extend(f"{shown(f.path)}:{f.line}: {f.code} {f.message}" for f in found)
    if report.static:
        lines.extend(["", "Static findings for the script, against what the run observed:"])
        for linked in report.static:
            f = linked.finding
            where = f"{f.path}:cell {f.cell}:{f.line}:{f.column}" if f.cell else f"{f.path}:{f.line}:{f.column}"
            lines.append(f"{where}: {f.code} {f.message}")
            lines.append(f"    -> {linked.status}" + (f": {linked.evidence}" if linked.evidence else ""))
    lines.extend(f"cnnlint: warning: {failure} (please report this bug)" for failure in report.failures)
    lines.extend(["", summary(report)])
    return "\n".join(lines)


def summary(report) -> str:
    found = report.findings
    text = f"{len(found)} problem{'s' * (len(found) != 1)} observed at {len(report.sites)} model call site" \
           f"{'s' * (len(report.sites) != 1)}"
    if report.static:
        counts = Counter(linked.status for linked in report.static)
        text += "; static findings: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
    return text + "."


def _site(site) -> list[str]:
    out = [f"{shown(site.path)}:{site.line}: {site.label}: {site.calls} call{'s' * (site.calls != 1)}"]
    if site.torch is not None:
        out.append(f"    weights: {site.torch.describe}")
        if site.train_mode_inference:
            out.append(f"    {site.train_mode_inference} call{'s' * (site.train_mode_inference != 1)} in training "
                       "mode with gradients off")
    if site.app is not None:
        front = f", after {' -> '.join(site.front)}" if site.front else ""
        out.append(f"    base model: {site.app.describe}{front}" +
                   ("" if site.front_known else " (its input could not be followed through the layers in front)"))
    if site.shapes:
        shapes = ", ".join(f"{'x'.join(map(str, s))} ({n} batch{'es' * (n != 1)})" for s, n in site.shapes.most_common(4))
        out.append(f"    input: {shapes}; dtype {', '.join(site.dtypes)}")
    stats = site.stats
    if stats is not None and stats.values.count:
        v = stats.values
        given = f"    {stats.images} images" + (f", {stats.distinct} distinct" if site.inference else "")
        out.append(given + (f"; values measured on {stats.measured} of them, after the layers in front"
                            if stats.measured != stats.images else ""))
        out.append("    channel        min        max       mean        std")
        for c in range(v.channels):
            out.append(f"    {c:>7} {v.low[c]:10.4g} {v.high[c]:10.4g} {v.mean[c]:10.4g} {v.std[c]:10.4g}")
    if site.unobserved:
        out.append(f"    {site.unobserved} input{'s' * (site.unobserved != 1)} cnnlint could not read (several "
                   "inputs, dicts, channels-first arrays, batches made in worker processes)")
    if site.predictions.count:
        top = ", ".join(f"{k} ({n})" for k, n in site.predictions.top1.most_common(5))
        out.append(f"    top-1 classes of {site.predictions.count} predictions: {top}")
    return out


def as_dict(report) -> dict:
    from .verdicts import numbers

    return {
        "version": __version__,
        "sites": [
            {"path": shown(s.path), "line": s.line, "entry": s.entry, "model": s.model,
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
        "findings": [{**f.as_dict(), "path": shown(f.path)} for f in report.findings],
        "static": [linked.as_dict() for linked in report.static],
        "failures": report.failures,
    }
