"""The instructor verbs of `kit` (submit, autograde, progress, dashboard, export): one short
function each, handing off to the course modules."""

from __future__ import annotations

import argparse
import functools
import os
from datetime import UTC, datetime
from pathlib import Path

from grader import EXERCISES_DIR, commands, provenance

ME = "me"  # `kit progress --learner me`: the learner this kit's identity names


def _usage_errors(verb):
    """Turns the course modules' own errors into the kit's one-line usage error (exit 2)."""

    @functools.wraps(verb)
    def run(args: argparse.Namespace) -> int:
        from grader.course.config import CourseError
        from grader.course.gradebook import GradebookError
        from grader.course.isolation import IsolationError
        from grader.course.submission import SubmissionError
        from grader.options import UsageError

        try:
            return verb(args)
        except (CourseError, GradebookError, IsolationError, SubmissionError) as exc:
            raise UsageError(str(exc)) from None

    return run


def _course(args: argparse.Namespace):
    from grader.course import config

    return config.resolve(getattr(args, "course", None), getattr(args, "db", None))


# --- kit submit ----------------------------------------------------------------------------


@_usage_errors
def submit(args: argparse.Namespace) -> int:
    from grader.course import submission
    from grader.course.config import CourseError

    learner = provenance.learner(args.learner)
    course = _course(args)
    source = Path(args.exercises).resolve() if args.exercises else EXERCISES_DIR
    shown = args.exercises or "exercises/"
    submission.check_layout(source, shown)
    target = course.submitted if course.submitted.exists() else course.root
    if not os.access(target, os.W_OK | os.X_OK):
        raise CourseError(
            f"the course folder {target} is not writable for you; ask your supervisor to make "
            f"it group-writable (chmod g+w {target}). Nothing was submitted"
        )
    before = _latest(course.submitted, learner)
    done = submission.take(source, course.submitted, learner, "kit submit", shown=shown)
    local = done.submitted_at.astimezone()
    print(f"Submitted {len(done.files)} files as {learner}")
    print(f"  to   {done.folder}")
    print(f"  at   {done.submitted_at:%Y-%m-%d %H:%M:%S} UTC ({local:%H:%M:%S %Z} local time)")
    print(f"  {'file':<38}sha256 (first 16 of 64)")
    for module, digest in done.files.items():
        changed = ""
        if before is not None:
            changed = "  changed" if before.files.get(module) != digest else ""
        print(f"  {module:<38}{digest[:16]}{changed}")
    if before is not None:
        n = sum(before.files.get(m) != d for m, d in done.files.items())
        print(
            f"{n} file(s) changed since your previous submission "
            f"({before.submitted_at:%Y-%m-%d %H:%M} UTC)."
        )
    print(f"Full hashes: {done.folder / submission.RECORD}. Your {shown} was only read.")
    print(
        "Your supervisor's autograde grades it; then see your progress with: "
        f"{commands.kit('progress', '--learner', ME)}"
    )
    return 0


def _latest(submitted: Path, learner: str):
    from grader.course import submission

    mine = [s for s in submission.scan(submitted)[0] if s.learner == learner]
    return mine[-1] if mine else None


# --- kit autograde -------------------------------------------------------------------------


@_usage_errors
def autograde(args: argparse.Namespace) -> int:
    from grader import options as options_
    from grader.course import autograde as ag
    from grader.course import isolation, run_lock, submission
    from grader.course.config import CourseError
    from grader.options import UsageError

    course = _course(args)
    if args.path and not args.learner:
        raise UsageError(
            f"{args.path}: whose work is it? Name the learner: "
            f"{commands.kit('autograde', '--learner', 'NAME', args.path)}"
        )
    learner = provenance.safe_name(args.learner) if args.learner else None
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, got {args.jobs}")
    options = ag.Options(
        jobs=args.jobs or ag.default_jobs(),
        seed=args.seed,
        device=args.device,
        timeout_scale=options_.positive_finite(
            args.timeout_scale, "--timeout-scale", "KIT_TIMEOUT_SCALE", "1", "2 on a slow machine"
        ),
        memory_limit=options_.memory_limit_gb(args.memory_limit),
        isolation=isolation.choose(args.isolation),
        learners=[learner] if learner else None,
    )
    if args.path:
        submission.check_layout(Path(args.path), args.path)
    if not os.access(course.root, os.W_OK | os.X_OK):
        raise CourseError(
            f"the course folder {course.root} is not writable for you; autograde keeps its lock "
            "(and, by default, the gradebook) there. Run it as the course's owner"
        )
    try:
        with run_lock.held(
            course.root,
            args.wait,
            lambda holder: print(
                f"waiting up to {args.wait:g} s for {holder} to finish…", flush=True
            ),
            learner,
        ):
            if args.path:
                taken = submission.take(
                    Path(args.path).resolve(), course.submitted, learner, "kit autograde"
                )
                print(
                    f"took {len(taken.files)} files from {args.path} as {learner}'s submission "
                    f"{taken.folder}"
                )
            outcome = ag.run(course, options, functools.partial(print, flush=True))
    except KeyboardInterrupt:
        print(
            "\nStopped (Ctrl-C): every submission reported above as recorded is in the "
            f"gradebook; the others are graded on the next run ({commands.kit('autograde')})"
        )
        return 130
    except run_lock.Locked as exc:
        raise CourseError(
            f"{exc} still holds the course's autograde lock after {args.wait:g} s; nothing "
            f"was graded. Let it finish, then run again (or wait longer: --wait SECONDS)"
        ) from None
    return 1 if outcome.failed or outcome.skipped else 0


# --- kit progress --------------------------------------------------------------------------


@_usage_errors
def progress(args: argparse.Namespace) -> int:
    from grader import manifest
    from grader.course import gradebook, progress_table
    from grader.course import progress as model
    from grader.options import UsageError
    from grader.report import console

    course = _course(args)
    chapters = _chapters(args.chapter)
    graded = gradebook.read(course)
    known = sorted({g.learner for g in graded})
    learners = None
    if args.learner:
        learners = [
            provenance.learner(None) if name == ME else provenance.safe_name(name)
            for name in args.learner
        ]
        unknown = [name for name in learners if name not in known]
        if unknown:
            raise UsageError(
                f"no learner {unknown[0]!r} in the gradebook {course.gradebook_shown}; "
                f"known learners: {', '.join(known) or 'none yet'} (a learner appears once a "
                "submission of theirs has been graded)"
            )
    if args.sort not in (*progress_table.SORTS, *manifest.chapters()):
        raise UsageError(
            f"--sort {args.sort}: sort by one of {', '.join(progress_table.SORTS)} or a chapter "
            f"({', '.join(manifest.chapters())})"
        )
    if args.sort in manifest.chapters() and args.sort not in chapters:
        raise UsageError(f"--sort {args.sort}: that chapter is not shown (see --chapter)")
    now = datetime.now(UTC)
    views = progress_table.sort_views(model.views(graded, learners, chapters), args.sort, now)
    if args.csv:
        progress_table.write_csv(views, chapters, now, args.csv)
        if args.csv != "-":
            print(f"wrote {len(views)} learner(s) to {args.csv}")
        return 0
    out = console()
    if not views:
        out.print(f"No graded submission in {course.gradebook_shown} yet.")
        return 0
    progress_table.show(views, chapters, now, out.print, out.width, history=bool(args.learner))
    return 0


def _chapters(given: list[str] | None) -> list[str]:
    from grader import manifest
    from grader.options import UsageError

    chapters = manifest.chapters()
    if not given:
        return chapters
    unknown = [c for c in given if c not in chapters]
    if unknown:
        raise UsageError(
            f"--chapter {unknown[0]}: no such chapter; the chapters are {', '.join(chapters)}"
        )
    return [c for c in chapters if c in given]


# --- kit dashboard -------------------------------------------------------------------------


@_usage_errors
def dashboard(args: argparse.Namespace) -> int:
    from grader.course import dashboard as page
    from grader.course import gradebook
    from grader.course import progress as model
    from grader.options import UsageError

    course = _course(args)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out} is a file; pass a folder for the dashboard")
    graded = gradebook.read(course)
    views = model.views(graded)
    try:
        index = page.build(views, out, course.course_id, page.now_utc())
    except OSError as exc:
        raise UsageError(
            f"--out {args.out}: cannot write the dashboard there ({exc.strerror or exc}); "
            "choose a writable folder"
        ) from None
    print(f"dashboard of {len(views)} learner(s) written to {index}")
    print(f"open it in a browser: file://{index.resolve()}")
    return 0


# --- kit export ----------------------------------------------------------------------------


@_usage_errors
def export(args: argparse.Namespace) -> int:
    """nbgrader's own CSV exporter (what `nbgrader export` runs) on this course's gradebook.

    In-process rather than through nbgrader's command: that command reads the course folder's
    nbgrader_config.py over anything but its command line, where a server gradebook's URL
    (and password) would show in `ps`."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin
    from sqlalchemy import exc as sa_exc

    from grader.course import gradebook
    from grader.options import UsageError

    course = _course(args)
    gradebook.read(course)  # a missing or damaged gradebook is one line, and is never created
    to = Path(args.to).resolve() if args.to else course.root / "grades.csv"
    try:
        with Gradebook(course.gradebook_url, course.course_id) as book:
            CsvExportPlugin(to=str(to)).export(book)
    except sa_exc.SQLAlchemyError as error:
        raise gradebook.explain(error, course, "exporting it") from None
    except OSError as error:
        raise UsageError(
            f"--to {args.to or to}: cannot write the CSV there ({error.strerror or error})"
        ) from None
    print(f"nbgrader export wrote {to}: one row per learner and chapter (assignment)")
    return 0


# --- the parser ----------------------------------------------------------------------------


def _course_options(p: argparse.ArgumentParser, db: bool = True) -> None:
    p.add_argument(
        "--course",
        help="the course folder (default: KIT_COURSE_DIR, else course_dir in the config file)",
    )
    if db:
        p.add_argument(
            "--db",
            help="the gradebook: a file or an SQLAlchemy URL (default: KIT_GRADEBOOK, else "
            "gradebook.db in the course folder)",
        )


def add_verbs(verbs: argparse._SubParsersAction) -> None:
    """Adds the course verbs to the `kit` parser."""
    from grader.options import MAX_SEED, parse_number, parse_seed
    from grader.plugin import DEFAULT_SEED

    p = verbs.add_parser(
        "submit", help="copy your exercise modules into the course folder for grading"
    )
    p.add_argument("--exercises", help="the folder to submit (default: exercises/)")
    p.add_argument("--learner", help="your name (default: KIT_LEARNER, else git's user.email)")
    _course_options(p, db=False)
    p.set_defaults(func=submit)

    p = verbs.add_parser(
        "autograde",
        help="(instructors) grade new submissions in the sandbox and record them in the gradebook",
    )
    p.add_argument(
        "path",
        nargs="?",
        help="a folder laid out like exercises/ (a member's clone) to submit and grade as "
        "--learner's work; default: grade what is in the course folder",
    )
    p.add_argument("--learner", help="whose work PATH is; without PATH, grade only theirs")
    p.add_argument(
        "--jobs", type=int, default=None, help="submissions graded at once (default: the cores)"
    )
    p.add_argument(
        "--isolation",
        choices=["auto", "bwrap", "copy"],
        default="auto",
        help="bwrap: read-only file system (default where it runs); copy: a private "
        "read-only copy of the kit, checked after each job",
    )
    p.add_argument(
        "--wait",
        type=parse_number,
        default=3600,
        help="seconds to wait for another autograde of this course (default 3600)",
    )
    p.add_argument(
        "--seed", type=parse_seed, default=DEFAULT_SEED, help=f"grading seed (0 to {MAX_SEED})"
    )
    p.add_argument("--device", choices=["cpu", "cuda", "all"], default="all")
    p.add_argument("--timeout-scale", type=parse_number, default=None, help="as for kit grade")
    p.add_argument("--memory-limit", type=parse_number, default=None, help="as for kit grade")
    _course_options(p)
    p.set_defaults(func=autograde)

    p = verbs.add_parser(
        "progress", help="learners × chapters: scores, current exercise, last progress, stuck"
    )
    p.add_argument(
        "--learner",
        action="append",
        help=f"only this learner, with their history (repeatable; '{ME}': yourself)",
    )
    p.add_argument("--chapter", action="append", help="only this chapter (repeatable)")
    p.add_argument(
        "--sort",
        default="learner",
        help="learner, score, last (longest without progress first), stuck, on, or a chapter",
    )
    p.add_argument("--csv", help="write the table as CSV to this file ('-': standard output)")
    _course_options(p)
    p.set_defaults(func=progress)

    p = verbs.add_parser(
        "dashboard", help="(instructors) write a static HTML page of the course's progress"
    )
    p.add_argument("--out", required=True, help="folder to write index.html and its pictures to")
    _course_options(p)
    p.set_defaults(func=dashboard)

    p = verbs.add_parser(
        "export", help="(instructors) nbgrader export: the gradebook as a CSV of grades"
    )
    p.add_argument("--to", help="the CSV file to write (default: grades.csv in the course folder)")
    _course_options(p)
    p.set_defaults(func=export)
