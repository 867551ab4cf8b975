"""Grades selected exercises: one sandboxed pytest run each, folded into scored results."""

from __future__ import annotations

import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader import environment, records, sandbox
from grader.manifest import Exercise

# not_graded: the run stopped (Ctrl-C) before this exercise finished; nothing is known of it.
STATUSES = ("passed", "failed", "not_started", "error", "timeout", "skipped", "not_graded")
# Who a non-pass is down to: the learner's code, something the learner cannot fix, or code
# that swapped the grader's own functions (grader.integrity).
FAULTS = ("learner", "kit", "data", "tampered")
# The flag of an exercise whose fork server stopped under it: learner code that signals its
# parent does that, and so can a machine out of memory (grader.job tries such an exercise again).
SERVER_DIED = "the kit's fork server stopped while it ran"


@dataclass
class CheckResult:
    name: str
    status: str
    message: str = ""
    doc: str = ""
    device: str | None = None
    # The learner's line an exception came from: {"path", "line", "code"}, else None.
    where: dict | None = None


@dataclass
class ExerciseResult:
    id: str
    chapter: str
    title: str
    topics: list[str]
    status: str
    score: float
    max_score: int
    seconds: float
    checks: list[CheckResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    fault: str = "learner"
    # Loss-curve pictures the checks drew (paths), for training exercises.
    plots: list[str] = field(default_factory=list)
    # Why this verdict needs a person's eye (its process ended abnormally, records that the
    # kit never asked for, tampering): a flagged exercise scores nothing and is never reused.
    flags: list[str] = field(default_factory=list)


@dataclass
class Options:
    learner_root: Path
    seed: int
    device: str = "all"
    timeout_scale: float = 1.0

    def pytest_args(self) -> list[str]:
        return [
            "--exercises",
            str(self.learner_root),
            "--seed",
            str(self.seed),
            "--device",
            self.device,
        ]


def start_server(exercises: list[Exercise]) -> sandbox.ForkServer:
    needs = {need for ex in exercises for need in ex.needs} or {"torch"}
    if any("california" in ex.data for ex in exercises):
        needs.add("sklearn")  # sklearn.datasets takes seconds to import; pay it once
    if any("cifar10" in ex.data for ex in exercises):
        needs.add("torchvision")
    return sandbox.ForkServer(needs)


def probe_environment(server: sandbox.ForkServer) -> dict:
    with tempfile.TemporaryDirectory(prefix="kit-env-") as tmp:
        try:
            raw = server.run(environment.probe, (), timeout=120, workdir=Path(tmp))
        except sandbox.ServerDied as exc:
            return {"error": str(exc)}
    for record in raw.records:
        if isinstance(record, records.Environment):
            return record.values
    return {"error": f"environment probe failed: {raw.log_tail[-500:]}"}


def grade_one(
    server: sandbox.ForkServer,
    exercise: Exercise,
    options: Options,
    on_record: Callable[[records.Received], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExerciseResult:
    """Grades one exercise in its own process.

    A KeyboardInterrupt, or sandbox.Cancelled once cancelled() is true, propagates after the
    exercise's processes are ended.
    """
    started = time.perf_counter()
    if not exercise.checks.is_file():
        result = kit_fault(
            exercise,
            f"The kit's checks for this exercise, {exercise.checks}, are missing. This is a fault "
            "of the kit's installation, not of your code.\nNext step: restore the file "
            "(git checkout -- grader/checks) or reinstall the kit, then grade again.",
        )
    else:
        try:
            raw = sandbox.run_exercise(
                server,
                exercise,
                options.pytest_args(),
                exercise.timeout * options.timeout_scale,
                on_record,
                cancelled,
            )
        except sandbox.ServerDied as exc:
            result = kit_fault(
                exercise,
                f"Not graded: {exc}. This is a fault of the kit or the machine (perhaps out of "
                "memory), not of your code.\nNext step: grade this exercise again.",
            )
        else:
            result = fold(exercise, raw, options)
    result.seconds = round(time.perf_counter() - started, 2)
    return result


def grade_many(
    server: sandbox.ForkServer,
    exercises: list[Exercise],
    options: Options,
    display=None,
) -> tuple[list[ExerciseResult], bool]:
    """Grades exercises in order. Returns (results, interrupted).

    Ctrl-C ends the exercise running now (and every process it started); it and the ones after
    it come back as not_graded, so that a partial report can still be shown and written.
    """
    results: list[ExerciseResult] = []
    try:
        for n, exercise in enumerate(exercises, 1):
            if display:
                display.start(n, exercise, exercise.timeout * options.timeout_scale)
            result = grade_one(server, exercise, options, display.record if display else None)
            results.append(result)
            if display:
                display.done(result)
    except KeyboardInterrupt:
        graded = {r.id for r in results}
        results += [
            not_graded(
                ex, "Not graded: grading was stopped (Ctrl-C) before this exercise finished."
            )
            for ex in exercises
            if ex.id not in graded
        ]
        return results, True
    return results, False


def kit_fault(exercise: Exercise, message: str) -> ExerciseResult:
    return ExerciseResult(
        id=exercise.id,
        chapter=exercise.chapter,
        title=exercise.title,
        topics=list(exercise.topics),
        status="error",
        score=0.0,
        max_score=exercise.points,
        seconds=0.0,
        checks=[CheckResult("process", "error", message)],
        notes=[message],
        fault="kit",
    )


def not_graded(exercise: Exercise, why: str) -> ExerciseResult:
    """An exercise the run never finished (Ctrl-C): no verdict, and no score."""
    return ExerciseResult(
        id=exercise.id,
        chapter=exercise.chapter,
        title=exercise.title,
        topics=list(exercise.topics),
        status="not_graded",
        score=0.0,
        max_score=exercise.points,
        seconds=0.0,
        notes=[why],
        fault="kit",  # no verdict on the learner: autograde grades it again next time
    )


@dataclass
class Reading:
    """What one exercise's records say, before the kit decides what counts."""

    collected: list[str] | None = None
    checks: dict[str, CheckResult] = field(default_factory=dict)
    running: str | None = None
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    faults: set[str] = field(default_factory=set)
    finished: bool = False
    interrupted: records.Interrupted | None = None
    # Records the kit never asked for: results of checks that were not collected, a second
    # list of checks, anything that is not a record at all. Code in the learner's file sent them.
    strangers: list[str] = field(default_factory=list)


def fold(exercise: Exercise, raw: sandbox.RawResult, options: Options) -> ExerciseResult:
    """Turns one process's records into an ExerciseResult with status and score.

    Checks count only when the process reported that its pytest session finished and every
    collected check has a result; anything else is an error that names what did not run.
    Learner code shares the process with its checks and can reach the channel, so only the
    checks listed before any learner code ran are accepted, and an exercise whose process did
    not end cleanly, or that sent records for other checks, scores nothing and is flagged.
    """
    reading = read(raw.records)
    _distrust(reading, raw)
    fault = next((f for f in ("tampered", "data") if f in reading.faults), "learner")
    if not _complete(reading, raw):
        fault = _close_incomplete(reading, exercise, raw, options, fault)
    if fault == "tampered" and not any(f.startswith("tampered") for f in reading.flags):
        reading.flags.append("tampered")
    if raw.server_died:
        reading.flags.append(SERVER_DIED)
    if raw.leftovers:
        reading.notes.append(
            f"Your code left {raw.leftovers} process(es) running when the exercise ended; the "
            "kit ended them. Wait for (or terminate) the processes your code starts."
        )
    return _result(exercise, reading, raw, fault)


def read(received: list[records.Received]) -> Reading:
    """Reads the records in the order they came."""
    reading = Reading()
    for record in received:
        match record:
            case records.Collected(checks=names):
                if reading.collected is None and not reading.checks and reading.running is None:
                    reading.collected = names
                else:
                    reading.strangers.append("(a second list of checks)")
            case records.Started(check=name):
                reading.running = name
            case records.CheckDone():
                _read_check(reading, record)
            case records.CollectError(message=message):
                reading.notes.append(
                    "The grader could not load this exercise's checks:\n" + message[-1500:]
                )
            case records.CollectSkipped(message=message):
                reading.checks["all"] = CheckResult("all", "skipped", message)
            case records.DataUsed(message=message) if message not in reading.sources:
                reading.sources.append(message)
            case records.PlotSaved(path=path) if path not in reading.plots:
                reading.plots.append(path)
            case records.Interrupted():
                reading.interrupted = record
            case records.Finished():
                reading.finished = True
            case records.Malformed(why=why):
                reading.strangers.append(f"(a record that is {why})")
    return reading


def _read_check(reading: Reading, record: records.CheckDone) -> None:
    if reading.collected is None or record.check not in reading.collected:
        reading.strangers.append(record.check)
        return
    # A setup failure and a call result both arrive; the first non-pass verdict stands.
    previous = reading.checks.get(record.check)
    if previous is None or previous.status == "passed":
        reading.checks[record.check] = CheckResult(
            record.check, record.status, record.message, record.doc, record.device, record.where
        )
    reading.faults.add(record.fault)
    if record.flag and record.flag not in reading.flags:
        reading.flags.append(record.flag)
    reading.running = None


def _distrust(reading: Reading, raw: sandbox.RawResult) -> None:
    """Flags records the kit never asked for, and a channel the process flooded."""
    if reading.strangers:
        named = ", ".join(reading.strangers[:5])
        reading.flags.append(f"records name checks that were never collected: {named}")
        reading.notes.append(
            f"Records arrived for checks this exercise does not have ({named}): code in your "
            "file sent them. Nothing of this exercise counts."
        )
    if raw.flooded:
        reading.flags.append(f"its process flooded the kit's channel ({raw.flooded})")


def _complete(reading: Reading, raw: sandbox.RawResult) -> bool:
    """Whether the session finished, in time, with a result for every collected check."""
    missing = [name for name in reading.collected or [] if name not in reading.checks]
    return reading.finished and not raw.timed_out and not missing and not raw.flooded


def _close_incomplete(
    reading: Reading, exercise: Exercise, raw: sandbox.RawResult, options: Options, fault: str
) -> str:
    """Gives the running check and the ones never run a verdict saying why; returns the fault."""
    status, message, fault = _incomplete(
        exercise, raw, options, reading.interrupted, reading.running, fault
    )
    if fault == "learner":
        reading.flags.append(
            f"did not finish within {exercise.timeout * options.timeout_scale:g} s"
            if raw.timed_out
            else f"ended abnormally ({_how_it_ended(raw, reading.interrupted)})"
        )
    collected, checks, running = reading.collected or [], reading.checks, reading.running
    not_run = [name for name in collected if name not in checks and name != running]
    if not_run:
        message += f"\nNot run: {', '.join(not_run)}."
    if running and running not in checks:
        checks[running] = CheckResult(running, status, message)
    for name in not_run:
        checks[name] = CheckResult(
            name, status, "Not run: the exercise's process had already stopped."
        )
    if not checks:
        checks["process"] = CheckResult("process", status, message)
    reading.notes.insert(0, message)
    return fault


def _result(
    exercise: Exercise, reading: Reading, raw: sandbox.RawResult, fault: str
) -> ExerciseResult:
    """The exercise's result: checks in collected order, status, and a score unless flagged."""
    collected = reading.collected or []
    ordered = [reading.checks[n] for n in collected if n in reading.checks] + [
        c for n, c in reading.checks.items() if n not in collected
    ]
    if not ordered and not reading.notes:
        reading.notes.append("No checks were collected for this exercise: a fault of the kit.")
        fault = "kit"
    status = overall_status(ordered, raw, reading.notes)
    if reading.flags and status in ("passed", "failed", "not_started"):
        status = "error"
    return ExerciseResult(
        id=exercise.id,
        chapter=exercise.chapter,
        title=exercise.title,
        topics=list(exercise.topics),
        status=status,
        score=0.0 if reading.flags else score_of(ordered, exercise.points),
        max_score=exercise.points,
        seconds=0.0,
        checks=ordered,
        notes=reading.notes,
        data=reading.sources,
        fault=fault if status not in ("passed", "not_started", "skipped") else "learner",
        plots=reading.plots,
        flags=reading.flags,
    )


def score_of(checks: list[CheckResult], points: float) -> float:
    """The exercise's points times the share of its counted (not skipped) checks that passed."""
    counted = [c for c in checks if c.status != "skipped"]
    passed = sum(c.status == "passed" for c in counted)
    return round(points * passed / len(counted), 2) if counted else 0.0


def _how_it_ended(raw: sandbox.RawResult, interrupted: records.Interrupted | None) -> str:
    if interrupted is not None:
        return interrupted.kind
    if raw.exitcode is not None and raw.exitcode < 0:
        return signal.Signals(-raw.exitcode).name
    return f"exit code {raw.exitcode}"


def _incomplete(
    exercise: Exercise,
    raw: sandbox.RawResult,
    options: Options,
    interrupted: records.Interrupted | None,
    running: str | None,
    fault: str,
) -> tuple[str, str, str]:
    """(status, message, fault) for a process that did not finish all its checks."""
    during = f" during check {running}" if running else ""
    if raw.timed_out:
        limit = exercise.timeout * options.timeout_scale
        return (
            "timeout",
            (
                f"Did not finish within {limit:g} s{during}. Look for a loop that never ends, "
                "training on far more data than the exercise asks for, or a DataLoader with "
                "num_workers > 0 (its worker processes cannot start inside the grader; use "
                "num_workers=0). (Time limits scale with --timeout-scale.)"
            ),
            fault,
        )
    if interrupted is not None:
        where = f"\n    at {interrupted.where}" if interrupted.where else ""
        kind = interrupted.kind
        if kind == "KeyboardInterrupt":
            return (
                "error",
                (
                    f"Your code raised KeyboardInterrupt{during}{where}, which stops the grader's "
                    "pytest session as a Ctrl-C would.\nNext step: remove the raise (or the "
                    "os.kill(..., SIGINT)) from your code; return normally instead."
                ),
                "learner",
            )
        return (
            "error",
            (
                f"Your code ended the grader's pytest session with {kind}{during}{where}.\n"
                "Next step: exercise code must return, never call pytest.exit()."
            ),
            "learner",
        )
    if raw.server_died:
        return (
            "error",
            (
                f"The kit's fork server stopped{during}, so this exercise's process lost its "
                "supervisor. If your code does not signal other processes, this is a fault of the "
                "kit or the machine (perhaps out of memory), not of your code.\n"
                "Next step: grade this exercise again."
            ),
            "kit",
        )
    return "error", sandbox.crash_summary(raw, options.learner_root, during), "learner"


def overall_status(checks: list[CheckResult], raw: sandbox.RawResult, notes: list[str]) -> str:
    if raw.timed_out:
        return "timeout"
    statuses = {c.status for c in checks}
    if "error" in statuses or not checks:
        return "error"
    counted = statuses - {"skipped"}
    if not counted:
        return "skipped"
    if counted == {"not_started"}:
        return "not_started"
    if counted == {"passed"}:
        return "passed"
    return "failed"


def device_checks(results: list[ExerciseResult]) -> dict:
    """{device: {"ran": n, "skipped": n, "why_skipped": [...]}} over every device-aware check."""
    counts: dict = {}
    for result in results:
        for check in result.checks:
            if check.device:
                entry = counts.setdefault(check.device, {"ran": 0, "skipped": 0, "why_skipped": []})
                entry["skipped" if check.status == "skipped" else "ran"] += 1
                if check.status == "skipped" and check.message not in entry["why_skipped"]:
                    entry["why_skipped"].append(check.message)
    return counts


def as_dict(result: ExerciseResult) -> dict:
    return asdict(result)
