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
        self.programs: dict = {}  # absolute path -> the Program cnnlint run ran (a notebook's cells)
        self.configs = None  # config.Configs: which findings are shown (cnnlint run); None: all
        self.selection = None

    def configure(self, configs, program=None) -> None:
        """Show the findings as the configuration and noqa comments of their files choose."""
        from .selection import Selection

        self.configs = configs
        self.programs = {program.path: program} if program is not None else {}
        self.selection = Selection(configs, self.programs)

    @property
    def sites(self) -> list[Site]:
        with self.recorder.lock:
            return list(self.recorder.sites.values())

    @property
    def findings(self) -> list[RuntimeFinding]:
        return self._chosen()[0]

    @property
    def suppressed(self) -> list[RuntimeFinding]:
        """Findings hidden by a noqa comment on their line."""
        return self._chosen()[1]

    def _chosen(self) -> tuple[list, list]:
        with self.recorder.lock:
            every = findings(self.sites)
        return self.selection(every) if self.selection is not None else (every, [])

    def where(self, path: str, line: int) -> str:
        """``classify.py:14``, or ``nb.ipynb:cell 3:2`` for a line of a notebook's cells."""
        from .text import shown

        program = self.programs.get(path)
        return f"{shown(path)}:{program.where(line) if program is not None else line}"

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
