"""What the editor has open, as the files the linter reads.

A Python file is its text, saved the way the file would be; a notebook is its cells written as the
``.ipynb`` the command line would read, so the same code turns cells into one program and maps
findings back to them. A snapshot (``Opened``) is taken on the event loop and handed to the
analysis thread, which never touches pygls's workspace.
"""
from __future__ import annotations

import io
import json
import tokenize
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lsprotocol import types
from pygls.uris import to_fs_path, uri_scheme
from pygls.workspace import Workspace


@dataclass(frozen=True)
class Part:
    """A text document the editor shows: the Python file itself, or one cell of a notebook."""

    uri: str
    text: str


@dataclass(frozen=True)
class Opened:
    """An open Python file or notebook, at one version."""

    uri: str  # the text document's, or the notebook's
    path: Path
    version: int | None
    data: bytes  # what the linter reads: the file as it would be saved, or the notebook as .ipynb JSON
    parts: tuple[Part, ...]  # the file, or every cell in order (findings name cells 1, 2, ...)

    def part(self, cell: int | None) -> Part:
        return self.parts[(cell or 1) - 1]

    @property
    def notebook(self) -> bool:
        return self.path.suffix == ".ipynb"  # snapshot() reads these as notebooks only


def path_of(uri: str) -> Path | None:
    """The file behind a ``file:`` URI; other schemes (unsaved ``untitled:`` buffers...) have none."""
    if uri_scheme(uri) != "file":
        return None
    path = to_fs_path(uri)
    return Path(path) if path else None


def snapshot(workspace: Workspace, uri: str) -> Opened | None:
    """The open Python file or notebook ``uri`` as it is now; None when it is not one the linter reads."""
    notebook = workspace.get_notebook_document(notebook_uri=uri)
    if notebook is not None:
        return _notebook(workspace, notebook)
    document = workspace.text_documents.get(unquote(uri))  # filed as pygls files them
    if document is None or workspace.get_notebook_document(cell_uri=document.uri) is not None:
        return None
    path = path_of(document.uri)
    if path is None or not is_python(path, document.language_id):
        return None
    return Opened(document.uri, path, document.version, encoded(document.source),
                  (Part(document.uri, document.source),))


def is_open_at(workspace: Workspace, opened: Opened) -> bool:
    """Whether the document is still open, at the version ``opened`` was taken from."""
    document = workspace.get_notebook_document(notebook_uri=opened.uri) \
        or workspace.text_documents.get(unquote(opened.uri))
    return document is not None and document.version == opened.version


def snapshots(workspace: Workspace) -> list[Opened]:
    """Every open Python file and notebook."""
    uris = [n.uri for n in workspace.notebook_documents.values()] + [d.uri for d in workspace.text_documents.values()]
    return [opened for uri in uris if (opened := snapshot(workspace, uri)) is not None]


def is_python(path: Path, language: str | None) -> bool:
    return path.suffix == ".py" or (language == "python" and path.suffix != ".ipynb")


def _notebook(workspace: Workspace, notebook: types.NotebookDocument) -> Opened | None:
    path = path_of(notebook.uri)
    if path is None or path.suffix != ".ipynb":
        return None
    parts, cells = [], []
    for cell in notebook.cells:
        document = workspace.get_text_document(cell.document)
        text = document.source
        parts.append(Part(cell.document, text))
        kind = "markdown" if cell.kind == types.NotebookCellKind.Markup \
            else "code" if document.language_id in (None, "python") else "raw"
        outputs = {"outputs": [], "execution_count": None} if kind == "code" else {}  # valid nbformat 4
        cells.append({"cell_type": kind, "metadata": {}, "source": text, **outputs})
    data = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
    return Opened(notebook.uri, path, notebook.version, data, tuple(parts))


def encoded(text: str) -> bytes:
    """The text as its file would be saved: in the encoding its coding comment names (UTF-8 without one)."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data if encoding in ("utf-8", "utf-8-sig") else text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeError):
        return data  # the linter reports what it cannot decode, as it does for a file


def notebook_of_cell(workspace: Workspace, uri: str) -> str | None:
    """The URI of the notebook a cell belongs to."""
    notebook = workspace.get_notebook_document(cell_uri=uri)
    return notebook.uri if notebook is not None else None
