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

from . import __version__

ENV = "CNNLINT_CACHE_DIR"
FOLDER = ".cnnlint_cache"


@cache
def fingerprint() -> str:
    """cnnlint's version and the state of its own files: a changed cnnlint never reads old entries."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
            stat = path.stat()
            digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


class Cache:
    def __init__(self, folder: Path):
        self.folder = folder / fingerprint()

    def key(self, files: list[Path], read) -> str | None:
        digest = hashlib.sha256(os.getcwd().encode())
        for path in files:
            data = read(path)
            if data is None:
                return None  # unreadable now: analyse, do not cache
            digest.update(str(path.resolve()).encode() + b"\0" + hashlib.sha256(data).digest())
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str | None) -> dict | None:
        if key is None:
            return None
        try:
            entry = json.loads(self._path(key).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        return entry

    def put(self, key: str | None, entry: dict) -> None:
        if key is None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            (self.folder.parent / ".gitignore").write_text("*\n") if not (self.folder.parent / ".gitignore").exists() \
                else None
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({**entry, "key": key}, handle)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only tree: run without a cache


def location(option: Path | None, root: Path) -> Path:
    """--cache-dir, then $CNNLINT_CACHE_DIR, then .cnnlint_cache at the project root."""
    if option is not None:
        return option
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    return root / FOLDER
