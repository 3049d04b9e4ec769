"""Which files must be analysed together: a linted file and the project modules it imports.

Findings of one module can depend on the modules it imports (a helper's return value) and
on the modules that call into it (a helper's arguments), so files connected by imports (or by
the literal path of a saved model or array) form one group; unconnected files are groups of their own.
Imports are found with a cheap scan of the raw bytes that over-approximates (a name that may
be a project module counts), so a group is never too small. Groups are the unit of caching and of parallel work.
"""
from __future__ import annotations

import re
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


def imported_names(data: bytes) -> set[tuple[int, str]]:
    """(relative level, dotted name) of everything a file may import, submodules included."""
    names: set[tuple[int, str]] = set()
    lines = b"\n".join(line for line in data.splitlines() if b"import" in line)  # skips notebook outputs fast
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
        for name in m.group(3).decode("ascii", "replace").replace("(", "").replace(")", "").split(","):
            name = name.strip().split(" ")[0]
            if name.isidentifier():
                names.add((level, ".".join(pieces + [name])))
    return names


def groups(relevant: list[Path], known: list[Path], read, root: Path, drivers: list[Path] = ()) -> list[list[Path]]:
    """Connected groups of the relevant files and the known project files they import, sorted.

    ``drivers`` are the other linted files: one that imports a module of a group joins it (a script
    with no model or image code of its own that calls the project's ``train()`` and ``evaluate()``)."""
    python_files = [p for p in known if p.suffix == ".py"]
    index = ModuleIndex(python_files, root)
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
    todo = list(relevant)
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        find(path)
        data = read(path)
        if data is None:
            continue
        shared_files = SHARED_FILE.findall(data) if any(ext in data for ext in SHARED_EXTENSIONS) else ()
        for literal in shared_files:
            # /content/x.npy is x.npy in a notebook; within one project
            name = (project_of(path, root, projects), literal.replace(b"\\", b"/").rsplit(b"/", 1)[-1])
            if name in by_shared_file:
                union(path, by_shared_file[name])
            by_shared_file.setdefault(name, path)
        for level, dotted in imported_names(data):
            for target in _candidates(level, dotted, path, index, python_files):
                if target != path:
                    union(path, target)
                    todo.append(target)
    pending = [p for p in drivers if p not in seen]
    joined = True
    while joined and pending:  # a driver of a driver joins too
        joined = False
        for path in list(pending):
            data = read(path)
            targets = [t for level, dotted in imported_names(data or b"")
                       for t in _candidates(level, dotted, path, index, python_files) if t in seen and t != path]
            if targets:
                seen.add(path)
                for target in targets:
                    union(path, target)
                pending.remove(path)
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

    def ending_with(self, last: str) -> list[Path]:
        return self.by_last.get(last, [])

    def _names(self, path: Path) -> list[str]:
        if path not in self.names:
            self.names[path] = module_names(path, self.root)
        return self.names[path]


def _candidates(level: int, dotted: str, importer: Path, index: ModuleIndex, python_files) -> list[Path]:
    if not level:
        return index.named(dotted)
    if not dotted:  # from . import x: the package's __init__ (x itself is listed on its own)
        return [p for p in python_files if p.stem == "__init__" and p.parent in importer.parents]
    return index.ending_with(dotted.rsplit(".", 1)[-1])


def module_names(path: Path, root: Path) -> list[str]:
    """Every dotted name a file can be imported by: ``a/b/utils.py`` is ``utils``, ``b.utils``, ``a.b.utils``."""
    try:
        parts = list(real(path).relative_to(root).with_suffix("").parts)
    except ValueError:
        parts = [path.stem]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return [".".join(parts[i:]) for i in range(len(parts) - 1, -1, -1) if parts[i:]]
