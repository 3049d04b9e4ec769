"""The README's quickstart is what CI runs: keep the two commands true."""
from __future__ import annotations

import re

from conftest import REPO


def quickstart() -> list[str]:
    text = (REPO / "README.md").read_text("utf-8")
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.S)


def test_quickstart_is_two_commands():
    commands = quickstart()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert commands[0].endswith("cnnlint examples/")
    assert "[test,runtime]" in commands[1] and commands[1].endswith("pytest")


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text("utf-8").splitlines()
    assert quickstart()[1] in ci
