"""Runs one grading job so that learner code cannot change what judges it.

A job is `python -m grader grade IDS --exercises FOLDER --json REPORT` on one submission,
in a process of its own (never forked from this one). Two ways to run it:

- bubblewrap: the whole file system is mounted read-only (the kit's checks and reference,
  its cache, the course folder, the gradebook), with a private /tmp, no network and a pid
  namespace of its own; only the job's scratch folder is writable. The kernel enforces it.
- a private copy, where bubblewrap cannot run (no user namespaces): the job grades a copy of
  the kit and of the submission in its scratch folder, made read-only, with the gradebook's
  location kept out of its environment. Permissions do not stop code that runs as the same
  user (or as root), so after the job the copy, and the instructor's own kit, are hashed
  again: any change marks the job's exercises as tampered. This detects changes to the kit;
  it cannot stop same-user code from writing elsewhere (the gradebook, found through the
  parent's /proc entries). bubblewrap prevents all of it, and is used wherever it runs.

Both give the job its own copy of the kit's cache (reference results that cost training
time): learner code can never write the instructor's cache, and a cached result that changed
while the job ran marks the job as tampered. Both grade a read-only copy of the submission
whose files are checked, before grading, against the sha256 recorded when it was submitted:
a submission edited while it is graded cannot change what is graded, and each verdict names
the hash of exactly the file it judged.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from grader import PROJECT_ROOT, provenance
from grader import cache as kit_cache

KINDS = ("auto", "bwrap", "copy")
# What a private copy of the kit needs: the package (checks included), the reference and the
# version's one source.
KIT_PARTS = ("grader", "reference", "pyproject.toml")
# How many CPU threads torch (OpenMP), NumPy's BLAS and TensorFlow's ops use: jobs running
# side by side each take their share of the cores instead of all of them (oversubscribed, two
# full jobs on 2 cores ran slower than one at a time; BENCHMARKS.md).
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
)
# Variables a job never sees: where the course and its gradebook are.
HIDDEN = ("KIT_COURSE_DIR", "KIT_GRADEBOOK", "KIT_COURSE_CONFIG", "KIT_COURSE_ID", "TOX_ENV_NAME")


class IsolationError(Exception):
    """The isolation asked for cannot run here; the message says why and what to use."""


@dataclass(frozen=True)
class Isolation:
    kind: str  # "bwrap" or "copy"
    why: str  # one line for the run's header


@cache
def bwrap_problem() -> str | None:
    """None when bubblewrap runs here; else why not (its first line of error)."""
    path = shutil.which("bwrap")
    if path is None:
        return "bubblewrap (bwrap) is not installed"
    try:
        probe = subprocess.run(
            [
                path,
                *_bwrap_base(Path(tempfile.gettempdir()), _readable()),
                "--",
                sys.executable,
                "-c",
                "",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bubblewrap did not start ({exc})"
    if probe.returncode != 0:
        lines = probe.stderr.strip().splitlines()
        return f"bubblewrap cannot run here ({lines[-1] if lines else f'exit {probe.returncode}'})"
    return None


def choose(requested: str) -> Isolation:
    problem = bwrap_problem() if requested in ("auto", "bwrap") else None
    if requested == "bwrap" and problem:
        raise IsolationError(
            f"--isolation bwrap: {problem}; install bubblewrap (apt-get install bubblewrap), "
            "or pass --isolation copy to grade from a private read-only copy instead"
        )
    if requested == "copy" or problem:
        reason = f" ({problem})" if problem else ""
        return Isolation(
            "copy",
            f"a private read-only copy of the kit, checked after each job{reason}",
        )
    return Isolation(
        "bwrap",
        "bubblewrap: the kit, its cache, the course folder and the gradebook are read-only to "
        "learner code",
    )


def _bwrap_base(
    scratch: Path, readable: tuple[Path, ...] = (), sealed: tuple[Path, ...] = ()
) -> list[str]:
    """bubblewrap's arguments: everything read-only, a private /tmp, only `scratch` writable.

    `readable` are paths the job must still see under the private /tmp (a course folder or a
    kit checked out below /tmp); everywhere else they are visible already. `sealed` are
    folders inside `scratch` that stay read-only (the submission's copy).
    """
    tmp = Path("/tmp")
    args = [
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", "/tmp",
        "--tmpfs", "/dev/shm",
    ]  # fmt: skip
    for path in dict.fromkeys(p.resolve() for p in readable):
        if path.is_relative_to(tmp) and path.exists():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--bind", str(scratch), str(scratch)]
    for path in sealed:
        args += ["--ro-bind", str(path), str(path)]  # mounted after scratch, so it wins
    args += [
        "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts",
        "--die-with-parent", "--new-session",
    ]  # fmt: skip
    # GPUs: the device nodes a CUDA job needs, hidden by the fresh /dev above.
    for node in sorted(Path("/dev").glob("nvidia*")):
        args += ["--dev-bind", str(node), str(node)]
    return args


def _readable() -> tuple[Path, ...]:
    """What a job reads besides its scratch folder: the kit, its Python, the manifest and the
    data."""
    from grader import manifest

    return (
        PROJECT_ROOT,
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.executable).parent,
        manifest.manifest_path(),
        _data_dir(),
    )


@dataclass
class JobResult:
    report: dict | None  # the job's JSON report, None when the job produced none
    log_tail: str
    returncode: int | None
    # Files of the kit or its cache that changed while the job ran (tampering).
    altered: list[str] = field(default_factory=list)
    # False when the submission's files no longer had their submitted hashes: not graded.
    unchanged: bool = True


def tree_hashes(root: Path, parts: tuple[str, ...] | None = None) -> dict[str, str]:
    """{relative path: sha256} of every file below root (or below root/part for each part)."""
    hashes = {}
    starts = [root / p for p in parts] if parts else [root]
    for start in starts:
        files = [start] if start.is_file() else sorted(p for p in start.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts:
                continue
            hashes[path.relative_to(root).as_posix()] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
    return hashes


def kit_hashes() -> dict[str, str]:
    """The instructor's kit as grading starts: what a private-copy job must leave unchanged."""
    return tree_hashes(PROJECT_ROOT, KIT_PARTS)


def run_job(
    isolation: Isolation,
    folder: Path,
    exercise_ids: list[str],
    learner: str,
    grade_options: list[str],
    timeout: float,
    submitted: dict[str, str],
    kit_before: dict[str, str] | None = None,
    threads: int | None = None,
) -> JobResult:
    """Grades `exercise_ids` of the submission in `folder` (laid out like exercises/).

    submitted: {module: sha256} recorded when it was submitted; the job grades a copy whose
    files have exactly these hashes, or nothing.
    kit_before: kit_hashes() from the start of the run; in copy mode the instructor's kit is
    compared with it after the job.
    threads: the CPU threads each framework may use in this job (None: its own default).
    """
    scratch = Path(tempfile.mkdtemp(prefix="kit-autograde-"))
    try:
        exercises = scratch / "exercises"
        shutil.copytree(folder, exercises)
        differ = sorted(m for m, d in submitted.items() if provenance.sha256(exercises / m) != d)
        if differ:
            return JobResult(
                None,
                f"{', '.join(differ)} changed after it was submitted (its sha256 no longer "
                "matches the one recorded); nothing of this submission was graded",
                None,
                unchanged=False,
            )
        _make_read_only(exercises)
        result = _run_in(scratch, isolation, exercise_ids, learner, grade_options, timeout, threads)
        if isolation.kind == "copy" and kit_before is not None:
            result.altered += [
                f"{PROJECT_ROOT}/{name}" for name in _changed(kit_before, kit_hashes())
            ]
        return result
    finally:
        _make_writable(scratch)
        shutil.rmtree(scratch, ignore_errors=True)


def _run_in(
    scratch: Path,
    isolation: Isolation,
    exercise_ids: list[str],
    learner: str,
    grade_options: list[str],
    timeout: float,
    threads: int | None,
) -> JobResult:
    cache = scratch / "cache"
    if kit_cache.cache_dir().is_dir():
        shutil.copytree(kit_cache.cache_dir(), cache, ignore=_skip_partial)
    cache.mkdir(exist_ok=True)
    cached_before = tree_hashes(cache)
    for name in ("plots", "home", "mpl", "tmp"):
        (scratch / name).mkdir()
    report = scratch / "report.json"
    if isolation.kind == "copy":
        kit_root = scratch / "kit"
        for part in KIT_PARTS:
            source = PROJECT_ROOT / part
            if source.is_dir():
                shutil.copytree(source, kit_root / part, ignore=_skip_pycache)
            else:
                kit_root.mkdir(exist_ok=True)
                shutil.copy2(source, kit_root / part)
        copy_before = tree_hashes(kit_root)
        _make_read_only(kit_root)
    else:
        kit_root = PROJECT_ROOT
    exercises = scratch / "exercises"
    command = [
        sys.executable,
        "-m",
        "grader",
        "grade",
        *exercise_ids,
        "--exercises",
        str(exercises),
        "--json",
        str(report),
        "--learner",
        learner,
        *grade_options,
    ]
    env = {k: v for k, v in os.environ.items() if k not in HIDDEN}
    if threads is not None:
        for name in THREAD_VARIABLES:
            env.setdefault(name, str(threads))  # an instructor's own setting wins
    env.update(
        PYTHONPATH=str(kit_root),
        PYTHONDONTWRITEBYTECODE="1",
        KIT_CACHE_DIR=str(cache),
        KIT_PLOTS_DIR=str(scratch / "plots"),
        KIT_DATA_DIR=str(_data_dir()),
        HOME=str(scratch / "home"),
        TMPDIR=str(scratch / "tmp"),
        XDG_CACHE_HOME=str(scratch / "home" / ".cache"),
        MPLCONFIGDIR=str(scratch / "mpl"),
        COLUMNS="120",
        NO_COLOR="1",
        TERM="dumb",
    )
    if isolation.kind == "bwrap":
        env["KIT_OFFLINE"] = "1"  # no network inside: fail fast to the offline copies
        command = [
            shutil.which("bwrap") or "bwrap",
            *_bwrap_base(scratch, _readable(), sealed=(exercises,)),
            "--chdir",
            str(exercises),
            "--",
            *command,
        ]
    log = scratch / "grade.log"
    # `kit grade` shows paths relative to where it runs: from the submission, messages name
    # ch1_theory/activations.py:12, the same for every learner whose file this is.
    with log.open("wb") as out:
        returncode = _run_stoppable(command, exercises, env, out, timeout)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    altered = [f"cache/{name}" for name in _changed(cached_before, tree_hashes(cache))]
    if isolation.kind == "copy":
        altered += [f"kit copy/{name}" for name in _changed(copy_before, tree_hashes(kit_root))]
    try:
        loaded = json.loads(report.read_text())
    except (OSError, ValueError):
        loaded = None
    return JobResult(loaded, tail, returncode, altered)


# The jobs running now, so that Ctrl-C can end them: a job under bubblewrap runs in a session
# of its own, where the terminal's Ctrl-C never reaches it.
_running: set[subprocess.Popen] = set()
_running_lock = threading.Lock()
_stopping = threading.Event()


def _run_stoppable(command: list[str], cwd: Path, env: dict, out, timeout: float) -> int | None:
    """The job's exit status; None when it ran out of time or was stopped."""
    with _running_lock:
        if _stopping.is_set():
            return None
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        _running.add(proc)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None
    finally:
        with _running_lock:
            _running.discard(proc)


def stop_all(grace: float = 10.0) -> None:
    """Ends every running job and starts no new one (Ctrl-C): SIGTERM, then SIGKILL after
    `grace` seconds. bubblewrap's --die-with-parent then ends what ran inside."""
    with _running_lock:
        _stopping.set()
        procs = list(_running)
    for proc in procs:
        proc.terminate()
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Files that were there before and are gone or different now (new files are the cache's
    normal growth)."""
    return sorted(name for name, digest in before.items() if after.get(name) != digest)


def _skip_pycache(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n == "__pycache__"]


def _skip_partial(folder: str, names: list[str]) -> list[str]:
    """Leaves out cache files another process is still writing."""
    return [n for n in names if ".tmp" in n]


@cache
def _data_dir() -> Path:
    from grader import data

    try:
        return data.data_dir()
    except data.DataProblem:
        return PROJECT_ROOT / "datasets"  # the job reports the problem as a data fault


def _make_read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)


def _make_writable(root: Path) -> None:
    for path in [root, *root.rglob("*")] if root.exists() else []:
        try:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o200)
        except OSError:
            continue
