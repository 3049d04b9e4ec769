"""From what reached a call site to findings with numbers.

Each check reads one ``Site`` and yields (code, message). The value checks compare with the
band the model's *family* expects (caffe about [-124, 152], tf [-1, 1], torch about
[-2.1, 2.6], pass-through 0..255), never with one generic range, and speak only about
pre-trained application models whose input could be followed to the base. As in the
static rules: when the facts are unclear (constant images, values no mode produces), no
finding.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from ..knowledge import knowledge
from ..report.summary import plural
from ..rules import BY_CODE
from .record import Site

COLLAPSE_MIN = 8  # distinct images before a never-changing top-1 class counts as collapse
TOLERANCE = 0.15  # of a band's width: bicubic or lanczos resizing overshoots sharp edges by up to ~14%


@dataclass(frozen=True)
class Style:
    """A kind of input, recognised from its value range."""

    name: str  # raw, unit, or a preprocess_input mode: caffe, tf, torch
    band: tuple[float, float]
    describe: str


def styles() -> tuple[Style, ...]:
    """Narrowest first: values in [0, 1] also fit 0..255, but say "scaled to [0, 1]"."""
    modes = knowledge().modes
    return (
        Style("unit", (0.0, 1.0), "values scaled to [0, 1] (like x / 255)"),
        Style("tf", modes["tf"].band, "tf-mode values in [-1, 1]"),
        Style("torch", modes["torch"].band, "torch-mode values (ImageNet mean and std normalised)"),
        Style("raw", modes["none"].band, "raw 0..255 pixels"),
        Style("caffe", modes["caffe"].band, "caffe-mode values (ImageNet mean subtracted)"),
    )


def recognise(low: float, high: float) -> Style | None:
    if not np.isfinite([low, high]).all() or high - low < 1e-6:
        return None  # constant images: every style fits
    for style in styles():
        lo, hi = style.band
        slack = TOLERANCE * (hi - lo)
        if lo - slack <= low and high <= hi + slack:
            return style
    return None


# (what arrived, what the family wants) -> code; "none" is a pass-through family (0..255)
CODES = {
    ("raw", "caffe"): "CNN101", ("raw", "tf"): "CNN101", ("raw", "torch"): "CNN101",
    ("unit", "caffe"): "CNN104", ("unit", "tf"): "CNN104", ("unit", "torch"): "CNN104", ("unit", "none"): "CNN104",
}
EXPECTED_STYLE = {"caffe": "caffe", "tf": "tf", "torch": "torch", "none": "raw"}


@dataclass(frozen=True)
class RuntimeFinding:
    path: str
    line: int
    code: str
    message: str
    entry: str
    numbers: dict = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        """The static catalog's name: the same bug has the same code and name on both sides."""
        return BY_CODE[self.code].name

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "code": self.code, "name": self.name,
                "message": self.message, "entry": self.entry, "measured": self.numbers}


def value_range(site: Site) -> Iterator[tuple[str, str]]:
    app, stats = site.app, site.stats
    if not pretrained_base(site) or stats is None or not stats.values.count:
        return
    low, high = float(stats.values.low.min()), float(stats.values.high.max())
    seen = recognise(low, high)
    want = EXPECTED_STYLE[app.mode]
    if seen is None or seen.name == want:
        return
    code = CODES.get((seen.name, app.mode), "CNN102" if seen.name in ("caffe", "tf", "torch") else None)
    if code is None:
        return
    mode = knowledge().modes[app.mode]
    band = f"[{mode.band[0]:g}, {mode.band[1]:g}]"
    values = "" if band in mode.describe or mode.band == (0.0, 255.0) else f", values in {band}"  # said once
    means = ", ".join(f"{m:.1f}" for m in stats.values.mean)
    hint = _hint(app, code)
    yield code, (f"{app.name} expects {mode.describe}{values}, but received {seen.describe}: "
                 f"min {low:.3g}, max {high:.3g}, channel means {means} over {plural(stats.measured, 'image')}{hint}")


def shape(site: Site) -> Iterator[tuple[str, str]]:
    app = site.app
    if not pretrained_base(site):
        return
    if site.ranks.get(3):
        singles = "a single image" if site.ranks[3] == 1 else "single images"
        yield "CNN203", (f"{site.ranks[3]} of {plural(site.calls, 'call')} passed {singles} (height, width, "
                         f"channels) where {app.name} takes a batch; add the batch axis with np.expand_dims(x, 0)")
    channels = sorted({s[-1] for s in site.shapes if len(s) == 3})
    if any(c != 3 for c in channels):
        yield "CNN204", (f"{app.name} takes 3 (RGB) channels, but received images with "
                         f"{' and '.join(map(str, channels))} channels")
    if not app.include_top:
        return
    want = tuple(app.input_shape[1:3]) if None not in app.input_shape[1:3] else (app.size, app.size)
    sizes = sorted({s[:2] for s in site.shapes if len(s) == 3})
    wrong = [s for s in sizes if s != want]
    if not wrong:
        return
    shown = ", ".join(f"{h}x{w}" for h, w in sizes[:5]) + (" ..." if len(sizes) > 5 else "")
    if len(sizes) > 1:
        yield "CNN201", (f"{app.name} with its ImageNet top takes {want[0]}x{want[1]}, but received "
                         f"{len(sizes)} different sizes ({shown}): the images are not resized")
    else:
        yield "CNN202", f"{app.name} with its ImageNet top takes {want[0]}x{want[1]} input, but received {shown}"


def repeated(site: Site) -> Iterator[tuple[str, str]]:
    stats = site.stats
    if not site.inference or stats is None or stats.hashed < 2:
        return
    if stats.repeats_in_batch * 2 >= stats.hashed:
        yield "CNN401", (f"{stats.repeats_in_batch} of the {stats.hashed} images were copies of another image "
                         f"in the same batch ({stats.distinct} distinct)")


def collapse(site: Site) -> Iterator[tuple[str, str]]:
    stats, top1 = site.stats, site.predictions.top1
    if not site.inference or stats is None or stats.distinct < COLLAPSE_MIN or len(top1) != 1 \
            or not site.classifier:  # regressions and feature vectors have no classes
        return
    (index, count), = top1.items()
    yield "CNN900", (f"{site.model} predicted class {_class_name(index)} for all {count} predictions of "
                     f"{stats.distinct} distinct images: the input does not carry what the model learned from")



CHECKS: tuple[Callable[[Site], Iterator[tuple[str, str]]], ...] = (value_range, shape, repeated, collapse)


def checks(site: Site) -> tuple:
    """Keras sites: CHECKS; PyTorch sites: their own value, mode and shape checks, then repeats and collapse."""
    if site.torch is None:
        return CHECKS
    from . import torch

    return torch.values, torch.mode, torch.shape, repeated, collapse


def findings(sites) -> list[RuntimeFinding]:
    out = []
    for site in sites:
        for check in checks(site):
            for code, message in check(site):
                out.append(RuntimeFinding(site.path, site.line, code, message, site.entry, numbers(site)))
    return sorted(out, key=lambda f: (f.path, f.line, f.code))


def numbers(site: Site) -> dict:
    out = {"calls": site.calls, "shapes": {"x".join(map(str, s)): n for s, n in site.shapes.items()},
           "dtypes": dict(site.dtypes)}
    if site.stats is not None:
        out.update(site.stats.values.as_dict(), images=site.stats.images, distinct=site.stats.distinct)
    if site.classifier:  # feature vectors and regressions have no classes
        out["top1"] = {str(k): v for k, v in site.predictions.top1.most_common(10)}
    return out


def _hint(app, code: str) -> str:
    """What to call: the family's preprocess_input, unless include_preprocessing=False changed the mode."""
    if app.mode == "none":
        return "; pass the 0..255 pixels unchanged"
    own = knowledge().families.get(app.family) == app.mode
    call = f"{app.family}.preprocess_input" if own else f"imagenet_utils.preprocess_input(x, mode={app.mode!r})"
    return f"; apply {call}" if code == "CNN101" else f"; use {call} on 0..255 pixels instead"


def pretrained_base(site: Site) -> bool:
    return site.app is not None and site.app.pretrained and site.front_known


def _class_name(index: int) -> str:
    """``42``, or ``42 ('tabby')`` once the script's decode_predictions loaded ImageNet's names."""
    import sys

    utils = sys.modules.get("keras.src.applications.imagenet_utils")
    names = getattr(utils, "CLASS_INDEX", None) if utils else None
    if isinstance(names, dict) and str(index) in names:
        return f"{index} ({names[str(index)][1]!r})"
    return str(index)
