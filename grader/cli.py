"""The `kit` command: one short function per verb, handing off to the logic modules."""

from __future__ import annotations

import argparse
import atexit
import os
import signal
import sys
import textwrap
from pathlib import Path

from grader import EXERCISES_DIR, commands, i18n, manifest, provenance, sandbox
from grader.i18n import _
from grader.options import (
    MAX_SEED,
    UsageError,
    memory_limit_gb,
    parse_number,
    parse_seed,
    positive_finite,
)
from grader.plugin import DEFAULT_SEED

# Characters that may not begin a line of Japanese text (kinsoku).
NO_LINE_START = "、。，．）」』】〕・ーぁぃぅぇぉっゃゅょァィゥェォッャュョ々"
# Exit status of a run stopped with Ctrl-C, as shells report a SIGINT.
INTERRUPTED = 130


class KitParser(argparse.ArgumentParser):
    """argparse, but a bad option is one line (what is wrong and where to look), exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(
            _("{message} (see {command})").format(
                message=message, command=commands.kit(*self.prog.split()[1:], "--help")
            )
        )


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
        print("\n" + _("Stopped (Ctrl-C) before any exercise was graded."))
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
            stopped = _("Stopped (Ctrl-C): the exercises marked not graded were not graded.")
            console.print(f"[magenta]{stopped}[/]")
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
            console.print(_("report written to {path}").format(path=args.json))
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
            _(
                "--exercises {folder}: no such directory; pass a folder laid out like exercises/"
            ).format(folder=shown)
        )
    if not os.access(root, os.R_OK | os.X_OK):
        raise UsageError(
            _("--exercises {folder}: cannot read this folder; check its permissions").format(
                folder=shown
            )
        )
    missing = [ex.module for ex in exercises if not (root / ex.module).is_file()]
    if len(missing) == len(exercises):
        raise UsageError(
            _(
                "{folder} holds none of the exercise modules (expected files such as "
                "{example}); pass a folder laid out like exercises/"
            ).format(folder=shown, example=exercises[0].module)
        )
    if missing:
        raise UsageError(
            _(
                "{folder} lacks {files}; restore them (for example with git checkout) "
                "or name only the exercises you want to grade"
            ).format(folder=shown, files=", ".join(missing))
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
    lang = i18n.language()
    hints = exercise.hints[lang]
    if not 1 <= args.level <= len(hints):
        raise UsageError(
            _("{id} has hint levels 1 to {last}; --level {level} is not one of them").format(
                id=exercise.id, last=len(hints), level=args.level
            )
        )
    width = min(_terminal_width(), 100)
    print(_wrapped(_title_line(exercise), width, ""))
    for level, text in enumerate(hints[: args.level], 1):
        print(_wrapped(text, width, _("  hint {level}: ").format(level=level)))
    if args.level < len(hints):
        # The command on a line of its own, never wrapped: it must run as printed.
        more = commands.kit("hint", exercise.id, "--level", str(args.level + 1))
        print(_("  more: {command}").format(command=more))
    if lang == "ja":
        print(_("  task: {command}").format(command=commands.kit("task", exercise.id)))
    return 0


def task(args: argparse.Namespace) -> int:
    """What the exercise asks: in Japanese the manifest's task_ja; in English the stub's own
    docstrings and TODOs, which are the task as written."""
    from grader import release

    exercise = manifest.find(args.id)
    width = min(_terminal_width(), 100)
    print(_wrapped(_title_line(exercise), width, ""))
    print(_("  file: exercises/{module}").format(module=exercise.module))
    print()
    if i18n.language() == "ja":
        for line in exercise.task_ja.splitlines():
            lead = "  - " if line.startswith("- ") else "  "
            print(_wrapped(line.removeprefix("- "), width, lead))
    else:
        for line in release.task_lines(exercise):
            print("  " + line if line else "")
    print()
    print(_("  hint:  {command}").format(command=commands.kit("hint", exercise.id)))
    print(_("  grade: {command}").format(command=commands.kit("grade", exercise.id)))
    return 0


def _title_line(exercise: manifest.Exercise) -> str:
    return _("{id} — {title} (manual {topics})").format(
        id=exercise.id, title=exercise.shown_title, topics=" ".join(exercise.topics)
    )


def _wrapped(text: str, width: int, lead: str) -> str:
    if i18n.language() == "ja":
        return _wrap_cjk(text, width, lead)
    return textwrap.fill(
        text,
        width,
        initial_indent=lead,
        subsequent_indent=" " * len(lead),
        break_long_words=False,
        break_on_hyphens=False,
    )


def _wrap_cjk(text: str, width: int, lead: str) -> str:
    """Wraps Japanese text by display width (wide characters count 2). A line may break after
    any Japanese character or at a space, but never inside a run of code such as `np.pad(x,`."""
    import re

    from rich.cells import cell_len

    indent = cell_len(lead)
    lines, line, room = [], "", width - indent
    for token in re.findall(r"[!-~]+|\s+|.", text):
        if line and cell_len(line + token) > room:
            carried = ""
            # Japanese never starts a line with a closing mark: take a character along.
            if token in NO_LINE_START and len(line) > 1 and not line[-1].isspace():
                line, carried = line[:-1], line[-1]
            lines.append(line.rstrip())
            line = carried + token.lstrip()
        else:
            line += token
    lines.append(line)
    return lead + ("\n" + " " * indent).join(lines)


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def list_exercises(args: argparse.Namespace) -> int:
    from grader.report import console, fitted_table

    out = console()
    out.print(_("Exercises in learning order; each one's file is exercises/<chapter>/<id>.py."))
    number, ident, points, topics, title = (
        _("#"),
        _("id"),
        _("points"),
        _("manual"),
        _("title"),
    )
    rows, n = [], 0
    for chapter in manifest.chapters():
        rows.append({ident: f"[bold]{chapter}/[/]"})
        for ex in (e for e in manifest.load() if e.chapter == chapter):
            n += 1
            rows.append(
                {
                    number: str(n),
                    ident: ex.id,
                    points: str(ex.points),
                    topics: " ".join(ex.topics),
                    title: ex.shown_title,
                }
            )
    out.print(
        fitted_table(
            None,
            [number, ident, points, topics, title],
            rows,
            out.width,
            give_way=(title, topics),
            right=(number, points),
            minimum={title: 12},
        )
    )
    return 0


def watch(args: argparse.Namespace) -> int:
    from grader import grading, report
    from grader.watch import watch as run_watch

    exercises = manifest.select(args.ids)
    learner_root = _exercise_dir(args.exercises, exercises)
    timeout_scale = positive_finite(
        args.timeout_scale,
        "--timeout-scale",
        "KIT_TIMEOUT_SCALE",
        "1",
        _("2 on a slow machine"),
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
        print("\n" + _("Stopped watching."))
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


def config(args: argparse.Namespace) -> int:
    """`kit config`: the language and where it comes from; `kit config lang ja` saves it."""

    def names() -> dict[str, str]:  # in the language in effect when they are shown
        return {"en": _("English"), "ja": _("Japanese")}

    if args.value is not None:
        try:
            path = i18n.save_language(args.value)
        except i18n.LanguageError:
            raise UsageError(
                _("config lang {value}: choose en (English) or ja (Japanese)").format(
                    value=args.value
                )
            ) from None
        except OSError as exc:
            raise UsageError(
                _(
                    "cannot save the setting in {file} ({error}); check that folder's permissions"
                ).format(file=_rel(i18n.SETTINGS_FILE), error=exc.strerror or exc)
            ) from None
        # The rest of this command already speaks the new language, unless something above
        # the saved setting decides (then say so: the saved one is not in effect here).
        i18n.use(i18n.choose(args.argv))
        print(
            _("Saved: the kit speaks {language} in this copy ({file}).").format(
                language=names()[i18n.saved_language() or "en"], file=_rel(path)
            )
        )
    current = i18n.choice()
    sources = {
        "--lang": _("the --lang option of this command"),
        "KIT_LANG": _("the environment variable KIT_LANG"),
        "config": _("the saved setting in {file}").format(file=_rel(i18n.SETTINGS_FILE)),
        "LC_ALL": _("the locale (LC_ALL)"),
        "LC_MESSAGES": _("the locale (LC_MESSAGES)"),
        "LANG": _("the locale (LANG)"),
        "default": _("the default"),
    }
    print(
        _("lang = {code} ({language}), from {source}").format(
            code=current.lang, language=names()[current.lang], source=sources[current.source]
        )
    )
    saved = i18n.saved_language()
    if saved and current.source in ("--lang", "KIT_LANG") and saved != current.lang:
        print(
            _("  (the saved setting, {code}, applies where {source} does not)").format(
                code=saved, source=current.source
            )
        )
    print(
        _(
            "  order: --lang, then KIT_LANG, then the saved setting, then LC_ALL / LC_MESSAGES / "
            "LANG; English by default"
        )
    )
    for lang in i18n.LANGUAGES:
        if lang != current.lang:
            print(_("  switch: {command}").format(command=commands.kit("config", "lang", lang)))
    return 0


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
    parser = KitParser(
        prog="kit", description=_("Autograded exercises for the 'CNN basics' manual.")
    )
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=KitParser)

    p = verbs.add_parser(
        "grade", help=_("grade exercises (all of them, or the ids/chapters named)")
    )
    p.add_argument("ids", nargs="*", help=_("exercise ids or chapter names; default: all"))
    p.add_argument(
        "--exercises",
        help=_(
            "folder laid out like exercises/ (default: exercises/); "
            "--exercises reference grades the solutions"
        ),
    )
    p.add_argument("--json", help=_("also write a JSON report to this path"))
    p.add_argument(
        "--seed",
        type=parse_seed,
        default=DEFAULT_SEED,
        help=_("seed set before every check (0 to {max})").format(max=MAX_SEED),
    )
    p.add_argument(
        "--device",
        choices=["cpu", "cuda", "all"],
        default="all",
        help=_("devices for PyTorch checks (default: every device available)"),
    )
    p.add_argument(
        "--timeout-scale",
        type=parse_number,
        default=None,
        help=_(
            "multiply every exercise's time limit (slow machine: 2; default KIT_TIMEOUT_SCALE or 1)"
        ),
    )
    p.add_argument(
        "--memory-limit",
        type=parse_number,
        default=None,
        help=_(
            "GiB of memory one exercise may allocate (0: no limit; default KIT_MEMORY_LIMIT_GB "
            "or 8; not applied where CUDA is usable)"
        ),
    )
    p.add_argument("--learner", help=_("your name in the JSON report (default: KIT_LEARNER, git)"))
    p.add_argument(
        "--strict",
        action="store_true",
        help=_("exit 1 unless every exercise passed (without it, not started is no failure)"),
    )
    p.set_defaults(func=grade)

    p = verbs.add_parser(
        "watch", help=_("regrade an exercise each time you save its file (Ctrl-C stops)")
    )
    p.add_argument("ids", nargs="*", help=_("exercise ids or chapter names to watch; default: all"))
    p.add_argument("--exercises", help=_("folder laid out like exercises/ (default: exercises/)"))
    p.add_argument(
        "--seed", type=parse_seed, default=DEFAULT_SEED, help=_("seed set before every check")
    )
    p.add_argument("--device", choices=["cpu", "cuda", "all"], default="all")
    p.add_argument("--timeout-scale", type=parse_number, default=None, help=_("as for grade"))
    p.set_defaults(func=watch)

    p = verbs.add_parser(
        "status", help=_("your progress so far and the next exercise, without grading")
    )
    p.set_defaults(func=status)

    p = verbs.add_parser("hint", help=_("show an exercise's hints"))
    p.add_argument("id", help=_("the exercise id"))
    p.add_argument("--level", type=int, default=1, help=_("how many hint levels to show"))
    p.set_defaults(func=hint)

    p = verbs.add_parser(
        "task", help=_("what an exercise asks you to write (in Japanese with --lang ja)")
    )
    p.add_argument("id", help=_("the exercise id"))
    p.set_defaults(func=task)

    p = verbs.add_parser("list", help=_("list the exercises in learning order"))
    p.set_defaults(func=list_exercises)

    p = verbs.add_parser(
        "doctor", help=_("check Python, torch/CUDA, TensorFlow and the data directory")
    )
    p.set_defaults(func=doctor)

    p = verbs.add_parser(
        "config",
        help=_("show the language the kit speaks; config lang ja (or en) saves it"),
    )
    p.add_argument("key", nargs="?", choices=["lang"], help=_("the setting: lang"))
    p.add_argument("value", nargs="?", help=_("en (English) or ja (Japanese)"))
    p.set_defaults(func=config)

    p = verbs.add_parser(
        "new",
        help=_("(authors) scaffold a new exercise: manifest entry, reference, checks, mutants"),
    )
    p.add_argument("id", help=_("the exercise id, a lower-case Python name"))
    p.add_argument("--chapter", required=True, help=_("its chapter folder, e.g. ch1_theory"))
    p.add_argument(
        "--topic",
        action="append",
        default=[],
        help=_("a manual topic id it teaches (repeatable)"),
    )
    p.add_argument("--title", help=_("a one-line title (default: from the id)"))
    p.set_defaults(func=new)

    p = verbs.add_parser("dev", help=_("(authors) prove an exercise: kit dev check ID"))
    dev = p.add_subparsers(dest="dev_verb", required=True, parser_class=KitParser)
    p = dev.add_parser(
        "check",
        help=_("prove one exercise: manifest, stub, reference, mutants, beginner answers, ruff"),
    )
    p.add_argument("id", help=_("the exercise id"))
    p.set_defaults(func=dev_check)

    p = verbs.add_parser(
        "release", help=_("(instructors) generate exercises/ stubs from reference/")
    )
    p.add_argument("ids", nargs="*", help=_("exercise ids or chapters; default: all"))
    p.add_argument(
        "--check", action="store_true", help=_("only report files that differ; exit 1 if any")
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help=_("replace stubs even where they differ (a copy of each is kept in .kit-backup/)"),
    )
    p.set_defaults(func=release)

    from grader.course.cli import add_verbs

    add_verbs(verbs)
    _add_lang(parser)
    return parser


def _add_lang(parser: argparse.ArgumentParser) -> None:
    """--lang on the kit and on every verb. It is read before the parser is built
    (i18n.choose), so that the help and argparse's own messages are in that language too; here
    it is only checked and shown in --help."""
    parser.add_argument(
        "--lang",
        choices=list(i18n.LANGUAGES),
        default=argparse.SUPPRESS,
        help=_("the language of the kit's messages: en or ja (see kit config)"),
    )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                _add_lang(sub)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        i18n.use(i18n.choose(argv))
    except i18n.LanguageError as exc:
        print(f"kit: error: {exc}", file=sys.stderr)
        return 2
    i18n.translate_argparse()
    try:
        args = build_parser().parse_args(argv)
        args.argv = argv
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
        print(_("kit: error: {message}").format(message=exc), file=sys.stderr)
        return 2
