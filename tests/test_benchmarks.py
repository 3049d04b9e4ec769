"""The benchmark scripts that measure speed run as their docstrings say (their timings are not tested)."""
from __future__ import annotations

import re
import subprocess
import sys

import nbformat
from conftest import REPO

from cnnlint.sources import notebook_program


def test_libcst_floor_parses_exactly_the_relevant_code(tmp_path):
    """libcst_floor.py, the least an analysis over libcst spends, parses the code of the relevant files
    (a notebook's joined cells) and nothing else: a file that mentions no model or image, and one
    libcst cannot parse, add nothing."""
    relevant = "from tensorflow.keras.applications import ResNet50\nmodel = ResNet50()\n"
    (tmp_path / "app.py").write_text(relevant)
    (tmp_path / "setup_tools.py").write_text("import os\nprint(os.getcwd())\n" * 50)
    (tmp_path / "broken.py").write_text("from tensorflow.keras.applications import VGG16\nx = = 1\n")
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Predict"),
        nbformat.v4.new_code_cell("%matplotlib inline\nfrom PIL import Image"),
        nbformat.v4.new_code_cell("img = Image.open('cat.jpg')")])
    nbformat.write(notebook, tmp_path / "predict.ipynb")
    cells = notebook_program((tmp_path / "predict.ipynb").read_bytes())[0]
    out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "libcst_floor.py"), str(tmp_path),
                          "--processes", "2"], capture_output=True, text=True, check=True).stdout
    files, chars = map(int, re.match(r"(\d+) files, (\d+) characters", out).groups())
    assert (files, chars) == (4, len(relevant) + len(cells))


def test_instructions_says_when_valgrind_is_missing(tmp_path):
    """instructions.py counts with valgrind (too slow for the suite); without it: one line, exit 2."""
    import os

    run = subprocess.run([sys.executable, str(REPO / "benchmarks" / "instructions.py"), str(REPO / "examples")],
                         capture_output=True, text=True, env={**os.environ, "PATH": str(tmp_path)})
    assert run.returncode == 2
    assert run.stderr == "instructions.py: valgrind is not installed\n"
