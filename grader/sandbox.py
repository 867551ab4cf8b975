"""Runs each exercise's checks in its own process, forked from a server that has the frameworks loaded.

A learner's sys.exit, os._exit, native crash, runaway memory or endless loop ends only that
process; the parent reads whatever results it wrote and carries on with the next exercise.
"""

from __future__ import annotations

import faulthandler
import json
import multiprocessing
import os
import re
import resource
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RawResult:
    """What one exercise's process left behind."""

    records: list[dict] = field(default_factory=list)
    exitcode: int | None = None
    timed_out: bool = False
    log_tail: str = ""


class ForkServer:
    """multiprocessing's fork server, preloaded with the frameworks the selected exercises need.

    The server only imports (never runs an op), because a child forked after torch or TF ran
    an op hangs on its first op of its own.
    """

    def __init__(self, needs: set[str]):
        os.environ["KIT_PRELOAD"] = ",".join(sorted(needs))
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(["grader.preload"])

    def run(self, target, args: tuple, timeout: float, workdir: Path) -> RawResult:
        results = workdir / "results.jsonl"
        log = workdir / "output.log"
        process = self.context.Process(
            target=_child, args=(target, args, str(results), str(log)), daemon=True
        )
        process.start()
        process.join(timeout)
        raw = RawResult()
        if process.is_alive():
            raw.timed_out = True
            process.kill()
            process.join()
        raw.exitcode = process.exitcode
        if results.exists():
            raw.records = [
                json.loads(line) for line in results.read_text().splitlines() if line.strip()
            ]
        if log.exists():
            raw.log_tail = log.read_text(errors="replace")[-30000:]
        return raw


def _child(target, args: tuple, results: str, log: str) -> None:
    """Body of every exercise process: quiet output, crash dumps to the log, then run `target`."""
    log_file = open(log, "w")  # noqa: SIM115 - must outlive this frame for faulthandler
    # Files learner code writes to relative paths land in this exercise's scratch folder, not
    # in the learner's repository.
    sys.path[:] = [os.path.abspath(entry) for entry in sys.path]
    os.chdir(Path(log).parent)
    # Kept so that a data download can still show its progress bar (grader.data.to_terminal).
    os.environ["KIT_TERMINAL_FD"] = str(os.dup(2))
    os.dup2(log_file.fileno(), 1)
    os.dup2(log_file.fileno(), 2)
    faulthandler.enable(file=log_file)
    limit = os.environ.get("KIT_MEMORY_LIMIT_GB")
    # The CUDA driver maps large private regions on the host, so the limit is CPU-only.
    torch = sys.modules.get("torch")
    if limit and float(limit) > 0 and not (torch and torch.cuda.is_available()):
        size = int(float(limit) * 2**30)
        resource.setrlimit(resource.RLIMIT_DATA, (size, size))
    code = target(*args, results)
    log_file.flush()
    # Skip interpreter shutdown: framework atexit handlers can hang in a forked child.
    os._exit(code)


def run_checks(check_file: str, pytest_args: list[str], results: str) -> int:
    import pytest

    # Third-party pytest plugins installed in the learner's environment must not change grading.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    # Always the checks' own ini (never a pyproject.toml found near the learner's folder); it
    # turns off assertion rewriting, which with python_files = *.py would rewrite every module
    # the exercise imports (sklearn's import alone went from about 5 s to 50 s).
    checks_dir = Path(check_file).parents[1]
    code = pytest.main(
        [
            check_file,
            "-c",
            str(checks_dir / "pytest.ini"),
            "--rootdir",
            str(checks_dir),
            "-q",
            "--kit-results",
            results,
            *pytest_args,
        ]
    )
    return int(code) if int(code) in (0, 1, 5) else 3


def run_exercise(server: ForkServer, exercise, pytest_args: list[str], timeout: float) -> RawResult:
    with tempfile.TemporaryDirectory(prefix=f"kit-{exercise.id}-") as tmp:
        return server.run(run_checks, (str(exercise.checks), pytest_args), timeout, Path(tmp))


def crash_summary(raw: RawResult, learner_root: Path) -> str:
    """One learner-facing sentence on how the exercise's process ended abnormally."""
    if raw.exitcode is not None and raw.exitcode < 0:
        name = signal.Signals(-raw.exitcode).name
        how = f"crashed with {name}"
        if name == "SIGKILL":
            how += " (often the system running out of memory)"
        next_step = (
            "a native library crashed there; check the shapes, dtypes and pointers you pass to it"
        )
    else:
        how = f"exited early with code {raw.exitcode} (os._exit or a fatal error)"
        next_step = "exercise code must return, never exit the process"
    where = _learner_line(raw.log_tail, learner_root)
    return (
        f"The exercise's process {how}{' at ' + where if where else ''}.\nNext step: {next_step}."
    )


def _learner_line(log: str, learner_root: Path) -> str | None:
    """The innermost learner frame in a faulthandler dump (it lists the most recent call first)."""
    for path, line in re.findall(r'File "([^"]+)", line (\d+)', log):
        if Path(path).resolve().is_relative_to(learner_root):
            return f"{os.path.relpath(path)}:{line}"
    return None
