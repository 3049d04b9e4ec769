"""Time cnnlint on a tree of files, side by side with ruff when it is installed.

    python benchmarks/bench.py                 # generate a tree: mostly plain Python, a few percent Keras code
    python benchmarks/bench.py PATH [PATH...]  # or time real folders
    python benchmarks/bench.py --files 1000 --repeat 5

Prints files, MB, median wall time, files/s and MB/s for cnnlint without a cache (cold),
with a filled cache (cached) and ruff, and the ratios. Each run is a fresh process, as in
pre-commit or CI.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLAIN = '''"""Module {i}: ordinary application code."""
import json
import os
from dataclasses import dataclass


@dataclass
class Record{i}:
    name: str
    size: int

    def describe(self) -> str:
        return f"{{self.name}} ({{self.size}} bytes)"


def load_{i}(path):
    with open(path) as handle:
        return [Record{i}(**row) for row in json.load(handle)]


def total_{i}(records):
    return sum(r.size for r in records if r.size > 0)


def main():
    records = load_{i}(os.environ.get("DATA", "data.json"))
    print(total_{i}(records))
'''

KERAS = '''"""Module {i}: image classification with a pre-trained model."""
import numpy as np
import tensorflow as tf
from tensorflow.keras.applications.resnet50 import ResNet50, preprocess_input

model = ResNet50(weights="imagenet")


def load(path, size=(224, 224)):
    image = tf.keras.utils.load_img(path, target_size=size)
    return tf.keras.utils.img_to_array(image)


def classify(paths):
    batch = np.stack([load(p) for p in paths])
    if {i} % 2:
        batch = preprocess_input(batch)
    return model.predict(batch)
'''


def generate(root: Path, files: int, ml_percent: float) -> None:
    every = max(1, round(100 / ml_percent))
    for i in range(files):
        folder = root / f"pkg{i // 50}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"mod{i}.py").write_text((KERAS if i % every == 0 else PLAIN).format(i=i))


def measure(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def size_of(paths: list[Path]) -> tuple[int, int]:
    files = [p for root in paths for p in (root.rglob("*.py") if root.is_dir() else [root])]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--files", type=int, default=1000, help="files to generate (default 1000)")
    ap.add_argument("--ml-percent", type=float, default=3.0, help="share of Keras files (default 3)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = None
    paths = args.paths
    if not paths:
        tmp = Path(tempfile.mkdtemp(prefix="cnnlint-bench-"))
        generate(tmp, args.files, args.ml_percent)
        paths = [tmp]
    n, size = size_of(paths)
    mb = size / 1e6
    print(f"tree: {n} files, {mb:.2f} MB; {os.cpu_count()} cores; median of {args.repeat} runs")
    cache = Path(tempfile.mkdtemp(prefix="cnnlint-bench-cache-"))
    tools = {
        "cnnlint (cold)": [sys.executable, "-m", "cnnlint", "--no-cache", *map(str, paths)],
        "cnnlint (cached)": [sys.executable, "-m", "cnnlint", "--cache-dir", str(cache), *map(str, paths)],
    }
    subprocess.run(tools["cnnlint (cached)"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fill it
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff:
        tools["ruff check --select ALL"] = [ruff, "check", "--select", "ALL", "--no-cache", "--quiet",
                                            *map(str, paths)]
    results = {}
    for name, cmd in tools.items():
        t = measure(cmd, args.repeat)
        results[name] = t
        print(f"{name:28s} {t:7.3f} s  {n / t:8.0f} files/s  {mb / t:6.2f} MB/s")
    ruff_time = results.get("ruff check --select ALL")
    if ruff_time:
        for name in ("cnnlint (cold)", "cnnlint (cached)"):
            print(f"{name} / ruff: {results[name] / ruff_time:.1f}x")
    shutil.rmtree(cache)
    if tmp:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
