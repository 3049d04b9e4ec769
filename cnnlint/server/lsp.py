"""The LSP methods the server answers, each handed to the session, and ``serve()``."""
from __future__ import annotations

import logging
import os

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .. import __version__
from .actions import KINDS
from .session import Session

WATCHED = ("**/*.py", "**/pyproject.toml", "**/.gitignore")  # on disk: helpers, configuration, exclusions


def build(delay: float) -> tuple[LanguageServer, Session]:
    """The language server; ``delay``: seconds of quiet after an edit before it is linted."""
    server = LanguageServer(
        "cnnlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        notebook_document_sync=types.NotebookDocumentSyncOptions(
            [types.NotebookDocumentFilterWithNotebook(notebook="*")], save=True))  # every cell: cells are numbered
    session = Session(server, delay)

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        watching = server.client_capabilities.workspace and server.client_capabilities.workspace.did_change_watched_files
        if watching and watching.dynamic_registration:
            options = types.DidChangeWatchedFilesRegistrationOptions([types.FileSystemWatcher(p) for p in WATCHED])
            await server.client_register_capability_async(types.RegistrationParams([types.Registration(
                "cnnlint-watched-files", types.WORKSPACE_DID_CHANGE_WATCHED_FILES, options)]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        session.changed(params.text_document.uri, now=True, saved=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        session.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        session.changed(params.text_document.uri, now=True, saved=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        session.closed(params.text_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_did_open(params: types.DidOpenNotebookDocumentParams) -> None:
        session.changed(params.notebook_document.uri, now=True, saved=True)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_did_change(params: types.DidChangeNotebookDocumentParams) -> None:
        session.changed(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_did_save(params: types.DidSaveNotebookDocumentParams) -> None:
        session.changed(params.notebook_document.uri, now=True, saved=True)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_did_close(params: types.DidCloseNotebookDocumentParams) -> None:
        session.closed(params.notebook_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        session.files_changed(params.changes)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=KINDS))
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return await session.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams) -> types.Hover | None:
        return session.hover(params)

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        session.shutdown()

    return server, session


def serve(delay: float) -> None:
    """Serve one editor over standard input and output until it says exit (or goes away)."""
    logging.basicConfig(level=logging.WARNING, format="cnnlint server: %(levelname)s %(name)s: %(message)s")
    server, session = build(delay)
    server.start_io()
    # Exit at once, as LSP asks (0 after a shutdown request, else 1), without waiting for an analysis
    # still running on a worker thread.
    logging.shutdown()
    os._exit(0 if session.shut_down else 1)
