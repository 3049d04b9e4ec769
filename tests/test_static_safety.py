"""The static path never imports tensorflow (or torch, or the language server's pygls), and never imports
or runs the linted code."""
from __future__ import annotations

import subprocess
import sys

from conftest import write_files

PROBE = """
import sys
from pathlib import Path
from cnnlint.lint import lint
from cnnlint.rules import ALL_RULES
result = lint([Path(sys.argv[1])], ALL_RULES)
heavy = sorted(m for m in ("tensorflow", "keras", "torch", "tf_keras", "jax", "pygls", "lsprotocol")
               if m in sys.modules)
print(len(result.findings), heavy)
"""


def test_linting_imports_no_framework_and_runs_no_user_code(tmp_path):
    marker = tmp_path / "marker.txt"
    write_files(tmp_path, {
        "evil.py": f"""
            import numpy as np
            open({str(marker)!r}, "w").write("ran")
            import sys
            sys.exit(3)
            from keras.applications import ResNet50
            from keras.utils import img_to_array, load_img
            ResNet50().predict(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None])
        """,
        "helper.py": f"""
            open({str(marker)!r}, "w").write("imported")
            raise SystemExit(4)
        """,
        "main.py": """
            import helper
            from helper import thing
            import tensorflow as tf
        """,
    })
    result = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 1) == ["1", "[]\n"]
    assert not marker.exists()


def test_cli_startup_imports_no_analysis_for_help():
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "cnnlint", "--help"], capture_output=True,
                            text=True)
    assert result.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "libcst" not in imported and "tensorflow" not in imported and "numpy" not in imported
    assert "pygls" not in imported
