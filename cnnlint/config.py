"""Settings: for each file, ``[tool.cnnlint]`` of the nearest pyproject.toml, then the command line on top.

Ruff's hierarchical model: every file takes the configuration of the nearest ``pyproject.toml``
above it that has a ``[tool.cnnlint]`` table (``Configs``; ``settings_for(path)`` for one file),
unless ``--config`` names one for all; the command line's settings apply on top of each. Rule
selection is layered as ruff layers it (``rules.selected``).

Validated once, here: a wrong key, type or code is a ``ConfigError`` with one line that
names the file and the key; the command line turns it into exit status 2.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .rules import ALL_RULES, Rule, selected

if TYPE_CHECKING:
    from .sources import Ignorer

KEYS = {
    "select": "codes",
    "extend-select": "codes",
    "ignore": "codes",
    "per-file-ignores": "table",
    "exclude": "patterns",
    "extend-exclude": "patterns",
    "respect-gitignore": "bool",
}
# Skipped by default (gitignore-style patterns); `exclude` replaces this list, `extend-exclude` adds to it.
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".bzr", "__pycache__", ".venv", "venv", ".env", "env", ".tox", ".nox", "build", "dist",
    "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", "site-packages", ".ipynb_checkpoints",
    ".cnnlint_cache", "*.egg-info",
)


class ConfigError(ValueError):
    """A bad setting; its text is the one line shown to the user."""


@dataclass(frozen=True)
class Overrides:
    """The command line's settings, applied on top of the configuration of every file.

    ``select`` replaces the configuration's selection (its ``ignore`` too), ``ignore`` and
    ``extend-select`` add to it; ``exclude`` replaces the configuration's, ``extend-exclude`` and
    ``per-file-ignores`` add to it (their patterns are relative to that configuration's folder).
    """

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool | None = None


@dataclass
class Settings:
    """One configuration file's settings (or the defaults), and the command line's on top."""

    select: tuple[str, ...] | None = None  # None: not set (every rule that is on by default)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    root: Path = field(default_factory=Path.cwd)  # where relative patterns start
    source: Path | None = None  # the pyproject.toml read, if any
    command_line: Overrides = field(default_factory=Overrides)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The configuration's selection, then the command line's, layered as ruff layers them."""
        cli = self.command_line
        return selected([(self.select, self.extend_select, self.ignore), (cli.select, cli.extend_select, cli.ignore)])

    @property
    def excluded(self) -> tuple[str, ...]:
        cli = self.command_line
        return (self.exclude if cli.exclude is None else cli.exclude) + self.extend_exclude + cli.extend_exclude

    @property
    def gitignore(self) -> bool:
        cli = self.command_line.respect_gitignore
        return self.respect_gitignore if cli is None else cli

    @property
    def ignored_per_file(self) -> dict[str, tuple[str, ...]]:
        return {**self.per_file_ignores, **self.command_line.per_file_ignores}

    def show(self, path: Path) -> str:
        """``--show-settings``: where the settings of ``path`` come from and what they resolve to."""
        cli = self.command_line
        lines = [f"Resolved settings for: {_named(path)}",
                 f"Settings path: {_named(self.source) if self.source else 'none (the defaults)'}",
                 f"root = {_toml(str(self.root))}",
                 f"select = {_toml(self.select)}", f"extend-select = {_toml(self.extend_select)}",
                 f"ignore = {_toml(self.ignore)}",
                 f"command-line select = {_toml(cli.select)}",
                 f"command-line extend-select = {_toml(cli.extend_select)}",
                 f"command-line ignore = {_toml(cli.ignore)}",
                 f"rules = {_toml(tuple(r.code for r in self.rules))}",
                 f"per-file-ignores = {_toml(self.ignored_per_file)}",
                 f"exclude = {_toml(self.excluded)}",
                 f"respect-gitignore = {_toml(self.gitignore)}"]
        return "\n".join(lines) + "\n"


def _toml(value) -> str:
    """A value as TOML writes it (``none`` for a setting left unset)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value.items()) + " }" if value else "{}"
    return "[" + ", ".join(_toml(v) for v in value) + "]"


class Configs:
    """The settings of every file of a run: the nearest pyproject.toml with a ``[tool.cnnlint]``
    table above it, or the one ``--config`` names for all, with the command line on top.
    Each configuration file is read once; each folder is looked up once."""

    def __init__(self, overrides: Overrides | None = None, config: Path | None = None):
        self.overrides = overrides or Overrides()
        self.forced = load(config, self.overrides) if config is not None else None
        self.loaded: dict[Path | None, Settings] = {}  # a pyproject.toml (None: no file) -> its settings
        self.nearest: dict[Path, Path | None] = {}  # a folder (real path) -> the pyproject.toml that applies there
        self.folders: dict[Path, Settings] = {}  # a folder as asked for -> its settings
        self.ignorers: dict[int, Ignorer] = {}  # id(settings) -> its exclusions

    @classmethod
    def single(cls, settings: Settings) -> Configs:
        """The same settings for every file (the library's ``lint(paths, settings=...)``)."""
        configs = cls()
        configs.forced = settings
        return configs

    def rules(self) -> tuple[Rule, ...]:
        """Every rule some file of the run selects (SARIF describes them all), in catalog order."""
        every = [self.forced] if self.forced else self.loaded.values()
        chosen = {r.code for settings in every for r in settings.rules}
        return tuple(r for r in ALL_RULES if r.code in chosen)

    def for_path(self, path: Path) -> Settings:
        """The settings of a file (or of a folder's own files, when ``path`` is a folder)."""
        return self.for_folder(path if _is_dir(path) else path.parent)

    def for_folder(self, folder: Path) -> Settings:
        if self.forced is not None:
            return self.forced
        if folder not in self.folders:
            source = self._nearest(Path(os.path.realpath(folder)))
            if source not in self.loaded:
                self.loaded[source] = load(source, self.overrides)
            self.folders[folder] = self.loaded[source]
        return self.folders[folder]

    def ignorer(self, folder: Path) -> Ignorer:
        """What is excluded in a folder: the patterns of the settings that apply there."""
        from .sources import Ignorer

        settings = self.for_folder(folder)
        if id(settings) not in self.ignorers:
            self.ignorers[id(settings)] = Ignorer(settings.excluded, settings.root, settings.gitignore)
        return self.ignorers[id(settings)]

    def _nearest(self, folder: Path) -> Path | None:
        passed = []
        found: Path | None = None
        for candidate in (folder, *folder.parents):
            if candidate in self.nearest:
                found = self.nearest[candidate]
                break
            passed.append(candidate)
            if _configures_cnnlint(candidate / "pyproject.toml"):
                found = candidate / "pyproject.toml"
                break
        for candidate in passed:
            self.nearest[candidate] = found
        return found


def settings_for(path: Path, overrides: Overrides | None = None, config: Path | None = None) -> Settings:
    """The settings cnnlint applies to one file: the nearest pyproject.toml with [tool.cnnlint]
    above it (or ``config``), with ``overrides`` on top. Reads the files anew on every call, so an
    editor session sees the user's changes to pyproject.toml at once."""
    return Configs(overrides, config).for_path(path)


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.cnnlint] table, from ``start`` upwards."""
    folder = Path(os.path.realpath(start))
    if folder.is_file():
        folder = folder.parent
    return Configs()._nearest(folder)


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _configures_cnnlint(path: Path) -> bool:
    """Whether a pyproject.toml has a [tool.cnnlint] table; a broken one we would have used counts
    (reading it reports the error)."""
    try:
        if not path.is_file():
            return False
    except OSError:
        return False
    try:
        return "cnnlint" in _tool(_read(path))
    except ConfigError:
        return True


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{_named(path)}: cannot read: {e}") from None
    except ValueError as e:  # TOMLDecodeError, and integers longer than Python converts (4300 digits)
        raise ConfigError(f"{_named(path)}: invalid TOML: {_shown(str(e), quote=False)}") from None
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise ConfigError(f"{_named(path)}: invalid TOML: arrays or tables nested too deeply") from None


def _tool(data: dict) -> dict:
    """The [tool] table; ``tool = 5`` at the top is not a table of tools, so none is ours."""
    tool = data.get("tool")
    return tool if isinstance(tool, dict) else {}


def _named(path: Path) -> str:
    """The file in an error message, on one line whatever its name."""
    from .sources import escaped  # only on the error path: sources imports pathspec

    return escaped(str(path))


def _shown(value, quote: bool = True) -> str:
    """A value in an error message: its repr (control characters escaped), cut to stay one short line."""
    text = repr(value) if quote else str(value).replace("\n", " ")
    return text if len(text) <= 80 else text[:77] + "..."


def load(path: Path | None, overrides: Overrides | None = None) -> Settings:
    """Settings from a pyproject.toml (or the defaults when ``path`` is None), ``overrides`` on top."""
    overrides = overrides or Overrides()
    if path is None:
        return Settings(command_line=overrides)
    table = _tool(_read(path)).get("cnnlint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{_named(path)}: [tool.cnnlint] must be a table")
    values = {}
    for key, value in table.items():
        kind = KEYS.get(key)
        if kind is None:
            raise ConfigError(f"{_named(path)}: [tool.cnnlint] unknown key {_shown(key)} (known: {', '.join(KEYS)})")
        values[key.replace("-", "_")] = _check(f"{_named(path)}: [tool.cnnlint] {key}", kind, value)
    return replace(Settings(root=path.parent.resolve(), source=path, command_line=overrides), **values)


def _check(where: str, kind: str, value):
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {_shown(value)}")
        return value
    if kind == "table":
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table of glob = [codes]")
        return {glob: _check(f"{where}.{_shown(glob)}", "codes", c) for glob, c in value.items()}
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings, got {_shown(value)}")
    return codes(where, value) if kind == "codes" else tuple(value)


def codes(where: str, values) -> tuple[str, ...]:
    """Rule codes or prefixes, checked against the catalog (a string: comma-separated, as on the command line)."""
    if isinstance(values, str):
        values = [v for v in values.replace(" ", ",").split(",") if v]
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{where}: expected a list of rule codes, got {_shown(values)}")
    known = [r.code for r in ALL_RULES]
    out = []
    for value in values:
        code = value.strip().upper()
        if code != "ALL" and not any(k.startswith(code) for k in known):
            raise ConfigError(f"{where}: unknown rule code or prefix {_shown(value)}")
        out.append(code)
    return tuple(out)
