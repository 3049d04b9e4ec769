#!/usr/bin/env python3
"""Precision audit: lint whole real repositories, draw findings at random, show each with its code.

The repositories are listed as pointers (``AUDIT_REPOS.tsv``: owner/repo and commit); their
Python files and notebooks are re-created from snapshots outside this repository (as run.py
does), linted in one run, and a seeded random sample of the findings is printed with the code
around each, to be judged by reading it. The judgements are kept in ``AUDIT.tsv`` (the finding
as path, line and code; verdict real/wrong; why), again without any third-party code.

    python benchmarks/realworld/audit.py --sample 60 --seed 1
    python benchmarks/realworld/audit.py --score     # real/wrong counts of AUDIT.tsv

Materialising needs the snapshots (``--mirrors``, as in run.py).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import git_dir  # noqa: E402

HERE = Path(__file__).resolve().parent


def repos(listing: Path = HERE / "AUDIT_REPOS.tsv") -> list[tuple[str, str]]:
    rows = []
    for line in listing.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            repo, commit = line.split("\t")[:2]
            rows.append((repo, commit))
    return rows


IMAGES = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp")
MODELS = (".h5", ".hdf5", ".keras")
HEADER_BYTES = 1 << 16  # cnnlint reads only an image's header
MODEL_BYTES = 50 << 20


def data_file(name: str, size: int) -> int | None:
    """How many bytes of a repository's file to re-create, beside its code, so the checkout is linted as
    it is (cnnlint reads image headers and saved models as data): None for a file it never reads."""
    lower = name.lower()
    if lower.endswith(IMAGES):
        return min(size, HEADER_BYTES)
    if lower.endswith(MODELS) and size <= MODEL_BYTES or lower.rsplit("/", 1)[-1] == "labels.txt":
        return size
    return None


def materialise(out: Path, mirrors: Path, clone: bool, rows: list[tuple[str, str]] | None = None) -> int:
    """Every .py and .ipynb file of each repository at its commit, under out/owner+repo/, with the data
    files cnnlint reads (image headers, saved models); returns the number of code files."""
    files = 0
    for repo, commit in repos() if rows is None else rows:
        target = out / repo.replace("/", "+")
        done = target / ".complete"
        target.mkdir(parents=True, exist_ok=True)
        (target / ".git").touch()  # the top of a checkout: repositories linted together stay separate projects
        if done.exists():
            files += int(done.read_text())
            continue
        git = git_dir(mirrors, repo, clone)
        if git is None:
            print(f"no snapshot of {repo}: skipped", file=sys.stderr)
            continue
        listing = subprocess.run(["git", "--git-dir", str(git), "ls-tree", "-r", "-l", commit],
                                 capture_output=True, text=True).stdout.splitlines()
        count = 0
        for line in listing:
            meta, name = line.split("\t", 1)
            size = meta.split()[3]
            code = name.endswith((".py", ".ipynb"))
            keep = None if code or not size.isdigit() else data_file(name, int(size))
            if not code and keep is None:
                continue
            blob = subprocess.run(["git", "--git-dir", str(git), "show", f"{commit}:{name}"], capture_output=True)
            if blob.returncode == 0:
                path = target / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(blob.stdout if code else blob.stdout[:keep])
                count += code
        done.parent.mkdir(parents=True, exist_ok=True)
        done.write_text(str(count))
        files += count
    return files


def code_around(path: Path, line: int, cell: int | None, context: int = 6) -> str:
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        cells = nb.get("cells") or [c for w in nb.get("worksheets", []) for c in w.get("cells", [])]
        source = cells[cell - 1].get("source", cells[cell - 1].get("input", "")) if cell else ""
        text = "".join(source) if isinstance(source, list) else source
    else:
        text = path.read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    lo, hi = max(line - context, 1), min(line + context, len(lines))
    return "\n".join(f"{'>' if n == line else ' '}{n:5d}  {lines[n - 1]}" for n in range(lo, hi + 1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirrors", type=Path, default=Path(os.environ.get("CNNLINT_MIRRORS", "/work/.mirror")))
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "cnnlint-audit")
    ap.add_argument("--clone", action="store_true")
    ap.add_argument("--cnnlint", default=f"{sys.executable} -m cnnlint")
    ap.add_argument("--sample", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--score", action="store_true", help="count the verdicts in AUDIT.tsv")
    ap.add_argument("--reuse", action="store_true", help="sample the findings of the last run again")
    args = ap.parse_args()
    if args.score:
        verdicts = [line.split("\t") for line in (HERE / "AUDIT.tsv").read_text().splitlines()
                    if line.strip() and not line.startswith(("#", "finding"))]
        for batch in sorted({v[3] for v in verdicts}) + ["all"]:
            judged = [v for v in verdicts if batch in ("all", v[3])]
            real = sum(v[1] == "real" for v in judged)
            print(f"batch {batch}: {real}/{len(judged)} findings judged real "
                  f"({100 * real / max(len(judged), 1):.0f}%)")
        return 0
    files = materialise(args.out, args.mirrors, args.clone)
    saved = args.out / "findings.json"
    if args.reuse and saved.exists():
        findings = json.loads(saved.read_text())
        print(f"{files} files, {len(findings)} findings (CNN000 left out), from {saved}")
    else:
        start = time.perf_counter()
        proc = subprocess.run(args.cnnlint.split() + ["--format", "json", "--no-cache", "--quiet", str(args.out)],
                              capture_output=True, text=True)
        findings = [f for f in json.loads(proc.stdout) if f["code"] != "CNN000"]
        saved.write_text(json.dumps(findings))
        print(f"{files} files, {len(findings)} findings (CNN000 left out), linted in "
              f"{time.perf_counter() - start:.0f} s")
    print("per code:", dict(sorted(Counter(f["code"] for f in findings).items())))
    random.Random(args.seed).shuffle(findings)
    for i, f in enumerate(findings[:args.sample], start=1):
        path = Path(f["path"])
        rel = path.resolve().relative_to(args.out.resolve())
        where = f"{rel}:{'cell ' + str(f['cell']) + ':' if f['cell'] else ''}{f['line']}"
        print(f"\n### {i}. {where} {f['code']}\n{f['message']}\n{code_around(path, f['line'], f['cell'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
