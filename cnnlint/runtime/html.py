"""``cnnlint run --html``: one self-contained page, a picture per model call site.

Left: the histogram of the values that arrived, one colour per channel, over the band the
model's family expects (shaded). Right, for a classifier (softmax outputs): how often each
class came out on top. A model fed 0..255 pixels where it wants [-1, 1] shows at a glance: the
histogram sits far right of the band and one bar holds every prediction. A call site where no
image values were measured gets no picture; a feature extractor, no class chart.
"""
from __future__ import annotations

import base64
import html
import io
import warnings
from pathlib import Path

import numpy as np

from ..knowledge import knowledge
from ..report.summary import plural
from .text import inputs, summary

COLOURS = ("#d62728", "#2ca02c", "#1f77b4", "#7f7f7f")  # channel 0, 1, 2 (R, G, B when RGB), others
STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; border-top: 1px solid #ddd; padding-top: 1em; }
code { background: #f3f3f3; padding: 0 .25em; }
.finding { background: #fdecea; border-left: 4px solid #d62728; padding: .4em .8em; margin: .4em 0; }
.ok { background: #eaf6ec; border-left: 4px solid #2ca02c; padding: .4em .8em; }
table { border-collapse: collapse; margin: .5em 0; } td, th { padding: .15em .8em; text-align: right; }
th { border-bottom: 1px solid #aaa; } img { max-width: 100%; }
.static td, .static th { text-align: left; vertical-align: top; }
"""


def write(report, path: Path, script: str) -> None:
    path.write_text(page(report, script), encoding="utf-8")


def page(report, script: str) -> str:
    e = html.escape
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>cnnlint run: {e(script)}</title>",
             f"<style>{STYLE}</style></head><body>",
             f"<h1>cnnlint run <code>{e(script)}</code></h1><p>{e(summary(report))}</p>"]
    found = report.findings
    for site in report.sites:
        parts.append(f"<h2><code>{e(report.where(site.path, site.line))}</code> {e(site.label)}</h2>")
        if site.app is not None:
            parts.append(f"<p>Base model: {e(site.app.describe)}"
                         + (f", after {e(' → '.join(site.front))}" if site.front else "") + "</p>")
        mine = [f for f in found if f.path == site.path and f.line == site.line and f.entry == site.entry]
        parts.extend(f"<div class='finding'><b>{f.code}</b> {e(f.message)}</div>" for f in mine)
        if not mine and site.stats is not None and site.stats.measured:
            parts.append("<div class='ok'>No problem observed at this call site.</div>")
        parts.append(_table(site))
        if site.stats is not None and site.stats.values.count:  # no picture of nothing
            parts.append(f"<img alt='histograms for {e(report.where(site.path, site.line))}' "
                         f"src='data:image/png;base64,{_figure(site)}'>")
    if report.static:
        parts.append("<h2>Static findings, against what the run observed</h2><table class='static'>")
        parts.append("<tr><th>where</th><th>finding</th><th>status</th></tr>")
        for linked in report.static:
            f = linked.finding
            where = f"{f.path}:cell {f.cell}:{f.line}" if f.cell is not None else f"{f.path}:{f.line}"
            parts.append(f"<tr><td><code>{e(where)}</code></td><td><b>{f.code}</b> {e(f.message)}</td>"
                         f"<td><b>{e(linked.status)}</b> {e(linked.evidence)}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _table(site) -> str:
    stats = site.stats
    if stats is None or not stats.images:
        return "<p>No image input was measured here.</p>"
    v = stats.values
    distinct = f" ({stats.distinct} distinct)" if site.inference else ""
    head = (f"<p>{plural(site.calls, 'call')}, {plural(stats.images, 'image')}{distinct}; "
            f"input {html.escape(inputs(site))}; dtype {', '.join(site.dtypes)}</p>")
    if not v.count:
        return head
    rows = "".join(f"<tr><td>{c}</td><td>{v.low[c]:.4g}</td><td>{v.high[c]:.4g}</td><td>{v.mean[c]:.4g}</td>"
                   f"<td>{v.std[c]:.4g}</td></tr>" for c in range(v.channels))
    return (head + "<table><tr><th>channel</th><th>min</th><th>max</th><th>mean</th><th>std</th></tr>"
            f"{rows}</table>")


def _figure(site) -> str:
    with warnings.catch_warnings():  # matplotlib's complaints are not the script's
        warnings.simplefilter("ignore")
        return _draw(site)


def _draw(site) -> str:
    from matplotlib.figure import Figure  # not pyplot: no global state, no window, any backend

    figure = Figure(figsize=(11, 3.4) if site.classifier else (6.6, 3.4), dpi=90)
    if site.classifier:
        values, classes = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    else:
        values, classes = figure.subplots(1, 1), None
    band = knowledge().modes[site.app.mode].band if site.app is not None and site.app.pretrained else None
    rows = site.stats.sample.rows
    rows = rows[np.isfinite(rows).all(axis=1)] if len(rows) else rows
    if band is not None:  # shaded, and edged so that a narrow band beside 0..255 still shows
        label = f"expected by {site.app.name}: [{band[0]:g}, {band[1]:g}]"
        values.axvspan(*band, color="#2ca02c", alpha=0.25, label=label)
        for edge in band:
            values.axvline(edge, color="#2ca02c", linestyle="--", linewidth=1.2)
    if len(rows):
        low = min(rows.min(), band[0] if band else rows.min())
        high = max(rows.max(), band[1] if band else rows.max())
        bins = np.linspace(low, high if high > low else low + 1, 80)
        for c in range(rows.shape[1]):
            values.hist(rows[:, c], bins=bins, histtype="step", linewidth=1.6,
                        color=COLOURS[min(c, 3)], label=f"channel {c}")
    values.set_title("values that reached the model")
    values.set_xlabel("value")
    values.set_ylabel("pixels (sampled)")
    values.legend(fontsize=8, loc="best", framealpha=0.85)
    if classes is not None:
        top = site.predictions.top1.most_common(20)
        classes.bar([str(k) for k, _ in top], [n for _, n in top], color="#555")
        classes.tick_params(axis="x", labelrotation=60, labelsize=8)
        classes.set_title(f"top-1 class of {site.predictions.count} predictions")
        classes.set_xlabel("class")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")
