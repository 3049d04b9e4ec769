#!/usr/bin/env python3
"""Score cnnlint on labelled real public code, kept in this repository as pointers only.

Each manifest row (``MANIFEST.tsv`` for Keras and TF Hub, ``TORCH.tsv`` for PyTorch) names files
of public repositories at a pinned commit (``owner/repo@commit:path``), the bug kinds a person
found by reading them (or ``clean``), and why. The project modules beside them that they import
come too, as in a checkout. No third-party code is committed: this script
re-creates the files from snapshots of the repositories, outside the repository, then lints
each case folder on its own, as one small project, and scores the findings against the labels.

    python benchmarks/realworld/run.py                  # materialise (if needed) and score both sets
    python benchmarks/realworld/run.py --set serving    # only rows of one set (data, serving, torch)
    python benchmarks/realworld/run.py --verbose        # every case with what was reported

Snapshots: a folder of bare git repositories named ``owner+repo`` (``--mirrors``, default
``/work/.mirror``, where this workplace's fetch tool puts them, e.g. ``…/owner+repo/repo``), or,
where the network allows, ``git clone --bare https://github.com/owner/repo`` into that folder.
Files go to ``--out`` (default ``$TMPDIR/cnnlint-realworld/<case>/<path>``).

The score: per kind, found/labelled (a kind counts as found when a code listed for it in KINDS is
reported anywhere in the case); per case, whether any labelled kind was found; and false alarms:
clean cases with any finding. ``other:...`` kinds are listed in the manifest but not scored.
"""
from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFESTS = [HERE / "MANIFEST.tsv", HERE / "TORCH.tsv"]
COLUMNS = ["case", "split", "framework", "expected", "files", "why", "set"]

# Which rule codes count as finding which bug kind (the catalog in README.md).
KINDS = {
    "missing-preprocess": {"CNN101"},
    "wrong-family": {"CNN102"},
    "double-normalization": {"CNN103"},
    "rescale-mismatch": {"CNN104", "CNN101", "CNN102"},
    "tfhub-range": {"CNN104"},
    "uint8-arithmetic": {"CNN105"},
    "missing-resize": {"CNN201"},
    "wrong-input-size": {"CNN202"},
    "missing-batch-dim": {"CNN203"},
    "grayscale-or-rgba-channels": {"CNN204"},
    "bgr-rgb": {"CNN301"},
    "repeated-input": {"CNN401", "CNN402"},
    "unbatched-dataset": {"CNN402"},
    "train-infer-mismatch": {"CNN403"},
    "shuffled-eval-order": {"CNN404"},
    "softmax-single-unit": {"CNN501"},
    "decode-predictions-custom-head": {"CNN502"},
    "frozen-base-training-mode": {"CNN503"},
    # PyTorch
    "torch-missing-normalize": {"CNN601"},
    "torch-wrong-normalize": {"CNN602"},
    "torch-unscaled-tensor": {"CNN603"},
    "missing-eval-mode": {"CNN604"},
    "train-augmentation-at-inference": {"CNN605"},
}


def read_manifest(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if cells[0] == "case":
            continue
        row = dict(zip(COLUMNS, cells))
        if len(cells) != len(COLUMNS):
            sys.exit(f"{path.name}:{number}: {len(cells)} columns, expected {len(COLUMNS)}")
        row["expected"] = [k.strip() for k in row["expected"].split(",") if k.strip()]
        row["files"] = [f.strip() for f in row["files"].split(";") if f.strip()]
        rows.append(row)
    return rows


def parse_pointer(pointer: str) -> tuple[str, str, str]:
    repo, rest = pointer.split("@", 1)
    commit, path = rest.split(":", 1)
    return repo, commit, path


def git_dir(mirrors: Path, repo: str, clone: bool) -> Path | None:
    base = mirrors / repo.replace("/", "+")
    for candidate in (base / "repo" / ".git", base / "repo", base):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    if not clone:
        return None
    target = base / "repo"
    target.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["git", "clone", "-q", "--bare", f"https://github.com/{repo}", str(target)],
                          capture_output=True)
    return target if done.returncode == 0 else None


IMPORTED = re.compile(rb"""(?:^|["'])[ \t]*(?:from[ \t]+\.?([\w.]+)[ \t]+import|import[ \t]+([\w.]+))""",
                      re.MULTILINE)


def materialise(rows: list[dict], mirrors: Path, out: Path, clone: bool) -> list[str]:
    """Write every case's files under ``out/<case>/``, with the project modules beside them that they
    import (a checkout has them: ``from utils import load``); returns the pointers that could not be had."""
    missing = []
    for row in rows:
        todo = [parse_pointer(p) + (p,) for p in row["files"]]
        done: set[str] = set()
        while todo:
            repo, commit, path, pointer = todo.pop()
            if path in done:
                continue
            done.add(path)
            target = out / row["case"] / path
            git = git_dir(mirrors, repo, clone)
            if not target.exists():
                blob = subprocess.run(["git", "--git-dir", str(git), "show", f"{commit}:{path}"],
                                      capture_output=True) if git else None
                if blob is None or blob.returncode != 0:
                    if pointer:
                        missing.append(pointer)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(blob.stdout)
            folder = posixpath.dirname(path)
            ancestors = [folder]
            while ancestors[-1]:
                ancestors.append(posixpath.dirname(ancestors[-1]))
            for m in IMPORTED.finditer(target.read_bytes()):
                module = (m.group(1) or m.group(2)).decode().replace(".", "/")
                for base in ancestors:  # from package.module import x: the module, beside or above
                    candidates = [posixpath.join(base, module + ".py"), posixpath.join(base, module, "__init__.py")]
                    found = [c for c in candidates if c not in done and git is not None and subprocess.run(
                        ["git", "--git-dir", str(git), "cat-file", "-e", f"{commit}:{c}"],
                        capture_output=True).returncode == 0]
                    if found:
                        todo.append((repo, commit, found[0], ""))
                        break
    return missing


def lint_case(folder: Path, cnnlint: list[str]) -> set[str]:
    """The codes cnnlint reports for one case, linted on its own as one small project."""
    proc = subprocess.run(cnnlint + ["--format", "json", "--no-cache", str(folder)], capture_output=True, text=True)
    for line in proc.stderr.splitlines():
        if "internal error" in line:
            print(f"{folder.name}: {line}", file=sys.stderr)
    try:
        return {f["code"] for f in json.loads(proc.stdout)}
    except ValueError:
        print(f"cnnlint gave no JSON on {folder} (exit {proc.returncode}): {proc.stderr[-500:]}", file=sys.stderr)
        return {"ERROR"}


def score(rows: list[dict], reported: dict[str, set[str]], verbose: bool) -> dict:
    found, total = Counter(), Counter()
    cases_found = cases_buggy = clean_total = 0
    alarms, misses = [], []
    for row in rows:
        codes = reported[row["case"]]
        if row["expected"] == ["clean"]:
            clean_total += 1
            if codes:
                alarms.append(f"{row['case']}: {sorted(codes)}")
            continue
        scored = [k for k in row["expected"] if k in KINDS]
        if not scored:
            continue
        cases_buggy += 1
        hit_any = False
        for kind in scored:
            total[kind] += 1
            if KINDS[kind] & codes:
                found[kind] += 1
                hit_any = True
            else:
                misses.append(f"{row['case']}: {kind} (reported {sorted(codes) or 'nothing'})")
        cases_found += hit_any
        if verbose:
            print(f"{row['case']}: expected {row['expected']}, reported {sorted(codes)}")
    return {"found": found, "total": total, "cases_found": cases_found, "cases_buggy": cases_buggy,
            "clean_total": clean_total, "alarms": alarms, "misses": misses}


def report(name: str, s: dict) -> None:
    print(f"== {name}")
    for kind in sorted(s["total"]):
        print(f"  {kind:34s} {s['found'][kind]:3d}/{s['total'][kind]}")
    for title, items in (("missed", s["misses"]), ("false alarms on clean cases", s["alarms"])):
        if items:
            print(f"  {title}:")
            print("\n".join("    " + m for m in items))
    h, t = sum(s["found"].values()), sum(s["total"].values())
    print(f"  summary: buggy cases found {s['cases_found']}/{s['cases_buggy']} "
          f"({100 * s['cases_found'] / max(s['cases_buggy'], 1):.0f}%), labelled bugs found {h}/{t} "
          f"({100 * h / max(t, 1):.0f}%), false alarms on {len(s['alarms'])}/{s['clean_total']} clean cases")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", type=Path, action="append", help="manifest(s) to use (default: both)")
    ap.add_argument("--set", default="", help="only rows of this set: data, serving or torch")
    ap.add_argument("--mirrors", type=Path, default=Path(os.environ.get("CNNLINT_MIRRORS", "/work/.mirror")))
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "cnnlint-realworld")
    ap.add_argument("--clone", action="store_true", help="git clone missing snapshots from GitHub")
    ap.add_argument("--cnnlint", default=f"{sys.executable} -m cnnlint", help="command that runs cnnlint")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="cases linted at once")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    rows = [r for m in (args.manifest or MANIFESTS) if m.exists() for r in read_manifest(m)]
    if args.set:
        rows = [r for r in rows if r["set"] == args.set]
    missing = materialise(rows, args.mirrors, args.out, args.clone)
    if missing:
        print(f"{len(missing)} files could not be re-created (no snapshot here); their cases are skipped:")
        print("\n".join("  " + m for m in missing[:20]))
        gone = {r["case"] for r in rows for p in r["files"] if p in missing}
        rows = [r for r in rows if r["case"] not in gone]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        codes = dict(zip([r["case"] for r in rows],
                         pool.map(lambda r: lint_case(args.out / r["case"], args.cnnlint.split()), rows)))
    for name in sorted({r["set"] for r in rows}):
        report(name, score([r for r in rows if r["set"] == name], codes, args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
