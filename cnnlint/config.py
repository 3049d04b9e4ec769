"""Settings: ``[tool.cnnlint]`` in the nearest pyproject.toml, then the command line on top.

Validated once, here: a wrong key, type or code is a ``ConfigError`` with one line that
names the file and the key; the command line turns it into exit status 2.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .rules import ALL_RULES, Rule, matches

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


@dataclass
class Settings:
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    root: Path = field(default_factory=Path.cwd)  # where relative patterns start
    source: Path | None = None  # the pyproject.toml read, if any

    @property
    def rules(self) -> tuple[Rule, ...]:
        """``select`` (all when empty) plus ``extend-select``, minus ``ignore``."""
        chosen = self.select + self.extend_select
        return tuple(r for r in ALL_RULES
                     if (not self.select or matches(r.code, chosen)) and not matches(r.code, self.ignore))

    @property
    def excluded(self) -> tuple[str, ...]:
        return self.exclude + self.extend_exclude


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.cnnlint] table, from ``start`` upwards."""
    folder = start.resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            try:
                if "cnnlint" in _tool(_read(path)):
                    return path
            except ConfigError:
                return path  # a broken file we would have used: report it
    return None


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


def load(path: Path | None) -> Settings:
    """Settings from a pyproject.toml (or the defaults when ``path`` is None)."""
    if path is None:
        return Settings()
    table = _tool(_read(path)).get("cnnlint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{_named(path)}: [tool.cnnlint] must be a table")
    settings = Settings(root=path.parent.resolve(), source=path)
    for key, value in table.items():
        kind = KEYS.get(key)
        if kind is None:
            raise ConfigError(f"{_named(path)}: [tool.cnnlint] unknown key {_shown(key)} (known: {', '.join(KEYS)})")
        setattr(settings, key.replace("-", "_"), _check(f"{_named(path)}: [tool.cnnlint] {key}", kind, value))
    return settings


def _check(where: str, kind: str, value):
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {_shown(value)}")
        return value
    if kind == "table":
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table of glob = [codes]")
        return {glob: codes(f"{where}.{_shown(glob)}", c) for glob, c in value.items()}
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings, got {_shown(value)}")
    return codes(where, value) if kind == "codes" else tuple(value)


def codes(where: str, values) -> tuple[str, ...]:
    """Rule codes or prefixes, checked against the catalog."""
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
