"""``%load_ext cnnlint``: watch the cells that follow; print what went wrong under each cell.

The watch stays installed across cells (``%unload_ext cnnlint`` removes it), so a model
built in one cell and called in the next is followed. Only models built after the
extension was loaded are known as pre-trained application models.
"""
from __future__ import annotations

import linecache
import sys

from .watch import Report, RuntimeUnavailable, watch


class CellWatcher:
    def __init__(self, shell):
        self.shell = shell
        self.context = watch()
        self.report: Report = self.context.__enter__()
        self.shown: set[tuple] = set()
        shell.events.register("post_run_cell", self.after_cell)

    def after_cell(self, result=None) -> None:
        """The findings the cell added (or changed to), in the cell's output."""
        for finding in self.report.findings:
            key = (finding.path, finding.line, finding.code)
            if key in self.shown:
                continue
            self.shown.add(key)
            source = linecache.getline(finding.path, finding.line).strip()
            where = f"line {finding.line}" + (f" `{source}`" if source else "")
            print(f"cnnlint: {where}: {finding.code} {finding.message}", file=sys.stderr)

    def close(self) -> None:
        self.shell.events.unregister("post_run_cell", self.after_cell)
        self.context.__exit__(None, None, None)


_watchers: dict[int, CellWatcher] = {}


def load(shell) -> None:
    if id(shell) in _watchers:
        return
    try:
        _watchers[id(shell)] = CellWatcher(shell)
    except RuntimeUnavailable as e:
        print(f"cnnlint: {e}", file=sys.stderr)


def unload(shell) -> None:
    watcher = _watchers.pop(id(shell), None)
    if watcher is not None:
        watcher.close()
