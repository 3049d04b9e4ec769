"""The LSP methods the server answers, each handed to the session, and ``serve()``."""
from __future__ import annotations

import gc
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
        workspace = server.client_capabilities.workspace
        watching = workspace.did_change_watched_files if workspace else None
        if watching and watching.dynamic_registration:
            options = types.DidChangeWatchedFilesRegistrationOptions([types.FileSystemWatcher(p) for p in WATCHED])
            await server.client_register_capability_async(types.RegistrationParams([types.Registration(
                "cnnlint-watched-files", types.WORKSPACE_DID_CHANGE_WATCHED_FILES, options)]))

    for method, options, document, react in (  # document sync: what the session does on each
            (types.TEXT_DOCUMENT_DID_OPEN, None, _text, session.opened),
            (types.TEXT_DOCUMENT_DID_CHANGE, None, _text, session.edited),
            (types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False), _text, session.saved),
            (types.TEXT_DOCUMENT_DID_CLOSE, None, _text, session.closed),
            (types.NOTEBOOK_DOCUMENT_DID_OPEN, None, _notebook, session.opened),
            (types.NOTEBOOK_DOCUMENT_DID_CHANGE, None, _notebook, session.edited),
            (types.NOTEBOOK_DOCUMENT_DID_SAVE, None, _notebook, session.saved),
            (types.NOTEBOOK_DOCUMENT_DID_CLOSE, None, _notebook, session.closed)):
        server.feature(method, options)(lambda params, document=document, react=react: react(document(params)))

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


def _text(params) -> str:
    return params.text_document.uri


def _notebook(params) -> str:
    return params.notebook_document.uri


def serve(delay: float) -> None:
    """Serve one editor over standard input and output until it says exit (or goes away)."""
    logging.basicConfig(level=logging.WARNING, format="cnnlint server: %(levelname)s %(name)s: %(message)s")
    server, session = build(delay)
    # Import the analysis now, and exempt everything imported from garbage collection: a full collection
    # holds the GIL, and so the event loop, while it walks every object; walking only what analyses make
    # shortens the longest from 150 ms to 40 ms (1,000-line file).
    from ..analysis import project  # noqa: F401  (libcst, the interpreter, the effects tables)
    from ..rules import ALL_RULES  # noqa: F401

    gc.freeze()
    server.start_io()
    # Exit at once, as LSP asks (0 after a shutdown request, else 1), without waiting for an analysis
    # still running on a worker thread.
    logging.shutdown()
    os._exit(0 if session.shut_down else 1)
