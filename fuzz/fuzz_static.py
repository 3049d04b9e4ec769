"""Fuzz the static pipeline: many generated and mutated programs through ``lint()``.

    python fuzz/fuzz_static.py                 # 10,000 hypothesmith programs + 3,000 mutants, every core
    python fuzz/fuzz_static.py -n 500 --mutants 100 -j 1 --seed 7

The strategies and the invariants are those of ``tests/test_reliability_generated.py`` (which
runs a few hundred in CI): hypothesmith programs behind a Keras import or spliced into the rule
pages' examples, and mutants of those examples linted with ``--fix`` semantics. A failing
program does not stop the run: it is counted and saved under ``--out`` with its traceback, and
the summary says how many there were. Exit status 1 when any program failed.

Programs come from hypothesis's generate phase only. hypothesmith also calls ``target()`` to
push programs toward larger trees; in the first 10,000 run that target phase made one worker
crawl (about 800 programs in 25 minutes, 1.6 GB) while the other finished its 5,000. Large and
deep inputs are covered directly by ``tests/test_reliability_files.py`` instead.
"""
from __future__ import annotations

import argparse
import functools
import multiprocessing
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def worker(job: tuple[int, int, int, str]) -> dict:
    """Run ``programs`` hypothesmith programs then ``mutants`` mutants, hypothesis seeded by ``seed``."""
    programs, mutants, seed, out = job
    warnings.simplefilter("ignore")
    from hypothesis import Phase, given, settings
    from hypothesis import seed as seeded

    import test_reliability_generated as gen

    stats = {"programs": 0, "mutants": 0, "exceptions": 0, "parse_errors": 0, "libcst_limits": 0, "findings": 0,
             "fixed_files": 0}
    failures: list[str] = []

    def check(code: str, mutant: bool) -> None:
        stats["programs"] += 1
        stats["mutants"] += mutant
        if stats["programs"] % 500 == 0:
            print(f"worker {seed}: {stats['programs']} programs, {stats['exceptions']} exceptions", file=sys.stderr,
                  flush=True)
        with tempfile.TemporaryDirectory() as folder:
            try:
                result = gen.check(code, Path(folder), fix=mutant)
            except BaseException as e:  # counted and saved, never stops the run
                if isinstance(e, KeyboardInterrupt):
                    raise
                stats["exceptions"] += 1
                Path(out).mkdir(parents=True, exist_ok=True)
                name = Path(out) / f"failure-{seed}-{stats['programs']}.py"
                name.write_text(code + "\n\n# " + "\n# ".join(traceback.format_exc().splitlines()) + "\n",
                                encoding="utf-8")
                failures.append(str(name))
                return
        stats["findings"] += len(result.findings)
        stats["parse_errors"] += sum(f.code == "CNN000" for f in result.findings)
        stats["libcst_limits"] += sum(f.message.startswith(gen.LIBCST_LIMIT) for f in result.findings)
        stats["fixed_files"] += len(result.fixed)

    for strategy, count, mutant in ((gen.programs(), programs, False), (gen.mutants(), mutants, True)):
        if count:
            run = functools.partial(check, mutant=mutant)
            seeded(seed)(settings(gen.FUZZ, max_examples=count, phases=[Phase.explicit, Phase.generate])(
                given(strategy)(lambda code: run(code))))()
    stats["failures"] = failures
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--programs", type=int, default=10_000, help="hypothesmith programs")
    parser.add_argument("--mutants", type=int, default=3_000, help="mutants of the rule examples, on top")
    parser.add_argument("-j", "--jobs", type=int, default=multiprocessing.cpu_count())
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "cnnlint-fuzz-failures"),
                        help="where failing programs are saved")
    args = parser.parse_args()
    def share(n: int, i: int) -> int:
        return n // args.jobs + (i < n % args.jobs)

    jobs = [(share(args.programs, i), share(args.mutants, i), args.seed + i, args.out) for i in range(args.jobs)]
    jobs = [job for job in jobs if job[0] or job[1]]
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        results = pool.map(worker, jobs)
    seconds = time.perf_counter() - start
    total = {key: sum(r[key] for r in results) for key in results[0] if key != "failures"}
    failures = [f for r in results for f in r["failures"]]
    print(f"seed {args.seed}, {len(jobs)} worker(s)")
    print(f"programs tried:   {total['programs']} ({total['mutants']} mutants of the rule examples, "
          f"{total['programs'] - total['mutants']} generated by hypothesmith)")
    print(f"exceptions:       {total['exceptions']}" + "".join(f"\n  {f}" for f in failures[:20]))
    print(f"findings:         {total['findings']} ({total['parse_errors']} CNN000, of which "
          f"{total['libcst_limits']} valid Python that libcst cannot parse), "
          f"{total['fixed_files']} files fixed and re-linted")
    print(f"seconds:          {seconds:.0f} wall, {seconds * len(jobs) / max(total['programs'], 1) * 1000:.0f} ms "
          f"per program and worker")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
