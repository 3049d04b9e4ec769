"""Helpers: lint real code strings written to real files, run the real command line."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cnnlint.lint import lint
from cnnlint.rules import ALL_RULES

REPO = Path(__file__).resolve().parents[1]


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, code in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code), encoding="utf-8")


@pytest.fixture
def lint_code(tmp_path):
    """Lint one module (a string) or a small project ({name: source}); returns the findings."""

    def run(code: str | dict[str, str], rules=ALL_RULES):
        files = code if isinstance(code, dict) else {"main.py": code}
        write_files(tmp_path, files)
        return lint([tmp_path], rules).findings

    return run


@pytest.fixture
def codes(lint_code):
    """The set of codes reported for a module or project."""

    def run(code):
        return {f.code for f in lint_code(code)}

    return run


def cnnlint(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "cnnlint", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=120)
