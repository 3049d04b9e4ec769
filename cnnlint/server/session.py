"""The server's state between messages: the latest report of every open document, and which files
each one's analysis used, so that editing a helper module lints again the open files that import it.

Everything here runs on the event loop; analyses run on the scheduler's worker thread, fixes on a
thread of their own. An exception in either is logged to the editor (``window/logMessage``) and the
server goes on.
"""
from __future__ import annotations

import asyncio
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from . import actions
from .diagnostics import Report, report
from .documents import is_open_at, notebook_of_cell, path_of, snapshot, snapshots
from .linting import Linter
from .scheduler import Scheduler, Work

# Files whose change can alter which files a project has, or how they are read.
PROJECT_FILES = ("pyproject.toml", ".gitignore")


class Session:
    def __init__(self, server: LanguageServer, delay: float):
        self.server = server
        self.linter = Linter()
        self.reports: dict[str, Report] = {}  # by the URI of the file or notebook
        self.scheduler = Scheduler(self._start, self._finish, delay)
        self.fixer = ThreadPoolExecutor(1, thread_name_prefix="cnnlint-fixes")
        self.shown: set[str] = set()  # configuration errors already shown
        self.shut_down = False

    # -- what the editor tells us --------------------------------------------------------------
    def opened(self, uri: str) -> None:
        """A Python file or notebook was opened: lint it now, and the open files that use it."""
        self._changed(uri, now=True, on_disk=True)

    def edited(self, uri: str) -> None:
        """Edited: lint it once typing pauses, and the open files that use it."""
        self._changed(uri)

    def saved(self, uri: str) -> None:
        """Saved: lint it now, and the open files that use it."""
        self._changed(uri, now=True, on_disk=True)

    def closed(self, uri: str) -> None:
        """Closed: its diagnostics go, and the files that use it read it from disk again."""
        self.scheduler.forget(uri)
        report = self.reports.pop(uri, None)
        for part in report.diagnostics if report is not None else [uri]:
            self._publish(part, [])
        self._relint_users(uri, now=True)

    def files_changed(self, changes: list[types.FileEvent]) -> None:
        """Files changed on disk (the editor watches them for us)."""
        paths = [path for change in changes if (path := path_of(change.uri)) is not None]
        if any(change.type != types.FileChangeType.Changed for change in changes) \
                or any(path.name in PROJECT_FILES for path in paths):
            self.linter.forget_files()  # imports may now find other files
            users = {opened.uri for opened in snapshots(self.server.workspace)}
        else:
            users = {user for path in paths for user in self._users(path)}
        for user in users:
            self.scheduler.request(user)

    def shutdown(self) -> None:
        self.shut_down = True
        self.scheduler.stop()
        self.fixer.shutdown(wait=False, cancel_futures=True)

    # -- what the editor asks ------------------------------------------------------------------
    async def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        found = self._report_of(uri)
        workspace = self.server.workspace
        with self._reporting(f"finding code actions for {uri}"):
            if found is not None:
                return await actions.code_actions(found, uri, params, workspace.get_text_document(uri).source,
                                                  is_open_at(workspace, found.linted.opened),
                                                  workspace.position_codec, self._offload)
        return None

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        found = self._report_of(params.text_document.uri)
        return actions.hover(found, params.text_document.uri, params.position) if found is not None else None

    # -- analyses --------------------------------------------------------------------------------
    def _start(self, uri: str, on_disk: bool) -> Work | None:
        """On the event loop: what the worker thread will lint (None when ``uri`` is no longer open)."""
        with self._reporting(f"reading {uri}"):
            opened = snapshot(self.server.workspace, uri)
            if opened is None:
                return None
            buffers = {other.path: other.data for other in snapshots(self.server.workspace)}
            return partial(self.linter, opened, buffers, on_disk)
        return None  # the error is logged

    def _finish(self, uri: str, future: Future) -> None:
        with self._reporting(f"linting {uri}"):
            linted = future.result()
            for warning in linted.warnings:
                self._log(types.MessageType.Warning, f"cnnlint: {warning} (please report this bug)")
            if linted.config_error and linted.config_error not in self.shown:
                self.shown.add(linted.config_error)
                self.server.window_show_message(types.ShowMessageParams(types.MessageType.Error,
                                                                        f"cnnlint: {linted.config_error}"))
            if not is_open_at(self.server.workspace, linted.opened):
                return  # changed since, and queued again by that change
            new = report(linted, self.server.workspace.position_codec)
            old = self.reports.get(uri)
            self.reports[uri] = new
            for part, pairs in new.diagnostics.items():
                version = linted.opened.version if part == linted.opened.uri else None
                self._publish(part, [d for d, _ in pairs], version)
            for gone in (old.diagnostics.keys() - new.diagnostics.keys()) if old is not None else ():
                self._publish(gone, [])  # a deleted cell

    def _changed(self, uri: str, now: bool = False, on_disk: bool = False) -> None:
        self.scheduler.request(uri, now, on_disk)
        self._relint_users(uri, now)

    def _relint_users(self, uri: str, now: bool) -> None:
        path = path_of(uri)
        for user in self._users(path) if path is not None else ():
            if user != uri:
                self.scheduler.request(user, now)

    def _users(self, path: Path) -> list[str]:
        """The open documents whose last analysis read ``path``."""
        return [uri for uri, report in self.reports.items() if path in report.linted.read]

    def _report_of(self, uri: str) -> Report | None:
        """The report covering a file, or the cell of a notebook."""
        return self.reports.get(notebook_of_cell(self.server.workspace, uri) or uri)

    async def _offload(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.fixer, partial(fn, *args))

    # -- talking to the editor -------------------------------------------------------------------
    def _publish(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None = None) -> None:
        self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, diagnostics, version))

    def _log(self, kind: types.MessageType, message: str) -> None:
        self.server.window_log_message(types.LogMessageParams(kind, message))

    @contextmanager
    def _reporting(self, doing: str):
        """An exception while ``doing`` something is logged to the editor; the server goes on."""
        try:
            yield
        except Exception:
            self._log(types.MessageType.Error,
                      f"cnnlint: internal error while {doing} (please report this bug):\n{traceback.format_exc()}")
