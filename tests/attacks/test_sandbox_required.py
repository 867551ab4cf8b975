"""autograde runs member code only in the sandbox, unless the supervisor explicitly opts out;
and on a learner's own machine `kit grade` leaves no process behind, without root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from tests.attacks.conftest import MODULE
from tests.attacks.members import ANSWER, DAEMON
from tests.conftest import kit_command
from tests.test_course_autograde import instructor_kit
from tests.test_course_submit import Course, learner_folder, one_line_error


def _path_without_bwrap(tmp: Path) -> str:
    """A PATH with git and the usual tools but no bubblewrap."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    for tool in ("git", "sh", "env", "ls", "cat"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


def test_without_a_working_sandbox_autograde_refuses_and_says_how_to_get_one(tmp_path):
    course = Course(tmp_path, kit_root=instructor_kit(tmp_path))
    course.submit("ada", learner_folder(tmp_path / "ada"))
    run = course.kit("autograde", env={"PATH": _path_without_bwrap(tmp_path)})
    one_line_error(run, "bubblewrap")
    line = run.stderr.strip()
    assert "apt-get install bubblewrap" in line and "--isolation unsandboxed" in line, line
    assert not course.gradebook.exists()


def test_the_old_copy_mode_names_its_replacement(tmp_path):
    course = Course(tmp_path, kit_root=instructor_kit(tmp_path))
    run = course.kit("autograde", "--isolation", "copy")
    assert run.returncode == 2
    assert "unsandboxed" in run.stderr


def test_kit_grade_leaves_no_daemon_behind_without_root(tmp_path):
    name = f"kd{uuid.uuid4().hex[:10]}"
    folder = learner_folder(tmp_path / "work")
    (folder / MODULE).write_text(DAEMON.replace("$daemon_name", name) + ANSWER)
    run = kit_command(
        Path(__file__).resolve().parents[2],
        "grade",
        "conv_output_size",
        "--exercises",
        str(folder),
    )
    assert "conv_output_size" in run.stdout, run.stdout + run.stderr
    alive = [pid for pid in os.listdir("/proc") if pid.isdigit() and _comm(pid) == name]
    for pid in alive:  # never leave it running, whatever the verdict
        os.kill(int(pid), 9)
    assert not alive, "a daemon outlived kit grade"


def _comm(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def test_the_daemon_really_outlives_a_plain_python_run(tmp_path):
    """Negative control: run outside the kit, the same code does leave its daemon running."""
    name = f"kd{uuid.uuid4().hex[:10]}"
    script = tmp_path / "daemon.py"
    script.write_text(DAEMON.replace("$daemon_name", name))
    subprocess.run([sys.executable, str(script)], check=True, timeout=60)
    alive = [pid for pid in os.listdir("/proc") if pid.isdigit() and _comm(pid) == name]
    for pid in alive:
        os.kill(int(pid), 9)
    assert alive
