"""The attack suite again, run by an unprivileged supervisor (CI runs the rest as root).

A lab's supervisor is often an ordinary account. This test creates one, lets it reach this
machine's Python (whose interpreter may live under root's home, reached only for this run,
through an ACL entry for that one account, removed afterwards), and runs this folder's tests
as that account. Inside that run the test below skips itself: it is no longer root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ACCOUNT = "kit-supervisor"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _needs_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("already an unprivileged supervisor: this run is that case")
    for tool in ("useradd", "runuser", "setfacl"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (apt-get install passwd util-linux acl)")


def _blocked_ancestors(path: Path) -> list[Path]:
    """Ancestors of `path` that other accounts may not enter."""
    return [p for p in path.parents if not os.stat(p).st_mode & 0o001]


def test_the_attack_suite_holds_for_an_unprivileged_supervisor():
    _needs_root()
    if subprocess.run(["id", ACCOUNT], check=False, capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "--create-home", ACCOUNT], check=True)
    python = Path(sys.executable)
    reach = {
        p
        for target in (python.resolve(), Path(sys.prefix), ROOT)
        for p in _blocked_ancestors(target)
    }
    for path in reach:
        subprocess.run(["setfacl", "-m", f"u:{ACCOUNT}:x", str(path)], check=True)
    # Its own folder outside root's pytest folder, which only root may enter.
    work = Path(tempfile.mkdtemp(prefix="kit-attacks-", dir="/tmp"))
    shutil.chown(work, ACCOUNT)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "TMPDIR": str(work),
        "LANG": "C.UTF-8",
        "KIT_DATA_DIR": os.environ.get("KIT_DATA_DIR", ""),
        "KIT_OFFLINE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        # Unsandboxed grading does not depend on the account (it is flagged, never contained),
        # and root's run covers it: the sandbox is what must hold for this account.
        "KIT_ATTACK_MODES": "bwrap",
    }
    try:
        run = subprocess.run(
            [
                "runuser",
                "-u",
                ACCOUNT,
                "--",
                sys.executable,
                "-m",
                "pytest",
                str(HERE),
                "-q",
                "-p",
                "no:cacheprovider",
                "--basetemp",
                str(work / "pytest"),
                "-o",
                "addopts=",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1500,
            check=False,
        )
    finally:
        for path in reach:
            subprocess.run(["setfacl", "-x", f"u:{ACCOUNT}", str(path)], check=False)
        shutil.rmtree(work, ignore_errors=True)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-2000:]
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
