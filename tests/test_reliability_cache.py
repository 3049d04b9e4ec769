"""The cache never changes a result: damaged entries are rebuilt, runs at once do not disturb each
other, and an entry is used only by the same cnnlint, for the same files, folder and project root.

Each test compares cached runs with a run without the cache, which is the reference.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cnnlint import cache as cache_module
from conftest import REPO, write_files
from test_cli import CLEAN, RAW


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cnnlint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def tree(root: Path, groups: int = 8) -> None:
    """Independent files (one cache entry each), half of them buggy."""
    write_files(root, {f"g{i}/m{i}.py": RAW if i % 2 == 0 else CLEAN for i in range(groups)})


def entries(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.json"))


def test_damaged_entries_are_ignored_and_rebuilt(tmp_path):
    tree(tmp_path, groups=12)
    reference = run("--no-cache", "--format", "json", ".", cwd=tmp_path)
    run("--format", "json", ".", cwd=tmp_path)
    found = entries(tmp_path / ".cnnlint_cache")
    assert len(found) == 12
    damage = [
        lambda e: {**e, "findings": "x"},
        lambda e: {**e, "findings": [{"nope": 1}], "hidden": [False]},
        lambda e: {**e, "hidden": None},
        lambda e: {**e, "warnings": 5},
        lambda e: {**e, "findings": [1], "hidden": [True]},
        lambda e: {**e, "findings": [{**f, "line": "5"} for f in e["findings"]]},
        lambda e: {**e, "findings": [{**f, "message": f["message"][::-1]} for f in e["findings"]]},  # a bit flip
        lambda e: {**e, "warnings": ["please report this planted warning"]},
    ]
    for path, change in zip(found, damage):
        path.write_text(json.dumps(change(json.loads(path.read_text()))))
    found[8].write_text(found[8].read_text()[: len(found[8].read_text()) // 2])  # truncated
    found[9].write_bytes(os.urandom(300))  # garbage
    found[10].unlink()
    found[10].mkdir()  # not even a file
    found[11].write_text("")
    again = run("--format", "json", ".", cwd=tmp_path)
    assert (again.returncode, again.stdout) == (reference.returncode, reference.stdout)
    assert "Traceback" not in again.stderr and "warning" not in again.stderr, again.stderr
    rebuilt = [json.loads(p.read_text()) for p in found if p.is_file()]
    assert len(rebuilt) == 11 and all(e["checksum"] == cache_module._checksum(
        {k: v for k, v in e.items() if k not in ("key", "checksum")}) for e in rebuilt)


def test_runs_at_the_same_time_share_a_cache_without_harm(tmp_path):
    tree(tmp_path, groups=40)
    reference = run("--no-cache", "--format", "json", ".", cwd=tmp_path).stdout
    for round_ in range(2):  # cold, then warm
        processes = [subprocess.Popen([sys.executable, "-m", "cnnlint", "--format", "json", "--jobs", "2", "."],
                                      cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(4)]
        outputs = [p.communicate(timeout=120) for p in processes]
        assert all("Traceback" not in err for _, err in outputs), outputs
        assert [out for out, _ in outputs] == [reference] * 4, round_
    assert len(entries(tmp_path / ".cnnlint_cache")) == 40
    assert not list((tmp_path / ".cnnlint_cache").rglob("*.tmp"))  # no temporary file left behind


def test_entries_are_used_only_by_the_same_cnnlint(tmp_path):
    """A planted entry (valid, with its checksum) is read by the cnnlint that wrote it, and by no other:
    not by another version, nor with positions from another source."""
    for name in ("a", "b"):
        shutil.copytree(REPO / "cnnlint", tmp_path / name / "cnnlint", ignore=shutil.ignore_patterns("__pycache__"))
    init = tmp_path / "b" / "cnnlint" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "9.9.9+other-'))
    work = tmp_path / "work"
    write_files(work, {"raw.py": RAW})
    cache = str(tmp_path / "cache")
    as_a, as_b = {"PYTHONPATH": str(tmp_path / "a")}, {"PYTHONPATH": str(tmp_path / "b")}
    assert "CNN101" in run("--cache-dir", cache, ".", cwd=work, env=as_a).stdout
    (entry,) = entries(Path(cache))
    body = json.loads(entry.read_text())
    body["findings"][0]["message"] = "PLANTED"
    body = {k: v for k, v in body.items() if k != "checksum"}
    checksum = cache_module._checksum({k: v for k, v in body.items() if k != "key"})
    entry.write_text(json.dumps({**body, "checksum": checksum}))
    assert "PLANTED" in run("--cache-dir", cache, ".", cwd=work, env=as_a).stdout  # the entry is used
    other_version = run("--cache-dir", cache, ".", cwd=work, env=as_b)
    assert "CNN101" in other_version.stdout and "PLANTED" not in other_version.stdout
    other_positions = run("--cache-dir", cache, ".", cwd=work, env={**as_a, "CNNLINT_POSITIONS": "libcst"})
    assert "CNN101" in other_positions.stdout and "PLANTED" not in other_positions.stdout
    other_folder = run("--cache-dir", cache, "work", cwd=tmp_path, env=as_a)
    assert "CNN101" in other_folder.stdout and "PLANTED" not in other_folder.stdout


def test_the_project_root_is_part_of_the_key(tmp_path):
    """``cnnlint pkg`` cannot resolve ``from pkg.helpers import ...``; ``cnnlint .`` can. The cache
    must not hand the first answer to the second question."""
    write_files(tmp_path, {
        "pkg/main.py": """
            from keras.applications import ResNet50
            import helpers as _also
            from pkg.helpers import load
            ResNet50().predict(load("a.jpg"))
        """,
        "pkg/helpers.py": """
            from keras.utils import img_to_array, load_img
            def load(path):
                return img_to_array(load_img(path, target_size=(224, 224)))[None]
        """})
    expected = {target: run("--no-cache", target, cwd=tmp_path).stdout for target in ("pkg", ".")}
    assert expected["pkg"] != expected["."]  # the question is a real one
    for target in ("pkg", ".", "pkg", "."):
        assert run(target, cwd=tmp_path).stdout == expected[target], target


def test_an_unusable_cache_folder_means_no_cache(tmp_path):
    tree(tmp_path, groups=4)
    (tmp_path / "not_a_folder").write_text("")
    reference = run("--no-cache", ".", cwd=tmp_path)
    result = run(".", cwd=tmp_path, env={"CNNLINT_CACHE_DIR": str(tmp_path / "not_a_folder")})
    assert (result.returncode, result.stdout) == (reference.returncode, reference.stdout)
    assert "Traceback" not in result.stderr
