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
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from grader import REFERENCE_DIR, grading, manifest, provenance
from grader.course import intake, reference_match
from grader.course import isolation as iso
from grader.course.config import Course
from grader.course.gradebook import UNSANDBOXED, Recorded, Result, Writer, writing
from grader.course.submission import RECORD, TIMESTAMP, Submission, scan
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
    skipped: list[str] = field(default_factory=list)  # damaged or altered submissions
    up_to_date: int = 0
    graded_files: int = 0
    reused_files: int = 0


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


def run(course: Course, options: Options, say: Callable[[str], None]) -> Outcome:
    """Grades what is pending and records it; the caller holds the course's autograde lock."""
    started = time.perf_counter()
    outcome = Outcome()
    kits = fingerprints(options.seed, options.device)
    stale = iso.remove_stale_scratch()
    if stale:
        say(f"removed the scratch folders of {stale} earlier run(s) that were killed")
    with iso.run_folder(), writing(course) as writer:
        write_nbgrader_config(course)
        subs, problems = scan(course.submitted)
        for problem in problems:
            say(f"  ! {problem}")
            outcome.skipped.append(problem)
        if options.learners is not None:
            subs = [s for s in subs if s.learner in options.learners]
        todo, outcome.up_to_date = pending(subs, writer.recorded(), kits, course)
        say(
            f"{len(subs)} submission(s) in {course.submitted}: {len(todo)} to grade, "
            f"{outcome.up_to_date} already graded with this kit ({kit_label()})"
        )
        if not todo:
            say(f"nothing to grade; done in {time.perf_counter() - started:.1f} s")
            return outcome
        say(f"isolation: {options.isolation.why}")
        known = writer.reusable()
        plan = _plan(todo, known, kits, course, say, outcome)
        _execute(plan, known, kits, options, writer, course, say, outcome)
    outcome.graded_files = plan.graded_files
    if options.isolation.kind == "unsandboxed":
        say("UNSANDBOXED: member code ran with your rights; every verdict of this run is flagged")
    say(
        f"recorded {len(outcome.recorded)} submission(s) in {course.gradebook_shown} "
        f"({plan.graded_files} file(s) graded, {outcome.reused_files} verdict(s) reused) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return outcome


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
    say: Callable[[str], None],
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
            say(f"  ! {folder}: not graded: {exc}")
            outcome.skipped.append(folder)
            continue
        if extra:
            say(
                f"  ! {folder}: {_some(extra)} ignored (not exercise modules; never copied or read)"
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
                f"{module} changed after it was submitted (its sha256 no longer matches the one "
                "recorded)"
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
                say(f"  ✗ {folder}: not recorded: {why}; it is graded again on the next run")
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
        future = pool.submit(grade_submission, options, plan.files[folder], ids, threads)
        running[future] = (sub, ids)

    try:
        for sub, ids in plan.jobs:
            start(sub, ids)
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
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
        say(f"  ✗ {folder}: not recorded: some of its files were never graded")
        outcome.failed.append(folder)


def _copy(result: Result) -> Result:
    from dataclasses import replace

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
    checks = [
        {
            "name": str(c.get("name", ""))[:200],
            "status": c.get("status") if c.get("status") in grading.STATUSES else "error",
            "message": job_cut(c.get("message", "")),
        }
        for c in entry.get("checks", [])[:MAX_CHECKS]
        if isinstance(c, dict)
    ]
    # The status follows from the checks (a result without checks is no verdict).
    status = entry.get("status") if entry.get("status") in grading.STATUSES else "error"
    if not checks or (status == "passed" and any(c["status"] != "passed" for c in checks)):
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
    digest = sub.files[ex.module]
    return Result(
        exercise=ex.id,
        chapter=ex.chapter,
        status=status,
        score=max(0.0, min(float(ex.points), score)),
        max_score=float(ex.points),
        fault=fault,
        attempted=digest != stubs.get(ex.module),
        matches_reference=_matches_reference(content, ex),
        sha256=digest,
        kit=kit,
        checks=checks,
        notes=[job_cut(n) for n in entry.get("notes", [])][:8],
        seconds=float(entry.get("seconds", 0.0) or 0.0),
        flags=flags,
    )


def _matches_reference(content: bytes, ex: manifest.Exercise) -> bool:
    try:
        reference = (REFERENCE_DIR / ex.module).read_text()
    except OSError:
        return False
    return reference_match.matches(content.decode(errors="replace"), reference)


def _recorded_line(sub: Submission, folder: str, rows: list[Result]) -> str:
    score = sum(r.score for r in rows)
    total = sum(ex.points for ex in manifest.load())
    graded = sum(not r.reused for r in rows)
    line = (
        f"  ✓ {sub.learner} {sub.submitted_at:%Y-%m-%d %H:%M:%S} UTC: {score:g}/{total} points "
        f"({graded} graded, {len(rows) - graded} reused)"
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
        line += f"; matches the reference: {', '.join(copied)}"
    return line


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
