"""Which files must be analysed together: a linted file and the project modules it imports.

Findings of one module can depend on the modules it imports (a helper's return value) and
on the modules that call into it (a helper's arguments), so files connected by imports (or by
the literal path of a saved model or array) form one group; unconnected files are groups of their own.
Imports are found with a cheap scan of the raw bytes that over-approximates (every import line,
in functions and branches too), each resolved to the file the analysis would import (``Resolver``,
which the analysis uses itself), so a group is never too small, and unrelated files that share a
module name (the ``utils.py`` of every example) stay apart. Groups are the unit of caching and of parallel work.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

from .sources import real

IMPORT = re.compile(rb"""(?:^|["'])[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+([\w., \t()*]+)|import[ \t]+([\w., \t]+))""",
                    re.MULTILINE)


# A model or data saved in one file and loaded in another links them too (CNN403, np.save/np.load):
# same literal path (its quotes escaped, \", in notebooks).
SHARED_FILE = re.compile(rb"""["']([^"'\n]+?\.(?:h5|keras|hdf5|weights\.h5|npy|npz|pth|pt|onnx|ckpt))\\?["']""")
SHARED_EXTENSIONS = (b".h5", b".keras", b".hdf5", b".npy", b".npz", b".pth", b".pt", b".onnx", b".ckpt")


PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "README.md", "README.rst",
                   "README")


def project_of(path: Path, root: Path, cache: dict[Path, Path]) -> Path:
    """The project a file belongs to: the nearest folder above it, up to ``root``, with a marker of a
    project's top (a .git, a pyproject.toml, a README...); else ``root``. Two repositories linted
    together do not share the model files they save under the same name."""
    folder = path.parent
    if folder not in cache:
        found = root
        for candidate in [folder, *folder.parents]:
            if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
                found = candidate
                break
            if candidate == root:
                break
        cache[folder] = found
    return cache[folder]


def lines_with(data: bytes, needles: tuple[bytes, ...]) -> bytes:
    """The lines of ``data`` that hold one of ``needles``, in order, joined by newlines: what a
    pattern that never crosses a line and always contains a needle can match, found without
    splitting the megabytes of a notebook's outputs into lines."""
    spans: set[tuple[int, int]] = set()
    for needle in needles:
        at = data.find(needle)
        while at != -1:
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = len(data) if end == -1 else end
            spans.add((start, end))
            at = data.find(needle, end)
    return b"\n".join(data[start:end] for start, end in sorted(spans))


def imported_names(data: bytes) -> set[tuple[int, str]]:
    """(relative level, dotted name) of everything a file may import, submodules included."""
    names: set[tuple[int, str]] = set()
    lines = lines_with(data, (b"import",)).replace(b"\r", b"\n")  # skips notebook outputs fast
    for m in IMPORT.finditer(lines):
        if m.group(4) is not None:
            for part in m.group(4).decode("ascii", "replace").split(","):
                dotted = part.strip().split(" ")[0]
                pieces = dotted.split(".")
                names.update((0, ".".join(pieces[: i + 1])) for i in range(len(pieces)) if pieces[0])
            continue
        level = len(m.group(1))
        base = m.group(2).decode("ascii", "replace")
        pieces = [p for p in base.split(".") if p]
        names.update((level, ".".join(pieces[: i + 1])) for i in range(len(pieces)))
        if level and not pieces:  # from . import x, from . import *: the package itself
            names.add((level, ""))
        for name in m.group(3).decode("ascii", "replace").replace("(", "").replace(")", "").split(","):
            name = name.strip().split(" ")[0]
            if name.isidentifier():
                names.add((level, ".".join(pieces + [name])))
    return names


def groups(relevant: list[Path], known: list[Path], read, root: Path, drivers: list[Path] = ()) -> list[list[Path]]:
    """Connected groups of the relevant files and the known project files they import, sorted. An
    import links the file the analysis would import (``Resolver``), found among all the known files.

    ``drivers`` are the other linted files: one that imports a module of a group joins it (a script
    with no model or image code of its own that calls the project's ``train()`` and ``evaluate()``),
    as does one that names a saved file a member names (``train.py`` saves the ``model.h5`` that the
    relevant ``predict.py`` loads); it joins with the modules it imports."""
    python_files = [p for p in known if p.suffix == ".py"]
    index = ModuleIndex(python_files, root)
    resolve = Resolver(index.named)
    parent: dict[Path, Path] = {}

    def find(p: Path) -> Path:
        while parent.setdefault(p, p) != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    def union(a: Path, b: Path) -> None:
        parent[find(a)] = find(b)

    by_shared_file: dict[tuple, Path] = {}
    projects: dict[Path, Path] = {}

    def shared_names(path: Path, data: bytes) -> list[tuple]:
        """The saved files a file names: /content/x.npy is x.npy in a notebook; within one project."""
        return [(project_of(path, root, projects), literal.replace(b"\\", b"/").rsplit(b"/", 1)[-1])
                for literal in SHARED_FILE.findall(lines_with(data, SHARED_EXTENSIONS))]

    def imports(path: Path, data: bytes) -> set[Path]:
        """The project modules a file imports (its module name matters to relative imports only)."""
        return {t for level, dotted in imported_names(data)
                if (t := resolve(path, index.name(path) if level else "", dotted, level)) is not None and t != path}

    seen: set[Path] = set()

    def visit(todo: list[Path]) -> None:
        """Add the files and, transitively, the modules they import and the files naming their saved files."""
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            find(path)
            data = read(path)
            if data is None:
                continue
            for name in shared_names(path, data):
                if name in by_shared_file:
                    union(path, by_shared_file[name])
                by_shared_file.setdefault(name, path)
            for target in sorted(imports(path, data)):
                union(path, target)
                todo.append(target)

    visit(list(relevant))
    links = {}  # what each other linted file could join a group by: modules it imports, saved files it names
    for path in drivers:
        if path not in seen:
            data = read(path) or b""
            targets, names = imports(path, data), shared_names(path, data)
            if targets or names:  # a file that imports no project module and names no saved file stays out
                links[path] = (targets, set(names))
    joined = True
    while joined and links:  # a driver of a driver joins too
        joined = False
        for path, (targets, names) in list(links.items()):
            if targets & seen or names & by_shared_file.keys():
                del links[path]
                visit([path])  # with what it imports and the files that share its saved files
                joined = True
    members: dict[Path, list[Path]] = {}
    for path in seen:
        members.setdefault(find(path), []).append(path)
    return sorted((sorted(group) for group in members.values()), key=lambda g: g[0])


class ModuleIndex:
    """The project files by the last part of their module name; full dotted names (which resolve
    symbolic links, the costly part in a tree of 100,000 files) are computed only for candidates."""

    def __init__(self, python_files: list[Path], root: Path):
        self.root = root
        self.by_last: dict[str, list[Path]] = {}
        for path in python_files:
            self.by_last.setdefault(path.parent.name if path.stem == "__init__" else path.stem, []).append(path)
        self.names: dict[Path, list[str]] = {}

    def named(self, dotted: str) -> list[Path]:
        """The files importable as ``dotted``, in the order given."""
        return [p for p in self.by_last.get(dotted.rsplit(".", 1)[-1], []) if dotted in self._names(p)]

    def name(self, path: Path) -> str:
        """The module name the analysis gives a file (``module_name``)."""
        return module_name(path, self._names(path))

    def _names(self, path: Path) -> list[str]:
        if path not in self.names:
            self.names[path] = module_names(path, self.root)
        return self.names[path]


class Resolver:
    """The file ``import dotted`` (``level`` dots before it) brings into a module, among the files
    ``named(name)`` gives for each dotted name; None when it is no project module.

    Absolute imports look, like sys.path, in the importer's folder and the folders above it, nothing
    beside; the nearest file wins, the same folder first. The analysis imports through this and groups
    link through it, so a group holds exactly the modules its files can import. Answers are memoized
    for one run (resolving symbolic links, a file system call a path, was most of the time here).
    """

    def __init__(self, named: Callable[[str], list[Path]]):
        self.named = named
        self.real = functools.cache(real)
        self.memo: dict[tuple, Path | None] = {}

    def __call__(self, importer: Path, importer_name: str, dotted: str, level: int) -> Path | None:
        if level:
            base = importer_name.split(".")
            base = base[: len(base) - level] if len(base) >= level else []
            dotted = ".".join(base + ([dotted] if dotted else []))
        candidates = self.named(dotted)
        if not candidates:  # a library (most imports)
            return None
        folder = self.real(importer).parent
        key = (folder, importer.parent, dotted, bool(level))
        if key not in self.memo:
            if not level:
                folders = {folder, *folder.parents}
                candidates = [p for p in candidates if _import_root(self.real(p), dotted) in folders]
            self.memo[key] = min(candidates, key=lambda p: (_distance(p, importer), str(p))) if candidates else None
        return self.memo[key]


def _import_root(path: Path, dotted: str) -> Path:
    """The folder that must be on sys.path for ``path`` (resolved) to be imported as ``dotted``."""
    depth = len(dotted.split(".")) + (path.stem == "__init__")
    return path.parents[depth - 1]


def _distance(a: Path, b: Path) -> int:
    common = 0
    for x, y in zip(a.parent.parts, b.parent.parts):
        if x != y:
            break
        common += 1
    return len(a.parent.parts) + len(b.parent.parts) - 2 * common


def module_name(path: Path, names: list[str]) -> str:
    """The name a module is analysed under (a notebook too), given its ``module_names``: the longest,
    which relative imports count their dots from; a file outside the root goes by its stem."""
    return names[-1] if names else path.stem


def module_names(path: Path, root: Path) -> list[str]:
    """Every dotted name a file can be imported by: ``a/b/utils.py`` is ``utils``, ``b.utils``, ``a.b.utils``."""
    try:
        parts = list(real(path).relative_to(root).with_suffix("").parts)
    except ValueError:
        parts = [path.stem]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return [".".join(parts[i:]) for i in range(len(parts) - 1, -1, -1) if parts[i:]]
