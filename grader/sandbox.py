"""Runs each exercise's checks in its own process, forked from a server that has the frameworks loaded.

A learner's sys.exit, os._exit, native crash, runaway memory or endless loop ends only that
process; the parent reads whatever results it wrote and carries on with the next exercise.
Each exercise process leads its own session, and everything it started is ended with it.
"""

from __future__ import annotations

import faulthandler
import json
import multiprocessing
import multiprocessing.connection
import os
import re
import resource
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Every process an exercise starts inherits this variable, which is how the ones that left the
# exercise's session (a daemon, start_new_session=True) are still found and ended.
TOKEN_VARIABLE = "KIT_SANDBOX_TOKEN"
# How often the parent looks for new results while an exercise runs: the live display's pace.
POLL_SECONDS = 0.1


class ServerDied(RuntimeError):
    """The fork server stopped and could not be restarted: a fault of the kit or the machine."""


class Cancelled(Exception):
    """The caller no longer wants this exercise's result (kit watch: the file was saved again)."""


@dataclass
class RawResult:
    """What one exercise's process left behind."""

    records: list[dict] = field(default_factory=list)
    exitcode: int | None = None
    timed_out: bool = False
    server_died: bool = False
    log_tail: str = ""
    # Processes it started that were still running when it ended (all ended by the kit).
    leftovers: int = 0


class ForkServer:
    """multiprocessing's fork server, preloaded with the frameworks the selected exercises need.

    The server only imports (never runs an op), because a child forked after torch or TF ran
    an op hangs on its first op of its own. If it dies, the next start launches a new one.
    """

    def __init__(self, needs: set[str]):
        os.environ["KIT_PRELOAD"] = ",".join(sorted(needs))
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(["grader.preload"])

    def start(self, target, args: tuple, workdir: Path) -> Running:
        token = uuid.uuid4().hex
        results, log = workdir / "results.jsonl", workdir / "output.log"
        for attempt in (1, 2):
            process = self.context.Process(
                target=_child, args=(target, args, str(results), str(log), token), daemon=True
            )
            try:
                process.start()
                return Running(process, token, results, log)
            except (EOFError, OSError) as exc:
                # The server died between two exercises; multiprocessing starts a new one on
                # the next request, so one retry is enough unless the machine is in trouble.
                if attempt == 2:
                    raise ServerDied(f"the kit's fork server could not be started ({exc})") from exc
        raise AssertionError("unreachable")

    def run(
        self,
        target,
        args: tuple,
        timeout: float,
        workdir: Path,
        on_record: Callable[[dict], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> RawResult:
        """Runs target(*args, results_path) in a fresh process; ends it at `timeout` seconds.

        on_record sees each result record as it arrives. When cancelled() turns true the
        process and its children are ended and Cancelled is raised; a KeyboardInterrupt in the
        parent does the same, then propagates.
        """
        running = self.start(target, args, workdir)
        try:
            return running.wait(timeout, on_record, cancelled)
        finally:
            running.end()


class Running:
    """One exercise process: its live results, its time limit, and its whole process tree."""

    def __init__(self, process, token: str, results: Path, log: Path):
        self.process = process
        self.token = token
        self.results = results
        self.log = log
        self.started = time.monotonic()
        self._offset = 0
        self._records: list[dict] = []
        self._ended = False
        self._leftovers = 0

    def new_records(self) -> list[dict]:
        """Records written since the last call (complete lines only)."""
        try:
            with self.results.open("rb") as f:
                f.seek(self._offset)
                chunk = f.read()
        except FileNotFoundError:
            return []
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self._offset += len(complete)
        fresh = []
        for line in complete.decode(errors="replace").splitlines():
            try:
                fresh.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by a crash mid-write tells nothing
        self._records.extend(fresh)
        return fresh

    def wait(
        self,
        timeout: float,
        on_record: Callable[[dict], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> RawResult:
        """Waits for the process (the caller ends it on any exception, see ForkServer.run)."""
        raw = RawResult()
        deadline = self.started + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raw.timed_out = True
                break
            if cancelled and cancelled():
                raise Cancelled
            multiprocessing.connection.wait([self.process.sentinel], min(POLL_SECONDS, left))
            for record in self.new_records():
                if on_record:
                    on_record(record)
            if not self.process.is_alive():
                break
        self.end()
        self.new_records()
        raw.records = self._records
        raw.exitcode = self.process.exitcode
        # popen_forkserver reports 255 when the server, not the child, went away.
        raw.server_died = raw.exitcode == 255 and _dies_soon(self._server_pid())
        raw.leftovers = self._leftovers
        if self.log.exists():
            raw.log_tail = self.log.read_text(errors="replace")[-30000:]
        return raw

    def end(self) -> None:
        """Ends the exercise process and every process it started (idempotent)."""
        if self._ended:
            return
        self._ended = True
        pid = self.process.pid
        # The exercise leads its own session, so its process group id is its pid: the group
        # reaches children whose parent already exited; the token reaches those that left it.
        others = set(_group_members(pid)) | set(_tokened(self.token)) if pid else set()
        others.discard(pid)
        for target in others:
            _kill(target)
        if pid:
            _kill(pid)
        self.process.join(5)
        # A process started in the instant between the scan and the kill is caught here.
        for target in set(_tokened(self.token)) - others:
            others.add(target)
            _kill(target)
        self._leftovers = len(others)

    @staticmethod
    def _server_pid() -> int | None:
        from multiprocessing import forkserver

        return forkserver._forkserver._forkserver_pid


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); it is dead for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return True


def _dies_soon(pid: int | None, within: float = 1.0) -> bool:
    """Whether `pid` is gone (or a zombie) within `within` seconds.

    A killed server closes its pipes a moment before it becomes a zombie. It must not be
    reaped here: multiprocessing's own ensure_running() reaps it before starting a new one.
    """
    deadline = time.monotonic() + within
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(") ", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members


def _tokened(token: str) -> list[int]:
    """Processes that carry this exercise's token in their environment."""
    return processes_with(TOKEN_VARIABLE, token)


def processes_with(variable: str, value: str, besides: int | None = None) -> list[int]:
    """Processes (other than this one and `besides`) whose environment sets variable=value."""
    needle = f"{variable}={value}".encode()
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit() and int(entry.name) not in (os.getpid(), besides):
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _child(target, args: tuple, results: str, log: str, token: str) -> None:
    """Body of every exercise process: own session, quiet output, crash dumps to the log, then `target`."""
    # A session of its own: the terminal's Ctrl-C reaches only the kit, which ends this
    # process and everything it started as one group.
    os.setsid()
    os.environ[TOKEN_VARIABLE] = token
    _die_with_parent()
    log_file = open(log, "w")  # noqa: SIM115 - must outlive this frame for faulthandler
    # Files learner code writes to relative paths land in this exercise's scratch folder, not
    # in the learner's repository.
    sys.path[:] = [os.path.abspath(entry) for entry in sys.path]
    os.chdir(Path(log).parent)
    # Temporary files too (TensorFlow's autograph leaves one in /tmp per traced function):
    # they go when the exercise's folder does.
    private_tmp = Path(log).parent / "tmp"
    private_tmp.mkdir(exist_ok=True)
    os.environ["TMPDIR"] = tempfile.tempdir = str(private_tmp)
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


def _die_with_parent() -> None:
    """SIGKILL this process when the fork server exits, which it does when the kit does.

    Without it a kit killed outright (kill -9, a closed SSH session) would leave an endless
    learner loop running for ever.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the server was already gone before the request took effect
        os._exit(1)


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
    return int(code)


def run_exercise(
    server: ForkServer,
    exercise,
    pytest_args: list[str],
    timeout: float,
    on_record: Callable[[dict], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> RawResult:
    with tempfile.TemporaryDirectory(prefix=f"kit-{exercise.id}-") as tmp:
        return server.run(
            run_checks,
            (str(exercise.checks), pytest_args),
            timeout,
            Path(tmp),
            on_record,
            cancelled,
        )


def crash_summary(raw: RawResult, learner_root: Path, during: str = "") -> str:
    """One learner-facing sentence on how the exercise's process ended abnormally."""
    where = learner_line(raw.log_tail, learner_root)
    at = f"{during}{' at ' + where if where else ''}"
    if raw.exitcode is not None and raw.exitcode < 0:
        name = signal.Signals(-raw.exitcode).name
        how = f"crashed with {name}"
        if name == "SIGKILL":
            how += " (often the system running out of memory)"
        next_step = (
            "a native library crashed there; check the shapes, dtypes and pointers you pass to it"
            if where
            else "if this repeats with the reference solution, it is a fault of the machine or "
            "the kit, not of your code"
        )
        return f"The exercise's process {how}{at}.\nNext step: {next_step}."
    return (
        f"The exercise's process ended with exit code {raw.exitcode}{at} before its checks "
        "finished (os._exit, exit() from a native library, or a fatal error).\n"
        "Next step: exercise code must return, never end the process."
    )


def learner_line(log: str, learner_root: Path) -> str | None:
    """The innermost learner frame in a faulthandler dump (it lists the most recent call first)."""
    for path, line in re.findall(r'File "([^"]+)", line (\d+)', log):
        if Path(path).resolve().is_relative_to(learner_root):
            return f"{os.path.relpath(path)}:{line}"
    return None
