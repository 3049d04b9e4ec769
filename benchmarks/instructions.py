#!/usr/bin/env python3
"""Count the instructions cnnlint runs on a tree, for versions side by side: a before/after that a
busy machine cannot blur.

    python benchmarks/instructions.py TREE [TREE...]                       # this checkout
    python benchmarks/instructions.py TREE --version /path/to/old/checkout --version .

Wall and CPU times on a shared 2-core machine vary by 10-30% from run to run, more than most speed
changes; the number of instructions a run executes does not (it moves by well under 1% between runs
of the same version). Each version (a checkout of cnnlint: its folder goes first on PYTHONPATH) lints
the trees in one process, with no cache (``--jobs 1 --no-cache``), under ``valgrind --tool=callgrind``,
which counts the instructions and runs about 50 times slower: minutes for tensorflow/examples. The
versions run in parallel, one a core. Needs valgrind (``apt-get install valgrind``).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent


def count(version: Path, trees: list[Path]) -> int:
    """Instructions of one cnnlint run of ``version`` on ``trees``."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        env = {**os.environ, "PYTHONPATH": str(version)}
        # run from an empty folder: ``python -m`` puts the current folder on sys.path before PYTHONPATH
        run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                              sys.executable, "-m", "cnnlint", "--quiet", "--jobs", "1", "--no-cache",
                              *(str(t.resolve()) for t in trees)],
                             env=env, cwd=scratch, capture_output=True, text=True)
        found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
        if found is None:
            raise SystemExit(f"valgrind gave no count for {version}:\n{run.stderr[-2000:]}")
        return int(found.group(1).replace(",", ""))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", type=Path, nargs="+")
    ap.add_argument("--version", type=Path, action="append",
                    help="a checkout of cnnlint to count (repeatable; default: this one)")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        print("instructions.py: valgrind is not installed", file=sys.stderr)
        return 2
    versions = [v.resolve() for v in (args.version or [HERE.parent])]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = list(pool.map(lambda v: count(v, args.trees), versions))
    first = counts[0]
    for version, n in zip(versions, counts):
        print(f"{n / 1e9:8.3f} billion instructions ({(n - first) / first:+.1%})  {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
