#!/usr/bin/env python3
"""The least any analysis over libcst spends on a tree: libcst parsing its relevant files, nothing else.

    python benchmarks/libcst_floor.py TREE [--processes N]

Reads every .py and .ipynb file under TREE, keeps those cnnlint finds relevant (``is_relevant``: the
files it must analyse at the least; the modules they import come on top), and parses their code
(a notebook's joined cells, as cnnlint builds them) with ``libcst.parse_module`` on N processes
(default: every core). No positions, no analysis, no rules, no report. ``realtree.py --floor`` times
this script as a whole process, start-up included, beside cnnlint and ruff.
"""
from __future__ import annotations

import argparse
import os
import sys
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cnnlint.sources import decode, is_relevant, notebook_program  # noqa: E402


def parsed_chars(path: Path) -> int:
    """libcst parses the file's code if the file is relevant; the number of characters parsed."""
    import libcst

    data = path.read_bytes()
    if not is_relevant(data):
        return 0
    try:
        text = notebook_program(data)[0] if path.suffix == ".ipynb" else decode(data)
        libcst.parse_module(text)
    except Exception:  # a file libcst cannot parse costs what it cost
        return 0
    return len(text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tree", type=Path)
    ap.add_argument("--processes", type=int, default=os.cpu_count())
    args = ap.parse_args()
    files = sorted((p for p in args.tree.rglob("*") if p.suffix in (".py", ".ipynb") and p.is_file()),
                   key=lambda p: -p.stat().st_size)  # the largest first: the processes finish together
    with Pool(args.processes) as pool:
        chars = sum(pool.imap_unordered(parsed_chars, files, chunksize=1))
    print(f"{len(files)} files, {chars} characters of relevant code parsed by libcst")
    return 0


if __name__ == "__main__":
    sys.exit(main())
