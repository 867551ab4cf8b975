"""One autograde job: grades some exercises of one submission and sends each verdict to the
supervisor's process on a pipe that the supervisor made (`--report-fd`).

    python -m grader.job IDS... --exercises DIR --report-fd N [--seed ...] [--limits JSON]

It runs inside the sandbox (grader.course.isolation), as the only kit process there that
member code could reach, so before it starts the fork server it makes itself non-dumpable
(member code can then neither ptrace it nor open its descriptors through /proc; the report
pipe is never inherited by the fork server or the exercises), becomes the subreaper of
everything below it, and lowers the resource limits that every exercise inherits. Learner code
can still kill it: the supervisor then scores the exercise that was running as nothing, flags
it, and grades the rest in a new job.

Lines on the pipe, one JSON object each: {"event": "start", "exercise", "timeout"} before an
exercise, {"event": "result", "result": {...}} after it, {"event": "done"} at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
from pathlib import Path

from grader import grading, manifest, sandbox

# What one result may carry to the supervisor: longer texts are cut (member code chooses the
# text of its exceptions, and the gradebook stores every message).
MAX_MESSAGE = 4000
MAX_CHECKS = 64
MAX_NOTES = 8


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.job")
    parser.add_argument("ids", nargs="+")
    parser.add_argument("--exercises", required=True)
    parser.add_argument("--report-fd", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--device", default="all")
    parser.add_argument("--timeout-scale", type=float, default=1.0)
    parser.add_argument("--memory-limit", type=float, default=8.0)
    parser.add_argument("--limits", default="{}", help="JSON {name: value} of RLIMIT_* to set")
    args = parser.parse_args(argv)

    report = os.fdopen(args.report_fd, "w", buffering=1)
    os.set_inheritable(args.report_fd, False)
    sandbox.protect()
    sandbox.become_subreaper()
    for name, value in json.loads(args.limits).items():
        limit = getattr(resource, f"RLIMIT_{name.upper()}")
        resource.setrlimit(limit, (int(value), int(value)))

    # The private places the supervisor pointed HOME and the rest at (an empty tmpfs at first).
    for variable in (
        "HOME",
        "XDG_CACHE_HOME",
        "MPLCONFIGDIR",
        "KIT_PLOTS_DIR",
        "KIT_CACHE_WRITE_DIR",
    ):
        if os.environ.get(variable):
            Path(os.environ[variable]).mkdir(parents=True, exist_ok=True)
    exercises = [manifest.find(i) for i in args.ids]
    os.environ["KIT_MEMORY_LIMIT_GB"] = str(args.memory_limit)
    os.environ["KIT_SHOW_FROM"] = os.getcwd()
    options = grading.Options(
        Path(args.exercises).resolve(), args.seed, args.device, args.timeout_scale
    )
    server = grading.start_server(exercises)
    try:
        for exercise in exercises:
            send(report, event="start", exercise=exercise.id,
                 timeout=exercise.timeout * args.timeout_scale)  # fmt: skip
            result = grading.grade_one(server, exercise, options)
            if grading.SERVER_DIED in result.flags:
                # Once can be the machine; twice in a row is the exercise's own code.
                result = grading.grade_one(server, exercise, options)
                if grading.SERVER_DIED in result.flags:
                    result.fault = "learner"
                    result.flags = [f"ended abnormally ({grading.SERVER_DIED}, twice)"]
            send(report, event="result", result=bounded(grading.as_dict(result)))
        send(report, event="done")
    finally:
        sandbox.end_descendants()
    return 0


def send(report, **fields) -> None:
    report.write(json.dumps(fields) + "\n")


def bounded(result: dict) -> dict:
    """The result with every text member code could choose cut to a size the gradebook keeps."""
    result["checks"] = result["checks"][:MAX_CHECKS]
    for check in result["checks"]:
        check["message"] = cut(check["message"])
        check["doc"] = cut(check.get("doc") or "", 300)
    result["notes"] = [cut(n) for n in result["notes"][:MAX_NOTES]]
    result["flags"] = [cut(f, 500) for f in result["flags"][:MAX_NOTES]]
    return result


def cut(text: str, limit: int = MAX_MESSAGE) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 40] + f"… ({len(text)} characters, cut)"


if __name__ == "__main__":
    sys.exit(main())
