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
while the job ran marks the job as tampered.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from grader import PROJECT_ROOT
from grader import cache as kit_cache

KINDS = ("auto", "bwrap", "copy")
# What a private copy of the kit needs: the package (checks included), the reference and the
# version's one source.
KIT_PARTS = ("grader", "reference", "pyproject.toml")
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
                *_bwrap_base(Path(tempfile.gettempdir()), _readable(PROJECT_ROOT)),
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


def _bwrap_base(scratch: Path, readable: tuple[Path, ...] = ()) -> list[str]:
    """bubblewrap's arguments: everything read-only, a private /tmp, only `scratch` writable.

    `readable` are paths the job must still see under the private /tmp (a course folder or a
    kit checked out below /tmp); everywhere else they are visible already.
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
    args += [
        "--bind", str(scratch), str(scratch),
        "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts",
        "--die-with-parent", "--new-session",
    ]  # fmt: skip
    # GPUs: the device nodes a CUDA job needs, hidden by the fresh /dev above.
    for node in sorted(Path("/dev").glob("nvidia*")):
        args += ["--dev-bind", str(node), str(node)]
    return args


def _readable(folder: Path) -> tuple[Path, ...]:
    """What a job reads: the submission, the kit, its Python, the manifest and the data."""
    from grader import manifest

    return (
        folder,
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
    kit_before: dict[str, str] | None = None,
) -> JobResult:
    """Grades `exercise_ids` of the submission in `folder` (laid out like exercises/).

    kit_before: kit_hashes() from the start of the run; in copy mode the instructor's kit is
    compared with it after the job.
    """
    scratch = Path(tempfile.mkdtemp(prefix="kit-autograde-"))
    try:
        result = _run_in(scratch, isolation, folder, exercise_ids, learner, grade_options, timeout)
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
    folder: Path,
    exercise_ids: list[str],
    learner: str,
    grade_options: list[str],
    timeout: float,
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
        exercises = scratch / "exercises"
        shutil.copytree(folder, exercises)
        copy_before = tree_hashes(kit_root)
        _make_read_only(kit_root)
        _make_read_only(exercises)
    else:
        kit_root, exercises = PROJECT_ROOT, folder
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
            *_bwrap_base(scratch, _readable(folder)),
            "--chdir",
            str(exercises),
            "--",
            *command,
        ]
    log = scratch / "grade.log"
    returncode = None
    # `kit grade` shows paths relative to where it runs: from the submission, messages name
    # ch1_theory/activations.py:12, the same for every learner whose file this is.
    workdir = exercises
    with log.open("wb") as out:
        try:
            done = subprocess.run(
                command,
                cwd=workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
            returncode = done.returncode
        except subprocess.TimeoutExpired:
            returncode = None
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    altered = [f"cache/{name}" for name in _changed(cached_before, tree_hashes(cache))]
    if isolation.kind == "copy":
        altered += [f"kit copy/{name}" for name in _changed(copy_before, tree_hashes(kit_root))]
    try:
        loaded = json.loads(report.read_text())
    except (OSError, ValueError):
        loaded = None
    return JobResult(loaded, tail, returncode, altered)


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
