"""Paths the analysed code names: a normalised key for each (so ``./x.npy`` and ``x.npy`` are one
file), and a table of what the project's code wrote at them (arrays, models) and where."""
from __future__ import annotations

import posixpath
from pathlib import Path

from .facts import Const, PathEnd, PathStr, Value


def path_key(value: Value) -> str | None:
    """A literal path, normalised (``./data/x.npy`` and ``data/x.npy`` are one file); the known end of
    a path that starts somewhere known only at run time (``os.path.join(BASE_DIR, "x.npy")``)."""
    text = value.value if isinstance(value, Const) else value.tail if isinstance(value, PathEnd) else None
    if isinstance(text, str) and text.strip():
        return posixpath.normpath(text.replace("\\", "/"))
    return None


JPEG_FOLDERS = {"jpg", "jpeg", "jpgs", "jpegs", "jpegimages"}  # Pascal VOC's JPEGImages/


def suffix_of(value: Value, folder: bool = False) -> str:
    """The file type a path pattern or the end of a path names (``"*.png"``, ``"{}.jpg"``), or the
    folder of one (``data/jpg/``, ``VOC2012/JPEGImages/``: ".jpg"); only the folder's, for a part
    that is not the end."""
    if isinstance(value, PathStr):
        return value.suffix
    text = value.value if isinstance(value, Const) and isinstance(value.value, str) else ""
    text = text.replace("\\", "/")
    suffix = posixpath.splitext("x" + text)[1].lower()  # "x": ".jpg" alone is a suffix
    if not folder and suffix.strip(".").isalnum() and "/" not in suffix:
        return suffix
    return ".jpg" if any(part.lower() in JPEG_FOLDERS for part in text.split("/")) else ""


class FileTable:
    """What the project's code wrote at each path (an array, a model), and which module wrote it.

    A reader finds the entry of its path, or of the same file name in another folder (a notebook
    reads ``/content/x.npy``, which the script before it saved as ``x.npy``), only within its own
    project (the nearest folder with a .git, a pyproject.toml, a setup.py, a requirements.txt or a
    README): two repositories linted together do not share ``best_model.h5``. Its own module's
    entry comes first, then the nearest writer's.
    """

    def __init__(self, project):
        self.project = project
        self.entries: dict[str, list[tuple[Path, Value]]] = {}

    def put(self, key: str, value: Value, writer: Path, merge=None) -> None:
        entries = self.entries.setdefault(key, [])
        for i, (who, old) in enumerate(entries):
            if who == writer:
                if merge is not None:
                    entries[i] = (who, merge(old, value))
                return
        entries.append((writer, value))

    def get(self, key: str, reader: Path) -> Value | None:
        found = self.entries.get(key)
        if not found:
            name = posixpath.basename(key)
            same = [k for k in self.entries if posixpath.basename(k) == name]
            found = self.entries[same[0]] if len(same) == 1 else []
        mine = self.project.boundary(reader)
        found = [(who, v) for who, v in found if self.project.boundary(who) == mine]
        if not found:
            return None
        return min(found, key=lambda e: (e[0] != reader, _distance(e[0], reader)))[1]


def _distance(a: Path, b: Path) -> int:
    common = len(Path(*[x for x, y in zip(a.parent.parts, b.parent.parts) if x == y]).parts)
    return len(a.parent.parts) + len(b.parent.parts) - 2 * common
