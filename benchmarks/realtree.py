#!/usr/bin/env python3
"""Time cnnlint on real trees of ML code, side by side with ruff, in one run.

    python benchmarks/realtree.py                          # every tree of realtree/TREES.tsv
    python benchmarks/realtree.py --tree tensorflow-examples
    python benchmarks/realtree.py --save before.json       # keep the findings ...
    python benchmarks/realtree.py --compare before.json    # ... and check a later version's are the same

The trees are pointers (``realtree/TREES.tsv``: repository and commit); their .py and .ipynb files,
with the data files cnnlint reads, are re-created from snapshots outside this repository as the
real-world benchmarks do (``--mirrors``, ``--clone``). For each tree: cnnlint cold (an empty cache),
cnnlint cached (the same cache, filled), ``ruff check --select ALL --no-cache``; wall time and the peak
memory of the whole process tree (cnnlint's workers included), sampled from /proc. Each is a fresh
process, as in CI. ``--compare`` fails (exit 1) when the findings differ in any way, order included.
``--floor`` adds the least an analysis over libcst can spend: libcst parsing only the relevant files, on
every core, with nothing else done (``libcst_floor.py``).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "realworld"))
from audit import materialise, repos  # noqa: E402


def trees() -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for line in (HERE / "realtree" / "TREES.tsv").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, repo, *commit = line.split("\t")
        if repo.startswith("@"):  # another list of repositories
            found.setdefault(name, []).extend(repos(HERE.parent / repo[1:]))
        else:
            found.setdefault(name, []).append((repo, commit[0]))
    return found


def descendants(pid: int) -> list[int]:
    """A process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def timed(command: list[str]) -> tuple[float, int, str]:
    """Wall time, peak memory of the process tree, standard output."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = [0]

    def sample():  # the memory of a process tree: the sum of proportional set sizes (shared pages once)
        tree, rounds = [proc.pid], 0
        while proc.poll() is None:
            if rounds % 5 == 0:
                tree = descendants(proc.pid)  # workers come and go: look again every half second
            peak[0] = max(peak[0], sum(pss(p) for p in tree))
            rounds += 1
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    elapsed = time.perf_counter() - start
    sampler.join()
    return elapsed, peak[0], out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", action="append", help="only this tree (repeatable)")
    ap.add_argument("--mirrors", type=Path, default=Path(os.environ.get("CNNLINT_MIRRORS", "/work/.mirror")))
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "cnnlint-realtree")
    ap.add_argument("--clone", action="store_true", help="git clone missing snapshots from GitHub")
    ap.add_argument("--cnnlint", default=f"{sys.executable} -m cnnlint")
    ap.add_argument("--save", type=Path, help="write the findings of the cold runs here (JSON)")
    ap.add_argument("--compare", type=Path, help="fail unless the findings equal those saved here")
    ap.add_argument("--floor", action="store_true",
                    help="also time libcst alone parsing the relevant files on every core (libcst_floor.py)")
    args = ap.parse_args()
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(Path(sys.executable).parent))
    print(f"{os.cpu_count()} cores; cnnlint: {args.cnnlint}; ruff: {ruff or 'not installed'}")
    findings: dict[str, list] = {}
    for name, rows in trees().items():
        if args.tree and name not in args.tree:
            continue
        root = args.out / name
        files = materialise(root, args.mirrors, args.clone, rows)
        size = sum(p.stat().st_size for p in root.rglob("*") if p.suffix in (".py", ".ipynb") and p.is_file())
        cache = Path(tempfile.mkdtemp(prefix="cnnlint-realtree-cache-"))
        lint = args.cnnlint.split() + ["--format", "json", "--quiet", "--cache-dir", str(cache), str(root)]
        cold, cold_peak, out = timed(lint)
        findings[name] = [[os.path.relpath(f["path"], root), f["cell"], f["line"], f["column"], f["code"], f["message"]]
                          for f in json.loads(out or "[]")]
        cached, cached_peak, _ = timed(lint)
        shutil.rmtree(cache, ignore_errors=True)
        line = (f"{name}: {files} files, {size / 1e6:.1f} MB, {len(findings[name])} findings | "
                f"cnnlint cold {cold:.1f} s ({cold_peak / 1e6:.0f} MB), "
                f"cached {cached:.2f} s ({cached_peak / 1e6:.0f} MB)")
        if ruff:
            spent, _, _ = timed([ruff, "check", "--select", "ALL", "--no-cache", "--quiet", "--exit-zero", str(root)])
            line += f" | ruff {spent:.2f} s | cold {cold / spent:.1f}x ruff, cached {cached / spent:.1f}x ruff"
        if args.floor:
            floor, _, _ = timed([sys.executable, str(HERE / "libcst_floor.py"), str(root)])
            line += f" | libcst alone {floor:.1f} s" + (f", {floor / spent:.1f}x ruff" if ruff else "")
        print(line, flush=True)
    if args.save:
        args.save.write_text(json.dumps(findings))
    if args.compare:
        before = json.loads(args.compare.read_text())
        differ = [name for name in findings if before.get(name) != findings[name]]
        for name in differ:
            old, new = before.get(name, []), findings[name]
            print(f"{name}: findings differ: {len(old)} before, {len(new)} now; first difference:",
                  next(([a, b] for a, b in zip(old, new) if a != b), "one is a prefix of the other"))
        if differ:
            return 1
        print("findings identical to", args.compare)
    return 0


if __name__ == "__main__":
    sys.exit(main())
