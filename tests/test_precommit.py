"""The pre-commit hooks, run by the real pre-commit from the README's snippet against this repository's
.pre-commit-hooks.yaml (a committed copy, tagged with the release the README names)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cnnlint
from conftest import REPO, write_files
from test_cli import CLEAN, RAW

pytest.importorskip("pre_commit")
yaml = pytest.importorskip("yaml")  # pre-commit's own dependency


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin", "HOME": str(cwd)})


def snippet() -> str:
    text = (REPO / "README.md").read_text("utf-8")
    return re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", text, re.S).group(1)


def hook_ids(text: str) -> list[str]:
    """Every hook id the snippet shows, the commented-out alternative included."""
    return re.findall(r"^\s*#?\s*- id: (\S+)", text, re.M)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """A committed copy of this repository, tagged as the README's `rev`: pre-commit clones hooks from git."""
    repo = tmp_path_factory.mktemp("hooks") / "cnnlint"
    shutil.copytree(REPO, repo, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info",
                                                              ".pytest_cache", ".cnnlint_cache"))
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "hooks", cwd=repo)
    git("tag", yaml.safe_load(snippet())["repos"][0]["rev"], cwd=repo)
    return repo


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """pre-commit's store, shared: the hooks' environment is installed once for the module."""
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(project: Path, hook_repo: Path, home: Path, hook: str) -> subprocess.CompletedProcess:
    """`pre-commit run HOOK --all-files` in ``project``, configured by the README's snippet (its
    commented-out alternative hook enabled too)."""
    config = re.sub(r"#\s*(- id: )", r"\1", snippet()).replace("https://github.com/cnnlint/cnnlint", str(hook_repo))
    (project / ".pre-commit-config.yaml").write_text(config)
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", hook, "--all-files", "--config", ".pre-commit-config.yaml"],
        cwd=project, capture_output=True, text=True, timeout=900,
        env={"PRE_COMMIT_HOME": str(home), "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
             "HOME": str(project.parent), "PIP_DISABLE_PIP_VERSION_CHECK": "1"})


def test_the_readme_snippet_names_both_hooks_and_the_release_tag():
    manifest = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook_ids(snippet()) == ["cnnlint", "cnnlint-fix"] == [hook["id"] for hook in manifest]
    assert {h["id"]: h["entry"] for h in manifest}["cnnlint-fix"] == "cnnlint --force-exclude --fix"
    rev = yaml.safe_load(snippet())["repos"][0]["rev"]
    assert rev == f"v{cnnlint.__version__}"
    tags = subprocess.run(["git", "tag", "--list", "v*"], cwd=REPO, capture_output=True, text=True).stdout.split()
    if tags:  # a clone with its tags (a shallow CI checkout may have none)
        assert rev in tags


def test_pre_commit_runs_the_hook_on_staged_files(hook_repo, home, tmp_path):
    project = tmp_path / "project"
    write_files(project, {"good.py": CLEAN, "bad.py": RAW, "generated/skip.py": RAW,
                          "pyproject.toml": '[tool.cnnlint]\nextend-exclude = ["generated/"]\n'})
    run = pre_commit(project, hook_repo, home, "cnnlint")
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "bad.py:5:1: CNN101" in output
    assert "good.py" not in output.split("Failed", 1)[-1]
    assert "generated/skip.py" not in output
    assert (project / "bad.py").read_text() == RAW  # the reporting hook changes nothing


def test_the_fix_hook_fixes_and_reports_the_rest(hook_repo, home, tmp_path):
    project = tmp_path / "project"
    write_files(project, {"bad.py": RAW, "good.py": CLEAN})
    run = pre_commit(project, hook_repo, home, "cnnlint-fix")
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "files were modified by this hook" in output
    assert (project / "bad.py").read_text() == RAW.replace("predict(x)", "predict(np.expand_dims(x, 0))")
    assert "bad.py:5:1: CNN101" in output and "1 fixed, 1 remaining" in output
