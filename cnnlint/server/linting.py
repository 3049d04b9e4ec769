"""One open document linted by the command line's own pipeline (``cnnlint.lint``), in its project.

Each file has the settings the command line gives it: those of the nearest pyproject.toml with a
``[tool.cnnlint]`` table (``config.Configs``, read anew for every analysis, so a change to the
configuration counts at once). The project is the folder of the document's configuration, else the
nearest folder above it with a pyproject.toml or ``.git``, else the document's own folder. Its
files are what imports can reach, read from disk, or from the editor's buffer when the file is open
there. The result keeps what the server needs afterwards: the document's findings, their certain
fixes (not applied), and the files the analysis used, so that a change to any of them lints the
document again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..cache import location
from ..config import ConfigError, Configs, Settings
from ..lint import Finding, ModuleFixes, Workspace, lint
from ..sources import discover, display_path
from .documents import Opened


@dataclass
class Linted:
    opened: Opened
    findings: list[Finding]
    fixes: ModuleFixes | None  # the certain fixes of the findings, when there are any
    read: set[Path]  # the files whose text the analysis used
    warnings: list[str] = field(default_factory=list)  # internal errors, one line each
    config_error: str | None = None  # the configuration could not be read: the defaults were used


def project_root(path: Path, settings: Settings) -> Path:
    if settings.source is not None:
        return settings.root
    for folder in path.parents:
        if (folder / "pyproject.toml").is_file() or (folder / ".git").exists():
            return folder
    return path.parent


class Linter:
    """Lints open documents; remembers each project's files until told they changed."""

    def __init__(self) -> None:
        self.files: dict[tuple, list[Path]] = {}

    def forget_files(self) -> None:
        """Files were created or deleted, or the settings that exclude some changed."""
        self.files.clear()

    def __call__(self, opened: Opened, buffers: dict[Path, bytes], on_disk: bool) -> Linted:
        """Lint ``opened`` with the editor's ``buffers`` (path -> bytes of every open document).
        ``on_disk``: its text is the file's (just opened or saved); in a configured project, its
        analysis then also goes to the command line's cache. A broken configuration (the file's,
        or one of its project's) is reported in the result, and the defaults are used."""
        try:
            return self._lint(opened, buffers, on_disk, Configs())
        except ConfigError as e:
            linted = self._lint(opened, buffers, on_disk, Configs.single(Settings()))
            linted.config_error = f"{e}; using the default settings"
            return linted

    def _lint(self, opened: Opened, buffers: dict[Path, bytes], on_disk: bool, configs: Configs) -> Linted:
        settings = configs.for_path(opened.path)
        root = project_root(opened.path, settings)
        key = (root, settings.source, settings.excluded, settings.gitignore, settings.root)
        files = self.files.get(key)
        if files is None:
            files = self.files[key] = discover([root], configs.ignorer)
        in_project = {path: data for path, data in buffers.items() if root in path.parents}
        cache = location(None, settings.root) if on_disk and settings.source is not None else None
        result = lint([opened.path], settings=configs, force_exclude=True, cache_dir=cache, offer_fixes=True,
                      workspace=Workspace(root, files, {**in_project, opened.path: opened.data}))
        shown = display_path(opened.path)
        return Linted(opened, [f for f in result.findings if f.path == shown],
                      next((m for m in result.fixes if m.path == opened.path), None), set(result.read),
                      result.warnings)
