"""--fix never damages a file: killed at any moment, each file is the original or the fixed version
(same permissions, owner and line endings); a file changed or replaced since it was read is left
alone; links stay links; fixing twice changes nothing the second time.

``fuzz/fix_interrupt.py`` runs the kill test for many more rounds.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cnnlint.fixes import ChangedOnDisk
from cnnlint.lint import lint
from cnnlint.rules import ALL_RULES
from conftest import REPO, cnnlint
from test_fixes import FIXED, WRONG_FAMILY

TEMPORARY = ".cnnlint-fix"  # suffix of fixes.write's temporary files


def variants(n: int) -> dict[str, tuple[bytes, bytes, int]]:
    """n fixable files: name -> (original bytes, fixed bytes, mode), in four line-ending/encoding styles."""
    out = {}
    for i in range(n):
        before, after = WRONG_FAMILY, FIXED
        style = i % 4
        if style == 1:
            before, after = before.replace("\n", "\r\n"), after.replace("\n", "\r\n")
        elif style == 2:
            before, after = before.replace("\n", "\r"), after.replace("\n", "\r")
        encoded = [("# -*- coding: latin-1 -*-\n# caf\xe9\n" + t).encode("latin-1") if style == 3 else t.encode()
                   for t in (before, after)]
        out[f"app{i:03d}.py"] = (encoded[0], encoded[1], (0o640, 0o755, 0o600, 0o664)[i % 4])
    return out


def make_tree(root: Path, files: dict[str, tuple[bytes, bytes, int]]) -> None:
    root.mkdir(parents=True)
    for name, (before, _, mode) in files.items():
        (root / name).write_bytes(before)
        os.chmod(root / name, mode)


def check_tree(root: Path, files: dict[str, tuple[bytes, bytes, int]]) -> tuple[int, int]:
    """Every file is wholly the original or wholly fixed, with its mode; returns (original, fixed) counts."""
    counts = [0, 0]
    for name, (before, after, mode) in files.items():
        data = (root / name).read_bytes()
        assert data in (before, after), f"{name} is neither the original nor the fixed file: {data[:200]!r}"
        assert stat.S_IMODE((root / name).stat().st_mode) == mode, name
        counts[data == after] += 1
    others = {p.name for p in root.iterdir()} - set(files)
    assert all(n.endswith(TEMPORARY) and n.startswith(".app") for n in others), others  # at most temporary files
    return counts[0], counts[1]


def fixed_count(root: Path, files) -> int:
    """How many files already have their fixed size (the fixed text is longer than the original)."""
    count = 0
    for name, (before, after, _) in files.items():
        try:
            count += os.stat(root / name).st_size == len(after)
        except OSError:
            pass
    return count


def fix_in_background(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cnnlint", "--fix", "-q", "--no-cache", "."], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def kill_after(process: subprocess.Popen, root: Path, files, target: int) -> None:
    """SIGKILL ``cnnlint --fix`` as soon as at least ``target`` files are seen fixed.

    Kills are placed by progress, not by time: the writing of a few dozen files lasts a few
    milliseconds, shorter than the start-up noise of a process, so a timer mostly lands before
    or after it.
    """
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if fixed_count(root, files) >= target:
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.wait()


def interrupted_rounds(base: Path, rounds: int, n_files: int, seed: int,
                       max_rounds: int | None = None) -> list[tuple[int, int]]:
    """Kill ``--fix`` with SIGKILL at random points of its writing; check every file after each kill.

    Each round picks a random number of files after which to kill. Rounds go on past ``rounds``
    (up to ``max_rounds``) until at least one kill landed mid-way. The last tree is then fixed
    again, which must finish the job.
    """
    rng = random.Random(seed)
    files = variants(n_files)
    results: list[tuple[int, int]] = []
    for r in range(max(rounds, max_rounds or rounds)):
        if r >= rounds and any(0 < fixed < n_files for _, fixed in results):
            break
        root = base / f"round{r}"
        make_tree(root, files)
        kill_after(fix_in_background(root), root, files, target=rng.randint(1, n_files - 1))
        results.append(check_tree(root, files))
    rerun = subprocess.run([sys.executable, "-m", "cnnlint", "--fix", "-q", "."], cwd=root, capture_output=True,
                           timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert check_tree(root, files) == (0, n_files)
    return results


def test_kill_9_during_fix_leaves_each_file_original_or_fixed(tmp_path):
    results = interrupted_rounds(tmp_path, rounds=3, n_files=40, seed=7, max_rounds=12)
    assert any(0 < fixed < 40 for _, fixed in results), results  # some kills did land in the middle


def test_fix_rewrites_the_target_of_a_link_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "app.py").write_text(WRONG_FAMILY)
    (tmp_path / "app.py").symlink_to(Path("real") / "app.py")
    result = cnnlint("--fix", "app.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "app.py").is_symlink()
    assert (tmp_path / "real" / "app.py").read_text() == FIXED
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["app.py"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_fix_keeps_the_owner(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(WRONG_FAMILY)
    os.chown(path, 12345, 23456)
    assert cnnlint("--fix", "app.py", cwd=tmp_path).returncode == 0
    assert path.read_text() == FIXED
    assert (path.stat().st_uid, path.stat().st_gid) == (12345, 23456)


@pytest.mark.parametrize("change", ["edited", "deleted", "replaced by a FIFO"])
def test_a_file_changed_between_read_and_write_is_left_alone(tmp_path, change):
    path = tmp_path / "app.py"
    path.write_text(WRONG_FAMILY)
    (fix,) = lint([path], ALL_RULES, fix=True).fixed
    if change == "edited":
        path.write_text(WRONG_FAMILY + "# someone else's edit\n")
    else:
        path.unlink()
        if change == "replaced by a FIFO":
            os.mkfifo(path)
    outcome: list[BaseException] = []

    def write():
        try:
            fix.write()
        except BaseException as e:
            outcome.append(e)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    writer.join(30)
    if writer.is_alive():  # blocked reading the FIFO: free it, then fail
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("fix.write() blocked on a FIFO")
    assert len(outcome) == 1 and isinstance(outcome[0], ChangedOnDisk), outcome
    if change == "edited":
        assert path.read_text() == WRONG_FAMILY + "# someone else's edit\n"
    assert [p.name for p in tmp_path.iterdir()] == ([] if change == "deleted" else ["app.py"])


def test_fixing_the_examples_twice_changes_nothing_the_second_time(tmp_path):
    shutil.copytree(REPO / "examples" / "buggy", tmp_path / "buggy")
    first = cnnlint("--fix", "--no-cache", "buggy", cwd=tmp_path)
    assert "Traceback" not in first.stderr and " fixed" in first.stderr
    after_first = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*.py"))}
    for path, data in after_first.items():
        compile(data, str(path), "exec")  # every fixed file is still Python
    second = cnnlint("--fix", "--no-cache", "buggy", cwd=tmp_path)
    assert "0 fixed" in second.stderr
    assert {p: p.read_bytes() for p in sorted(tmp_path.rglob("*.py"))} == after_first
    diff = cnnlint("--diff", "--no-cache", "buggy", cwd=tmp_path)
    assert (diff.returncode, diff.stdout) == (0, "")
