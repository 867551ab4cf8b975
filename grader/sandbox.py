"""Runs each exercise's checks in its own process, forked from a server that has the frameworks loaded.

A learner's sys.exit, os._exit, native crash, runaway memory or endless loop ends only that
process; the parent reads whatever records it sent and carries on with the next exercise.
Records travel on a pipe the kit made for that one exercise, never through a file the
exercise's code could write. Each exercise process leads its own session, and everything it
started is ended with it: the fork server is a child subreaper (PR_SET_CHILD_SUBREAPER), so a
process that double-forked, left the session and dropped the kit's token is still one of its
descendants, and all of them are ended when the exercise ends. No root is needed for any of it.
"""

from __future__ import annotations

import faulthandler
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

from grader import i18n, records

# Every process an exercise starts inherits this variable, which is how the ones that left the
# exercise's session (a daemon, start_new_session=True) are still found and ended.
TOKEN_VARIABLE = "KIT_SANDBOX_TOKEN"
# How often the parent looks for new results while an exercise runs: the live display's pace.
POLL_SECONDS = 0.1
# The most an exercise's process may send: more is its code flooding the channel, which ends it.
MAX_RECORD_BYTES = 256 * 1024
# How much of an exercise's printed output the kit keeps (its end, where a crash dump is).
OUTPUT_KEPT = 30000
MAX_RECORDS = 20_000
# prctl(2) options.
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 1, 4, 36


class ServerDied(RuntimeError):
    """The fork server stopped and could not be restarted: a fault of the kit or the machine."""


class Cancelled(Exception):
    """The caller no longer wants this exercise's result (kit watch: the file was saved again)."""


@dataclass
class RawResult:
    """What one exercise's process left behind."""

    records: list[records.Received] = field(default_factory=list)
    exitcode: int | None = None
    timed_out: bool = False
    server_died: bool = False
    log_tail: str = ""
    # Processes it started that were still running when it ended (all ended by the kit).
    leftovers: int = 0
    # Why its channel was closed early (too many or too large records), else "".
    flooded: str = ""


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
        for attempt in (1, 2):
            reader, writer = self.context.Pipe(duplex=False)
            # The process's output (stdout, stderr, crash dumps) goes to a pipe too, of which
            # the kit keeps only the end: printing gigabytes fills no disk.
            output, output_writer = self.context.Pipe(duplex=False)
            process = self.context.Process(
                target=_child,
                args=(target, args, writer, output_writer, str(workdir), token, i18n.language()),
                daemon=True,
            )
            try:
                process.start()
            except (EOFError, OSError) as exc:
                for end in (reader, writer, output, output_writer):
                    end.close()
                # The server died between two exercises; multiprocessing starts a new one on
                # the next request, so one retry is enough unless the machine is in trouble.
                if attempt == 2:
                    raise ServerDied(f"the kit's fork server could not be started ({exc})") from exc
                continue
            # The child's copies are the only ones left: its end closes the channels.
            writer.close()
            output_writer.close()
            return Running(process, token, reader, output)
        raise AssertionError("unreachable")

    def run(
        self,
        target,
        args: tuple,
        timeout: float,
        workdir: Path,
        on_record: Callable[[records.Received], None] | None = None,
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

    def __init__(self, process, token: str, channel, output):
        self.process = process
        self.token = token
        self.channel = channel
        self.output = output
        self._tail = b""
        self.started = time.monotonic()
        self._records: list[records.Received] = []
        self._ended = False
        self._leftovers = 0
        self.flooded = ""

    def read_output(self) -> None:
        """Takes what the process printed since the last call, keeping the last OUTPUT_KEPT."""
        fd = self.output.fileno()
        while multiprocessing.connection.wait([self.output], 0):
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            self._tail = (self._tail + chunk)[-OUTPUT_KEPT:]

    def new_records(self) -> list[records.Received]:
        """Records that arrived since the last call."""
        fresh = []
        while not self.flooded:
            try:
                if not self.channel.poll():
                    break
                data = self.channel.recv_bytes(MAX_RECORD_BYTES)
            except (EOFError, OSError) as exc:
                if not isinstance(exc, EOFError) and "message too long" in str(exc).lower():
                    self.flooded = f"it sent a record larger than {MAX_RECORD_BYTES} bytes"
                break
            fresh.append(records.parse(data))
            if len(self._records) + len(fresh) >= MAX_RECORDS:
                self.flooded = f"it sent more than {MAX_RECORDS} records"
        if self.flooded and self.process.is_alive():
            self.end()
        self._records.extend(fresh)
        return fresh

    def wait(
        self,
        timeout: float,
        on_record: Callable[[records.Received], None] | None = None,
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
            multiprocessing.connection.wait(
                [self.process.sentinel, self.channel, self.output], min(POLL_SECONDS, left)
            )
            self.read_output()
            for record in self.new_records():
                if on_record:
                    on_record(record)
            if not self.process.is_alive():
                break
        self.end()
        self.new_records()
        self.read_output()
        self.channel.close()
        self.output.close()
        raw.records = self._records
        raw.flooded = self.flooded
        raw.exitcode = self.process.exitcode
        # popen_forkserver reports 255 when the server, not the child, went away.
        raw.server_died = raw.exitcode == 255 and _dies_soon(self._server_pid())
        raw.leftovers = self._leftovers
        raw.log_tail = self._tail.decode(errors="replace")
        return raw

    def end(self) -> None:
        """Ends the exercise process and every process it started (idempotent)."""
        if self._ended:
            return
        self._ended = True
        pid = self.process.pid
        # The exercise leads its own session, so its process group id is its pid: the group
        # reaches children whose parent already exited; the token reaches those that left it;
        # and the fork server, a subreaper, adopts whatever left both (see _started_by).
        others = self._tree(pid) if pid else set()
        for target in others:
            _kill(target)
        if pid:
            _kill(pid)
        self.process.join(5)
        # A process started in the instant between the scan and the kill is caught here.
        for target in self._tree(pid) - others - {pid}:
            others.add(target)
            _kill(target)
        self._leftovers = len(others)

    def _tree(self, pid: int) -> set[int]:
        """Every process of this exercise but the exercise's own (pid)."""
        found = set(_group_members(pid)) | set(_tokened(self.token)) | set(_started_by(pid))
        server = self._server_pid()
        if server and server != os.getpid():
            # Orphans the fork server adopted: only this exercise's, as it runs one at a time.
            found |= set(_started_by(server))
        found.discard(pid)
        return found

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


def _started_by(ancestor: int) -> list[int]:
    """Every living descendant of `ancestor` (children, their children, ...)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(") ", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], list(children.get(ancestor, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def become_subreaper() -> None:
    """Makes this process adopt every orphan among its descendants (Linux; elsewhere a no-op),
    so that none can escape the kit by double-forking."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)


def end_descendants() -> int:
    """Ends every process this one started, directly or not; returns how many there were."""
    found = _started_by(os.getpid())
    for pid in found:
        _kill(pid)
    return len(found)


def protect() -> None:
    """Makes this process non-dumpable: a process of the same user (learner code) can then
    neither ptrace it nor open its file descriptors or memory through /proc."""
    _prctl(PR_SET_DUMPABLE, 0)


def _prctl(option: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


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


def _child(target, args: tuple, channel, output, workdir: str, token: str, lang: str) -> None:
    """Body of every exercise process: own session, output to the kit, crash dumps too, the
    kit's language, then `target`."""
    # The fork server started before this command chose its language (--lang is not in its
    # argv): the exercise's messages follow the command's choice.
    i18n.use(i18n.Choice(lang, "kit"))
    os.environ["KIT_LANG"] = lang
    # A session of its own: the terminal's Ctrl-C reaches only the kit, which ends this
    # process and everything it started as one group.
    os.setsid()
    os.environ[TOKEN_VARIABLE] = token
    _die_with_parent()
    # The fork server is not dumpable (grader.preload); the exercise's own process may be, so
    # that the kit can still read its processes' environment to find its token.
    _prctl(PR_SET_DUMPABLE, 1)
    # Files learner code writes to relative paths land in this exercise's scratch folder, not
    # in the learner's repository.
    sys.path[:] = [os.path.abspath(entry) for entry in sys.path]
    os.chdir(workdir)
    # Temporary files too (TensorFlow's autograph leaves one in /tmp per traced function):
    # they go when the exercise's folder does.
    private_tmp = Path(workdir) / "tmp"
    private_tmp.mkdir(exist_ok=True)
    os.environ["TMPDIR"] = tempfile.tempdir = str(private_tmp)
    # Kept so that a data download can still show its progress bar (grader.data.to_terminal).
    os.environ["KIT_TERMINAL_FD"] = str(os.dup(2))
    os.dup2(output.fileno(), 1)
    os.dup2(output.fileno(), 2)
    faulthandler.enable(file=sys.stderr)
    limit = os.environ.get("KIT_MEMORY_LIMIT_GB")
    # The CUDA driver maps large private regions on the host, so the limit is CPU-only.
    torch = sys.modules.get("torch")
    if limit and float(limit) > 0 and not (torch and torch.cuda.is_available()):
        size = int(float(limit) * 2**30)
        resource.setrlimit(resource.RLIMIT_DATA, (size, size))
    records.open_channel(channel)
    code = target(*args)
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter shutdown: framework atexit handlers can hang in a forked child.
    os._exit(code)


def _die_with_parent() -> None:
    """SIGKILL this process when the fork server exits, which it does when the kit does.

    Without it a kit killed outright (kill -9, a closed SSH session) would leave an endless
    learner loop running for ever.
    """
    if not _prctl(PR_SET_PDEATHSIG, signal.SIGKILL):
        return
    if os.getppid() == 1:  # the server was already gone before the request took effect
        os._exit(1)


def run_checks(check_file: str, pytest_args: list[str]) -> int:
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
            # Learner output goes straight to the kit's pipe, which keeps only its end;
            # pytest's capture would store all of it in a temporary file.
            "--capture=no",
            "--kit-graded",
            *pytest_args,
        ]
    )
    return int(code)


def run_exercise(
    server: ForkServer,
    exercise,
    pytest_args: list[str],
    timeout: float,
    on_record: Callable[[records.Received], None] | None = None,
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
