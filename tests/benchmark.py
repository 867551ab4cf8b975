"""Benchmarks for BENCHMARKS.md. Run with the kit's environment, from the kit's folder:

    .tox/kit/bin/python tests/benchmark.py grade --repeat 3 -- ch1_theory --exercises reference
        wall time and peak memory of whole `kit grade` runs (each a fresh process, fork-server
        start included); memory is the largest sum of RSS over the process tree, every 50 ms.
    .tox/kit/bin/python tests/benchmark.py watch activations --saves 10
        `kit watch`: from a file's save to its verdict on the screen, per save.
    .tox/kit/bin/python tests/benchmark.py tox --repeat 5 activations
        `tox -e grade -- ID` against `python -m grader grade ID`, alternating, in one run.
    .tox/kit/bin/python tests/benchmark.py autograde --learners 4 --repeat 2
        `kit autograde` of a fresh course (each learner's chapter-1 files solved and distinct),
        --jobs 1 against --jobs 2, alternating, and a rerun with nothing new.
Prints medians.
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

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


def one_run(command: list[str]) -> tuple[float, float, int]:
    started = time.perf_counter()
    process = psutil.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
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


def bench_grade(args) -> None:
    grade_args = [a for a in args.rest if a != "--"]
    runs = [
        one_run([sys.executable, "-m", "grader", "grade", *grade_args]) for _ in range(args.repeat)
    ]
    seconds = [r[0] for r in runs]
    print(f"kit grade {' '.join(grade_args)}")
    print(f"  runs: {', '.join(f'{s:.1f}s' for s in seconds)}; exit codes {[r[2] for r in runs]}")
    print(
        f"  median wall time {statistics.median(seconds):.2f} s; "
        f"peak tree RSS {max(r[1] for r in runs):.2f} GiB"
    )


def bench_tox(args) -> None:
    """tox's own cost on top of the kit, alternating the two so that load affects both alike."""
    tox, direct = [], []
    for _ in range(args.repeat):
        tox.append(one_run(["tox", "-q", "-e", "grade", "--", *args.rest])[0])
        direct.append(one_run([sys.executable, "-m", "grader", "grade", *args.rest])[0])
    t, d = statistics.median(tox), statistics.median(direct)
    print(f"tox -e grade -- {' '.join(args.rest)}: {', '.join(f'{s:.2f}' for s in tox)} s")
    print(
        f"python -m grader grade {' '.join(args.rest)}: {', '.join(f'{s:.2f}' for s in direct)} s"
    )
    print(f"  medians {t:.2f} s and {d:.2f} s: tox adds {t - d:.2f} s (ratio {t / d:.2f})")


def bench_watch(args) -> None:
    """Saves the reference solution over and over and times each verdict's arrival."""
    from grader import manifest

    exercise = manifest.find(args.exercise)
    with tempfile.TemporaryDirectory(prefix="kit-watch-bench-") as tmp:
        target = Path(tmp) / exercise.module
        target.parent.mkdir(parents=True)
        shutil.copy(ROOT / "reference" / exercise.module, target)
        watcher = subprocess.Popen(
            [sys.executable, "-m", "grader", "watch", exercise.id, "--exercises", tmp],
            cwd=ROOT, env={**ENV, "COLUMNS": "200"}, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            wait_for_verdict(watcher, exercise.id)  # the first grading, at start
            latencies = []
            source = target.read_text()
            for n in range(args.saves):
                time.sleep(0.5)  # a pause between saves, as when a person types
                saved = time.perf_counter()
                target.write_text(source + f"\n# save {n}\n")
                verdict = wait_for_verdict(watcher, exercise.id)
                latencies.append(time.perf_counter() - saved)
                assert "passed" in verdict, verdict
        finally:
            watcher.terminate()
            watcher.wait(10)
    print(f"kit watch {exercise.id}: save -> verdict, {args.saves} saves")
    print(f"  {', '.join(f'{s:.2f}' for s in latencies)} s")
    print(f"  median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s")


def bench_autograde(args) -> None:
    first: dict[int, list[float]] = {1: [], 2: []}
    reruns = []
    for _ in range(args.repeat):
        for jobs in (1, 2):
            with tempfile.TemporaryDirectory(prefix="kit-course-bench-") as course:
                env = {**ENV, "KIT_COURSE_DIR": course}
                for n in range(args.learners):
                    work = Path(course) / f"work-{n}"
                    shutil.copytree(ROOT / "exercises", work)
                    for solved in (ROOT / "reference" / "ch1_theory").glob("*.py"):
                        target = work / "ch1_theory" / solved.name
                        target.write_text(solved.read_text() + f"\n# learner {n}\n")
                    subprocess.run(
                        [sys.executable, "-m", "grader", "submit", "--exercises", str(work),
                         "--learner", f"learner{n}", "--course", course],
                        cwd=ROOT, env=env, check=True, capture_output=True,
                    )  # fmt: skip
                    shutil.rmtree(work)
                command = [sys.executable, "-m", "grader", "autograde", "--jobs", str(jobs)]
                started = time.perf_counter()
                subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
                first[jobs].append(time.perf_counter() - started)
                started = time.perf_counter()
                subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
                reruns.append(time.perf_counter() - started)
    for jobs, runs in first.items():
        print(
            f"autograde --jobs {jobs}, {args.learners} learners: {', '.join(f'{s:.1f}' for s in runs)} s"
        )
    ratio = statistics.median(first[1]) / statistics.median(first[2])
    print(f"  --jobs 2 is {ratio:.2f}x as fast as --jobs 1 (medians)")
    print(
        f"rerun with nothing new: {', '.join(f'{s:.2f}' for s in reruns)} s; median {statistics.median(reruns):.2f} s"
    )


def wait_for_verdict(watcher: subprocess.Popen, exercise_id: str) -> str:
    while True:
        line = watcher.stdout.readline()
        if not line:
            raise RuntimeError("kit watch ended")
        if line.startswith(f"{exercise_id}: ") and "(graded " in line:
            return line


def main() -> int:
    parser = argparse.ArgumentParser(description="kit benchmarks")
    modes = parser.add_subparsers(dest="mode", required=True)
    p = modes.add_parser("grade")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=bench_grade)
    p = modes.add_parser("tox")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=bench_tox)
    p = modes.add_parser("autograde")
    p.add_argument("--learners", type=int, default=4)
    p.add_argument("--repeat", type=int, default=2)
    p.set_defaults(run=bench_autograde)
    p = modes.add_parser("watch")
    p.add_argument("exercise")
    p.add_argument("--saves", type=int, default=10)
    p.set_defaults(run=bench_watch)
    args = parser.parse_args()
    args.run(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
