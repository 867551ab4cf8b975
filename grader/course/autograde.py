"""`kit autograde`: grades new and changed submissions on the instructor's machine and records
them in the gradebook.

The instructor's own checks and reference judge; a learner's report is never read. Work is
skipped where it would repeat itself: a file already graded by the same kit keeps its verdict
(the same kit for one exercise: its checks, its reference, the grader's core, its manifest
entry, the seed and the device), so a submission that changed one module costs one exercise,
a fix to one exercise's checks regrades only that exercise, and a rerun when nothing changed
only reads the gradebook. Each file that does need grading is graded once per run, in jobs of
one submission each, `--jobs` at a time; each job is its own `python -m grader grade` process
(never forked from this one), isolated by grader.course.isolation.

Which submissions are graded: every one never graded, every one whose verdict was the kit's or
the machine's fault, and each learner's latest when the kit changed since it was graded (the
earlier ones keep the verdicts they had, as history).

Before grading, each run re-checks the hashes of everything graded earlier, checks the owners
of new submissions where the roster names accounts (grader.course.integrity), and checks that
the data the exercises need loads (grader.course.data_check). What it finds is recorded once
in the gradebook (grader.course.records) and reported once; a later run that finds it again
only counts it and does not fail for it.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader import REFERENCE_DIR, grading, identity, manifest, provenance
from grader.course import data_check, intake, integrity, records, reference_match, similarity
from grader.course import isolation as iso
from grader.course.config import Course
from grader.course.gradebook import (
    RETRY_FAULTS,
    UNSANDBOXED,
    Recorded,
    Result,
    Writer,
    similarity_stale,
    writing,
)
from grader.course.submission import RECORD, TIMESTAMP, Submission, scan
from grader.i18n import _
from grader.job import MAX_CHECKS
from grader.job import cut as job_cut

# Files of the grader whose change can change any verdict: all of grader/ but the course side
# and the check folders (each exercise's checks count for that exercise only).
CORE_EXCLUDED = ("grader/course/", "grader/checks/")


@dataclass
class Options:
    jobs: int
    seed: int
    device: str
    timeout_scale: float
    memory_limit: float
    isolation: iso.Isolation
    learners: list[str] | None = None

    def grade_args(self) -> list[str]:
        return [
            "--seed",
            str(self.seed),
            "--device",
            self.device,
            "--timeout-scale",
            f"{self.timeout_scale:g}",
        ]


@dataclass
class Outcome:
    recorded: list[str] = field(default_factory=list)  # folders recorded this run
    failed: list[str] = field(default_factory=list)  # folders that could not be graded
    skipped: list[str] = field(default_factory=list)  # integrity findings new in this run
    known: int = 0  # integrity findings reported by earlier runs, found again
    up_to_date: int = 0
    graded_files: int = 0
    reused_files: int = 0
    similar: int = 0  # pairs of similar modules among the members' latest submissions


def fingerprints(seed: int, device: str) -> dict[str, str]:
    """{exercise id: fingerprint of everything its verdict depends on}."""
    from grader import PROJECT_ROOT as root

    hashes = tree_hashes(root, ("grader", "reference"))
    core = [f"{name}={digest}" for name, digest in sorted(hashes.items()) if _is_core(name)]
    found = {}
    for ex in manifest.load():
        chapter = f"grader/checks/{ex.chapter}/"
        own = [
            f"{name}={digest}"
            for name, digest in sorted(hashes.items())
            if name == f"grader/checks/{ex.module}"
            or name == f"reference/{ex.module}"
            or name.startswith(chapter)
            and name[len(chapter) :].startswith("_")
        ]
        material = [*core, *own, repr(ex), f"seed={seed}", f"device={device}"]
        found[ex.id] = hashlib.sha256("\n".join(material).encode()).hexdigest()[:16]
    return found


def tree_hashes(root: Path, parts: tuple[str, ...]) -> dict[str, str]:
    """{relative path: sha256} of every file below root/part for each part."""
    hashes = {}
    for start in (root / p for p in parts):
        files = [start] if start.is_file() else sorted(p for p in start.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" not in path.parts:
                hashes[path.relative_to(root).as_posix()] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return hashes


def _is_core(name: str) -> bool:
    """grader/*.py, the manifest and grader/checks/pytest.ini: what every exercise depends on."""
    if name.startswith("grader/checks/"):
        return name.count("/") == 2
    return name.startswith("grader/") and not name.startswith(CORE_EXCLUDED)


def kit_label() -> str:
    """The grading kit as people name it: version, commit, and whether it was modified."""
    kit = provenance.kit_version()
    commit = (kit["commit"] or "no git")[:10]
    return f"{kit['version']} ({commit}{', modified' if kit['dirty'] else ''})"


def pending(
    subs: list[Submission], recorded: dict[str, Recorded], kits: dict[str, str], course: Course
) -> tuple[list[Submission], int]:
    """The submissions to grade now, and how many are up to date."""
    latest = {}
    for sub in subs:
        latest[sub.learner] = sub  # subs are oldest first
    todo, fine = [], 0
    for sub in subs:
        entry = recorded.get(sub.relative_to(course.root))
        if entry is None or entry.retry:
            todo.append(sub)
            continue
        wanted = {ex.id: kits[ex.id] for ex in manifest.load() if ex.module in sub.files}
        if latest[sub.learner] is sub and entry.kits != wanted:
            todo.append(sub)
        else:
            fine += 1
    return todo, fine


def run(course: Course, options: Options, say: Callable[[str], None], board=None) -> Outcome:
    """Grades what is pending and records it; the caller holds the course's autograde lock.

    board: a live_jobs.JobBoard to show the running jobs on (in a terminal), or None."""
    started = time.perf_counter()
    outcome = Outcome()
    kits = fingerprints(options.seed, options.device)
    stale = iso.remove_stale_scratch()
    if stale:
        say(_("removed the scratch folders of {n} earlier run(s) that were killed").format(n=stale))
    with iso.run_folder(), writing(course) as writer:
        write_nbgrader_config(course)
        moved = records.learner_states(writer.session.connection())
        # A renamed or merged member counts under the id they became, everywhere below.
        course = replace(course, roster=moved.roster(course.roster))
        writer.sync_students(course.roster)
        finding = _Findings(writer, say, outcome)
        subs, problems = scan(course.submitted)
        # A run for some learners (a scheduler's task) checks only theirs: runs for others
        # go on at once, and each finding is recorded by one run.
        wanted = {moved.current(n) for n in options.learners} if options.learners else None
        for folder, text in problems:
            # A learner's folder (a name kit submit never writes) or a submission in one.
            learner = folder.name if folder.parent == course.submitted else folder.parent.name
            if wanted is None or moved.current(learner) in wanted:
                finding(learner, _rel(folder, course), records.UNREADABLE, text)
        # A renamed or merged learner's folders count for the id they now have.
        subs = [replace(s, learner=moved.current(s.learner)) for s in subs]
        # nbgrader's student records carry the name each learner gave (the roster's win).
        given = {s.learner: s.name for s in subs if s.name and course.member(s.learner) is None}
        writer.sync_students(
            [identity.Learner(i, n, n if "@" in n else None) for i, n in given.items()]
        )
        if wanted is not None:
            subs = [s for s in subs if s.learner in wanted]
        for learner, folder, what in integrity.edited_after_grading(writer.session, course, wanted):
            finding(learner, folder, records.EDITED_AFTER_GRADING, f"{folder}: {what}")
        todo, outcome.up_to_date = pending(subs, writer.recorded(), kits, course)
        clean = []
        for sub in todo:
            problem = integrity.owner_problem(sub, course, sub.learner)
            if problem:
                finding(
                    sub.learner,
                    sub.relative_to(course.root),
                    records.WRONG_OWNER,
                    _("skipped {folder}: {problem}; it was not graded").format(
                        folder=sub.relative_to(course.root), problem=problem
                    ),
                )
            else:
                clean.append(sub)
        known = writer.reusable()
        plan = _plan(clean, known, kits, course, finding, outcome)
        say(
            _(
                "{n} submission(s) in {folder}: {ready} to grade, {up_to_date} already graded "
                "with this kit ({kit})"
            ).format(
                n=len(subs),
                folder=course.submitted,
                ready=len(plan.ready),
                up_to_date=outcome.up_to_date,
                kit=kit_label(),
            )
            + (
                _(", {n} skipped").format(n=len(todo) - len(plan.ready))
                if len(todo) > len(plan.ready)
                else ""
            )
        )
        if outcome.known:
            say(
                _(
                    "{n} integrity finding(s) reported by earlier runs were found again (not "
                    "repeated here): {command} lists them"
                ).format(n=outcome.known, command=_progress_command(course))
            )
        if not plan.ready:
            if wanted is None and similarity_stale(writer.session):
                outcome.similar = _update_similarity(writer, course, moved)
                _say_similar(course, outcome, say)
            say(
                _("nothing to grade; done in {seconds} s").format(
                    seconds=f"{time.perf_counter() - started:.1f}"
                )
            )
            return outcome
        graded_ids = sorted({i for _, ids in plan.jobs for i in ids})
        if graded_ids:
            checked = data_check.require(graded_ids, offline=options.isolation.kind == "bwrap")
            if checked:
                say(_("data checked: {names}").format(names=", ".join(checked)))
        say(_("isolation: {why}").format(why=options.isolation.why))
        if plan.jobs:
            say(
                _("grading {files} file(s) of {n} submission(s), {at_once} at a time…").format(
                    files=plan.graded_files,
                    n=len(plan.jobs),
                    at_once=min(options.jobs, len(plan.jobs)),
                )
            )
        _execute(plan, known, kits, options, writer, course, say, outcome, board)
        # Similarity compares every member with every other: a whole-course run's work (the
        # runs of a scheduler's tasks, one learner each, leave it to the next such run).
        if wanted is None and (outcome.recorded or similarity_stale(writer.session)):
            outcome.similar = _update_similarity(writer, course, moved)
    outcome.graded_files = plan.graded_files
    if options.isolation.kind == "unsandboxed":
        say(
            _("UNSANDBOXED: member code ran with your rights; every verdict of this run is flagged")
        )
    say(
        _(
            "recorded {n} submission(s) in {gradebook} ({files} file(s) graded, {reused} "
            "verdict(s) reused) in {seconds} s"
        ).format(
            n=len(outcome.recorded),
            gradebook=course.gradebook_shown,
            files=plan.graded_files,
            reused=outcome.reused_files,
            seconds=f"{time.perf_counter() - started:.1f}",
        )
    )
    _say_similar(course, outcome, say)
    return outcome


def _say_similar(course: Course, outcome: Outcome, say: Callable[[str], None]) -> None:
    if outcome.similar:
        say(
            _(
                "{n} pair(s) of members have similar code: {command} lists them (flags only: "
                "no score changed)"
            ).format(n=outcome.similar, command=_progress_command(course))
        )


def _progress_command(course: Course) -> str:
    from grader import commands

    return commands.kit("progress", *course.options())


def _rel(folder, course: Course) -> str:
    try:
        return folder.relative_to(course.root).as_posix()
    except ValueError:
        return str(folder)


class _Findings:
    """Records an integrity finding once; says it when it is new, counts it when known."""

    def __init__(self, writer: Writer, say: Callable[[str], None], outcome: Outcome):
        self.writer, self.say, self.outcome = writer, say, outcome

    def __call__(self, learner: str, folder: str, kind: str, text: str) -> None:
        if records.note(self.writer.session, learner, folder, kind, text):
            self.say(f"  ! {text}")
            self.outcome.skipped.append(folder)
        else:
            self.outcome.known += 1


def _update_similarity(writer: Writer, course: Course, moved: records.LearnerStates) -> int:
    """Compares every member's latest module of each exercise with the others' (similarity.py)
    and stores the pairs; returns how many."""
    from sqlalchemy import select

    from grader.course.gradebook import results, submissions

    db = writer.session
    latest: dict[str, tuple[str, int]] = {}
    for learner, folder, sub_id in db.execute(
        select(submissions.c.learner, submissions.c.folder, submissions.c.id).order_by(
            submissions.c.submitted_at
        )
    ).all():
        if learner not in moved.withdrawn:
            latest[learner] = (folder, sub_id)
    attempted = {
        (row.submission_id, row.exercise)
        for row in db.execute(
            select(results.c.submission_id, results.c.exercise).where(results.c.attempted)
        ).all()
    }
    pairs = []
    for ex in manifest.load():
        modules = {}
        for learner, (folder, sub_id) in latest.items():
            if (sub_id, ex.id) not in attempted:
                continue
            try:
                modules[learner] = (folder, intake.text(course.root / folder, ex.module))
            except intake.Refused:
                continue
        if len(modules) < 2:
            continue
        reference = (REFERENCE_DIR / ex.module).read_text()
        pairs += similarity.similar_pairs(
            ex.id,
            modules,
            [reference_match.without_markers(reference), similarity.stub_of(reference)],
        )
    records.replace_similar(db, pairs)
    return len(pairs)


NBGRADER_CONFIG = "nbgrader_config.py"


def write_nbgrader_config(course: Course) -> None:
    """An nbgrader_config.py in the course folder, unless one is there: nbgrader's own commands
    (nbgrader export, formgrader) then find this course's gradebook when run from the folder.
    A server database's URL is left out, so that no password lands in a shared folder."""
    path = course.root / NBGRADER_CONFIG
    if path.exists():
        return
    lines = [
        "# Written by `kit autograde`: nbgrader's commands, run in this folder, use this",
        "# course's gradebook (for example `nbgrader export` writes grades.csv).",
        "c = get_config()  # noqa: F821",
        f"c.CourseDirectory.root = {str(course.root)!r}",
        f"c.CourseDirectory.course_id = {course.course_id!r}",
    ]
    if course.gradebook_file is not None:
        lines.append(f"c.CourseDirectory.db_url = {'sqlite:///' + str(course.gradebook_file)!r}")
    else:
        lines.append("# The gradebook is a server database: pass --db=URL to nbgrader.")
    try:
        path.write_text("\n".join(lines) + "\n")
    except OSError:
        pass  # only a convenience: nbgrader takes --db and --CourseDirectory.root as well


@dataclass
class _Plan:
    # (submission, exercise ids it grades itself) for each job, in submission order.
    jobs: list[tuple[Submission, list[str]]]
    # What each submission needs: {exercise id: (exercise id, sha256, kit) key}.
    needs: dict[str, dict[str, tuple[str, str, str]]]
    ready: list[Submission]  # submissions to record, in order
    # Each submission's module files, read once, safely, and checked against their hashes.
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)
    graded_files: int = 0


def _plan(
    todo: list[Submission],
    known: dict[tuple[str, str, str], Result],
    kits: dict[str, str],
    course: Course,
    finding: _Findings,
    outcome: Outcome,
) -> _Plan:
    """Which files to grade in which job: each (exercise, file) once, in the first submission
    that has it; everything graded before is reused."""
    assigned: set[tuple[str, str, str]] = set()
    plan = _Plan([], {}, [])
    for sub in todo:
        folder = sub.relative_to(course.root)
        try:
            files, extra = take_files(sub)
        except intake.Refused as exc:
            changed = exc.kind == "changed"
            finding(
                sub.learner,
                folder,
                records.EDITED_AFTER_SUBMISSION if changed else records.UNREADABLE,
                _("skipped {folder}: {problem}; it was not graded").format(
                    folder=folder, problem=exc
                ),
            )
            continue
        if extra:
            finding.say(
                _(
                    "  ! {folder}: {names} ignored (not exercise modules; never copied or read)"
                ).format(folder=folder, names=_some(extra))
            )
        needs, own = {}, []
        for ex in manifest.load():
            digest = sub.files.get(ex.module)
            if digest is None:
                continue  # submitted before this exercise was in the kit
            key = (ex.id, digest, kits[ex.id])
            needs[ex.id] = key
            if key not in known and key not in assigned:
                assigned.add(key)
                own.append(ex.id)
        plan.needs[folder] = needs
        plan.files[folder] = files
        plan.ready.append(sub)
        if own:
            plan.jobs.append((sub, own))
            plan.graded_files += len(own)
    return plan


def take_files(sub: Submission) -> tuple[dict[str, bytes], list[str]]:
    """The submission's modules ({module: bytes}), each a regular file with the sha256 recorded
    when it was submitted, and the names of anything else in its folder. Raises
    intake.Refused naming the first module that cannot be taken."""
    files = {}
    for module, digest in sub.files.items():
        content = intake.read(sub.folder, module)
        if hashlib.sha256(content).hexdigest() != digest:
            raise intake.Refused(
                _(
                    "{module} changed after it was submitted (its sha256 no longer matches the "
                    "one recorded)"
                ).format(module=module),
                kind="changed",
            )
        files[module] = content
    return files, intake.extras(sub.folder, {*sub.files, RECORD, TIMESTAMP})


def _some(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _execute(
    plan: _Plan,
    known: dict[tuple[str, str, str], Result],
    kits: dict[str, str],
    options: Options,
    writer: Writer,
    course: Course,
    say: Callable[[str], None],
    outcome: Outcome,
    board=None,
) -> None:
    """Runs the plan's jobs and records each submission as soon as all its verdicts are in.

    A clean verdict is shared by every submission of the same file; a flagged one (its process
    ended abnormally, tampering) belongs to the submission it was graded in, and each other
    submission of that file gets a job of its own.
    """
    fresh: dict[tuple[str, str, str], Result] = {}  # clean verdicts, by file
    own: dict[tuple[str, str], Result] = {}  # flagged verdicts, by (folder, exercise)
    failed_keys: dict[tuple[str, str, str], str] = {}
    graded_in: set[tuple[str, str]] = set()  # (folder, exercise) graded for that submission
    waiting = list(plan.ready)

    def verdict(folder: str, exercise: str, key: tuple[str, str, str]) -> Result | None:
        return own.get((folder, exercise)) or fresh.get(key) or known.get(key)

    def record_ready() -> None:
        for sub in list(waiting):
            folder = sub.relative_to(course.root)
            needs = plan.needs[folder]
            if any(key in failed_keys for key in needs.values()):
                why = next(failed_keys[k] for k in needs.values() if k in failed_keys)
                say(
                    _(
                        "  ✗ {folder}: not recorded: {why}; it is graded again on the next run"
                    ).format(folder=folder, why=why)
                )
                outcome.failed.append(folder)
                waiting.remove(sub)
                continue
            found = {ex: verdict(folder, ex, key) for ex, key in needs.items()}
            if any(result is None for result in found.values()):
                continue
            rows = []
            for exercise, result in found.items():
                result = _copy(result)
                result.reused = (folder, exercise) not in graded_in
                outcome.reused_files += result.reused
                rows.append(result)
            writer.record(
                sub.learner,
                sub.submitted_at,
                folder,
                sub.files,
                sub.origin,
                kit_label(),
                options.isolation.kind,
                rows,
            )
            outcome.recorded.append(folder)
            waiting.remove(sub)
            say(_recorded_line(sub, folder, rows))

    def others_with(key: tuple[str, str, str], graded: str) -> list[Submission]:
        """The other waiting submissions of a file whose verdict came back flagged."""
        return [
            sub
            for sub in waiting
            if sub.relative_to(course.root) != graded
            and plan.needs[sub.relative_to(course.root)].get(key[0]) == key
            and (sub.relative_to(course.root), key[0]) not in graded_in
        ]

    record_ready()  # submissions whose every file was graded before
    if not plan.jobs:
        return
    # Which exercises are pristine stubs: computed here (nbgrader takes seconds) and kept in
    # the cache for the next run.
    stubs = provenance.stub_hashes()
    pool = ThreadPoolExecutor(max_workers=max(1, options.jobs))
    threads = _threads_per_job(min(options.jobs, len(plan.jobs)))
    running: dict = {}

    def start(sub: Submission, ids: list[str]) -> None:
        folder = sub.relative_to(course.root)
        graded_in.update((folder, exercise) for exercise in ids)
        future = pool.submit(
            _on_board, board, sub, ids, grade_submission, options, plan.files[folder], ids, threads
        )
        running[future] = (sub, ids)

    try:
        for sub, ids in plan.jobs:
            start(sub, ids)
        while running:
            done, _pending = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                sub, ids = running.pop(future)
                folder = sub.relative_to(course.root)
                try:
                    got, failures = future.result()
                except Exception as exc:  # noqa: BLE001 - one job's failure never loses the others
                    got, failures = {}, dict.fromkeys(ids, f"{type(exc).__name__}: {exc}")
                for exercise_id in ids:
                    ex = manifest.find(exercise_id)
                    key = (exercise_id, sub.files[ex.module], kits[exercise_id])
                    if exercise_id not in got:
                        failed_keys[key] = failures.get(exercise_id, "it was not graded")
                        continue
                    result = to_result(
                        got[exercise_id],
                        plan.files[folder][ex.module],
                        sub,
                        ex,
                        kits[exercise_id],
                        options,
                        stubs,
                    )
                    if set(result.flags) - {UNSANDBOXED}:
                        own[(folder, exercise_id)] = result
                        for other in others_with(key, folder):
                            start(other, [exercise_id])
                    else:
                        fresh[key] = result
            plan.graded_files = len(graded_in)
            record_ready()
    except KeyboardInterrupt:
        # Ctrl-C: jobs not yet started never start, the running ones are ended, and what was
        # recorded stays.
        pool.shutdown(wait=False, cancel_futures=True)
        iso.stop_all()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for sub in waiting:  # cannot happen unless a key was never assigned; never drop silently
        folder = sub.relative_to(course.root)
        say(
            _("  ✗ {folder}: not recorded: some of its files were never graded").format(
                folder=folder
            )
        )
        outcome.failed.append(folder)


def _on_board(board, sub: Submission, ids: list[str], work, *args):
    """work(*args), shown on the board (if any) while it runs."""
    if board is None:
        return work(*args)
    key = object()
    board.started(
        key,
        _("{learner} {time} ({n} exercise(s))").format(
            learner=sub.learner, time=f"{sub.submitted_at:%Y-%m-%d %H:%M}", n=len(ids)
        ),
    )
    try:
        return work(*args)
    finally:
        board.finished(key)


def _copy(result: Result) -> Result:
    return replace(result, checks=list(result.checks), notes=list(result.notes))


def _threads_per_job(jobs: int) -> int | None:
    """Each job's share of the cores when several run at once; a lone job keeps the
    frameworks' defaults."""
    return None if jobs <= 1 else max(1, default_jobs() // jobs)


def _job_timeout(ids: list[str], options: Options) -> float:
    """A backstop over the grader's own per-exercise limits (start-up and TF imports)."""
    return sum(manifest.find(i).timeout for i in ids) * options.timeout_scale + 300


def grade_submission(
    options: Options, files: dict[str, bytes], ids: list[str], threads: int | None
) -> tuple[dict[str, dict], dict[str, str]]:
    """Grades `ids` of one submission: ({exercise id: the job's result}, {exercise id: why it
    could not be graded}).

    When the job ends during an exercise (member code can kill it, or stop it), that exercise
    is tried once more in a new job; if it ends the job again it gets a flagged verdict of
    nothing, and the exercises after it are graded in a new job.
    """
    remaining, tried, got = list(ids), set(), {}
    while remaining:
        job = iso.run_job(
            options.isolation,
            files,
            remaining,
            options.grade_args(),
            options.memory_limit,
            options.timeout_scale,
            threads,
        )
        got.update(job.results)
        remaining = [i for i in remaining if i not in got]
        broke = job.died_during
        if not remaining:
            break
        if broke is None or not job.started:
            # It ended before or between exercises, where no member code runs: the kit's
            # or the machine's fault. Nothing is blamed on the member; the next run retries.
            last = [line for line in job.log_tail.splitlines() if line.strip()][-1:] or [""]
            why = f"the grading job failed ({job.why}: {last[0].strip()[:200]})"
            return got, dict.fromkeys(remaining, why)
        if broke in tried:
            got[broke] = ended_abnormally(broke, job.why)
            remaining.remove(broke)
        tried.add(broke)
    return got, {}


def ended_abnormally(exercise_id: str, why: str) -> dict:
    """The verdict of an exercise during which its grading job ended, twice."""
    ex = manifest.find(exercise_id)
    message = (
        f"Not graded: {why} while this exercise ran, in two grading jobs in a row. Code that "
        "ends or stops the grader's processes does this; so can a machine that ran out of "
        "memory. Nothing of this exercise counts."
    )
    return {
        "id": ex.id,
        "status": "error",
        "score": 0.0,
        "max_score": ex.points,
        "fault": "learner",
        "checks": [{"name": "process", "status": "error", "message": message}],
        "notes": [message],
        "flags": [f"ended abnormally ({why})"],
        "seconds": 0.0,
    }


def to_result(
    entry: dict,
    content: bytes,
    sub: Submission,
    ex: manifest.Exercise,
    kit: str,
    options: Options,
    stubs: dict[str, str],
) -> Result:
    """The gradebook's Result from a job's result, checked: only known statuses and faults, the
    score recomputed from the checks and kept within the exercise's points, nothing scored
    when flagged. What the job cannot know (the file's hash, whether it is the stub or the
    reference) is decided here."""
    checks = [_check(c) for c in entry.get("checks", [])[:MAX_CHECKS] if isinstance(c, dict)]
    # The status follows from the checks (a result without checks is no verdict).
    status = entry.get("status") if entry.get("status") in grading.STATUSES else "error"
    # A skipped check (CUDA on a machine without a GPU) neither passes nor fails, as in
    # grading.overall_status: "passed" needs every other check passed, and at least one.
    counted = [c["status"] for c in checks if c["status"] != "skipped"]
    if not checks or (status == "passed" and (not counted or set(counted) != {"passed"})):
        status = "error"
    fault = entry.get("fault") if entry.get("fault") in grading.FAULTS else "learner"
    flags = [job_cut(str(f), 500) for f in entry.get("flags", [])][:8]
    if options.isolation.kind == "unsandboxed":
        flags.append(UNSANDBOXED)
    score = grading.score_of(
        [grading.CheckResult(c["name"], c["status"]) for c in checks], ex.points
    )
    if fault == "tampered" or set(flags) - {UNSANDBOXED}:
        score = 0.0
    if fault in RETRY_FAULTS:
        # The kit's, the data's or the machine's fault: no verdict and no score, shown as such,
        # and graded again on the next run.
        status, score = "not_graded", 0.0
    digest = sub.files[ex.module]
    evidence = _copied_from_reference(content, ex)
    notes = [job_cut(n) for n in entry.get("notes", [])][:8]
    if evidence:
        notes.append(f"Matches the reference: {'; '.join(evidence)}.")
    return Result(
        exercise=ex.id,
        chapter=ex.chapter,
        status=status,
        score=max(0.0, min(float(ex.points), score)),
        max_score=float(ex.points),
        fault=fault,
        attempted=digest != stubs.get(ex.module),
        matches_reference=bool(evidence),
        sha256=digest,
        kit=kit,
        checks=checks,
        notes=notes,
        seconds=float(entry.get("seconds", 0.0) or 0.0),
        flags=flags,
    )


def _check(entry: dict) -> dict:
    """A check as the gradebook keeps it: name, status, message (cut to what the gradebook
    keeps), and the learner's line it names (for the dashboard's code view)."""
    check = {
        "name": str(entry.get("name", ""))[:200],
        "status": entry.get("status") if entry.get("status") in grading.STATUSES else "error",
        "message": job_cut(entry.get("message", "")),
    }
    where = entry.get("where")
    if isinstance(where, dict) and isinstance(where.get("line"), int):
        check["line"] = where["line"]
    return check


def _copied_from_reference(content: bytes, ex: manifest.Exercise) -> list[str]:
    """The evidence that the module is the reference's (reference_match); [] for none."""
    try:
        reference = (REFERENCE_DIR / ex.module).read_text()
    except OSError:
        return []
    return reference_match.copied(content.decode(errors="replace"), reference)


def _recorded_line(sub: Submission, folder: str, rows: list[Result]) -> str:
    score = sum(r.score for r in rows)
    total = sum(ex.points for ex in manifest.load())
    graded = sum(not r.reused for r in rows)
    line = _(
        "  ✓ {learner} {time} UTC: {score}/{total} points ({graded} graded, {reused} reused)"
    ).format(
        learner=sub.learner,
        time=f"{sub.submitted_at:%Y-%m-%d %H:%M:%S}",
        score=f"{score:g}",
        total=total,
        graded=graded,
        reused=len(rows) - graded,
    )
    tampered = [r.exercise for r in rows if r.tampered]
    flagged = [r.exercise for r in rows if set(r.flags) - {UNSANDBOXED, "tampered"}]
    copied = [r.exercise for r in rows if r.matches_reference]
    if tampered:
        line += f"; TAMPERED: {', '.join(tampered)}"
    if flagged:
        line += f"; FLAGGED: {', '.join(flagged)}"
    if any(r.unsandboxed for r in rows):
        line += "; UNSANDBOXED"
    if copied:
        line += _("; matches the reference: {ids}").format(ids=", ".join(copied))
    return line


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
