"""Kill ``cnnlint --fix`` with SIGKILL at random moments while it rewrites many files, many times.

    python fuzz/fix_interrupt.py [--rounds 50] [--files 100] [--seed 1]

After every kill each file must be wholly the original or wholly the fixed version, with its
permissions and line endings (CRLF, lone CR, latin-1); the check is the one of
``tests/test_reliability_fix.py``, which runs a few rounds in CI. Prints how the kills fell.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def main() -> int:
    from test_reliability_fix import interrupted_rounds

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        results = interrupted_rounds(Path(folder), args.rounds, args.files, args.seed)  # raises on a damaged file
    partial = sum(0 < fixed < args.files for _, fixed in results)
    print(f"{args.rounds} kills during --fix of {args.files} files: every file original or fixed after each; "
          f"{partial} kills mid-way, {sum(f == 0 for _, f in results)} before the first rename, "
          f"{sum(f == args.files for _, f in results)} after the last; {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
