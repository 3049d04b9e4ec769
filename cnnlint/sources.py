"""Which files to lint, and their text.

Folders are walked for ``.py`` files, skipping version control, virtual
environments, build output and caches. Explicitly named files are always
linted. Text is decoded as Python does (BOM, ``# -*- coding: ... -*-``).
"""
from __future__ import annotations

import bisect
import io
import json
import os
import re
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pathspec

from .ipython import dedent_cell, mask_ipython

SUFFIXES = (".py", ".ipynb")

# A file can only raise a finding if it mentions one of these (checked on the raw bytes before
# parsing): a pre-trained model, a preprocessing function, an image loader or pipeline, a head
# (softmax), a saved model. Modules such a file imports are analysed with it whatever they mention.
RELEVANT = (
    b"applications", b"preprocess_input", b"tensorflow_hub", b"KerasLayer", b"load_img", b"img_to_array",
    b"ImageDataGenerator", b"image_dataset_from_directory", b"flow_from_", b"cv2", b"PIL", b"imread", b"decode_",
    b"softmax", b"Softmax", b"argmax", b"from_tensor_slices", b"convert_image_dtype", b"load_model", b"Rescaling",
    b"torch", b"timm",
)


class SourceError(ValueError):
    """A file that cannot be read or decoded; reported as CNN000."""


@dataclass(frozen=True)
class CellMap:
    """Where each code cell of a notebook starts in the program made of its cells."""

    starts: tuple[int, ...]  # first line (1-based) of each code cell in the joined text
    cells: tuple[int, ...]  # that cell's 1-based position among all the notebook's cells

    def locate(self, line: int) -> tuple[int, int]:
        """(cell, line within the cell) of a line of the joined text."""
        i = bisect.bisect_right(self.starts, line) - 1
        return self.cells[i], line - self.starts[i] + 1

    def line_of(self, cell: int, line: int) -> int:
        """The line of the joined text where a cell's line is (``locate`` the other way)."""
        return self.starts[self.cells.index(cell)] + line - 1


class Texts:
    """Decoded sources, on demand: ``.py`` as Python decodes them, ``.ipynb`` as their code cells in order."""

    def __init__(self) -> None:
        self.cell_maps: dict[Path, CellMap] = {}
        self.encodings: dict[Path, str] = {}  # to write fixed files back as they were

    def __call__(self, path: Path, data: bytes) -> str:
        if path.suffix == ".ipynb":
            text, self.cell_maps[path] = notebook_program(data)
            check_analysable(text)
            return text
        text, self.encodings[path] = decode_with_encoding(data)
        return text


def discover(paths: list[Path], ignorer: Callable[[Path], Ignorer], force_exclude: bool = False,
             unreadable: dict[Path, str] | None = None) -> list[Path]:
    """Files to lint, sorted, each once.

    Folders are walked, skipping what the ``ignorer`` of each folder excludes (the patterns of the
    configuration that applies there, and the ``.gitignore`` files). A file named explicitly is
    always linted, unless ``force_exclude`` (for pre-commit, which names every staged file).
    Symbolic links to folders are not followed (no loops, no walk of ``/``). Folders that cannot
    be listed go to ``unreadable`` (path -> reason) instead of being skipped in silence: the files
    in them are not checked, and the user should know.
    """
    found: set[Path] = set()

    def refused(error: OSError) -> None:
        if unreadable is not None and error.filename is not None:
            unreadable[Path(error.filename)] = f"cannot read folder: {error.strerror or error}"

    for path in paths:
        if not path.is_dir():
            if not (force_exclude and ignorer(path.parent)(path)):
                found.add(path)
            continue
        for folder, dirs, files in os.walk(path, onerror=refused):
            here = Path(folder)
            full = here.absolute()
            excluded = ignorer(here)
            dirs[:] = sorted(d for d in dirs if not excluded.excludes(full, d, is_dir=True) and not _is_venv(here / d))
            found.update(here / f for f in files if f.endswith(SUFFIXES) and not excluded.excludes(full, f))
    return sorted(found, key=lambda p: p.parts)  # Path order, without Path.__lt__'s cost per comparison


class Ignorer:
    """Whether a path is excluded: by the settings' patterns or by .gitignore files above it."""

    def __init__(self, patterns: tuple[str, ...], root: Path, respect_gitignore: bool):
        self.root = root.resolve()
        self.spec = pathspec.GitIgnoreSpec.from_lines(patterns)
        self.respect_gitignore = respect_gitignore
        self.gitignores: dict[Path, pathspec.GitIgnoreSpec | None] = {}
        self.folders: dict[Path, list[Path]] = {}
        self.names: dict[tuple[str, bool], bool] = {}  # the patterns against a bare name: few distinct ones
        self.bases: dict[Path, list[tuple[pathspec.GitIgnoreSpec, str]]] = {}

    def __call__(self, path: Path, is_dir: bool = False) -> bool:
        full = path.absolute()
        return self.excludes(full.parent, full.name, is_dir)

    def excludes(self, folder: Path, name: str, is_dir: bool = False) -> bool:
        """Whether ``name`` in the absolute ``folder`` is excluded; the per-folder work is done once."""
        if self._name_matches(name, is_dir):
            return True
        tail = name + ("/" if is_dir else "")
        return any(spec.match_file(prefix + tail) for spec, prefix in self._bases(folder))

    def _name_matches(self, name: str, is_dir: bool) -> bool:
        key = (name, is_dir)
        if key not in self.names:
            self.names[key] = bool(name) and self.spec.match_file(name + ("/" if is_dir else ""))
        return self.names[key]

    def _bases(self, folder: Path) -> list[tuple[pathspec.GitIgnoreSpec, str]]:
        """(spec, the folder's path relative to where the spec applies, as a prefix), remembered per folder."""
        if folder not in self.bases:
            pairs = [(self.spec, self.root)]
            if self.respect_gitignore:
                pairs += [(self._gitignore(base), base) for base in self._repo_folders(folder)]
            self.bases[folder] = []
            for spec, base in pairs:
                try:
                    rel = folder.relative_to(base).as_posix()
                except ValueError:  # the folder is not below it: the spec does not apply
                    continue
                self.bases[folder].append((spec, "" if rel == "." else rel + "/"))
        return self.bases[folder]

    def _repo_folders(self, folder: Path) -> list[Path]:
        """The folder and its parents up to the repository's top (where .git is), remembered per folder."""
        if folder not in self.folders:
            out = []
            for candidate in (folder, *folder.parents):
                out.append(candidate)
                if _exists(candidate / ".git"):
                    break
            self.folders[folder] = [f for f in out if self._gitignore(f) is not None]
        return self.folders[folder]

    def _gitignore(self, folder: Path):
        if folder not in self.gitignores:
            try:
                lines = (folder / ".gitignore").read_text("utf-8", errors="replace").splitlines()
                self.gitignores[folder] = pathspec.GitIgnoreSpec.from_lines(lines)
            except OSError:
                self.gitignores[folder] = None
        return self.gitignores[folder]


def real(path: Path) -> Path:
    """The absolute path with symbolic links resolved. Path.resolve() raises on a link to itself
    (``x.py -> x.py``), which a repository can hold; os.path.realpath leaves such a link as it is."""
    return Path(os.path.realpath(path))


def escaped(text: str, keep: str = "") -> str:
    """``text`` with its unprintable characters (newlines, ANSI escapes, undecodable bytes) written
    as Python escapes (``\\n``, ``\\x1b``, ``\\udcff``), so whatever a name or quoted code holds, it
    stays one line of output. Characters in ``keep`` are left for the caller's own escaping."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in keep else c.encode("unicode_escape").decode("ascii") for c in text)


def display_path(path: Path) -> str:
    """A path as reported to the user: relative to the current folder when it can be."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _is_venv(folder: Path) -> bool:
    return _exists(folder / "pyvenv.cfg")


def _exists(path: Path) -> bool:
    """Path.exists(), but a folder we may not look into (permission denied) holds nothing."""
    try:
        return path.exists()
    except OSError:
        return False


def read(path: Path) -> bytes:
    """The bytes of a regular file. A FIFO named ``x.py`` would block forever and ``x.py -> /dev/zero``
    never end, so the file is opened without blocking and refused unless it is a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise SourceError(f"cannot read: {e.strerror or e}") from None
    with open(fd, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise SourceError("cannot read: not a regular file")
            return handle.read()
        except OSError as e:
            raise SourceError(f"cannot read: {e.strerror or e}") from None


def decode(data: bytes) -> str:
    """Decode like the Python interpreter: BOM, then a coding cookie, then UTF-8."""
    return decode_with_encoding(data)[0]


def decode_with_encoding(data: bytes) -> tuple[str, str]:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as e:
        raise SourceError(f"cannot decode: {e}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as e:
        raise SourceError(f"cannot decode as {encoding}: {e}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise SourceError("cannot parse: the file contains NUL bytes")
    check_analysable(text)
    return text, encoding


# The largest Python files of tensorflow and keras are under 0.7 MB. libcst needs about 10 s and
# 0.7 GB per MB of code (more on big literals), so a 20 MB file of data would take minutes and
# gigabytes: it is reported instead.
MAX_CHARS = 2_000_000
MAX_NESTING = 200  # CPython's own limit on nested brackets
_BRACKET = re.compile(r"[(\[{)\]}]")


def check_analysable(text: str) -> None:
    """Refuse code too big or too deeply bracketed to analyse, with a reason the user can act on."""
    if len(text) > MAX_CHARS:
        raise SourceError(f"cannot analyse: {len(text) / 1e6:.1f} MB of code; cnnlint analyses files up to "
                          f"{MAX_CHARS / 1e6:g} MB (exclude generated code and data)")
    check_nesting(text)


def check_nesting(text: str) -> None:
    """Refuse what CPython refuses anyway: libcst's native parser overflows its stack on very deep nesting."""
    depth = deepest = 0
    for m in _BRACKET.finditer(text):
        depth = depth + 1 if m.group() in "([{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING and _token_nesting(text) > MAX_NESTING:
        raise SourceError(f"cannot parse: more than {MAX_NESTING} nested brackets (Python refuses them too)")


def _token_nesting(text: str) -> int:
    """Exact bracket depth, ignoring strings and comments (only run when the quick count is alarming)."""
    depth = deepest = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.OP and tok.string in "([{":
                depth += 1
                deepest = max(deepest, depth)
            elif tok.type == tokenize.OP and tok.string in ")]}":
                depth -= 1
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return deepest if deepest else MAX_NESTING + 1
    return deepest


def notebook_program(data: bytes) -> tuple[str, CellMap]:
    """The code cells of a notebook as one program, with IPython syntax masked; nothing for a
    notebook whose kernel is not Python (R, Julia...)."""
    nb = read_notebook(data)
    language = kernel_language(nb)
    if language is not None and not language.lower().startswith("python"):
        return "", CellMap((1,), (1,))
    parts: list[str] = []
    starts: list[int] = []
    numbers: list[int] = []
    line = 1
    for number, source in code_cells(nb):
        source = mask_ipython(dedent_cell(source)).rstrip("\n") + "\n"
        starts.append(line)
        numbers.append(number)
        parts.append(source)
        line += source.count("\n")
    return "".join(parts), CellMap(tuple(starts) or (1,), tuple(numbers) or (1,))


def read_notebook(data: bytes) -> dict:
    """A notebook's JSON, read with nbformat's reader (imported only when a notebook is read):
    nbformat 4 and 3 both work, and nothing is validated beyond what cnnlint needs."""
    import nbformat.reader

    try:
        nb = nbformat.reader.reads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise SourceError(f"cannot parse notebook: {e}") from None
    except Exception as e:  # invalid JSON, unsupported or missing nbformat version, missing keys
        cause = e.__cause__
        if isinstance(cause, json.JSONDecodeError):  # where, rather than nbformat's echo of the text
            raise SourceError(f"cannot parse notebook: invalid JSON: {cause.msg} "
                              f"(line {cause.lineno}, column {cause.colno})") from None
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise SourceError(f"cannot parse notebook: {message}") from None
    if not isinstance(nb, dict):
        raise SourceError("cannot parse notebook: the top level is not a JSON object")
    return nb


def code_cells(nb: dict) -> list[tuple[int, str]]:
    """(number among all cells, 1-based; source with \\n line endings) of each code cell, in order."""
    cells = nb.get("cells")
    if cells is None and isinstance(nb.get("worksheets"), list):  # nbformat 3
        cells = [c for w in nb["worksheets"] if isinstance(w, dict) for c in w.get("cells", [])]
    if not isinstance(cells, list):
        raise SourceError("cannot parse notebook: it has no list of cells")
    out = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        source = "".join(source) if isinstance(source, list) else source
        if not isinstance(source, str):
            raise SourceError(f"cannot parse notebook: cell {number} has no text source")
        out.append((number, source.replace("\r\n", "\n")))
    return out


def kernel_language(nb: dict) -> str | None:
    """The language of a notebook's kernel, as its metadata names it (None when it does not)."""
    metadata = nb.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    for table, key in (("language_info", "name"), ("kernelspec", "language")):
        value = metadata.get(table, {}).get(key) if isinstance(metadata.get(table), dict) else None
        if isinstance(value, str) and value:
            return value
    value = metadata.get("language")  # nbformat 3
    return value if isinstance(value, str) and value else None


def parses(path: Path, data: bytes) -> bool:
    """Whether a file decodes and CPython parses it (a notebook: its code cells). A cheap check for
    files the relevance prefilter skips: a file named on the command line that cannot be read or
    parsed is reported all the same."""
    import ast
    import warnings

    try:
        text = Texts()(path, data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like: not ours to say
            ast.parse(text)
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def is_relevant(data: bytes) -> bool:
    return bool(data) and any(token in data for token in RELEVANT)  # one fast substring search each
