"""The pre-commit hook, run by the real pre-commit against this repository's .pre-commit-hooks.yaml."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, write_files
from test_cli import CLEAN, RAW

pytest.importorskip("pre_commit")


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin", "HOME": str(cwd)})


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """A committed copy of this repository, as pre-commit clones hooks from a git repository."""
    repo = tmp_path_factory.mktemp("hooks") / "cnnlint"
    shutil.copytree(REPO, repo, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info",
                                                              ".pytest_cache", ".cnnlint_cache"))
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "hooks", cwd=repo)
    return repo


def test_pre_commit_runs_the_hook_on_staged_files(hook_repo, tmp_path):
    project = tmp_path / "project"
    write_files(project, {"good.py": CLEAN, "bad.py": RAW, "generated/skip.py": RAW,
                          "pyproject.toml": '[tool.cnnlint]\nextend-exclude = ["generated/"]\n'})
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    home = tmp_path / "cache"
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "cnnlint", "--all-files"],
        cwd=project, capture_output=True, text=True, timeout=900,
        env={"PRE_COMMIT_HOME": str(home), "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
             "HOME": str(tmp_path), "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "bad.py:5:1: CNN101" in output
    assert "good.py" not in output.split("Failed", 1)[-1]
    assert "generated/skip.py" not in output
