"""Hostile trees: links that loop or lead out, files that are not files, no permission, files that
vanish during the run, many files, names no terminal should print as they are.

The run always ends, exits 0 or 1, and prints no traceback; what it could not read is a CNN000 on
that path, never a silent gap.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest

from cnnlint.lint import lint
from cnnlint.rules import ALL_RULES
from conftest import cnnlint_bounded, write_files
from test_cli import CLEAN, RAW


def codes_by_path(result) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in json.loads(result.stdout):
        out.setdefault(f["path"], set()).add((f["code"], f["message"]))
    return out


def test_links_that_loop_or_lead_out_are_not_followed(tmp_path):
    write_files(tmp_path, {"tree/raw.py": RAW, "other/outside.py": RAW})
    tree = tmp_path / "tree"
    (tree / "loop").symlink_to(".")
    (tree / "parent").symlink_to("..")
    (tree / "root").symlink_to("/")
    (tree / "self.py").symlink_to("self.py")  # a link to itself
    (tree / "gone.py").symlink_to("nowhere.py")  # dangling
    (tree / "linked.py").symlink_to(tmp_path / "other" / "outside.py")  # a file link is linted
    result = cnnlint_bounded("--format", "json", "--no-cache", ".", cwd=tree, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    found = codes_by_path(result)
    assert set(found) == {"raw.py", "linked.py", "self.py", "gone.py"}
    assert {c for c, _ in found["linked.py"]} == {"CNN101", "CNN203"}
    assert found["gone.py"] == {("CNN000", "cannot read: No such file or directory")}
    assert found["self.py"] == {("CNN000", "cannot read: Too many levels of symbolic links")}
    assert "(4 files checked)" in result.stderr


def test_files_that_are_not_regular_files(tmp_path):
    """A FIFO would block a reader forever and /dev/zero never ends: both are refused at once."""
    write_files(tmp_path, {"raw.py": RAW})
    os.mkfifo(tmp_path / "fifo.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    (tmp_path / "folder.py").mkdir()
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "socket.py"))
        result = cnnlint_bounded("--format", "json", "--no-cache", ".", cwd=tmp_path, timeout=60)
    finally:
        server.close()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    found = codes_by_path(result)
    assert found["fifo.py"] == found["zero.py"] == {("CNN000", "cannot read: not a regular file")}
    assert {c for c, _ in found["socket.py"]} == {"CNN000"}
    assert {c for c, _ in found["raw.py"]} == {"CNN101", "CNN203"}
    assert "folder.py" not in found


def _without_root_powers() -> list[str] | None:
    """A command prefix under which permissions apply: nothing for a normal user; as root, setpriv
    dropping the capabilities that bypass them. None if that is not possible here."""
    if os.geteuid() != 0:
        return []
    drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    if shutil.which("setpriv") is None:
        return None
    probe = subprocess.run([*drop, "cat", "/proc/self/status"], capture_output=True, text=True)
    return drop if probe.returncode == 0 else None


def test_unreadable_files_and_folders_are_cnn000_and_the_run_goes_on(tmp_path):
    write_files(tmp_path, {"raw.py": RAW, "secret.py": RAW, "locked/inside.py": RAW, "open/clean.py": CLEAN})
    os.chmod(tmp_path / "secret.py", 0)
    os.chmod(tmp_path / "locked", 0)
    try:
        prefix = _without_root_powers()
        if prefix is None:
            pytest.skip("running as root without setpriv: permissions cannot be denied here")
        result = subprocess.run([*prefix, sys.executable, "-m", "cnnlint", "--format", "json", "--no-cache", "."],
                                cwd=tmp_path, capture_output=True, text=True, timeout=60, start_new_session=True)
        # named on the command line: the same CNN000, and the run goes on (issue 16)
        named = subprocess.run([*prefix, sys.executable, "-m", "cnnlint", "--format", "json", "--no-cache",
                                "secret.py", "raw.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                               start_new_session=True)
    finally:
        os.chmod(tmp_path / "locked", 0o755)
        os.chmod(tmp_path / "secret.py", 0o644)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    found = codes_by_path(result)
    assert found["secret.py"] == {("CNN000", "cannot read: Permission denied")}
    assert found["locked"] == {("CNN000", "cannot read folder: Permission denied")}
    assert {c for c, _ in found["raw.py"]} == {"CNN101", "CNN203"}
    assert set(found) == {"secret.py", "locked", "raw.py"}
    assert named.returncode == 1 and "Traceback" not in named.stderr, named.stderr
    assert codes_by_path(named) == {"secret.py": found["secret.py"], "raw.py": found["raw.py"]}


def test_files_deleted_while_the_run_goes_on(tmp_path):
    """A thread deletes files while lint() reads, groups, caches and analyses them."""
    for round_ in range(2):
        root = tmp_path / str(round_)
        files = {f"pkg{i // 50}/m{i}.py": RAW if i % 3 == 0 else ("import os\n" if i % 3 == 1 else "")
                 for i in range(600)}
        write_files(root, files)
        paths = sorted(root.rglob("*.py"))
        deleted: set[Path] = set()

        def delete(paths=paths, start=round_):
            for path in paths[start::2]:
                path.unlink()
                deleted.add(path)
                time.sleep(0)

        killer = threading.Thread(target=delete)
        killer.start()
        result = lint([root], ALL_RULES, cache_dir=tmp_path / "cache")
        killer.join()
        assert result.warnings == []
        for f in result.findings:
            if f.code == "CNN000":
                assert f.message == "cannot read: No such file or directory" and Path(f.path).resolve() in deleted
        assert result.files <= len(paths)


def test_ten_thousand_empty_files(tmp_path):
    """fuzz/many_files.py times 100,000; CI checks 10,000 finish well inside a minute."""
    for d in range(20):
        folder = tmp_path / f"d{d}"
        folder.mkdir()
        for i in range(500):
            (folder / f"f{i}.py").touch()
    write_files(tmp_path, {"d7/raw.py": RAW})
    start = time.perf_counter()
    result = cnnlint_bounded("--no-cache", ".", cwd=tmp_path)
    elapsed = time.perf_counter() - start
    assert result.returncode == 1 and "(10001 files checked)" in result.stderr
    assert result.stdout.startswith("d7/raw.py:5:1: CNN101")
    assert elapsed < 30


NAMES = [b"with space.py", "\u00fcn\u00ef c\u00f8d\u00e9 \u53d8\u91cf.py".encode(), b"new\nline.py", b"bad\xffbyte.py",
         b"colon:comma,pct%.py", b"tab\there.py", b"esc\x1b[31m.py", b"cr\rret.py", b"back\\slash.py",
         b"quote\"'.py", "rtl\u202eyp.py".encode(), b" leading space.py", b"-dash.py"]


@pytest.fixture
def odd_names(tmp_path):
    for i, name in enumerate(NAMES):
        folder = os.path.join(os.fsencode(tmp_path), b"dir " + str(i).encode() + name[:2])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(RAW.encode())
    return tmp_path


def run_bytes(*args, cwd) -> subprocess.CompletedProcess:
    return cnnlint_bounded(*args, cwd=cwd, timeout=120, text=False)


def test_odd_names_in_text_output_are_escaped_one_line_each(odd_names):
    result = run_bytes("--no-cache", ".", cwd=odd_names)
    assert result.returncode == 1 and b"Traceback" not in result.stderr, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()  # valid UTF-8, whatever the names' bytes
    assert len(lines) == 2 * len(NAMES)
    assert all(line.isprintable() for line in lines)
    assert any(line.startswith("dir 2ne/new\\nline.py:5:1: CNN101") for line in lines)
    assert any(line.startswith("dir 1\u00fc/\u00fcn\u00ef c\u00f8d\u00e9 \u53d8\u91cf.py:5:1:") for line in lines)


def test_odd_names_in_json_and_sarif_are_valid_and_name_the_files(odd_names):
    listed = run_bytes("--no-cache", "--format", "json", ".", cwd=odd_names)
    findings = json.loads(listed.stdout.decode("utf-8"))
    assert len(findings) == 2 * len(NAMES)
    assert all(os.path.exists(odd_names / f["path"]) for f in findings)  # the paths round-trip
    sarif = json.loads(run_bytes("--no-cache", "--format", "sarif", ".", cwd=odd_names).stdout.decode("utf-8"))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert len(uris) == 2 * len(NAMES)
    assert all(uri.isascii() and " " not in uri for uri in uris)
    assert all(os.path.exists(os.path.join(os.fsencode(odd_names), unquote_to_bytes(uri))) for uri in uris)


def test_odd_names_in_github_annotations_are_one_command_each(odd_names):
    result = run_bytes("--no-cache", "--format", "github", ".", cwd=odd_names)
    lines = result.stdout.decode("utf-8").splitlines()
    assert len(lines) == 2 * len(NAMES) and all(line.startswith("::error file=") for line in lines)
    assert all(line.isprintable() for line in lines)


def test_odd_names_with_the_cache_cold_and_warm(odd_names):
    """Cache keys hash the paths' bytes: a name that is not UTF-8 once crashed every cached run."""
    runs = [run_bytes("--format", "json", ".", cwd=odd_names) for _ in range(2)]
    assert [r.returncode for r in runs] == [1, 1] and runs[0].stdout == runs[1].stdout, runs[0].stderr
    assert len(json.loads(runs[0].stdout.decode("utf-8"))) == 2 * len(NAMES)
    assert list((odd_names / ".cnnlint_cache").rglob("*.json"))
