"""The instructor verbs of `kit` (submit, autograde, progress, dashboard, export): one short
function each, handing off to the course modules."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from grader import EXERCISES_DIR, commands, identity
from grader.i18n import _, ngettext

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
        except identity.NoIdentity as exc:
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

    course = _course(args)
    source = Path(args.exercises).resolve() if args.exercises else EXERCISES_DIR
    shown = args.exercises or "exercises/"
    submission.check_layout(source, shown)
    if not os.access(course.submitted, os.W_OK | os.X_OK):
        raise CourseError(
            _(
                "{folder} is not writable for you; ask your supervisor to set up the "
                "course folder as the README's instructor steps say. Nothing was submitted"
            ).format(folder=course.submitted)
        )
    chosen = identity.choose(args.learner, course.roster, _ask if sys.stdin.isatty() else None)
    learner = chosen.learner
    before = (submission.history(course.submitted, learner.id) or [None])[-1]
    done = submission.take(source, course.submitted, learner, "kit submit", shown=shown)
    local = done.submitted_at.astimezone()
    who = learner.id if learner.name == learner.id else f"{learner.id} ({learner.name})"
    print(
        ngettext(
            "Submitted {n} file as {who}; the name came from {source}",
            "Submitted {n} files as {who}; the name came from {source}",
            len(done.files),
        ).format(n=len(done.files), who=who, source=chosen.source)
    )
    print(_("  to   {folder}").format(folder=done.folder))
    print(
        _("  at   {utc} UTC ({local} local time)").format(
            utc=f"{done.submitted_at:%Y-%m-%d %H:%M:%S}", local=f"{local:%H:%M:%S %Z}"
        )
    )
    file_heading, hash_heading = _("file"), _("sha256 (first 16 of 64)")
    print(f"  {file_heading:<38}{hash_heading}")
    for module, digest in done.files.items():
        changed = ""
        if before is not None:
            changed = "  " + _("changed") if before.files.get(module) != digest else ""
        print(f"  {module:<38}{digest[:16]}{changed}")
    if before is not None:
        n = sum(before.files.get(m) != d for m, d in done.files.items())
        print(
            ngettext(
                "{n} file changed since your previous submission ({when} UTC).",
                "{n} files changed since your previous submission ({when} UTC).",
                n,
            ).format(n=n, when=f"{before.submitted_at:%Y-%m-%d %H:%M}")
        )
    print(
        _("Full hashes: {file}. Your {folder} was only read.").format(
            file=done.folder / submission.RECORD, folder=shown
        )
    )
    print(
        _("Your supervisor's autograde grades it; then see your progress with: {command}").format(
            command=commands.kit("progress", "--learner", learner.id, *course.options())
        )
    )
    return 0


def _ask(question: str) -> bool:
    try:
        return input(question).strip().lower() in ("y", "yes", _("y"), _("yes"))
    except EOFError:
        return False


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
            _(
                "{path}: whose work is it? Name the learner with --learner (their roster id, "
                "e-mail or name), before the folder"
            ).format(path=args.path)
        )
    learner = _autograde_learner(args, course) if args.learner else None
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(_("--jobs must be 1 or more, got {jobs}").format(jobs=args.jobs))
    options = ag.Options(
        jobs=args.jobs or ag.default_jobs(),
        seed=args.seed,
        device=args.device,
        timeout_scale=options_.positive_finite(
            args.timeout_scale,
            "--timeout-scale",
            "KIT_TIMEOUT_SCALE",
            "1",
            _("2 on a slow machine"),
        ),
        memory_limit=options_.memory_limit_gb(args.memory_limit),
        isolation=isolation.choose(_isolation_kind(args.isolation)),
        learners=[learner.id] if learner else None,
    )
    if args.path:
        submission.check_layout(Path(args.path), args.path)
    if not os.access(course.root, os.W_OK | os.X_OK):
        raise CourseError(
            _(
                "the course folder {folder} is not writable for you; autograde keeps its lock "
                "(and, by default, the gradebook) there. Run it as the course's owner"
            ).format(folder=course.root)
        )
    board = None
    if sys.stdout.isatty():
        from grader.course.live_jobs import JobBoard
        from grader.report import console

        board = JobBoard(console())
    say = board.say if board else functools.partial(print, flush=True)
    try:
        with run_lock.held(
            course.root,
            args.wait,
            lambda holder: say(
                _("waiting up to {seconds} s for {holder} to finish…").format(
                    seconds=f"{args.wait:g}", holder=holder
                )
            ),
            learner.id if learner else None,
        ):
            if args.path:
                taken = submission.take(
                    Path(args.path).resolve(), course.submitted, learner, "kit autograde"
                )
                say(
                    ngettext(
                        "took {n} file from {path} as {learner}'s submission {folder}",
                        "took {n} files from {path} as {learner}'s submission {folder}",
                        len(taken.files),
                    ).format(
                        n=len(taken.files), path=args.path, learner=learner.id, folder=taken.folder
                    )
                )
            if board is not None:
                with board:
                    outcome = ag.run(course, options, say, board)
            else:
                outcome = ag.run(course, options, say)
    except KeyboardInterrupt:
        print(
            "\n"
            + _(
                "Stopped (Ctrl-C): every submission reported above as recorded is in the "
                "gradebook; the others are graded on the next run ({command})"
            ).format(command=commands.kit("autograde", *course.options()))
        )
        return 130
    except run_lock.Locked as exc:
        raise CourseError(
            _(
                "{holder} still holds the course's autograde lock after {seconds} s; nothing "
                "was graded. Let it finish, then run again (or wait longer: --wait SECONDS)"
            ).format(holder=exc, seconds=f"{args.wait:g}")
        ) from None
    # Findings reported by an earlier run do not fail this one: they were reported once.
    return 1 if outcome.failed or outcome.skipped else 0


def _autograde_learner(args: argparse.Namespace, course) -> identity.Learner:
    """Whose work autograde takes (with PATH) or grades (without): a roster member, a learner
    the course already knows (by the id the kit printed, or the name they gave), or, with PATH,
    a new learner; without PATH, a learner nobody knows is refused naming those it knows."""
    from grader.course import learners, submission
    from grader.options import UsageError

    ids, states = learners.filed(course)
    found = identity.named(args.learner, course.roster, ids)
    if found in ids:
        member = course.member(found)
        if member is not None:
            return member
        earlier = submission.history(course.submitted, found)
        return identity.Learner(found, earlier[-1].name if earlier else found)
    if args.path:  # a new learner: their name (refused where a roster names nobody)
        return identity.resolve(args.learner, course.roster)
    known = sorted({states.current(i) for i in ids})
    raise UsageError(
        f"--learner {args.learner}: no learner {found!r} in {course.submitted}, the gradebook "
        f"{course.gradebook_shown} or the roster; known learners: {', '.join(known) or 'none yet'}"
    )


def _isolation_kind(given: str) -> str:
    from grader.course import isolation
    from grader.options import UsageError

    if given not in (*isolation.KINDS, "copy"):
        raise UsageError(
            _(
                "--isolation {given}: choose bwrap (the default) or unsandboxed (member code "
                "then runs with your rights)"
            ).format(given=given)
        )
    return given


# --- kit progress --------------------------------------------------------------------------


def _context(course, records, include_withdrawn: bool = False):
    from grader.course import progress as model

    return model.Context(
        roster=records.learners.roster(course.roster),
        records=records,
        due=course.due,
        now=datetime.now(UTC),
        include_withdrawn=include_withdrawn,
    )


def _learner_ids(names: list[str], course, records, known: set[str]) -> list[str]:
    """The ids that --learner NAMEs give: `me`, an id (`known`: those the course files learners
    under), a roster e-mail or name, or a name as the learner gave it; a renamed or merged id
    counts as the one it became."""
    ids = []
    for name in names:
        if name == ME:
            found = identity.me(course.roster)
            if found is None:
                raise identity.NoIdentity(
                    _(
                        "--learner {me}: who is that? Set KIT_LEARNER or git's user.email, or "
                        "pass --learner with your id"
                    ).format(me=ME)
                )
        else:
            found = identity.named(name, course.roster, known)
        ids.append(records.learners.current(found))
    return ids


@_usage_errors
def progress(args: argparse.Namespace) -> int:
    from grader import manifest
    from grader.course import gradebook, progress_table
    from grader.course import learners as learners_
    from grader.course import progress as model
    from grader.options import UsageError
    from grader.report import console

    course = _course(args)
    chapters = _chapters(args.chapter)
    graded, records = gradebook.read_all(course)
    context = _context(course, records, include_withdrawn=args.all)
    learners = None
    if args.learner:
        known = sorted(model.known_learners(graded, context))
        filed = set(known) | set(records.learners.moved) | learners_.folders(course)
        learners = _learner_ids(args.learner, course, records, filed)
        unknown = [name for name in learners if name not in known]
        if unknown:
            raise UsageError(
                _(
                    "no learner {name!r} in the gradebook {gradebook} or the roster; known "
                    "learners: {known} (a learner appears once a submission of theirs has been "
                    "graded)"
                ).format(
                    name=unknown[0],
                    gradebook=course.gradebook_shown,
                    known=", ".join(known) or _("none yet"),
                )
            )
    if args.sort not in (*progress_table.SORTS, *manifest.chapters()):
        raise UsageError(
            _("--sort {sort}: sort by one of {keys} or a chapter ({chapters})").format(
                sort=args.sort,
                keys=", ".join(progress_table.SORTS),
                chapters=", ".join(manifest.chapters()),
            )
        )
    if args.sort in manifest.chapters() and args.sort not in chapters:
        raise UsageError(
            _("--sort {sort}: that chapter is not shown (see --chapter)").format(sort=args.sort)
        )
    now = context.now
    views = progress_table.sort_views(
        model.views(graded, learners, chapters, context), args.sort, now
    )
    if args.csv:
        progress_table.write_csv(views, chapters, now, args.csv)
        if args.csv != "-":
            print(
                ngettext(
                    "wrote {n} learner to {file}", "wrote {n} learners to {file}", len(views)
                ).format(n=len(views), file=args.csv)
            )
        return 0
    out = console()
    if not views:
        out.print(
            _("No graded submission in {gradebook} yet.").format(gradebook=course.gradebook_shown)
        )
        return 0
    progress_table.show(
        views, chapters, now, out.print, out.width, history=bool(args.learner), due=course.due
    )
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
            _("--chapter {chapter}: no such chapter; the chapters are {chapters}").format(
                chapter=unknown[0], chapters=", ".join(chapters)
            )
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
        raise UsageError(
            _("--out {out} is a file; pass a folder for the dashboard").format(out=args.out)
        )
    graded, records = gradebook.read_all(course)
    context = _context(course, records, include_withdrawn=args.all)
    views = model.views(graded, context=context)
    try:
        index = page.build(views, out, course, context.now)
    except OSError as exc:
        raise UsageError(
            _(
                "--out {out}: cannot write the dashboard there ({error}); choose a writable folder"
            ).format(out=args.out, error=exc.strerror or exc)
        ) from None
    print(
        ngettext(
            "dashboard of {n} learner written to {file}",
            "dashboard of {n} learners written to {file}",
            len(views),
        ).format(n=len(views), file=index)
    )
    print(_("open it in a browser: {url}").format(url=f"file://{index.resolve()}"))
    return 0


# --- kit export ----------------------------------------------------------------------------


@_usage_errors
def export(args: argparse.Namespace) -> int:
    """The rows and columns of nbgrader's own CSV exporter (what `nbgrader export` writes),
    read with nbgrader's API, written as CSV that is safe to open (grader.course.export)."""
    from grader.course import export as exporter
    from grader.course import gradebook
    from grader.options import UsageError

    course = _course(args)
    gradebook.read(course)  # a missing or damaged gradebook is one line, and is never created
    to = Path(args.to).resolve() if args.to else course.root / "grades.csv"
    try:
        exporter.write(course, to)
    except OSError as error:
        raise UsageError(
            _("--to {file}: cannot write the CSV there ({error})").format(
                file=args.to or to, error=error.strerror or error
            )
        ) from None
    print(
        _("nbgrader export wrote {file}: one row per learner and chapter (assignment)").format(
            file=to
        )
    )
    return 0


# --- kit learners --------------------------------------------------------------------------


@_usage_errors
def learners(args: argparse.Namespace) -> int:
    from grader.course import learners as people

    course = _course(args)
    if args.action == "list":
        people.show(course, include_withdrawn=True)
        return 0
    if args.action in ("rename", "merge"):
        if not args.names or len(args.names) != 2:
            from grader.options import UsageError

            raise UsageError(
                _(
                    "kit learners {action} takes two ids, the old one and the new one "
                    "(see {command})"
                ).format(action=args.action, command=commands.kit("learners", "--help"))
            )
        people.move(course, args.action, *args.names, wait=args.wait, say=print)
        return 0
    if not args.names:
        from grader.options import UsageError

        raise UsageError(
            _("kit learners {action} takes the learner's id").format(action=args.action)
        )
    for name in args.names:
        people.set_withdrawn(course, name, args.action == "withdraw", wait=args.wait, say=print)
    return 0


# --- the parser ----------------------------------------------------------------------------


def _course_options(p: argparse.ArgumentParser, db: bool = True) -> None:
    p.add_argument(
        "--course",
        help=_("the course folder (default: KIT_COURSE_DIR, else course_dir in the config file)"),
    )
    if db:
        p.add_argument(
            "--db",
            help=_(
                "the gradebook: a file or an SQLAlchemy URL (default: KIT_GRADEBOOK, else "
                "gradebook.db in the course folder)"
            ),
        )


def add_verbs(verbs: argparse._SubParsersAction) -> None:
    """Adds the course verbs to the `kit` parser."""
    from grader.options import MAX_SEED, parse_number, parse_seed
    from grader.plugin import DEFAULT_SEED

    p = verbs.add_parser(
        "submit", help=_("copy your exercise modules into the course folder for grading")
    )
    p.add_argument("--exercises", help=_("the folder to submit (default: exercises/)"))
    p.add_argument(
        "--learner",
        help=_(
            "your name or roster id (default: KIT_LEARNER, else git's user.email, confirmed once)"
        ),
    )
    _course_options(p, db=False)
    p.set_defaults(func=submit)

    p = verbs.add_parser(
        "autograde",
        help=_(
            "(instructors) grade new submissions in the sandbox and record them in the gradebook"
        ),
    )
    p.add_argument(
        "path",
        nargs="?",
        help=_(
            "a folder laid out like exercises/ (a member's clone) to submit and grade as "
            "--learner's work; default: grade what is in the course folder"
        ),
    )
    p.add_argument("--learner", help=_("whose work PATH is; without PATH, grade only theirs"))
    p.add_argument(
        "--jobs", type=int, default=None, help=_("submissions graded at once (default: the cores)")
    )
    p.add_argument(
        "--isolation",
        default="bwrap",
        help=_(
            "bwrap (default, required): member code sees only its own work, the kit and the "
            "data, read-only, without network; unsandboxed: member code runs with your rights, "
            "every verdict flagged"
        ),
    )
    p.add_argument(
        "--wait",
        type=parse_number,
        default=3600,
        help=_("seconds to wait for another autograde of this course (default 3600)"),
    )
    p.add_argument(
        "--seed",
        type=parse_seed,
        default=DEFAULT_SEED,
        help=_("grading seed (0 to {max})").format(max=MAX_SEED),
    )
    p.add_argument("--device", choices=["cpu", "cuda", "all"], default="all")
    p.add_argument("--timeout-scale", type=parse_number, default=None, help=_("as for kit grade"))
    p.add_argument("--memory-limit", type=parse_number, default=None, help=_("as for kit grade"))
    _course_options(p)
    p.set_defaults(func=autograde)

    p = verbs.add_parser(
        "progress", help=_("learners × chapters: scores, current exercise, last progress, stuck")
    )
    p.add_argument(
        "--learner",
        action="append",
        help=_("only this learner, with their history (repeatable; '{me}': yourself)").format(
            me=ME
        ),
    )
    p.add_argument("--chapter", action="append", help=_("only this chapter (repeatable)"))
    p.add_argument(
        "--sort",
        default="learner",
        help=_("learner, score, last (longest without progress first), stuck, on, or a chapter"),
    )
    p.add_argument("--csv", help=_("write the table as CSV to this file ('-': standard output)"))
    p.add_argument("--all", action="store_true", help=_("show withdrawn learners too"))
    _course_options(p)
    p.set_defaults(func=progress)

    p = verbs.add_parser(
        "dashboard", help=_("(instructors) write a static HTML page of the course's progress")
    )
    p.add_argument("--out", required=True, help=_("folder to write index.html and its pictures to"))
    p.add_argument("--all", action="store_true", help=_("show withdrawn learners too"))
    _course_options(p)
    p.set_defaults(func=dashboard)

    p = verbs.add_parser(
        "export", help=_("(instructors) nbgrader export: the gradebook as a CSV of grades")
    )
    p.add_argument(
        "--to", help=_("the CSV file to write (default: grades.csv in the course folder)")
    )
    _course_options(p)
    p.set_defaults(func=export)

    p = verbs.add_parser(
        "learners",
        help=_("(instructors) list the members; rename, merge, withdraw or reinstate one"),
    )
    p.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=["list", "rename", "merge", "withdraw", "reinstate"],
        help=_("list (default); rename OLD NEW; merge OLD INTO; withdraw ID; reinstate ID"),
    )
    p.add_argument("names", nargs="*", help=_("the learners' ids"))
    p.add_argument(
        "--wait",
        type=parse_number,
        default=3600,
        help=_("seconds to wait for a running autograde of this course (default 3600)"),
    )
    _course_options(p)
    p.set_defaults(func=learners)
