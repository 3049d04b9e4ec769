"""``with cnnlint.runtime.watch() as report:``: the instrumentation for a block of code."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from importlib.util import find_spec
from typing import Iterator

from .record import Recorder, Site
from .verdicts import RuntimeFinding, findings

_active: list = []  # (Instrumentation, Report) installed now: one at a time
_guard = threading.Lock()


class RuntimeUnavailable(RuntimeError):
    """Neither TensorFlow (the ``runtime`` extra) nor PyTorch is installed."""


class Report:
    """What the watched code fed its models; read it during or after the block."""

    def __init__(self):
        self.recorder = Recorder()
        self.static: list = []  # link.Linked, when the static findings were compared (cnnlint run)

    @property
    def sites(self) -> list[Site]:
        with self.recorder.lock:
            return list(self.recorder.sites.values())

    @property
    def findings(self) -> list[RuntimeFinding]:
        with self.recorder.lock:
            return findings(self.sites)

    @property
    def failures(self) -> list[str]:
        return list(self.recorder.failures)

    def __str__(self) -> str:
        from .text import render

        return render(self)

    def as_dict(self) -> dict:
        from .text import as_dict

        return as_dict(self)


def installed(*packages: str) -> bool:
    try:
        return all(find_spec(p) is not None for p in packages)
    except (ImportError, ValueError):
        return False


def require_framework() -> None:
    """TensorFlow (with keras) or PyTorch must be there to be watched; nothing is imported here."""
    if not installed("tensorflow", "keras") and not installed("torch"):
        raise RuntimeUnavailable("the runtime mode needs TensorFlow (pip install 'cnnlint[runtime]') or PyTorch")


@contextmanager
def watch() -> Iterator[Report]:
    """Instrument Keras and PyTorch while the block runs; the report fills in as models are called.

    Models built before the block are watched too (Keras), but only those whose constructor ran
    inside it are known as pre-trained application models (PyTorch models are watched only then).
    Neither framework is imported here: each is patched when the code imports it. A ``watch()``
    inside another (a script that watches itself, run by ``cnnlint run``) shares the outer report.
    """
    require_framework()
    from .instrument import Instrumentation
    from .torch import TorchInstrumentation

    with _guard:
        outer = _active[-1] if _active else None
        if outer is None:
            report = Report()
            instrumentations = [Instrumentation(report.recorder), TorchInstrumentation(report.recorder)]
            _active.append((instrumentations, report))
    if outer is not None:
        yield outer[1]
        return
    try:
        for instrumentation in instrumentations:
            instrumentation.install()
        yield report
    finally:
        for instrumentation in reversed(instrumentations):
            instrumentation.uninstall()
        with _guard:
            _active.clear()
