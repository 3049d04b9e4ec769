"""A cache of analysis results, like ruff's: one entry per group of files analysed together.

The key hashes cnnlint itself (its version and the files of the installed package), the
current folder (paths are reported relative to it) and the path and content of every file of
the group, so an entry is used only when nothing it depends on changed. Entries hold the
findings of all rules; selection, suppressions and per-file ignores are applied afterwards, so
the configuration never needs to be part of the key. A corrupted, truncated or foreign entry is
ignored and rewritten; entries are written atomically, so two runs at once are safe.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from stat import S_ISREG

from . import __version__
from .sources import real

ENV = "CNNLINT_CACHE_DIR"
FOLDER = ".cnnlint_cache"


@cache
def fingerprint() -> str:
    """cnnlint's version and the state of its own files: a changed cnnlint never reads old entries."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(os.environ.get("CNNLINT_POSITIONS", "").encode())  # where positions come from
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
            try:
                stat = path.stat()
            except OSError:  # removed while we looked: it is not part of this cnnlint
                continue
            digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


class Cache:
    def __init__(self, folder: Path):
        self.folder = folder / fingerprint()

    def key(self, files: list[Path], read, root: Path) -> str | None:
        """What the analysis of ``files`` depends on: the current folder (paths are reported relative to
        it), the project root (imports are resolved relative to it: ``cnnlint pkg`` and ``cnnlint .``
        may read ``from pkg.helpers import load`` differently), and each file's path and content."""
        digest = hashlib.sha256(os.fsencode(os.getcwd()) + b"\0" + os.fsencode(real(root)) + b"\0")
        for path in files:
            data = read(path)
            if data is None:
                return None  # unreadable now: analyse, do not cache
            digest.update(os.fsencode(real(path)) + b"\0" + hashlib.sha256(data).digest())
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str | None) -> dict | None:
        """The entry stored under ``key``, or None when there is none or it is not intact."""
        if key is None:
            return None
        try:
            entry = json.loads(self._path(key).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        body = {k: v for k, v in entry.items() if k not in ("key", "checksum")}
        if entry.get("checksum") != _checksum(body):  # a flipped bit in a message, a partial overwrite
            return None
        return body

    def put(self, key: str | None, entry: dict) -> None:
        if key is None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            (self.folder.parent / ".gitignore").write_text("*\n") if not (self.folder.parent / ".gitignore").exists() \
                else None
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump({**entry, "key": key, "checksum": _checksum(entry)}, handle)
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError:
            pass  # a read-only tree: run without a cache


def data_signature(path: str | Path) -> list[int] | None:
    """What an entry remembers of a data file its analysis looked for: the size and time of a regular
    file, None for anything else (missing, a folder: a folder's time changes with what it holds, and
    the analysis reads only files)."""
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    return [stat.st_size, stat.st_mtime_ns] if S_ISREG(stat.st_mode) else None


def _checksum(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def location(option: Path | None, root: Path) -> Path:
    """--cache-dir, then $CNNLINT_CACHE_DIR, then .cnnlint_cache at the project root."""
    if option is not None:
        return option
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    return root / FOLDER
