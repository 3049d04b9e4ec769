"""Time cnnlint on a tree of many empty files (default 100,000 in 100 folders, plus one buggy file).

    python fuzz/many_files.py [-n 100000]

CI runs 10,000 (tests/test_reliability_trees.py); this is the full size. Prints the time of a cold
run (no cache) and of a run with the cache, each in a fresh process, and checks the one finding.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUGGY = """\
from keras.applications import ResNet50
from keras.utils import img_to_array, load_img
x = img_to_array(load_img("a.jpg", target_size=(224, 224)))
ResNet50().predict(x[None])
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--files", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        per_folder = 1000
        for i in range(args.files):
            sub = root / f"d{i // per_folder}"
            if i % per_folder == 0:
                sub.mkdir()
            (sub / f"f{i % per_folder}.py").touch()
        (root / "d0" / "buggy.py").write_text(BUGGY)
        for label, extra in (("cold (--no-cache)", ["--no-cache"]), ("first cached run", []), ("cached", [])):
            start = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "cnnlint", *extra, "."], cwd=root, capture_output=True,
                                    text=True)
            seconds = time.perf_counter() - start
            ok = result.returncode == 1 and result.stdout.startswith("d0/buggy.py:4:1: CNN101")
            print(f"{args.files + 1} files, {label}: {seconds:.1f} s, exit {result.returncode}, "
                  f"{'ok' if ok else 'UNEXPECTED: ' + result.stdout[:200] + result.stderr[-500:]}")
            if not ok:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
