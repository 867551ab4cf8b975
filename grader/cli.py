"""The `kit` command: one short function per verb, handing off to the logic modules."""

from __future__ import annotations

import argparse
import atexit
import os
import signal
import sys
import textwrap
from pathlib import Path

from grader import EXERCISES_DIR, commands, manifest, provenance, sandbox
from grader.options import (
    MAX_SEED,
    UsageError,
    memory_limit_gb,
    parse_number,
    parse_seed,
    positive_finite,
)
from grader.plugin import DEFAULT_SEED

# Exit status of a run stopped with Ctrl-C, as shells report a SIGINT.
INTERRUPTED = 130


class KitParser(argparse.ArgumentParser):
    """argparse, but a bad option is one line (what is wrong and where to look), exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see {commands.kit(*self.prog.split()[1:], '--help')})")


# --- grading ----------------------------------------------------------------------------


def grade(args: argparse.Namespace) -> int:
    from grader import grading, learner_progress, report
    from grader.live import GradingDisplay

    exercises = manifest.select(args.ids)
    learner_root = _exercise_dir(args.exercises, exercises)
    timeout_scale = positive_finite(
        args.timeout_scale, "--timeout-scale", "KIT_TIMEOUT_SCALE", "1", "2 on a slow machine"
    )
    memory_limit = memory_limit_gb(args.memory_limit)
    learner = provenance.learner(args.learner, required=False)
    # The exercise processes are forked from a server started below, which copies this
    # environment: anything they need must be set before it starts.
    os.environ["KIT_MEMORY_LIMIT_GB"] = str(memory_limit)
    os.environ["KIT_SHOW_FROM"] = os.getcwd()
    options = grading.Options(learner_root, args.seed, args.device, timeout_scale)
    console = report.console()
    rerun = commands.kit("grade", *rerun_args(args))
    _stop_once_on(signal.SIGINT, signal.SIGTERM)
    # Orphans of learner code (a daemon that left its session after its fork server was
    # killed) come to this process, and are ended with everything else it started at exit.
    sandbox.become_subreaper()
    atexit.register(sandbox.end_descendants)
    try:
        server = grading.start_server(exercises)
        env = grading.probe_environment(server)
    except KeyboardInterrupt:
        print("\nStopped (Ctrl-C) before any exercise was graded.")
        return INTERRUPTED
    require_cuda(args.device, env)
    report.header(console, env, args.seed, args.device, learner_root, rerun)
    with GradingDisplay(console, len(exercises)) as display:
        results, interrupted = grading.grade_many(server, exercises, options, display)
    try:
        console.print(report.table(results, console.width))
        report.device_line(console, results)
        report.data_sources(console, results)
        report.details(console, results)
        report.plots(console, results)
        console.print(f"\n{report.summary_line(results)}")
        if interrupted:
            console.print(
                "[magenta]Stopped (Ctrl-C): the exercises marked not graded were not graded.[/]"
            )
        if learner_root == EXERCISES_DIR.resolve():
            view = learner_progress.overview(learner_progress.update(results))
            console.print(learner_progress.progress_line(view))
            for line in learner_progress.next_lines(view):
                console.print(line)
        if args.json:
            report.write_json(
                Path(args.json),
                report.build_json(
                    results, env, args.seed, args.device, learner_root, learner, interrupted
                ),
            )
            console.print(f"report written to {args.json}")
    finally:
        # After a stop the kit only exits; a repeated Ctrl-C that arrives late must not turn
        # its exit status 130 into death by SIGINT.
        if not interrupted:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if interrupted:
        return INTERRUPTED
    bad = {"failed", "error", "timeout"} | ({"not_started"} if args.strict else set())
    return 1 if any(r.status in bad for r in results) else 0


def rerun_args(args: argparse.Namespace) -> list[str]:
    """The arguments of this `grade` run, every option that was given included, so that the
    printed command repeats it exactly (the seed always: its default may change)."""
    words = [*args.ids, "--seed", str(args.seed)]
    if args.exercises:
        words += ["--exercises", args.exercises]
    if args.device != "all":
        words += ["--device", args.device]
    if args.timeout_scale is not None:
        words += ["--timeout-scale", _number(args.timeout_scale)]
    if args.memory_limit is not None:
        words += ["--memory-limit", _number(args.memory_limit)]
    if args.strict:
        words.append("--strict")
    if args.json:
        words += ["--json", args.json]
    if args.learner:
        words += ["--learner", args.learner]
    return words


def _number(value: float) -> str:
    """The number as short as it reads ("2", not "2.0") but never rounded: `:g` keeps only six
    digits, and 1.2345678 would come back as 1.23457."""
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def require_cuda(device: str, env: dict) -> None:
    """--device cuda where torch sees no GPU is bad input: one line saying why, exit 2."""
    if device != "cuda" or env.get("cuda_available") or env.get("error"):
        return
    if not env.get("torch"):
        why = "torch is not installed"
    elif not env.get("torch_cuda_build"):
        why = f"this torch {env['torch']} is a CPU-only build"
    else:
        why = (
            f"torch {env['torch']} is built for CUDA {env['torch_cuda_build']}, but it finds no "
            "usable NVIDIA GPU (no GPU, no driver, or CUDA_VISIBLE_DEVICES hides it)"
        )
    raise UsageError(
        f"--device cuda: CUDA is not available on this machine, because {why}. Grade with "
        f"--device cpu, or run on a machine with an NVIDIA GPU ({commands.kit('doctor')} shows "
        "what torch sees)"
    )


def _stop_once_on(*signals: signal.Signals) -> None:
    """The first Ctrl-C (or tox's SIGTERM) stops grading; repeats are ignored until the partial
    report is out (tox forwards the terminal's Ctrl-C, so one key press arrives twice)."""

    def stop(signum, frame):
        for each in signals:
            signal.signal(each, signal.SIG_IGN)
        raise KeyboardInterrupt

    for each in signals:
        signal.signal(each, stop)


def _exercise_dir(given: str | None, exercises: list[manifest.Exercise]) -> Path:
    root = Path(given).resolve() if given else EXERCISES_DIR.resolve()
    shown = given or "exercises/"
    if not root.is_dir():
        raise UsageError(
            f"--exercises {shown}: no such directory; pass a folder laid out like exercises/"
        )
    if not os.access(root, os.R_OK | os.X_OK):
        raise UsageError(f"--exercises {shown}: cannot read this folder; check its permissions")
    missing = [ex.module for ex in exercises if not (root / ex.module).is_file()]
    if len(missing) == len(exercises):
        raise UsageError(
            f"{shown} holds none of the exercise modules (expected files such as "
            f"{exercises[0].module}); pass a folder laid out like exercises/"
        )
    if missing:
        raise UsageError(
            f"{shown} lacks {', '.join(missing)}; restore them (for example with git checkout) "
            "or name only the exercises you want to grade"
        )
    return root


# --- stubs, hints, lists ------------------------------------------------------------------


def release(args: argparse.Namespace) -> int:
    from grader import release as rel

    exercises = manifest.select(args.ids)
    if args.check:
        stale = rel.drift(exercises=exercises)
        for module in stale:
            print(
                f"exercises/{module} differs from what `kit release` generates from reference/{module}"
            )
        return 1 if stale else 0
    done = rel.release(overwrite=args.overwrite, exercises=exercises)
    for module in done.written:
        kept = done.backups.get(module)
        print(
            f"wrote exercises/{module}"
            + (f" (the file it replaced is kept at {_rel(kept)})" if kept else "")
        )
    for module in done.refused:
        print(
            f"kept exercises/{module}: it differs from the new stub and may hold a learner's work. "
            f"To replace it anyway (a copy is kept first): "
            f"{commands.kit('release', Path(module).stem, '--overwrite')}"
        )
    return 1 if done.refused else 0


def hint(args: argparse.Namespace) -> int:
    exercise = manifest.find(args.id)
    hints = exercise.hints.get(args.lang)
    if not hints:
        raise UsageError(
            f"no hints in language {args.lang!r}; choose one of {', '.join(exercise.hints)}"
        )
    if not 1 <= args.level <= len(hints):
        raise UsageError(
            f"{exercise.id} has hint levels 1 to {len(hints)}; --level {args.level} is not one of "
            "them"
        )
    width = min(_terminal_width(), 100)
    print(
        textwrap.fill(
            f"{exercise.id} — {exercise.title} (manual {' '.join(exercise.topics)})", width
        )
    )
    for level, text in enumerate(hints[: args.level], 1):
        lead = f"  hint {level}: "
        print(
            textwrap.fill(
                text,
                width,
                initial_indent=lead,
                subsequent_indent=" " * len(lead),
                break_long_words=False,
                break_on_hyphens=False,
            )
            if args.lang != "ja"
            else _wrap_cjk(text, width, lead)
        )
    if args.level < len(hints):
        more = [exercise.id, "--level", str(args.level + 1)]
        if args.lang != "en":
            more += ["--lang", args.lang]
        # The command on a line of its own, never wrapped: it must run as printed.
        print(f"  more: {commands.kit('hint', *more)}")
    return 0


def _wrap_cjk(text: str, width: int, lead: str) -> str:
    """Wraps Japanese text by display width (wide characters count 2). A line may break after
    any Japanese character or at a space, but never inside a run of code such as `np.pad(x,`."""
    import re

    from rich.cells import cell_len

    lines, line, room = [], "", width - len(lead)
    for token in re.findall(r"[!-~]+|\s+|.", text):
        if line and cell_len(line + token) > room:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    lines.append(line)
    return lead + ("\n" + " " * len(lead)).join(lines)


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def list_exercises(args: argparse.Namespace) -> int:
    from grader.report import console, fitted_table

    out = console()
    out.print("Exercises in learning order; each one's file is exercises/<chapter>/<id>.py.")
    rows, n = [], 0
    for chapter in manifest.chapters():
        rows.append({"id": f"[bold]{chapter}/[/]"})
        for ex in (e for e in manifest.load() if e.chapter == chapter):
            n += 1
            rows.append(
                {
                    "#": str(n),
                    "id": ex.id,
                    "points": str(ex.points),
                    "manual": " ".join(ex.topics),
                    "title": ex.title,
                }
            )
    out.print(
        fitted_table(
            None,
            ["#", "id", "points", "manual", "title"],
            rows,
            out.width,
            give_way=("title", "manual"),
            right=("#", "points"),
            minimum={"title": 12},
        )
    )
    return 0


def watch(args: argparse.Namespace) -> int:
    from grader import grading, report
    from grader.watch import watch as run_watch

    exercises = manifest.select(args.ids)
    learner_root = _exercise_dir(args.exercises, exercises)
    timeout_scale = positive_finite(
        args.timeout_scale, "--timeout-scale", "KIT_TIMEOUT_SCALE", "1", "2 on a slow machine"
    )
    os.environ["KIT_MEMORY_LIMIT_GB"] = str(memory_limit_gb(None))
    os.environ["KIT_SHOW_FROM"] = os.getcwd()
    options = grading.Options(learner_root, args.seed, args.device, timeout_scale)
    server = grading.start_server(exercises)
    if args.device == "cuda":
        require_cuda(args.device, grading.probe_environment(server))
    try:
        run_watch(
            report.console(),
            args.ids,
            options,
            remember=learner_root == EXERCISES_DIR.resolve(),
            server=server,
        )
    except KeyboardInterrupt:
        print("\nStopped watching.")
    return 0


def status(args: argparse.Namespace) -> int:
    from grader import learner_progress
    from grader.status_view import show

    show(learner_progress.load())
    return 0


def doctor(args: argparse.Namespace) -> int:
    from rich.table import Table

    from grader.doctor import diagnose
    from grader.report import console

    out = console()
    if out.is_terminal:
        with out.status("") as spinner:
            findings = diagnose(spinner.update)
    else:
        findings = diagnose(lambda text: print(text, flush=True))
    marks = {"ok": "[green]✓[/]", "warning": "[yellow]![/]", "problem": "[red]✗[/]"}
    grid = Table(title="kit doctor", show_header=False)
    for f in findings:
        grid.add_row(marks[f.level], f.subject, f.text + (f"\n[dim]→ {f.fix}[/]" if f.fix else ""))
    out.print(grid)
    return 1 if any(f.level == "problem" for f in findings) else 0


def new(args: argparse.Namespace) -> int:
    from grader.dev import scaffold

    try:
        created = scaffold.create(args.id, args.chapter, args.topic, args.title)
    except scaffold.ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    print(f"created exercise {args.id} in {args.chapter}, a small working example to replace:")
    for path in created.files:
        print(f"  {_rel(path)}")
    print(f"What each file must satisfy ({commands.kit('dev', 'check', args.id)} checks it):")
    for rule in created.rules:
        width = min(_terminal_width(), 100)
        print(textwrap.fill(rule, width, initial_indent="  - ", subsequent_indent="    "))
    return 0


def dev_check(args: argparse.Namespace) -> int:
    from grader.dev import check

    marks = {"ok": "ok     ", "warning": "warning", "problem": "PROBLEM"}
    width = min(_terminal_width(), 100)

    def show(finding) -> None:
        print(
            textwrap.fill(
                f"{marks[finding.level]} {finding.subject}: {finding.text}",
                width,
                subsequent_indent=" " * 10,
                break_long_words=False,
                break_on_hyphens=False,
            ),
            flush=True,
        )
        if finding.fix:
            print(f"          fix: {finding.fix}", flush=True)

    print(f"kit dev check {args.id}", flush=True)
    report = check.run(args.id, show)
    problems = len(report.problems)
    warnings = sum(f.level == "warning" for f in report.findings)
    print(
        f"{args.id}: {problems} problem(s), {warnings} warning(s) in {report.seconds:g} s"
        + ("" if problems else " — ready to commit")
    )
    return 1 if problems else 0


def _rel(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


# --- the parser ---------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = KitParser(prog="kit", description="Autograded exercises for the 'CNN basics' manual.")
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=KitParser)

    p = verbs.add_parser("grade", help="grade exercises (all of them, or the ids/chapters named)")
    p.add_argument("ids", nargs="*", help="exercise ids or chapter names; default: all")
    p.add_argument(
        "--exercises",
        help="folder laid out like exercises/ (default: exercises/); "
        "--exercises reference grades the solutions",
    )
    p.add_argument("--json", help="also write a JSON report to this path")
    p.add_argument(
        "--seed",
        type=parse_seed,
        default=DEFAULT_SEED,
        help=f"seed set before every check (0 to {MAX_SEED})",
    )
    p.add_argument(
        "--device",
        choices=["cpu", "cuda", "all"],
        default="all",
        help="devices for PyTorch checks (default: every device available)",
    )
    p.add_argument(
        "--timeout-scale",
        type=parse_number,
        default=None,
        help="multiply every exercise's time limit (slow machine: 2; default KIT_TIMEOUT_SCALE or 1)",
    )
    p.add_argument(
        "--memory-limit",
        type=parse_number,
        default=None,
        help="GiB of memory one exercise may allocate (0: no limit; default KIT_MEMORY_LIMIT_GB "
        "or 8; not applied where CUDA is usable)",
    )
    p.add_argument("--learner", help="your name in the JSON report (default: KIT_LEARNER, git)")
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 unless every exercise passed (without it, not started is no failure)",
    )
    p.set_defaults(func=grade)

    p = verbs.add_parser(
        "watch", help="regrade an exercise each time you save its file (Ctrl-C stops)"
    )
    p.add_argument("ids", nargs="*", help="exercise ids or chapter names to watch; default: all")
    p.add_argument("--exercises", help="folder laid out like exercises/ (default: exercises/)")
    p.add_argument(
        "--seed", type=parse_seed, default=DEFAULT_SEED, help="seed set before every check"
    )
    p.add_argument("--device", choices=["cpu", "cuda", "all"], default="all")
    p.add_argument("--timeout-scale", type=parse_number, default=None, help="as for grade")
    p.set_defaults(func=watch)

    p = verbs.add_parser(
        "status", help="your progress so far and the next exercise, without grading"
    )
    p.set_defaults(func=status)

    p = verbs.add_parser("hint", help="show an exercise's hints")
    p.add_argument("id")
    p.add_argument("--level", type=int, default=1, help="how many hint levels to show")
    p.add_argument("--lang", default="en", choices=list(manifest.LANGUAGES), help="en or ja")
    p.set_defaults(func=hint)

    p = verbs.add_parser("list", help="list the exercises in learning order")
    p.set_defaults(func=list_exercises)

    p = verbs.add_parser(
        "doctor", help="check Python, torch/CUDA, TensorFlow and the data directory"
    )
    p.set_defaults(func=doctor)

    p = verbs.add_parser(
        "new", help="(authors) scaffold a new exercise: manifest entry, reference, checks, mutants"
    )
    p.add_argument("id", help="the exercise id, a lower-case Python name")
    p.add_argument("--chapter", required=True, help="its chapter folder, e.g. ch1_theory")
    p.add_argument(
        "--topic", action="append", default=[], help="a manual topic id it teaches (repeatable)"
    )
    p.add_argument("--title", help="a one-line title (default: from the id)")
    p.set_defaults(func=new)

    p = verbs.add_parser("dev", help="(authors) prove an exercise: kit dev check ID")
    dev = p.add_subparsers(dest="dev_verb", required=True, parser_class=KitParser)
    p = dev.add_parser(
        "check",
        help="prove one exercise: manifest, stub, reference, mutants, beginner answers, ruff",
    )
    p.add_argument("id", help="the exercise id")
    p.set_defaults(func=dev_check)

    p = verbs.add_parser("release", help="(instructors) generate exercises/ stubs from reference/")
    p.add_argument("ids", nargs="*", help="exercise ids or chapters; default: all")
    p.add_argument(
        "--check", action="store_true", help="only report files that differ; exit 1 if any"
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace stubs even where they differ (a copy of each is kept in .kit-backup/)",
    )
    p.set_defaults(func=release)

    from grader.course.cli import add_verbs

    add_verbs(verbs)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except BrokenPipeError:
        # The reader went away (`kit list | head`): stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (
        UsageError,
        manifest.UnknownExercise,
        manifest.ManifestError,
        provenance.NoIdentity,
    ) as exc:
        print(f"kit: error: {exc}", file=sys.stderr)
        return 2
