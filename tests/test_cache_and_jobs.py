"""--jobs and the cache change nothing in the output; the cache is invalidated by what matters."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cnnlint.analysis.facts import Loc
from cnnlint.lint import PARALLEL_MIN_BYTES, lint
from conftest import cnnlint, write_files
from test_cli import CLEAN, RAW

HELPER = """
from keras.applications.resnet50 import preprocess_input
from keras.utils import img_to_array, load_img
def load(path):
    return preprocess_input(img_to_array(load_img(path, target_size=(224, 224)))[None])
"""
MAIN = """
from keras.applications import ResNet50
from helpers import load
ResNet50().predict(load("a.jpg"))
"""


# enough code that --jobs 2 really starts workers (smaller runs stay in one process)
PADDING = "".join(f"# padding line {k}: " + "x" * 60 + "\n" for k in range(400))


def tree(tmp_path):
    files = {f"pkg{i}/raw{i}.py": RAW + PADDING for i in range(6)}
    files.update({f"pkg{i}/clean{i}.py": CLEAN + PADDING for i in range(6)})
    files.update({"app/helpers.py": HELPER, "app/main.py": MAIN, "notes.py": "print('no ML here')\n"})
    write_files(tmp_path, files)


def test_output_is_identical_with_jobs_and_cache(tmp_path):
    tree(tmp_path)
    runs = [cnnlint("--format", "json", *args, ".", cwd=tmp_path) for args in (
        ["--no-cache", "--jobs", "1"], ["--no-cache", "--jobs", "2"], ["--jobs", "2"], ["--jobs", "2"],
        ["--jobs", "1"])]
    assert all(r.returncode == 1 for r in runs)
    assert len({r.stdout for r in runs}) == 1
    assert len(json.loads(runs[0].stdout)) == 12
    assert (tmp_path / ".cnnlint_cache").is_dir()
    assert sum(p.stat().st_size for p in tmp_path.rglob("*.py")) > PARALLEL_MIN_BYTES


def test_changing_a_helper_invalidates_its_importers(tmp_path):
    tree(tmp_path)
    assert "app/main.py" not in cnnlint(".", cwd=tmp_path).stdout
    (tmp_path / "app" / "helpers.py").write_text(HELPER.replace("preprocess_input(", "("))
    assert "app/main.py:4:1: CNN101" in cnnlint(".", cwd=tmp_path).stdout
    (tmp_path / "app" / "helpers.py").write_text(HELPER)
    assert "app/main.py" not in cnnlint(".", cwd=tmp_path).stdout


def test_changing_a_data_file_the_analysis_read_invalidates_the_entry(tmp_path):
    """An image file's header (and a saved model) are read as data: the cached findings follow them,
    including a file that was missing and appears."""
    from PIL import Image

    write_files(tmp_path, {"predict.py": """
        import numpy as np
        from PIL import Image
        from keras.applications.resnet50 import ResNet50, preprocess_input
        x = preprocess_input(np.array(Image.open("photo.png"), dtype="float32")[None])
        ResNet50(weights="imagenet").predict(x)
        """})

    def codes():
        return {f["code"] for f in json.loads(cnnlint("--format", "json", ".", cwd=tmp_path).stdout)}

    assert codes() == {"CNN201", "CNN204"}  # no such file: any size, maybe RGBA
    Image.new("RGBA", (224, 224)).save(tmp_path / "photo.png")
    assert codes() == {"CNN204"}
    Image.new("RGB", (224, 224)).save(tmp_path / "photo.png")
    os.utime(tmp_path / "photo.png", ns=(1, 10**18))  # a new time whatever the clock's resolution
    assert codes() == set()
    assert codes() == set()  # from the cache


def test_a_folder_looked_for_as_data_keeps_the_entry_when_its_content_changes(tmp_path):
    """The analysis reads files, never folders: ``load_model("exported")`` of a SavedModel folder, or
    a path that names the project's folder itself, must not tie the entry to the folder's time, which
    changes whenever a file is added inside (a cached run would then analyse again, every time)."""
    write_files(tmp_path, {"predict.py": 'from keras.models import load_model\nmodel = load_model("exported")\n'
                                         'other = load_model(".")\n' + RAW})
    (tmp_path / "exported").mkdir()
    cnnlint(".", cwd=tmp_path)
    (tmp_path / "exported" / "saved_model.pb").write_bytes(b"")
    (tmp_path / "new_file.txt").write_text("the project's folder changed")
    probe = ("import runpy, sys\nsys.argv = ['cnnlint', '.']\ntry:\n    runpy.run_module('cnnlint', run_name='__main__')\n"
             "except SystemExit:\n    pass\nprint('libcst' in sys.modules)\n")
    cached = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert cached.stdout.splitlines()[-1] == "False"  # answered from the cache: nothing was parsed


def test_configuration_applies_to_cached_results(tmp_path):
    tree(tmp_path)
    first = cnnlint(".", cwd=tmp_path)
    assert "CNN203" in first.stdout
    (tmp_path / "pyproject.toml").write_text('[tool.cnnlint]\nignore = ["CNN203"]\n')
    second = cnnlint(".", cwd=tmp_path)
    assert "CNN203" not in second.stdout and "CNN101" in second.stdout


def test_corrupted_entries_are_ignored_and_rebuilt(tmp_path):
    tree(tmp_path)
    expected = cnnlint(".", cwd=tmp_path).stdout
    entries = list((tmp_path / ".cnnlint_cache").rglob("*.json"))
    assert entries
    for i, entry in enumerate(entries):
        entry.write_text(["", "{not json", '{"key": "other"}', "[1, 2]"][i % 4])
    again = cnnlint(".", cwd=tmp_path)
    assert (again.stdout, again.returncode) == (expected, 1)
    assert "Traceback" not in again.stderr
    assert all(json.loads(e.read_text()).get("findings") is not None for e in entries)


def test_cache_dir_option_and_environment(tmp_path):
    tree(tmp_path)
    cnnlint("--cache-dir", "elsewhere", ".", cwd=tmp_path)
    assert (tmp_path / "elsewhere").is_dir() and not (tmp_path / ".cnnlint_cache").exists()
    cnnlint("--no-cache", ".", cwd=tmp_path)
    assert not (tmp_path / ".cnnlint_cache").exists()


def test_a_cached_run_loads_no_analysis(tmp_path):
    """Start-up matters in pre-commit: answering from the cache parses nothing, so it must not pay for
    importing libcst or the interpreter (the rules import them only when a file is analysed)."""
    tree(tmp_path)
    first = cnnlint(".", cwd=tmp_path)
    probe = ("import runpy, sys\nsys.argv = ['cnnlint', '.']\ntry:\n    runpy.run_module('cnnlint', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print(sorted(m for m in ('libcst', 'cnnlint.analysis.interpreter') if m in sys.modules))\n")
    cached = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert cached.stdout.startswith(first.stdout)
    assert cached.stdout.splitlines()[-1] == "[]"


def test_findings_name_the_places_in_their_message_cached_or_not(tmp_path, monkeypatch):
    write_files(tmp_path, {"app/helpers.py": HELPER.replace("preprocess_input(", "("), "app/main.py": MAIN})
    monkeypatch.chdir(tmp_path)
    fresh, cached = (lint([Path(".")], cache_dir=tmp_path / "cache").findings for _ in range(2))
    assert "(loaded at helpers.py:5)" in fresh[0].message
    assert fresh[0].related == cached[0].related == (Loc("app/helpers.py", 5),)
    entry = json.loads(next((tmp_path / "cache").rglob("*.json")).read_text())
    assert entry["findings"][0]["related"] == [["app/helpers.py", 5, None]]
