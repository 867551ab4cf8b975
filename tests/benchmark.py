"""Benchmarks for BENCHMARKS.md. Run with the kit's environment, from the kit's folder:

    .tox/kit/bin/python tests/benchmark.py grade --repeat 3 -- ch1_theory --exercises reference
        wall time and peak memory of whole `kit grade` runs (each a fresh process, fork-server
        start included); memory is the largest sum of RSS over the process tree, every 50 ms.
    .tox/kit/bin/python tests/benchmark.py watch activations --saves 10
        `kit watch`: from a file's save to its verdict on the screen, per save.
    .tox/kit/bin/python tests/benchmark.py tox --repeat 5 activations
        `tox -e grade -- ID` against `python -m grader grade ID`, alternating, in one run.
    .tox/kit/bin/python tests/benchmark.py autograde --learners 10 --repeat 1
        `kit autograde` of a fresh course of full submissions (the reference, and the others
        made by mutating it; every learner's files distinct), --jobs 1 against --jobs 2,
        alternating, and reruns with nothing new.
    .tox/kit/bin/python tests/benchmark.py isolation --learners 4 --repeat 3
        what the sandbox adds: the same course autograded with bubblewrap and unsandboxed,
        alternating, each into a fresh gradebook.
    .tox/kit/bin/python tests/benchmark.py views --learners 30 --submissions 10
        `kit progress` and `kit dashboard` over a generated gradebook of that size.
    .tox/kit/bin/python tests/benchmark.py scale --learners 20
        (as root, with Debian's postgresql, slurm-wlm and munge) a course of full submissions
        made as for `autograde`, graded on a private PostgreSQL server once by the README's
        Slurm job array (slurm/autograde.sbatch, one CPU a task) on a one-node cluster of this
        machine, and once by `kit autograde --jobs 2`, back to back, each into a fresh database.
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
    """The issue's course: 10 full submissions, the reference and 9 made by mutating it (three
    wrong mutants each, from different chapters). Every file of each learner ends in a comment
    of its own, so no verdict is reused between learners: each run grades 390 files."""
    first: dict[int, list[float]] = {1: [], 2: []}
    reruns = []
    verdicts: dict[int, list] = {}
    for _ in range(args.repeat):
        for jobs in (1, 2):
            with tempfile.TemporaryDirectory(prefix="kit-course-bench-") as course:
                env = {**ENV, "KIT_COURSE_DIR": course}
                make_course(course, args.learners, env)
                command = [sys.executable, "-m", "grader", "autograde", "--jobs", str(jobs)]
                started = time.perf_counter()
                done = subprocess.run(
                    command, cwd=ROOT, env=env, capture_output=True, text=True, check=True
                )
                first[jobs].append(time.perf_counter() - started)
                assert f"recorded {args.learners} submission(s)" in done.stdout, done.stdout
                # The verdicts must not depend on --jobs (each job's share of the threads).
                table = subprocess.run(
                    [sys.executable, "-m", "grader", "progress", "--csv", "-"],
                    cwd=ROOT, env=env, check=True, capture_output=True, text=True,
                ).stdout  # fmt: skip
                scores = [line.split(",")[:11] for line in table.splitlines()]  # to "on"
                verdicts.setdefault(jobs, scores)
                assert verdicts[jobs] == scores == verdicts[1], (verdicts, scores)
                for _ in range(2):
                    started = time.perf_counter()
                    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
                    reruns.append(time.perf_counter() - started)
    for jobs, runs in first.items():
        print(
            f"autograde --jobs {jobs}, {args.learners} full submissions: "
            f"{', '.join(f'{s:.1f}' for s in runs)} s"
        )
    ratio = statistics.median(first[1]) / statistics.median(first[2])
    print(f"  --jobs 2 is {ratio:.2f}x as fast as --jobs 1 (medians)")
    print(
        f"rerun with nothing new: {', '.join(f'{s:.2f}' for s in reruns)} s; "
        f"median {statistics.median(reruns):.2f} s"
    )


def make_course(course: str, learners: int, env: dict) -> None:
    """Submits `learners` full submissions into the course folder: the reference, and for
    learner n > 0 three wrong mutants, spread over the list (and chapters). Every file of each
    learner ends in a comment of its own, so no verdict is reused between learners."""
    from grader.dev.mutants import all_mutants

    wrong = [m for m in all_mutants() if m.status == "failed" and not m.needs_cuda]
    (Path(course) / "submitted").mkdir(exist_ok=True)  # a course folder, as the README sets up
    for n in range(learners):
        work = Path(course) / f"work-{n}"
        shutil.copytree(ROOT / "reference", work, ignore=shutil.ignore_patterns("__pycache__"))
        for mutant in wrong[n - 1 :: max(1, len(wrong) // 3)][:3] if n else []:
            mutant.write(work)
        for module in work.rglob("*.py"):
            module.write_text(module.read_text() + f"\n# learner {n}\n")
        subprocess.run(
            [sys.executable, "-m", "grader", "submit", "--exercises", str(work),
             "--learner", f"learner{n}", "--course", course],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(work)


def bench_isolation(args) -> None:
    """What the sandbox adds to a full autograde: the same course graded with bubblewrap and
    with --isolation unsandboxed, each run into a fresh gradebook, back to back (the order
    alternates between repeats). Every learner's files are distinct, so nothing is reused."""
    times: dict[str, list[float]] = {"bwrap": [], "unsandboxed": []}
    with tempfile.TemporaryDirectory(prefix="kit-isolation-bench-") as course:
        env = {**ENV, "KIT_COURSE_DIR": course}
        make_course(course, args.learners, env)
        tables = {}
        for n in range(args.repeat):
            for kind in ("bwrap", "unsandboxed") if n % 2 == 0 else ("unsandboxed", "bwrap"):
                gradebook = Path(course) / f"gradebook-{kind}-{n}.db"
                run_env = {**env, "KIT_GRADEBOOK": str(gradebook)}
                command = [sys.executable, "-m", "grader", "autograde", "--jobs", str(args.jobs),
                           "--isolation", kind]  # fmt: skip
                started = time.perf_counter()
                done = subprocess.run(
                    command, cwd=ROOT, env=run_env, capture_output=True, text=True, check=True
                )
                times[kind].append(time.perf_counter() - started)
                assert f"recorded {args.learners} submission(s)" in done.stdout, done.stdout
                table = subprocess.run(
                    [sys.executable, "-m", "grader", "progress", "--csv", "-"],
                    cwd=ROOT, env=run_env, check=True, capture_output=True, text=True,
                ).stdout  # fmt: skip
                scores = [line.split(",")[:11] for line in table.splitlines()]  # to "on"
                tables.setdefault(kind, scores)
                assert tables[kind] == scores == next(iter(tables.values())), tables
    for kind, runs in times.items():
        print(
            f"autograde --isolation {kind} --jobs {args.jobs}, {args.learners} full submissions: "
            f"{', '.join(f'{t:.1f}' for t in runs)} s; median {statistics.median(runs):.1f} s"
        )
    ratio = statistics.median(times["bwrap"]) / statistics.median(times["unsandboxed"])
    print(f"  the sandbox adds {100 * (ratio - 1):.1f} % (ratio of medians {ratio:.3f})")


def bench_scale(args) -> None:
    """The README's Slurm job array against `kit autograde --jobs 2`, both on PostgreSQL, on
    this machine: the same course, each run into a fresh database, back to back (the order
    alternates between repeats, since the first run warms the kit's caches)."""
    from shlex import quote

    from tests import postgres_server, slurm_cluster
    from tests.test_slurm import README_COURSE, README_DB, readme_commands

    why = postgres_server.problem() or slurm_cluster.problem()
    if why:
        raise SystemExit(f"benchmark.py scale: {why}")
    times: dict[str, list[float]] = {"slurm": [], "jobs2": []}
    with (
        postgres_server.Server() as server,
        slurm_cluster.Cluster("kitbench") as cluster,
        tempfile.TemporaryDirectory(prefix="kit-scale-bench-") as course,
    ):
        env = {**ENV, **cluster.env, "KIT_COURSE_DIR": course, "KIT_PYTHON": sys.executable}
        make_course(course, args.learners, env)
        tables = {}
        for n in range(args.repeat):
            for way in ("slurm", "jobs2") if n % 2 == 0 else ("jobs2", "slurm"):
                url = server.database()
                started = time.perf_counter()
                if way == "slurm":  # the README's commands, as printed
                    commands = "\n".join(readme_commands())
                    commands = commands.replace(README_COURSE, course)
                    subprocess.run(
                        ["bash", "-euc", commands.replace(README_DB, quote(url))],
                        cwd=ROOT, env=env, check=True, capture_output=True,
                    )  # fmt: skip
                    cluster.wait(timeout=24 * 3600)
                else:
                    subprocess.run(
                        [sys.executable, "-m", "grader", "autograde", "--jobs", "2"],
                        cwd=ROOT, env={**env, "KIT_GRADEBOOK": url}, check=True,
                        capture_output=True,
                    )  # fmt: skip
                times[way].append(time.perf_counter() - started)
                table = subprocess.run(
                    [sys.executable, "-m", "grader", "progress", "--csv", "-"],
                    cwd=ROOT, env={**env, "KIT_GRADEBOOK": url}, check=True,
                    capture_output=True, text=True,
                ).stdout  # fmt: skip
                scores = [line.split(",")[:11] for line in table.splitlines()]  # to "on"
                assert len(scores) == args.learners + 1, table  # every learner recorded
                tables.setdefault(way, scores)
                assert tables[way] == scores == next(iter(tables.values())), tables
        for log in ROOT.glob("kit-autograde-*.out"):
            log.unlink()  # the tasks' logs, which the job script writes in the kit's folder
        (ROOT / "learners.txt").unlink(missing_ok=True)
    slurm, jobs2 = statistics.median(times["slurm"]), statistics.median(times["jobs2"])
    print(f"{args.learners} full submissions on PostgreSQL, a node of {cluster.cpus} CPUs:")
    print(f"  Slurm job array, one CPU a task: {', '.join(f'{t:.1f}' for t in times['slurm'])} s")
    print(f"  kit autograde --jobs 2:          {', '.join(f'{t:.1f}' for t in times['jobs2'])} s")
    print(f"  the job array takes {slurm / jobs2:.2f}x the time of --jobs 2 (medians)")


def bench_views(args) -> None:
    """`kit progress` and `kit dashboard` over a generated gradebook: learners x submissions
    each, every submission with a result for all 39 exercises (written through the kit's own
    gradebook writer, so nbgrader's tables are filled as autograde fills them)."""
    import random
    from datetime import UTC, datetime, timedelta

    from grader import manifest
    from grader.course import config
    from grader.course.gradebook import Result, writing

    exercises = manifest.load()
    rng = random.Random(0)
    with tempfile.TemporaryDirectory(prefix="kit-views-bench-") as course:
        env = {**ENV, "KIT_COURSE_DIR": course}
        os.environ["KIT_COURSE_DIR"] = course
        os.mkdir(os.path.join(course, "submitted"))  # a course folder, as the README sets up
        started = time.perf_counter()
        start = datetime(2026, 9, 1, tzinfo=UTC)
        with writing(config.resolve(course)) as writer:
            for n in range(args.learners):
                done = 0
                for k in range(args.submissions):
                    done = min(len(exercises), done + rng.randint(0, 7))
                    rows = []
                    for i, ex in enumerate(exercises):
                        status = "passed" if i < done else "failed" if i == done else "not_started"
                        failing = status == "failed"
                        rows.append(Result(
                            exercise=ex.id, chapter=ex.chapter, status=status,
                            score=float(ex.points if status == "passed" else 0),
                            max_score=float(ex.points), fault="learner",
                            attempted=status != "not_started", matches_reference=False,
                            sha256=f"{n:04d}{k:04d}{i:04d}".ljust(64, "0"), kit="bench",
                            checks=[{"name": f"{ex.id}_check", "status": status,
                                     "message": "expected 3, got 4" if failing else ""}],
                        ))  # fmt: skip
                    when = start + timedelta(days=k * 3 + n % 3, hours=n)
                    writer.record(
                        f"learner{n:02d}", when, f"submitted/learner{n:02d}/{k:02d}",
                        {ex.module: "0" * 64 for ex in exercises}, "bench", "bench", "copy", rows,
                    )  # fmt: skip
        print(
            f"generated {args.learners} learners x {args.submissions} submissions x "
            f"{len(exercises)} exercises in {time.perf_counter() - started:.1f} s"
        )
        commands = {
            "progress": [sys.executable, "-m", "grader", "progress"],
            "dashboard": [sys.executable, "-m", "grader", "dashboard", "--out", f"{course}/site"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, command in commands.items():
                started = time.perf_counter()
                done = subprocess.run(
                    command, cwd=ROOT, env=env, check=True, capture_output=True, text=True
                )
                times[name].append(time.perf_counter() - started)
                last = f"learner{args.learners - 1:02d}"
                assert last in done.stdout or f"of {args.learners} learner(s)" in done.stdout, (
                    done.stdout
                )
        for name, runs in times.items():
            print(
                f"kit {name}: {', '.join(f'{s:.2f}' for s in runs)} s; "
                f"median {statistics.median(runs):.2f} s"
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
    p.add_argument("--learners", type=int, default=10)
    p.add_argument("--repeat", type=int, default=1)
    p.set_defaults(run=bench_autograde)
    p = modes.add_parser("scale")
    p.add_argument("--learners", type=int, default=20)
    p.add_argument("--repeat", type=int, default=1)
    p.set_defaults(run=bench_scale)
    p = modes.add_parser("isolation")
    p.add_argument("--learners", type=int, default=4)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--jobs", type=int, default=2)
    p.set_defaults(run=bench_isolation)
    p = modes.add_parser("views")
    p.add_argument("--learners", type=int, default=30)
    p.add_argument("--submissions", type=int, default=10)
    p.add_argument("--repeat", type=int, default=3)
    p.set_defaults(run=bench_views)
    p = modes.add_parser("watch")
    p.add_argument("exercise")
    p.add_argument("--saves", type=int, default=10)
    p.set_defaults(run=bench_watch)
    args = parser.parse_args()
    args.run(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
