"""action.yml, the composite GitHub Action: its metadata as GitHub reads it, and its steps run with bash
as the runner runs them (the install step's virtual environment stands in for this one's cnnlint)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, write_files
from test_cli import CLEAN, RAW

yaml = pytest.importorskip("yaml")  # pre-commit's own dependency

ACTION = yaml.safe_load((REPO / "action.yml").read_text("utf-8"))
STEPS = {step["name"]: step for step in ACTION["runs"]["steps"]}


def expand(text: str, inputs: dict[str, str], temp: Path) -> str:
    """GitHub's ``${{ inputs.x }}`` and ``${{ runner.temp }}`` expressions, as the runner substitutes them."""
    values = {f"inputs.{k}": v for k, v in inputs.items()} | {"runner.temp": str(temp)}
    return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: values[m.group(1)], text)


def run_step(name: str, inputs: dict[str, str], project: Path, temp: Path) -> subprocess.CompletedProcess:
    step = STEPS[name]
    env = {key: expand(str(value), inputs, temp) for key, value in step.get("env", {}).items()}
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=project, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env, "GITHUB_ACTION_PATH": str(REPO)})


def test_the_metadata_is_a_composite_action():
    assert ACTION["name"] and ACTION["description"]
    assert ACTION["runs"]["using"] == "composite"
    for name, spec in ACTION["inputs"].items():
        assert spec["description"] and "default" in spec, name
    assert all(step.get("shell") == "bash" and step.get("run") for step in STEPS.values())  # composite needs both
    for step in STEPS.values():  # inputs reach the scripts through env, never pasted into them (injection)
        assert "${{" not in step["run"]
    install = STEPS["Install cnnlint"]["run"]
    assert '"$GITHUB_ACTION_PATH"' in install  # the action's own checkout: cnnlint at the action's version
    assert subprocess.run(["bash", "-n", "-c", install]).returncode == 0
    assert STEPS["Write SARIF"]["if"] == "inputs.sarif != ''"
    assert list(STEPS) == ["Install cnnlint", "Write SARIF", "Lint"]  # SARIF first: the lint step fails the job


def test_the_steps_annotate_and_write_sarif(tmp_path):
    project, temp = tmp_path / "project", tmp_path / "runner"
    write_files(project, {"src/bad.py": RAW, "src/good.py": CLEAN, "other/bad.py": RAW})
    (temp / "cnnlint" / "bin").mkdir(parents=True)  # what the install step makes
    (temp / "cnnlint" / "bin" / "cnnlint").symlink_to(Path(sys.executable).parent / "cnnlint")
    inputs = {"args": "src --ignore CNN203", "sarif": "reports/cnnlint.sarif", "python": sys.executable}
    sarif = run_step("Write SARIF", inputs, project, temp)
    assert sarif.returncode == 0, sarif.stderr
    log = json.loads((project / "reports" / "cnnlint.sarif").read_text())
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["CNN101"]
    lint = run_step("Lint", inputs, project, temp)
    assert lint.returncode == 1
    assert lint.stdout.startswith("::error file=src/bad.py,line=5,col=1,")
    assert "CNN203" not in lint.stdout and "other/" not in lint.stdout
