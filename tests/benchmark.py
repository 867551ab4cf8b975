"""Benchmarks for BENCHMARKS.md: wall time and peak memory of whole `kit grade` runs.

Run with the kit's environment, for example:
    .tox/kit/bin/python tests/benchmark.py --repeat 3 -- ch1_theory ch2_pytorch --exercises reference
Each run is a fresh `python -m grader grade` process (fork server start included). Memory is the
largest sum of RSS over the whole process tree, sampled every 50 ms. Prints medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import psutil

from grader import PROJECT_ROOT


def one_run(grade_args: list[str]) -> tuple[float, float, int]:
    started = time.perf_counter()
    process = psutil.Popen(
        [sys.executable, "-m", "grader", "grade", *grade_args],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    peak = 0
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    return time.perf_counter() - started, peak / 2**30, process.returncode


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("grade_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    grade_args = [a for a in args.grade_args if a != "--"]
    runs = [one_run(grade_args) for _ in range(args.repeat)]
    seconds = [r[0] for r in runs]
    print(f"kit grade {' '.join(grade_args)}")
    print(f"  runs: {', '.join(f'{s:.1f}s' for s in seconds)}; exit codes {[r[2] for r in runs]}")
    print(
        f"  median wall time {statistics.median(seconds):.1f} s; peak tree RSS {max(r[1] for r in runs):.2f} GiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
