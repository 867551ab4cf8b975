"""The `kit` command: one short function per verb, handing off to the logic modules."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from grader import EXERCISES_DIR, manifest
from grader.plugin import DEFAULT_SEED


class UsageError(Exception):
    """Bad input from the command line: reported in one line with exit code 2."""


def grade(args: argparse.Namespace) -> int:
    from grader import grading, report

    exercises = manifest.select(args.ids)
    learner_root = _exercise_dir(args.exercises, exercises)
    if args.memory_limit:
        os.environ["KIT_MEMORY_LIMIT_GB"] = str(args.memory_limit)
    options = grading.Options(learner_root, args.seed, args.device, args.timeout_scale)
    console = report.console()
    server = grading.start_server(exercises)
    env = grading.probe_environment(server)
    rerun = "kit grade " + shlex.join(
        [*args.ids, "--seed", str(args.seed)]
        + (["--exercises", args.exercises] if args.exercises else [])
    )
    report.header(console, env, args.seed, args.device, learner_root, rerun)
    results = []
    with console.status("") as status:
        for n, exercise in enumerate(exercises, 1):
            status.update(f"grading {exercise.id} ({n}/{len(exercises)})")
            results.append(grading.grade_one(server, exercise, options))
    console.print(report.table(results))
    report.device_line(console, results)
    report.data_sources(console, results)
    report.details(console, results)
    console.print(f"\n{report.summary_line(results)}")
    if args.json:
        report.write_json(Path(args.json), results, env, args.seed, args.device, learner_root)
        console.print(f"report written to {args.json}")
    if args.strict and any(r.status not in ("passed", "skipped") for r in results):
        return 1
    return 0


def _exercise_dir(given: str | None, exercises: list[manifest.Exercise]) -> Path:
    root = Path(given).resolve() if given else EXERCISES_DIR
    if not root.is_dir():
        raise UsageError(
            f"--exercises {given or root}: no such directory; pass a folder laid out like exercises/"
        )
    missing = [ex.module for ex in exercises if not (root / ex.module).is_file()]
    if len(missing) == len(exercises):
        raise UsageError(
            f"{given or root} holds none of the exercise modules (expected files such as "
            f"{exercises[0].module}); pass a folder laid out like exercises/"
        )
    if missing:
        raise UsageError(
            f"{given or root} lacks {', '.join(missing)}; restore them (for example with git checkout) "
            "or name only the exercises you want to grade"
        )
    return root


def release(args: argparse.Namespace) -> int:
    from grader import release as rel

    if args.check:
        stale = rel.drift()
        for module in stale:
            print(
                f"exercises/{module} differs from what `kit release` generates from reference/{module}"
            )
        return 1 if stale else 0
    written, refused = rel.release(overwrite=args.overwrite, exercises=manifest.select(args.ids))
    for module in written:
        print(f"wrote exercises/{module}")
    for module in refused:
        print(
            f"kept exercises/{module}: it differs from the new stub and may hold a learner's work "
            "(instructors: pass --overwrite)"
        )
    return 1 if refused else 0


def hint(args: argparse.Namespace) -> int:
    exercise = manifest.find(args.id)
    hints = exercise.hints.get(args.lang)
    if not hints:
        raise UsageError(
            f"no hints in language {args.lang!r}; choose one of {', '.join(exercise.hints)}"
        )
    print(f"{exercise.id} — {exercise.title} (manual {' '.join(exercise.topics)})")
    for level, text in enumerate(hints[: args.level], 1):
        print(f"  hint {level}: {text}")
    if args.level < len(hints):
        print(f"  (more: kit hint {exercise.id} --level {args.level + 1})")
    return 0


def list_exercises(args: argparse.Namespace) -> int:
    from rich.table import Table

    from grader.report import console

    grid = Table(title="Exercises in learning order")
    for column in ("#", "id", "chapter", "title", "manual", "points", "file"):
        grid.add_column(column)
    for n, ex in enumerate(manifest.load(), 1):
        grid.add_row(
            str(n),
            ex.id,
            ex.chapter,
            ex.title,
            " ".join(ex.topics),
            str(ex.points),
            f"exercises/{ex.module}",
        )
    console().print(grid)
    return 0


def doctor(args: argparse.Namespace) -> int:
    from rich.table import Table

    from grader.doctor import diagnose
    from grader.report import console

    findings = diagnose()
    marks = {"ok": "[green]✓[/]", "warning": "[yellow]![/]", "problem": "[red]✗[/]"}
    grid = Table(title="kit doctor", show_header=False)
    for f in findings:
        grid.add_row(marks[f.level], f.subject, f.text + (f"\n[dim]→ {f.fix}[/]" if f.fix else ""))
    console().print(grid)
    return 1 if any(f.level == "problem" for f in findings) else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kit", description="Autograded exercises for the 'CNN basics' manual."
    )
    verbs = parser.add_subparsers(dest="verb", required=True)

    p = verbs.add_parser("grade", help="grade exercises (all of them, or the ids/chapters named)")
    p.add_argument("ids", nargs="*", help="exercise ids or chapter names; default: all")
    p.add_argument(
        "--exercises",
        help="folder laid out like exercises/ (default: exercises/); "
        "--exercises reference grades the solutions",
    )
    p.add_argument("--json", help="also write a JSON report to this path")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed set before every check")
    p.add_argument(
        "--device",
        choices=["cpu", "cuda", "all"],
        default="all",
        help="devices for PyTorch checks (default: every device available)",
    )
    p.add_argument(
        "--timeout-scale",
        type=float,
        default=float(os.environ.get("KIT_TIMEOUT_SCALE", "1")),
        help="multiply every exercise's time limit (slow machine: 2)",
    )
    p.add_argument(
        "--memory-limit",
        type=float,
        default=float(os.environ.get("KIT_MEMORY_LIMIT_GB", "8")),
        help="GiB of memory one exercise may allocate (0: no limit; not applied where CUDA is usable)",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 unless every exercise passed")
    p.set_defaults(func=grade)

    p = verbs.add_parser("release", help="(instructors) generate exercises/ stubs from reference/")
    p.add_argument("ids", nargs="*", help="exercise ids or chapters; default: all")
    p.add_argument(
        "--check", action="store_true", help="only report files that differ; exit 1 if any"
    )
    p.add_argument("--overwrite", action="store_true", help="replace stubs even where they differ")
    p.set_defaults(func=release)

    p = verbs.add_parser("hint", help="show an exercise's hints")
    p.add_argument("id")
    p.add_argument("--level", type=int, default=1)
    p.add_argument("--lang", default="en", help="en or ja")
    p.set_defaults(func=hint)

    p = verbs.add_parser(
        "doctor", help="check Python, torch/CUDA, TensorFlow and the data directory"
    )
    p.set_defaults(func=doctor)

    p = verbs.add_parser("list", help="list the exercises in learning order")
    p.set_defaults(func=list_exercises)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, manifest.UnknownExercise) as exc:
        print(f"kit: error: {exc}", file=sys.stderr)
        return 2
