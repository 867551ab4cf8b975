"""Runs one grading job so that member code can reach nothing but its job.

A job is `python -m grader.job IDS --exercises DIR --report-fd N` on one submission, in a
process of its own (never forked from this one). Its verdicts come back on a pipe this process
made; the report and the gradebook are written only here, by the supervisor's process.

bubblewrap (the default, and required unless the supervisor opts out): the job runs in new
user, PID, IPC, UTS, cgroup and network namespaces with every capability dropped and no new
privileges, as an unprivileged uid inside even when the supervisor is root, so nothing can be
remounted and no further namespace created. Its file system is an empty root holding only:
- the system's libraries and programs (/usr and its links), a few files of /etc, read-only;
- the kit's interpreter and environment, read-only;
- the kit's grader and reference, the manifest, the data and the kit's cache, read-only;
- the job's own copy of the submission, read-only;
- /tmp, a private tmpfs of bounded size: the only place it can write.
Nothing of the course folder, the gradebook, other members' work or the supervisor's home is
there, and it has no network. Its processes, files, open files, CPU time, memory (the tmpfs
included) and output are limited.

unsandboxed (an explicit opt-in): the same job as an ordinary process with the supervisor's
rights, from a private copy of the submission, under the same resource limits. Nothing stops
its code from reading or writing what the supervisor can; every verdict it produces is flagged
"unsandboxed", and progress and the dashboard show it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from grader import PROJECT_ROOT, manifest, sandbox
from grader import cache as kit_cache
from grader.i18n import _

KINDS = ("bwrap", "unsandboxed")
# How many CPU threads torch (OpenMP), NumPy's BLAS and TensorFlow's ops use: jobs running
# side by side each take their share of the cores instead of all of them (oversubscribed, two
# full jobs on 2 cores ran slower than one at a time; BENCHMARKS.md).
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
)
# The only variables of the supervisor's environment a job sees (no database passwords, no
# course paths): the locale, the GPU selection, and the kit's own grading settings.
PASSED_VARIABLES = (
    "LANG",
    "LC_ALL",
    "LC_MESSAGES",
    "CUDA_VISIBLE_DEVICES",
    "KIT_OFFLINE",
    "KIT_NO_CACHE",
    *THREAD_VARIABLES,
)
# Inside the sandbox: an unprivileged uid and gid, and where the job's parts are mounted.
SANDBOX_UID = 65534
SUBMISSION = Path("/submission")
TMP = Path("/tmp")
# Scratch space (the tmpfs) and the job's limits. Writable space counts against the memory
# limit: the processes get what the scratch space leaves of it.
SCRATCH_SHARE = 0.125  # of the memory limit
MAX_SCRATCH_MB = 1024
SHM_MB = 16  # /dev/shm, for the semaphores of Python's multiprocessing
MAX_PROCESSES = 512  # threads count too: TensorFlow starts dozens
MAX_OPEN_FILES = 1024
# What the supervisor keeps of a job's own output (member code can print gigabytes) and of its
# report pipe (a result is a few KiB; member code cannot write there, the bound is a backstop).
KEEP_OUTPUT = 16 * 1024
MAX_REPORT_BYTES = 8 * 2**20
# How often the job's memory is summed (reading every process's smaps costs a little CPU).
MEMORY_EVERY = 1.0
# Seconds a job may take to start (imports), and to answer between two exercises.
START_SECONDS = 180
BETWEEN_SECONDS = 20
# The files of /etc a Python job needs (the dynamic linker's cache, time zone, alternatives).
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives", "nsswitch.conf")


class IsolationError(Exception):
    """The isolation asked for cannot run here; the message says why and what to use."""


@dataclass(frozen=True)
class Isolation:
    kind: str  # "bwrap" or "unsandboxed"
    why: str  # one line for the run's header


def choose(requested: str) -> Isolation:
    if requested == "copy":
        raise IsolationError(
            _(
                "--isolation copy is gone: it could not stop member code from writing the "
                "gradebook. Install bubblewrap ({install}), or pass --isolation unsandboxed to "
                "run member code with your rights, every verdict flagged"
            ).format(install="apt-get install bubblewrap")
        )
    if requested == "unsandboxed":
        return Isolation(
            "unsandboxed",
            _(
                "UNSANDBOXED (--isolation unsandboxed): member code runs with your rights and "
                "can read and write what you can; every verdict of this run is flagged "
                "unsandboxed"
            ),
        )
    problem = bwrap_problem()
    if problem:
        raise IsolationError(
            _(
                "autograde runs member code only inside bubblewrap, and {problem}: install it "
                "({install}) and allow unprivileged user namespaces ({sysctl}), or pass "
                "--isolation unsandboxed to run member code with your rights, every verdict "
                "flagged"
            ).format(
                problem=problem,
                install="apt-get install bubblewrap",
                sysctl="sysctl kernel.unprivileged_userns_clone=1",
            )
        )
    return Isolation(
        "bwrap",
        _(
            "bubblewrap: member code sees only its own submission, the kit and the data, "
            "read-only, without network, as an unprivileged user"
        ),
    )


@cache
def bwrap_problem() -> str | None:
    """None when bubblewrap runs a job's sandbox here; else why not (one line)."""
    path = shutil.which("bwrap")
    if path is None:
        return _("bubblewrap (bwrap) is not installed")
    with tempfile.TemporaryDirectory(prefix="kit-probe-") as tmp:
        submission = Path(tmp) / "submission"
        submission.mkdir()
        probe = [sys.executable, "-I", "-c", "import os; os.listdir('/tmp')"]
        try:
            run = subprocess.run(
                [path, *_bwrap_args(submission, 64, Path(tmp)), "--", *probe],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
                env=_job_environment(None, 64),
            )
        except (OSError, subprocess.SubprocessError) as exc:
            return _("bubblewrap did not start ({error})").format(error=exc)
    if run.returncode != 0:
        lines = run.stderr.strip().splitlines()
        return _("bubblewrap cannot run here ({error})").format(
            error=lines[-1] if lines else f"exit {run.returncode}"
        )
    return None


def _bwrap_args(submission: Path, scratch_mb: int, host_scratch: Path) -> list[str]:
    """bubblewrap's arguments: an empty root with only what the job needs (module docstring)."""
    args = [
        "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
        "--disable-userns",
        "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts",
        "--unshare-cgroup-try",
        "--cap-drop", "ALL",
        "--die-with-parent", "--new-session",
        "--dev", "/dev", "--proc", "/proc",
        # (--size and --perms apply to the mount that follows them.)
        "--size", str(scratch_mb * 2**20), "--perms", "1777", "--tmpfs", str(TMP),
        "--size", str(SHM_MB * 2**20), "--perms", "1777", "--tmpfs", "/dev/shm",
    ]  # fmt: skip
    for top in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / top
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ETC:
        if (Path("/etc") / name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    etc = host_scratch / "etc"
    etc.mkdir(exist_ok=True)
    (etc / "passwd").write_text(f"learner:x:{SANDBOX_UID}:{SANDBOX_UID}::/tmp/home:/bin/sh\n")
    (etc / "group").write_text(f"learner:x:{SANDBOX_UID}:\n")
    for name in ("passwd", "group"):
        args += ["--ro-bind", str(etc / name), f"/etc/{name}"]
    for path in _readable():
        args += ["--ro-bind", str(path), str(path)]
    for host, inside in _kit_parts():
        args += ["--ro-bind", str(host), str(inside)]
    args += ["--ro-bind", str(submission), str(SUBMISSION), "--chdir", str(SUBMISSION)]
    # GPUs: the device nodes a CUDA job needs, hidden by the fresh /dev above.
    for node in sorted(Path("/dev").glob("nvidia*")):
        args += ["--dev-bind", str(node), str(node)]
    return args


# Where the kit's parts appear inside the sandbox, wherever they are on the host (a kit checked
# out under /tmp would otherwise be hidden by the job's own /tmp).
KIT = Path("/kit")


def _kit_parts() -> list[tuple[Path, Path]]:
    """(host path, path inside) of the kit's parts a job reads: its grader and reference, the
    manifest, the data and the cache."""
    from grader import data

    try:
        data_dir: Path | None = data.data_dir()
    except data.DataProblem:
        data_dir = None  # autograde checked the data before grading; a probe needs none
    parts = [
        (PROJECT_ROOT / "grader", KIT / "grader"),
        (PROJECT_ROOT / "reference", KIT / "reference"),
        (manifest.manifest_path(), KIT / "manifest.toml"),
        (data_dir, KIT / "data"),
        (kit_cache.cache_dir(), KIT / "cache"),
    ]
    return [(host.resolve(), inside) for host, inside in parts if host and host.exists()]


def _readable() -> list[Path]:
    """The interpreter and its environment, at their own paths (a virtual environment names
    its interpreter by absolute path), without duplicates or paths inside another."""
    wanted = [Path(sys.base_prefix), Path(sys.prefix), Path(sys.executable).resolve().parent]
    found: list[Path] = []
    for path in (p.resolve() for p in wanted if p.exists()):
        if any(path == p or path.is_relative_to(p) for p in found):
            continue
        found = [p for p in found if not p.is_relative_to(path)] + [path]
    return found


def _job_environment(threads: int | None, scratch_mb: int, inside: bool = True) -> dict[str, str]:
    """The job's whole environment: nothing of the supervisor's but PASSED_VARIABLES. Inside
    the sandbox the kit's parts are under KIT; unsandboxed, at their own paths."""
    env = {k: v for k, v in os.environ.items() if k in PASSED_VARIABLES}
    if threads is not None:
        for name in THREAD_VARIABLES:
            env.setdefault(name, str(threads))  # an instructor's own setting wins
    parts = {
        inside_path.name: (inside_path if inside else host) for host, inside_path in _kit_parts()
    }
    env.update(
        PATH="/usr/local/bin:/usr/bin:/bin",
        PYTHONPATH=str(KIT if inside else PROJECT_ROOT),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONNOUSERSITE="1",
        KIT_CACHE_WRITE_DIR=str(TMP / "cache"),
        KIT_PLOTS_DIR=str(TMP / "plots"),
        HOME=str(TMP / "home"),
        TMPDIR=str(TMP),
        XDG_CACHE_HOME=str(TMP / "home" / ".cache"),
        MPLCONFIGDIR=str(TMP / "mpl"),
        COLUMNS="120",
        NO_COLOR="1",
        TERM="dumb",
    )
    for name, variable in (
        ("manifest.toml", "KIT_MANIFEST"),
        ("data", "KIT_DATA_DIR"),
        ("cache", "KIT_CACHE_DIR"),
    ):
        if name in parts:
            env[variable] = str(parts[name])
    return env


@dataclass
class JobResult:
    # {exercise id: the job's result dict}, for each exercise it finished.
    results: dict[str, dict] = field(default_factory=dict)
    # The exercise running when the job ended before finishing (killed, stopped, crashed).
    died_during: str | None = None
    why: str = ""  # how the job ended, when it did not end well
    log_tail: str = ""
    started: bool = False  # whether it ever reported an exercise (False: a fault of the kit)
    seconds: float = 0.0


SCRATCH_PREFIX = "kit-autograde-"


@contextmanager
def run_folder() -> Iterator[Path]:
    """One folder, in the system's temporary folder, for everything temporary of this autograde
    run: its jobs' copies of submissions and any library's temporary files (tempfile points
    here for the run). It is removed at the end; a run that was killed leaves it, and the next
    run removes it (remove_stale_scratch)."""
    global _run_folder
    root = Path(tempfile.gettempdir())
    folder = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=root))
    saved, tempfile.tempdir, _run_folder = tempfile.tempdir, str(folder), folder
    try:
        yield folder
    finally:
        tempfile.tempdir, _run_folder = saved, None
        _remove(folder)


_run_folder: Path | None = None


def remove_stale_scratch() -> int:
    """Removes the folders of autograde runs that were killed (their process is gone); returns
    how many."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*"):
        try:
            pid = int(folder.name[len(SCRATCH_PREFIX) :].split("-")[0])
        except ValueError:
            continue
        if pid != os.getpid() and not _alive(pid) and folder.lstat().st_uid == os.getuid():
            _remove(folder)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_job(
    isolation: Isolation,
    files: dict[str, bytes],
    exercise_ids: list[str],
    grade_options: list[str],
    memory_limit_gb: float,
    timeout_scale: float,
    threads: int | None = None,
) -> JobResult:
    """Grades `exercise_ids` of one submission, whose modules are `files` ({module: bytes},
    read and checked by the caller). Never raises for anything the job's code does."""
    scratch = Path(tempfile.mkdtemp(prefix="job-", dir=_run_folder))
    try:
        submission = scratch / "submission"
        for module, content in files.items():
            target = submission / module
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        _make_read_only(submission)
        scratch_mb = min(MAX_SCRATCH_MB, int(memory_limit_gb * 1024 * SCRATCH_SHARE))
        process_gb = max(0.25, memory_limit_gb - (scratch_mb + SHM_MB) / 1024)
        total_timeout = sum(manifest.find(i).timeout for i in exercise_ids) * timeout_scale
        limits = {
            "nproc": MAX_PROCESSES,
            "nofile": MAX_OPEN_FILES,
            "fsize": scratch_mb * 2**20,
            "core": 0,
            "cpu": int(total_timeout * (os.cpu_count() or 1) + 600),
        }
        if isolation.kind == "unsandboxed":
            # Without user namespaces the process limit counts all of this user's processes.
            limits["nproc"] += _processes_of_this_user()
        env = _job_environment(threads, scratch_mb, inside=isolation.kind == "bwrap")
        reader, writer = os.pipe()
        job_dir = SUBMISSION if isolation.kind == "bwrap" else submission
        command = [
            sys.executable, "-B", "-m", "grader.job", *exercise_ids,
            "--exercises", str(job_dir),
            "--report-fd", str(writer),
            "--memory-limit", f"{process_gb:g}",
            "--limits", json.dumps(limits),
            *grade_options,
        ]  # fmt: skip
        if isolation.kind == "bwrap":
            command = [
                shutil.which("bwrap") or "bwrap",
                *_bwrap_args(submission, scratch_mb, scratch),
                "--",
                *command,
            ]
        else:
            private = scratch / "tmp"
            for name in ("home", "plots", "mpl", "cache"):
                (private / name).mkdir(parents=True)
            env.update(
                HOME=str(private / "home"),
                TMPDIR=str(private),
                XDG_CACHE_HOME=str(private / "home" / ".cache"),
                MPLCONFIGDIR=str(private / "mpl"),
                KIT_PLOTS_DIR=str(private / "plots"),
                KIT_CACHE_WRITE_DIR=str(private / "cache"),
            )
        return _supervise(command, job_dir, env, reader, writer, process_gb, timeout_scale)
    finally:
        _remove(scratch)


def _supervise(
    command: list[str],
    cwd: Path,
    env: dict,
    reader: int,
    writer: int,
    memory_limit_gb: float,
    timeout_scale: float,
) -> JobResult:
    """Runs the job and reads its report pipe, ending it when it stops answering or takes more
    memory than allowed."""
    result = JobResult()
    started = time.monotonic()
    with _running_lock:
        if _stopping.is_set():
            os.close(reader)
            os.close(writer)
            result.why = "stopped"
            return result
        proc = subprocess.Popen(
            command,
            cwd=cwd if cwd.exists() else None,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(writer,),
            start_new_session=True,
        )
        _running.add(proc)
    os.close(writer)
    output = _Tail(proc.stdout)
    output.start()
    lines = _Lines(reader)
    running: str | None = None
    deadline = started + START_SECONDS * max(1.0, timeout_scale)
    next_look = started
    done = False
    try:
        while True:
            for line in lines.read(timeout=0.2):
                event = line.get("event")
                if event == "start" and isinstance(line.get("exercise"), str):
                    running = line["exercise"]
                    result.started = True
                    limit = float(line.get("timeout") or 0)
                    deadline = time.monotonic() + min(limit, 7200) + BETWEEN_SECONDS
                elif event == "result" and isinstance(line.get("result"), dict):
                    exercise = line["result"].get("id")
                    if exercise == running and exercise not in result.results:
                        result.results[exercise] = line["result"]
                    running = None
                    deadline = time.monotonic() + BETWEEN_SECONDS
                elif event == "done":
                    done = True
            if lines.closed or proc.poll() is not None:
                if proc.poll() is None:
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        pass
                break
            if lines.overflowed:
                result.why = f"its report exceeded {MAX_REPORT_BYTES} bytes"
                break
            if time.monotonic() > deadline:
                result.why = "it stopped answering (stopped, or in an endless loop)"
                break
            if time.monotonic() >= next_look:
                next_look = time.monotonic() + MEMORY_EVERY
                if _memory_of(proc.pid) > memory_limit_gb * 2**30:
                    result.why = (
                        f"its processes together used more than {memory_limit_gb:g} GiB of memory"
                    )
                    break
    finally:
        _end(proc)
        with _running_lock:
            _running.discard(proc)
        os.close(reader)
        output.join(5)
    result.log_tail = output.text()
    result.seconds = time.monotonic() - started
    if not done:
        result.died_during = running
        if not result.why:
            code = proc.returncode
            how = (
                f"killed by {signal.Signals(-code).name}"
                if code is not None and code < 0
                else f"exit code {code}"
            )
            result.why = f"the grading job ended abnormally ({how})"
    return result


def _end(proc: subprocess.Popen) -> None:
    """Ends the job and everything below it: bubblewrap's namespace goes with its first
    process; unsandboxed, every descendant is found and ended."""
    tree = sandbox._started_by(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    for pid in tree:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass


def _memory_of(root: int) -> int:
    """Bytes of memory the job's processes use together: each one's proportional share of
    the pages it shares with the others (PSS), where this user may read it, else its RSS."""
    total = 0
    for pid in [root, *sandbox._started_by(root)]:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    break
        except (OSError, ValueError, IndexError):
            continue  # a kit process that is not dumpable, or one that just ended
    return total


def _processes_of_this_user() -> int:
    uid, count = os.getuid(), 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(entry / "task"))
            except OSError:
                continue
    return count


class _Lines:
    """JSON lines from the job's report pipe, bounded in size."""

    def __init__(self, fd: int):
        self.fd = fd
        self.buffer = b""
        self.total = 0
        self.closed = False
        self.overflowed = False

    def read(self, timeout: float) -> list[dict]:
        import select

        ready = select.select([self.fd], [], [], timeout)[0]
        if not ready:
            return []
        chunk = os.read(self.fd, 65536)
        if not chunk:
            self.closed = True
        self.total += len(chunk)
        if self.total > MAX_REPORT_BYTES:
            self.overflowed = True
            return []
        self.buffer += chunk
        *complete, self.buffer = self.buffer.split(b"\n")
        found = []
        for raw in complete:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict):
                found.append(line)
        return found


class _Tail(threading.Thread):
    """Reads the job's output to its end, keeping only its first and last KEEP_OUTPUT bytes."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream = stream
        self.head = b""
        self.tail = b""
        self.dropped = 0

    def run(self) -> None:
        while chunk := self.stream.read1(65536):
            if len(self.head) < KEEP_OUTPUT:
                take = KEEP_OUTPUT - len(self.head)
                self.head += chunk[:take]
                chunk = chunk[take:]
            self.tail = (self.tail + chunk)[-KEEP_OUTPUT:]
            self.dropped += max(0, len(chunk) - KEEP_OUTPUT)

    def text(self) -> str:
        cut = f"\n… ({self.dropped} bytes left out) …\n" if self.dropped else ""
        return (self.head + cut.encode() + self.tail).decode(errors="replace")


# The jobs running now, so that Ctrl-C can end them: a job runs in a session of its own,
# where the terminal's Ctrl-C never reaches it.
_running: set[subprocess.Popen] = set()
_running_lock = threading.Lock()
_stopping = threading.Event()


def stop_all(grace: float = 10.0) -> None:
    """Ends every running job and starts no new one (Ctrl-C)."""
    with _running_lock:
        _stopping.set()
        procs = list(_running)
    for proc in procs:
        _end(proc)


def _make_read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)


def _remove(root: Path) -> None:
    for path in [root, *root.rglob("*")] if root.exists() else []:
        try:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o700)
        except OSError:
            continue
    shutil.rmtree(root, ignore_errors=True)
