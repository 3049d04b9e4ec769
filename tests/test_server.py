"""cnnlint server, end to end: the real server process, driven over LSP by pytest-lsp's client.

One server serves the whole module (each test opens its own files); the tests wait for the
notifications they expect (the diagnostics of a given document version), never for time to pass.
"""
from __future__ import annotations

import asyncio
import json
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("pytest_lsp")

import pytest_asyncio  # noqa: E402
from lsprotocol import types  # noqa: E402
from pygls.protocol import default_converter  # noqa: E402
from pytest_lsp import LanguageClient  # noqa: E402
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features  # noqa: E402

from cnnlint.cache import _checksum  # noqa: E402
from conftest import REPO, cnnlint  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="module")

WAIT = 60  # seconds: a guard that fails a test instead of hanging it, never a timing assumption
EXAMPLES = REPO / "examples"

TWO_FIXES = """\
import numpy as np
from keras.applications.resnet50 import ResNet50
from keras.applications.inception_v3 import preprocess_input
from keras.utils import img_to_array, load_img

model = ResNet50(weights="imagenet")
x = preprocess_input(img_to_array(load_img("cat.jpg", target_size=(224, 224))))
print(model.predict(x))
"""

NOTEBOOK_CELLS = [  # (kind, text): the image is loaded in cell 3 and reaches the model raw in cell 4
    ("code", "from keras.applications.mobilenet_v2 import MobileNetV2\n"
             "from keras.utils import img_to_array, load_img\nmodel = MobileNetV2()\n"),
    ("markdown", "# Predict\n"),
    ("code", "%matplotlib inline\nimage = img_to_array(load_img('cat.jpg', target_size=(224, 224)))[None]\n"),
    ("code", "print(model.predict(image))\n"),
]

FIXABLE_CELLS = [  # a single image into the model (CNN203), its certain fix in the third cell
    ("code", "import numpy as np\nfrom keras.applications.resnet50 import ResNet50, preprocess_input\n"
             "from keras.utils import img_to_array, load_img\nmodel = ResNet50(weights='imagenet')\n"),
    ("markdown", "# One image\n"),
    ("code", "%matplotlib inline\nx = preprocess_input(img_to_array(load_img('cat.jpg', target_size=(224, 224))))\n"
             "print(model.predict(x))\n"),
]


# -- the client --------------------------------------------------------------------------------
def _record(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    client.published.append(params)
    client.arrived.set()


def _registered(client: LanguageClient, params: types.RegistrationParams) -> None:
    client.registrations += params.registrations


CAPABILITIES = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(
        did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)),
    text_document=types.TextDocumentClientCapabilities(
        synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(related_information=True,
                                                                        version_support=True),
        code_action=types.CodeActionClientCapabilities(
            code_action_literal_support=types.ClientCodeActionLiteralOptions(
                types.ClientCodeActionKindOptions([types.CodeActionKind.QuickFix,
                                                   types.CodeActionKind.SourceFixAll]))),
        hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown])),
    notebook_document=types.NotebookDocumentClientCapabilities(
        types.NotebookDocumentSyncClientCapabilities()),
)


async def start(folder: Path, *command: str) -> LanguageClient:
    """A client connected to a new server process started in ``folder`` (``command``: by default
    ``python -m cnnlint server``)."""
    client = LanguageClient(converter_factory=default_converter)
    client.published, client.arrived, client.registrations = [], asyncio.Event(), []
    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _record,
                                   types.CLIENT_REGISTER_CAPABILITY: _registered})
    await client.start_io(*(command or (sys.executable, "-m", "cnnlint", "server")), cwd=folder)
    await client.initialize_session(types.InitializeParams(
        capabilities=CAPABILITIES, root_uri=folder.as_uri(),
        workspace_folders=[types.WorkspaceFolder(folder.as_uri(), folder.name)]))
    return client


async def stop(client: LanguageClient) -> int:
    """Shut the server down as an editor does; its exit status."""
    await client.shutdown_session()
    await client.stop()
    return client._server.returncode


async def until(client: LanguageClient, found):
    """Wait until ``found()`` gives something other than None (it is asked again after each publication)."""
    async with asyncio.timeout(WAIT):
        while (value := found()) is None:
            client.arrived.clear()
            await client.arrived.wait()
    return value


async def diagnostics(client: LanguageClient, uri: str, version: int | None = None,
                      codes: list[str] | None = None) -> list[types.Diagnostic]:
    """The latest diagnostics published for ``uri``: for ``version`` of it, when given; once they have
    these ``codes``, when given (a file that another one imports is linted again, in its own time)."""
    def latest():
        for params in reversed(client.published):
            if params.uri == uri:
                if (version is None or params.version == version) \
                        and (codes is None or sorted(d.code for d in params.diagnostics) == codes):
                    return list(params.diagnostics)
                return None
        return None

    return await until(client, latest)


def open_file(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.as_uri()
    client.published = [p for p in client.published if p.uri != uri]  # only what comes after opening counts
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
        uri, "python", version, path.read_text("utf-8") if text is None else text)))
    return uri


def change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(version, uri), [types.TextDocumentContentChangeWholeDocument(text)]))


async def relinted(client: LanguageClient, uri: str, version: int, text: str) -> list[types.Diagnostic]:
    """The diagnostics of ``uri`` once changed to ``text`` (its ``version``)."""
    change(client, uri, version, text)
    return await diagnostics(client, uri, version)


def close(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))


def write_notebook(path: Path, cells: list[tuple[str, str]]) -> None:
    cells = [{"cell_type": kind, "metadata": {}, "source": text, **({"outputs": [], "execution_count": None}
                                                                      if kind == "code" else {})}
             for kind, text in cells]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def open_notebook(client: LanguageClient, path: Path, cells: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """The notebook's URI and its cells' URIs, as VS Code names them."""
    uri = path.as_uri()
    cell_uris = [f"vscode-notebook-cell:{path}#cell{i}" for i in range(len(cells))]
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        types.NotebookDocument(uri, "jupyter-notebook", 1, [
            types.NotebookCell(types.NotebookCellKind.Code if kind == "code" else types.NotebookCellKind.Markup, cell)
            for (kind, _), cell in zip(cells, cell_uris)]),
        [types.TextDocumentItem(cell, "python" if kind == "code" else "markdown", 1, text)
         for (kind, text), cell in zip(cells, cell_uris)]))
    return uri, cell_uris


def change_cell(client: LanguageClient, uri: str, version: int, cell: str, cell_version: int, text: str) -> None:
    """A cell's new text: the notebook's ``version``, the cell's ``cell_version``."""
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        types.VersionedNotebookDocumentIdentifier(version, uri),
        types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(text_content=[
            types.NotebookDocumentCellContentChanges(types.VersionedTextDocumentIdentifier(cell_version, cell),
                                                     [types.TextDocumentContentChangeWholeDocument(text)])]))))


def close_notebook(client: LanguageClient, uri: str, cells: list[str]) -> None:
    client.notebook_document_did_close(types.DidCloseNotebookDocumentParams(
        types.NotebookDocumentIdentifier(uri), [types.TextDocumentIdentifier(cell) for cell in cells]))


def shape(d: types.Diagnostic) -> tuple:
    r = d.range
    return d.code, r.start.line, r.start.character, r.end.line, r.end.character, d.message


def applied(text: str, edits: list[types.TextEdit]) -> str:
    """``text`` with non-overlapping line-based edits applied, last first."""
    lines = text.splitlines(keepends=True)
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        s, e = edit.range.start, edit.range.end
        head = "".join(lines[:s.line]) + (lines[s.line][:s.character] if s.line < len(lines) else "")
        tail = (lines[e.line][e.character:] if e.line < len(lines) else "") + "".join(lines[e.line + 1:])
        lines = (head + edit.new_text + tail).splitlines(keepends=True)
    return "".join(lines)


# -- the workspace -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A configured project: the buggy examples and their fixed twins, a helper project, a notebook."""
    root = tmp_path_factory.mktemp("workspace")
    (root / "pyproject.toml").write_text("[tool.cnnlint]\n")
    for kind in ("buggy", "fixed"):
        shutil.copytree(EXAMPLES / kind, root / kind, ignore=shutil.ignore_patterns("project"))
    shutil.copytree(EXAMPLES / "buggy" / "project", root / "project")
    (root / "fixes").mkdir()
    (root / "fixes" / "two.py").write_text(TWO_FIXES)
    write_notebook(root / "notebook.ipynb", NOTEBOOK_CELLS)
    return root


@pytest.fixture(scope="module")
def cli_findings(workspace) -> dict[str, list[dict]]:
    """What the command line reports for the workspace, by file."""
    out = cnnlint("--format", "json", "--no-cache", ".", cwd=workspace)
    assert out.returncode == 1, out.stderr
    by_file: dict[str, list[dict]] = {}
    for finding in json.loads(out.stdout):
        by_file.setdefault(finding["path"], []).append(finding)
    return by_file


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(workspace):
    client = await start(workspace, sys.executable, "-m", "cnnlint", "server", "--debounce", "0.05")
    yield client
    assert await stop(client) == 0


# -- diagnostics -----------------------------------------------------------------------------------
async def test_buggy_files_get_the_command_lines_findings(client, workspace, cli_findings):
    files = sorted((workspace / "buggy").glob("*.py")) + [workspace / "project" / "predict.py"]
    uris = [open_file(client, path) for path in files]
    for path, uri in zip(files, uris):
        got = await diagnostics(client, uri, version=1)
        expected = cli_findings[path.relative_to(workspace).as_posix()]
        assert sorted(map(shape, got)) == sorted((f["code"], f["line"] - 1, f["column"] - 1, f["end_line"] - 1,
                                                 f["end_column"] - 1, f["message"]) for f in expected), path
        assert all(d.source == "cnnlint" and d.severity == types.DiagnosticSeverity.Warning for d in got)
        close(client, uri)
    assert len(uris) == 11  # examples/buggy and the project module


async def test_ranges_codes_links_and_related_places(client, workspace):
    uri = open_file(client, workspace / "buggy" / "single_image.py")
    found = {d.code: d for d in await diagnostics(client, uri, 1)}
    assert set(found) == {"CNN201", "CNN203"}
    # print(decode_predictions(model.predict(preprocess_input(photo)))): the model call, line 7
    assert found["CNN203"].range == types.Range(types.Position(6, 25), types.Position(6, 63))
    assert found["CNN203"].code_description.href == \
        "https://github.com/cnnlint/cnnlint/blob/main/rules/CNN203-missing-batch-axis.md"
    related = found["CNN201"].related_information
    assert [(r.location.uri, r.location.range.start.line, r.message) for r in related] == \
        [(uri, 5, "loaded at line 6")]
    close(client, uri)

    uri = open_file(client, workspace / "project" / "predict.py")
    [d] = await diagnostics(client, uri, 1)
    [r] = d.related_information
    assert (r.location.uri, r.location.range.start.line, r.message) == \
        ((workspace / "project" / "imaging.py").as_uri(), 5, "/ 255.0 at imaging.py:6")
    close(client, uri)


async def test_a_repeated_root_cause_links_to_its_first_place(client, tmp_path):
    path = tmp_path / "twice.py"
    path.write_text("from keras.applications.resnet50 import ResNet50\nfrom keras.utils import img_to_array, load_img\n"
                    "import numpy as np\nmodel = ResNet50(weights='imagenet')\n"
                    "x = np.expand_dims(img_to_array(load_img('a.jpg', target_size=(224, 224))), 0)\n"
                    "model.predict(x)\nmodel.predict(x)\n")
    uri = open_file(client, path)
    first, second = sorted(await diagnostics(client, uri, 1), key=lambda d: d.range.start.line)
    assert [(r.location.uri, r.location.range.start.line, r.message) for r in second.related_information] == \
        [(uri, 4, "loaded at line 5"), (uri, 5, "same input as line 6")]
    assert second.message.endswith("(same input as line 6)") and len(first.related_information) == 1
    close(client, uri)


async def test_clean_twins_get_none(client, workspace, cli_findings):
    files = sorted((workspace / "fixed").glob("*.py"))
    assert not any(path.startswith("fixed/") for path in cli_findings)
    uris = [open_file(client, path) for path in files]
    for uri in uris:
        assert await diagnostics(client, uri, 1) == []
        close(client, uri)


async def test_notebook_cells_are_one_program_with_diagnostics_per_cell(client, workspace, cli_findings):
    uri, cells = open_notebook(client, workspace / "notebook.ipynb", NOTEBOOK_CELLS)
    [found] = await diagnostics(client, cells[3])
    assert [await diagnostics(client, cell) for cell in cells[:3]] == [[], [], []]
    [expected] = cli_findings["notebook.ipynb"]
    assert (found.code, found.range.start.line + 1, found.range.start.character + 1, found.message) == \
        (expected["code"], expected["line"], expected["column"], expected["message"]) == \
        ("CNN101", 1, 7, expected["message"])
    assert expected["cell"] == 4 and "(loaded at cell 3, line 2)" in found.message
    [related] = found.related_information
    assert (related.location.uri, related.location.range.start.line) == (cells[2], 1)

    # the markdown cell deleted: the same finding, on the same cell, which is now the notebook's third
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        types.VersionedNotebookDocumentIdentifier(2, uri),
        types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(
            structure=types.NotebookDocumentCellChangeStructure(
                types.NotebookCellArrayChange(1, 1), did_close=[types.TextDocumentIdentifier(cells[1])])))))
    renumbered = found.message.replace("(loaded at cell 3, line 2)", "(loaded at cell 2, line 2)")

    def moved():
        latest = [p for p in client.published if p.uri == cells[3]][-1].diagnostics
        return latest if [d.message for d in latest] == [renumbered] else None

    [again] = await until(client, moved)
    assert again.range == found.range

    # preprocess in cell 3: the finding in cell 4 goes away
    loaded = NOTEBOOK_CELLS[2][1].replace("img_to_array(", "preprocess_input(img_to_array(")
    loaded = loaded.replace("[None]", ")[None]")
    fixed = "from keras.applications.mobilenet_v2 import preprocess_input\n" + loaded
    change_cell(client, uri, 3, cells[2], 2, fixed)
    await diagnostics(client, cells[3], codes=[])
    close_notebook(client, uri, cells)


async def test_editing_a_helper_updates_the_files_that_import_it(client, workspace):
    predict, imaging = workspace / "project" / "predict.py", workspace / "project" / "imaging.py"
    fixed = (EXAMPLES / "fixed" / "project" / "imaging.py").read_text()
    uri = open_file(client, predict)
    assert [d.code for d in await diagnostics(client, uri, 1)] == ["CNN104"]

    # in the editor: the helper's unsaved buffer counts, and the file on disk again once it is closed
    helper = open_file(client, imaging)
    change(client, helper, 2, fixed)
    await diagnostics(client, uri, 1, codes=[])
    close(client, helper)
    await diagnostics(client, uri, 1, codes=["CNN104"])

    # on disk, as the editor's file watcher reports it
    [registration] = client.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert "**/*.py" in json.dumps(default_converter().unstructure(registration.register_options))
    imaging.write_text(fixed)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(imaging.as_uri(), types.FileChangeType.Changed)]))
    await diagnostics(client, uri, 1, codes=[])
    close(client, uri)


async def test_a_file_that_does_not_parse_gets_cnn000_and_the_server_goes_on(client, workspace):
    path = workspace / "broken.py"
    text = "from keras.applications import ResNet50\nmodel = ResNet50(\nprint(model)\n"
    path.write_text(text)
    uri = open_file(client, path)
    [found] = await diagnostics(client, uri, 1)
    expected = json.loads(cnnlint("--format", "json", "--no-cache", "broken.py", cwd=workspace).stdout)
    assert (found.code, found.severity, found.message) == ("CNN000", types.DiagnosticSeverity.Error,
                                                           expected[0]["message"])
    assert found.range.start.line == expected[0]["line"] - 1 and found.range.end.line == found.range.start.line
    assert not await actions_at(client, uri, found)  # no fix, and no noqa comment hides CNN000
    assert await relinted(client, uri, 2, text.replace("ResNet50(\n", "ResNet50()\n")) == []
    close(client, uri)


async def test_each_file_follows_its_nearest_configuration(client, tmp_path):
    quiet, broken = tmp_path / "quiet", tmp_path / "broken"
    for folder, setting in ((quiet, 'ignore = ["CNN202"]'), (broken, 'select = ["CNN999"]')):
        folder.mkdir()
        (folder / "pyproject.toml").write_text(f"[tool.cnnlint]\n{setting}\n")
        shutil.copy(EXAMPLES / "buggy" / "inception_size.py", folder)
    uri = open_file(client, quiet / "inception_size.py")
    assert await diagnostics(client, uri, 1) == []
    close(client, uri)
    uri = open_file(client, broken / "inception_size.py")
    assert [d.code for d in await diagnostics(client, uri, 1)] == ["CNN202"]  # the default settings
    [shown] = [m for m in client.messages if "CNN999" in m.message]
    assert shown.type == types.MessageType.Error
    assert shown.message.startswith("cnnlint: ") and shown.message.endswith("; using the default settings")
    close(client, uri)


async def test_opening_a_file_fills_the_command_lines_cache(client, workspace):
    """In a configured project, what the server finds for a file opened (or saved) as it is on disk is
    what a later `cnnlint` run in the project reads from its cache."""
    path = workspace / "cached.py"
    shutil.copy(EXAMPLES / "buggy" / "inception_size.py", path)
    cache = workspace / ".cnnlint_cache"
    before = set(cache.rglob("*.json"))
    uri = open_file(client, path)
    [found] = await diagnostics(client, uri, 1)
    close(client, uri)
    [entry] = set(cache.rglob("*.json")) - before
    # mark the entry (keeping it well-formed), to see that the command line reads it
    data = json.loads(entry.read_text())
    assert {f["message"] for f in data["findings"]} == {found.message}  # before one per place is kept
    body = {k: v for k, v in data.items() if k not in ("key", "checksum")}
    for finding in body["findings"]:
        finding["message"] = "read from the cache"
    entry.write_text(json.dumps({**body, "key": data["key"], "checksum": _checksum(body)}))
    out = json.loads(cnnlint("--format", "json", ".", cwd=workspace).stdout)
    assert [f["message"] for f in out if f["path"] == "cached.py"] == ["read from the cache"]


# -- code actions and hover ---------------------------------------------------------------------------
async def actions_at(client, uri, diagnostic, only=None) -> list[types.CodeAction]:
    return await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), diagnostic.range, types.CodeActionContext([diagnostic], only=only)))


async def test_fix_actions_make_the_edits_of_fix(client, workspace, tmp_path):
    path = workspace / "fixes" / "two.py"
    uri = open_file(client, path)
    found = {d.code: d for d in await diagnostics(client, uri, 1)}
    assert set(found) == {"CNN102", "CNN203"}

    # each finding's own fix, its noqa comment, and all fixes at once
    fix, noqa, _ = await actions_at(client, uri, found["CNN203"])
    assert [(a.kind, a.is_preferred) for a in (fix, noqa, _)] == [
        (types.CodeActionKind.QuickFix, True), (types.CodeActionKind.QuickFix, None), ("source.fixAll.cnnlint", None)]
    assert fix.title == "CNN203: add the batch axis with np.expand_dims(x, 0)"
    assert applied(TWO_FIXES, fix.edit.changes[uri]) == TWO_FIXES.replace("predict(x)", "predict(np.expand_dims(x, 0))")

    # all of them, as `cnnlint --fix` writes the file
    [everything] = await actions_at(client, uri, found["CNN102"], only=[types.CodeActionKind.SourceFixAll])
    assert everything.kind == "source.fixAll.cnnlint"
    (tmp_path / "two.py").write_text(TWO_FIXES)
    assert cnnlint("--fix", "--no-cache", "-q", "two.py", cwd=tmp_path).returncode == 0
    after = applied(TWO_FIXES, everything.edit.changes[uri])
    assert after == (tmp_path / "two.py").read_text() != TWO_FIXES

    assert await relinted(client, uri, 2, after) == []
    close(client, uri)


async def test_fix_actions_in_a_notebook_edit_its_cells_as_fix_does(client, tmp_path):
    (tmp_path / "editor").mkdir()
    (tmp_path / "cli").mkdir()
    write_notebook(tmp_path / "editor" / "one.ipynb", FIXABLE_CELLS)
    write_notebook(tmp_path / "cli" / "one.ipynb", FIXABLE_CELLS)
    uri, cells = open_notebook(client, tmp_path / "editor" / "one.ipynb", FIXABLE_CELLS)
    [found] = await diagnostics(client, cells[2])
    fix, noqa, everything = await actions_at(client, cells[2], found)
    assert fix.title == "CNN203: add the batch axis with np.expand_dims(x, 0)"
    assert list(fix.edit.changes) == [cells[2]] and everything.edit.changes == fix.edit.changes
    after = applied(FIXABLE_CELLS[2][1], fix.edit.changes[cells[2]])
    assert after == FIXABLE_CELLS[2][1].replace("predict(x)", "predict(np.expand_dims(x, 0))")

    # what `cnnlint --fix` writes into the cell
    assert cnnlint("--fix", "--no-cache", "-q", "one.ipynb", cwd=tmp_path / "cli").returncode == 0
    written = json.loads((tmp_path / "cli" / "one.ipynb").read_text())["cells"][2]["source"]
    assert "".join(written) == after

    change_cell(client, uri, 2, cells[2], 2, after)
    await diagnostics(client, cells[2], codes=[])
    close_notebook(client, uri, cells)


async def test_noqa_action_hides_the_finding(client, workspace):
    uri = open_file(client, workspace / "buggy" / "inception_size.py")
    [found] = await diagnostics(client, uri, 1)
    [noqa] = await actions_at(client, uri, found, only=[types.CodeActionKind.QuickFix])  # CNN202: no certain fix
    assert noqa.title == "CNN202: ignore on this line (# noqa)"
    text = (workspace / "buggy" / "inception_size.py").read_text()
    after = applied(text, noqa.edit.changes[uri])
    assert after.splitlines()[found.range.start.line].endswith(")  # noqa: CNN202")
    assert await relinted(client, uri, 2, after) == []
    close(client, uri)


async def test_hover_shows_the_rules_page(client, workspace):
    uri = open_file(client, workspace / "buggy" / "inception_size.py")
    [found] = await diagnostics(client, uri, 1)
    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri),
                                                                     found.range.start))
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert hover.contents.value == (REPO / "rules" / "CNN202-input-size-mismatch.md").read_text()
    nothing = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri),
                                                                       types.Position(0, 0)))
    assert nothing is None
    close(client, uri)


# -- robustness -----------------------------------------------------------------------------------------
# The real server, with its analysis wrapped: boom.py makes it raise (a bug of ours), and slow.py makes it
# wait for as long as a file named "hold" exists beside it (an analysis that takes long).
PATCHED = """
import time
from cnnlint.server import linting
from cnnlint.server.lsp import serve

lint = linting.Linter.__call__


def patched(self, opened, buffers, on_disk):
    if opened.path.name == "boom.py":
        raise RuntimeError("a bug in the analysis")
    if opened.path.name == "slow.py":
        (opened.path.parent / "started").touch()
        while (opened.path.parent / "hold").exists():
            time.sleep(0.01)
    return lint(self, opened, buffers, on_disk)


linting.Linter.__call__ = patched
serve(0)
"""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def patched(tmp_path_factory):
    folder = tmp_path_factory.mktemp("patched")
    for name in ("boom.py", "ok.py"):
        shutil.copy(EXAMPLES / "buggy" / "inception_size.py", folder / name)
    (folder / "slow.py").write_text(TWO_FIXES)
    client = await start(folder, sys.executable, "-c", PATCHED)
    client.folder = folder
    yield client
    client.exit(None)  # without a shutdown request first: exit status 1, as LSP asks
    await client._server.wait()
    assert client._server.returncode == 1
    await client.stop()


async def test_an_internal_error_is_logged_and_the_server_goes_on(patched):
    boom = open_file(patched, patched.folder / "boom.py")
    ok = open_file(patched, patched.folder / "ok.py")
    assert [d.code for d in await diagnostics(patched, ok, 1)] == ["CNN202"]  # analysed after boom.py
    [error] = [m for m in patched.log_messages if m.type == types.MessageType.Error]
    assert f"internal error while linting {boom}" in error.message
    assert "RuntimeError: a bug in the analysis" in error.message
    assert not any(p.uri == boom for p in patched.published)
    close(patched, boom)
    close(patched, ok)


async def test_requests_never_wait_behind_an_analysis(patched):
    folder = patched.folder
    uri = open_file(patched, folder / "slow.py")
    found = await diagnostics(patched, uri, 1)
    (folder / "started").unlink()
    (folder / "hold").touch()
    change(patched, uri, 2, TWO_FIXES + "\n")
    async with asyncio.timeout(WAIT):
        while not (folder / "started").exists():  # the analysis of version 2 has begun, and now waits
            await asyncio.sleep(0.01)

    hover = await patched.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri),
                                                                      found[0].range.start))
    assert hover is not None and hover.contents.value.startswith("# CNN102")
    # version 1's fixes do not apply to version 2: only the noqa comments are offered, until it is analysed
    stale = await actions_at(patched, uri, found[0])
    assert (folder / "hold").exists() and not any(p.uri == uri and p.version == 2 for p in patched.published)
    assert [a.title for a in stale] == [f"{found[0].code}: ignore on this line (# noqa)"]
    (folder / "hold").unlink()
    found = await diagnostics(patched, uri, 2)
    assert len(await actions_at(patched, uri, found[0])) == 3  # the fix, the noqa comment, fix all
    close(patched, uri)


def rss(pid: int) -> int:
    """Resident memory of a process, in bytes (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


# More of the same code after TWO_FIXES, so that what one analysis holds (130 KB here) adds up to tens of
# MB over the edits if it were kept: a leak the assertion cannot miss.
MORE = "".join(f"""

def classify_{i}(paths):
    images = [img_to_array(load_img(p, target_size=(224, 224))) for p in paths]
    batch = np.stack(images)
    if batch.shape[0] == 0:
        return []
    return model.predict(preprocess_input(batch))
""" for i in range(8))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads memory from /proc")
async def test_memory_stays_flat_over_hundreds_of_edits(tmp_path):
    path = tmp_path / "two.py"
    path.write_text(TWO_FIXES + MORE)
    client = await start(tmp_path, sys.executable, "-m", "cnnlint", "server", "--debounce", "0")
    uri = open_file(client, path)
    sizes = []
    version = 1
    for rounds in (50, 300):  # warm-up, then the measured edits
        for _ in range(rounds):
            version += 1
            # every other edit fixes the import: the diagnostics and the fixes offered change each time
            text = TWO_FIXES.replace("inception_v3", "resnet50") if version % 2 else TWO_FIXES
            found = await relinted(client, uri, version, f"{text}{MORE}# edit {version}\n")
            if version % 10 == 0:
                await actions_at(client, uri, found[0])  # computes and keeps the fix's edits
        sizes.append(rss(client._server.pid))
    assert await stop(client) == 0
    # measured here: 1-3 MB of allocator noise over the 300 edits; keeping every analysis would add 40 MB
    assert sizes[1] - sizes[0] < 15 * 2**20, sizes
