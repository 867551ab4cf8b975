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
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

from grader import REFERENCE_DIR, identity, manifest, provenance
from grader.course import data_check, integrity, records, reference_match, similarity
from grader.course import isolation as iso
from grader.course.config import Course
from grader.course.gradebook import RETRY_FAULTS, Recorded, Result, Writer, writing
from grader.course.submission import Submission, changed_files, scan

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
            "--memory-limit",
            f"{self.memory_limit:g}",
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

    hashes = iso.tree_hashes(root, ("grader", "reference"))
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
    with writing(course) as writer:
        write_nbgrader_config(course)
        writer.sync_students(course.roster)
        moved = records.learner_states(writer.session.connection())
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
                    f"skipped {sub.relative_to(course.root)}: {problem}; it was not graded",
                )
            else:
                clean.append(sub)
        known = writer.reusable()
        plan = _plan(clean, known, kits, course, finding, outcome)
        say(
            f"{len(subs)} submission(s) in {course.submitted}: {len(plan.ready)} to grade, "
            f"{outcome.up_to_date} already graded with this kit ({kit_label()})"
            + (f", {len(todo) - len(plan.ready)} skipped" if len(todo) > len(plan.ready) else "")
        )
        if outcome.known:
            say(
                f"{outcome.known} integrity finding(s) reported by earlier runs were found again "
                f"(not repeated here): {_progress_command(course)} lists them"
            )
        if not plan.ready:
            if wanted is None and records.similarity_stale(writer.session):
                outcome.similar = _update_similarity(writer, course, moved)
                _say_similar(course, outcome, say)
            say(f"nothing to grade; done in {time.perf_counter() - started:.1f} s")
            return outcome
        graded_ids = sorted({i for _, ids in plan.jobs for i in ids})
        if graded_ids:
            checked = data_check.require(graded_ids, offline=options.isolation.kind == "bwrap")
            if checked:
                say(f"data checked: {', '.join(checked)}")
        say(f"isolation: {options.isolation.why}")
        if plan.jobs:
            say(
                f"grading {plan.graded_files} file(s) of {len(plan.jobs)} submission(s), "
                f"{min(options.jobs, len(plan.jobs))} at a time…"
            )
        _execute(plan, known, kits, options, writer, course, say, outcome, board)
        # Similarity compares every member with every other: a whole-course run's work (the
        # runs of a scheduler's tasks, one learner each, leave it to the next such run).
        if wanted is None and (outcome.recorded or records.similarity_stale(writer.session)):
            outcome.similar = _update_similarity(writer, course, moved)
    outcome.graded_files = plan.graded_files
    say(
        f"recorded {len(outcome.recorded)} submission(s) in {course.gradebook_shown} "
        f"({plan.graded_files} file(s) graded, {outcome.reused_files} verdict(s) reused) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    _say_similar(course, outcome, say)
    return outcome


def _say_similar(course: Course, outcome: Outcome, say: Callable[[str], None]) -> None:
    if outcome.similar:
        say(
            f"{outcome.similar} pair(s) of members have similar code: "
            f"{_progress_command(course)} lists them (flags only: no score changed)"
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
                modules[learner] = (folder, (course.root / folder / ex.module).read_text())
            except (OSError, UnicodeDecodeError):
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
        altered = changed_files(sub)
        if altered:
            folder = sub.relative_to(course.root)
            finding(
                sub.learner,
                folder,
                records.EDITED_AFTER_SUBMISSION,
                f"skipped {folder}: {', '.join(altered)} changed after it was submitted "
                "(its sha256 no longer matches the one recorded); it was not graded",
            )
            continue
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
        plan.needs[sub.relative_to(course.root)] = needs
        plan.ready.append(sub)
        if own:
            plan.jobs.append((sub, own))
            plan.graded_files += len(own)
    return plan


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
    fresh: dict[tuple[str, str, str], Result] = {}
    failed_keys: dict[tuple[str, str, str], str] = {}
    waiting = list(plan.ready)

    def record_ready() -> None:
        for sub in list(waiting):
            folder = sub.relative_to(course.root)
            needs = plan.needs[folder]
            if any(key in failed_keys for key in needs.values()):
                why = next(failed_keys[k] for k in needs.values() if k in failed_keys)
                say(f"  ✗ {folder}: not recorded: {why}; it is graded again on the next run")
                outcome.failed.append(folder)
                waiting.remove(sub)
                continue
            if not all(key in fresh or key in known for key in needs.values()):
                continue
            rows = []
            for key in needs.values():
                result = _copy(fresh.get(key) or known[key])
                result.reused = key not in fresh or _graded_for(plan, key) is not sub
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

    record_ready()  # submissions whose every file was graded before
    if plan.jobs:
        # Each job's report says whether a file is the pristine stub; the stubs' hashes take
        # nbgrader (seconds) to compute, so they are put in the cache, which jobs start from.
        provenance.stub_hashes()
        kit_before = iso.kit_hashes() if options.isolation.kind == "copy" else None
        pool = ThreadPoolExecutor(max_workers=max(1, options.jobs))
        try:
            futures = {
                pool.submit(
                    _run_job,
                    board,
                    sub,
                    options.isolation,
                    sub.folder,
                    ids,
                    sub.learner,
                    options.grade_args(),
                    _job_timeout(ids, options),
                    sub.files,
                    kit_before,
                    _threads_per_job(min(options.jobs, len(plan.jobs))),
                ): (sub, ids)
                for sub, ids in plan.jobs
            }
            for future in as_completed(futures):
                sub, ids = futures[future]
                try:
                    job = future.result()
                except Exception as exc:  # noqa: BLE001 - one job's failure never loses the others
                    job = iso.JobResult(None, f"{type(exc).__name__}: {exc}", None)
                if not job.unchanged:  # edited between the plan and its job: never graded
                    folder = sub.relative_to(course.root)
                    _Findings(writer, say, outcome)(
                        sub.learner,
                        folder,
                        records.EDITED_AFTER_SUBMISSION,
                        f"skipped {folder}: {job.log_tail}",
                    )
                    waiting.remove(sub)
                got, why = _results(job, sub, ids, kits)
                if job.altered:
                    say(
                        f"  ! {sub.relative_to(course.root)}: files of the kit changed while it "
                        f"was graded ({', '.join(job.altered[:3])}); its verdicts are marked "
                        "tampered. Restore the kit's own files (git checkout -- grader "
                        "reference) before grading again"
                    )
                for exercise_id in ids:
                    key = (
                        exercise_id,
                        sub.files[manifest.find(exercise_id).module],
                        kits[exercise_id],
                    )
                    if exercise_id in got:
                        fresh[key] = got[exercise_id]
                    else:
                        failed_keys[key] = why
                record_ready()
        except KeyboardInterrupt:
            # Ctrl-C: jobs not yet started never start, the running ones are ended, and what
            # was recorded stays.
            pool.shutdown(wait=False, cancel_futures=True)
            iso.stop_all()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    for sub in waiting:  # cannot happen unless a key was never assigned; never drop silently
        folder = sub.relative_to(course.root)
        say(f"  ✗ {folder}: not recorded: some of its files were never graded")
        outcome.failed.append(folder)


def _run_job(board, sub: Submission, *args) -> iso.JobResult:
    """iso.run_job, shown on the board (if any) while it runs."""
    if board is None:
        return iso.run_job(*args)
    key = id(args)
    board.started(
        key, f"{sub.learner} {sub.submitted_at:%Y-%m-%d %H:%M} ({len(args[2])} exercise(s))"
    )
    try:
        return iso.run_job(*args)
    finally:
        board.finished(key)


def _graded_for(plan: _Plan, key: tuple[str, str, str]) -> Submission | None:
    for sub, ids in plan.jobs:
        if key[0] in ids and sub.files.get(manifest.find(key[0]).module) == key[1]:
            return sub
    return None


def _copy(result: Result) -> Result:
    return replace(result, checks=list(result.checks), notes=list(result.notes))


def _threads_per_job(jobs: int) -> int | None:
    """Each job's share of the cores when several run at once; a lone job keeps the
    frameworks' defaults."""
    return None if jobs <= 1 else max(1, default_jobs() // jobs)


def _job_timeout(ids: list[str], options: Options) -> float:
    """A backstop over the grader's own per-exercise limits (start-up and TF imports)."""
    return sum(manifest.find(i).timeout for i in ids) * options.timeout_scale + 300


def _results(
    job: iso.JobResult, sub: Submission, ids: list[str], kits: dict[str, str]
) -> tuple[dict[str, Result], str]:
    """{exercise id: Result} from a job's JSON report, and why the missing ones are missing."""
    report = job.report
    if not job.unchanged:
        return {}, "the submission that holds this file changed before it was graded"
    if not report or report.get("interrupted"):
        last = [line for line in job.log_tail.splitlines() if line.strip()][-1:] or ["no output"]
        status = "timed out" if job.returncode is None else f"exit {job.returncode}"
        return {}, f"the grading job failed ({status}: {last[0].strip()[:200]})"
    entries = {e.get("id"): e for e in report.get("exercises", [])}
    got = {}
    for exercise_id in ids:
        entry = entries.get(exercise_id)
        if entry is None:
            continue
        ex = manifest.find(exercise_id)
        submitted = sub.files[ex.module]
        evidence = _copied_from_reference(sub, ex)
        result = Result(
            exercise=ex.id,
            chapter=ex.chapter,
            status=entry["status"],
            score=float(entry["score"]),
            max_score=float(entry["max_score"]),
            fault=entry.get("fault", "learner"),
            attempted=bool(entry.get("attempted")),
            matches_reference=bool(evidence),
            sha256=submitted,
            kit=kits[ex.id],
            checks=[_check(c) for c in entry.get("checks", [])],
            notes=list(entry.get("notes", [])),
            seconds=float(entry.get("seconds", 0.0)),
        )
        if evidence:
            result.notes.append(f"Matches the reference: {'; '.join(evidence)}.")
        if result.fault in RETRY_FAULTS:
            # The kit's, the data's or the machine's fault: no verdict and no score, shown as
            # such, and graded again on the next run.
            result.status, result.score = "not_graded", 0.0
        if entry.get("sha256") != submitted:
            _mark_tampered(result, "the file that was graded is not the file that was submitted")
        if job.altered:
            _mark_tampered(
                result,
                "files of the kit changed while this submission was graded: "
                + ", ".join(job.altered[:5]),
            )
        got[exercise_id] = result
    return got, "the grading job's report lacks this exercise"


def _mark_tampered(result: Result, why: str) -> None:
    result.status, result.score, result.fault = "error", 0.0, "tampered"
    result.notes.insert(0, f"Tampered: {why}. No verdict from this grading can be trusted.")


def _check(entry: dict) -> dict:
    """A check as the gradebook keeps it: name, status, message, and the learner's line it
    names (for the dashboard's code view)."""
    check = {"name": entry["name"], "status": entry["status"], "message": entry.get("message", "")}
    where = entry.get("where")
    if isinstance(where, dict) and isinstance(where.get("line"), int):
        check["line"] = where["line"]
    return check


def _copied_from_reference(sub: Submission, ex: manifest.Exercise) -> list[str]:
    """The evidence that the module is the reference's (reference_match); [] for none."""
    try:
        mine = (sub.folder / ex.module).read_text(errors="replace")
        reference = (REFERENCE_DIR / ex.module).read_text()
    except OSError:
        return []
    return reference_match.copied(mine, reference)


def _recorded_line(sub: Submission, folder: str, rows: list[Result]) -> str:
    score = sum(r.score for r in rows)
    total = sum(ex.points for ex in manifest.load())
    graded = sum(not r.reused for r in rows)
    line = (
        f"  ✓ {sub.learner} {sub.submitted_at:%Y-%m-%d %H:%M:%S} UTC: {score:g}/{total} points "
        f"({graded} graded, {len(rows) - graded} reused)"
    )
    tampered = [r.exercise for r in rows if r.tampered]
    copied = [r.exercise for r in rows if r.matches_reference]
    if tampered:
        line += f"; TAMPERED: {', '.join(tampered)}"
    if copied:
        line += f"; matches the reference: {', '.join(copied)}"
    return line


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
