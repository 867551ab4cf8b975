"""Grades selected exercises: one sandboxed pytest run each, folded into scored results."""

from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader import environment, sandbox
from grader.manifest import Exercise

STATUSES = ("passed", "failed", "not_started", "error", "timeout", "skipped")


@dataclass
class CheckResult:
    name: str
    status: str
    message: str = ""
    doc: str = ""
    device: str | None = None


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
        raw = server.run(environment.probe, (), timeout=120, workdir=Path(tmp))
    for record in raw.records:
        if record.get("event") == "environment":
            return {k: v for k, v in record.items() if k != "event"}
    return {"error": f"environment probe failed: {raw.log_tail[-500:]}"}


def grade_one(server: sandbox.ForkServer, exercise: Exercise, options: Options) -> ExerciseResult:
    started = time.perf_counter()
    raw = sandbox.run_exercise(
        server, exercise, options.pytest_args(), exercise.timeout * options.timeout_scale
    )
    result = fold(exercise, raw, options)
    result.seconds = round(time.perf_counter() - started, 2)
    return result


def fold(exercise: Exercise, raw: sandbox.RawResult, options: Options) -> ExerciseResult:
    """Turns one process's records into an ExerciseResult with status and score."""
    collected: list[str] = []
    checks: dict[str, CheckResult] = {}
    running: str | None = None
    notes: list[str] = []
    sources: list[str] = []
    finished_normally = not raw.timed_out and raw.exitcode in (0, 1, 5)
    for record in raw.records:
        event = record["event"]
        if event == "collected":
            collected = record["checks"]
        elif event == "start":
            running = record["check"]
        elif event == "check":
            # A setup failure and a call result both arrive; the first non-pass verdict stands.
            previous = checks.get(record["check"])
            if previous is None or previous.status == "passed":
                checks[record["check"]] = CheckResult(
                    record["check"],
                    record["status"],
                    record["message"],
                    record["doc"],
                    record.get("device"),
                )
            running = None
        elif event == "collect_error":
            notes.append(
                "The grader could not load this exercise's checks:\n" + record["message"][-1500:]
            )
        elif event == "collect_skipped":
            checks["all"] = CheckResult("all", "skipped", record["message"])
        elif event == "data" and record["message"] not in sources:
            sources.append(record["message"])

    if not finished_normally:
        if raw.timed_out:
            limit = exercise.timeout * options.timeout_scale
            message = (
                f"Did not finish within {limit:g} s. Look for a loop that never ends, training on far "
                "more data than the exercise asks for, or a DataLoader with num_workers > 0 (its "
                "worker processes cannot start inside the grader; use num_workers=0). "
                "(Time limits scale with --timeout-scale.)"
            )
            status = "timeout"
        else:
            message = sandbox.crash_summary(raw, options.learner_root)
            status = "error"
        if running and running not in checks:
            checks[running] = CheckResult(running, status, message)
        for name in collected:
            checks.setdefault(
                name,
                CheckResult(name, status, "Not run: the exercise's process had already stopped."),
            )
        if not checks:
            checks["process"] = CheckResult("process", status, message)
        notes.insert(0, message)

    ordered = [checks[n] for n in collected if n in checks] + [
        c for n, c in checks.items() if n not in collected
    ]
    if not ordered and finished_normally and not notes:
        notes.append("No checks were collected for this exercise.")
    status = overall_status(ordered, raw, notes)
    counted = [c for c in ordered if c.status != "skipped"]
    passed = sum(c.status == "passed" for c in counted)
    score = round(exercise.points * passed / len(counted), 2) if counted else 0.0
    return ExerciseResult(
        id=exercise.id,
        chapter=exercise.chapter,
        title=exercise.title,
        topics=list(exercise.topics),
        status=status,
        score=score,
        max_score=exercise.points,
        seconds=0.0,
        checks=ordered,
        notes=notes,
        data=sources,
    )


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
