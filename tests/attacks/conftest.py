"""One autograde run per isolation mode over a course whose members attack the supervisor.

Every attacker of members.py submits, next to a victim who submits the reference with a secret
in it. The supervisor's environment holds secrets of its own (a file in its home, a database
password), a TCP listener waits for calls home, and each mode's run is graded once per test
session; the tests then look at the gradebook, the file system and the process table.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.course.isolation import bwrap_problem
from tests.attacks.members import MEMBERS
from tests.test_course_autograde import instructor_kit
from tests.test_course_submit import Course, learner_folder

# The unprivileged supervisor's run (test_as_unprivileged_user) asks for bwrap only: what the
# sandbox holds depends on who runs it, while unsandboxed verdicts are only flagged either way.
MODES = tuple(os.environ.get("KIT_ATTACK_MODES", "bwrap,unsandboxed").split(","))
ATTACKED = "conv_output_size"
MODULE = "ch1_theory/conv_output_size.py"
# What a member may learn nowhere: the victim's answer, the supervisor's files and passwords.
SECRETS = {
    "victim": "victim-secret-6f1d",
    "home": "home-secret-0b7e",
    "password": "pg-password-93ac",
}


@dataclass
class Row:
    learner: str
    exercise: str
    status: str
    score: float
    max_score: float
    fault: str
    reused: bool
    flags: list[str]
    messages: str


@dataclass
class Attacked:
    mode: str
    course: Course
    stdout: str
    returncode: int
    marker: str
    daemon_name: str
    roots: list[Path]  # host folders an attacker tried to plant the marker in
    calls: list[bytes] = field(default_factory=list)

    def rows(self) -> list[Row]:
        import json

        with sqlite3.connect(self.course.gradebook) as db:
            found = db.execute(
                "SELECT s.learner, r.exercise, r.status, r.score, r.max_score, r.fault, r.reused, "
                "r.flags, r.checks, r.notes FROM kit_result r JOIN kit_submission s "
                "ON r.submission_id = s.id ORDER BY s.submitted_at, r.exercise"
            ).fetchall()
        return [Row(*r[:7], json.loads(r[7] or "[]"), r[8] + "\n" + r[9]) for r in found]

    def row(self, learner: str, exercise: str = ATTACKED) -> Row:
        matching = [r for r in self.rows() if r.learner == learner and r.exercise == exercise]
        assert matching, f"{learner}'s {exercise} was never recorded:\n{self.stdout[-3000:]}"
        return matching[-1]

    def gradebook_text(self) -> str:
        """Every text the gradebook holds (nbgrader's tables and the kit's), as one string."""
        with sqlite3.connect(self.course.gradebook) as db:
            tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return "\n".join(
                " ".join(str(v) for v in row)
                for table in tables
                for row in db.execute(f'SELECT * FROM "{table}"')
            )

    def planted(self) -> list[Path]:
        """Files named after the marker in the host folders the attackers aimed at."""
        found = []
        for root in self.roots:
            for here, dirs, files in os.walk(root):
                if Path(here).relative_to(root).parts[2:]:
                    dirs[:] = []
                found += [Path(here) / f for f in files if self.marker in f]
        return found


def runnable(mode: str) -> str | None:
    """Why the mode cannot be tried here, or None."""
    return bwrap_problem() if mode == "bwrap" else None


def members_for(mode: str) -> list[str]:
    return [name for name, m in MEMBERS.items() if mode == "bwrap" or not m.needs_sandbox]


@pytest.fixture(scope="session", params=MODES)
def attacked(request, tmp_path_factory) -> Attacked:
    mode = request.param
    if runnable(mode):
        pytest.skip(f"{mode}: {runnable(mode)}")
    tmp = tmp_path_factory.mktemp(f"attacked-{mode}")
    course = Course(tmp, kit_root=instructor_kit(tmp))
    home = tmp / "home"
    home.mkdir()
    (home / "secret.txt").write_text(SECRETS["home"])
    marker = f"kitattack-{uuid.uuid4().hex[:12]}"
    daemon_name = f"kd{uuid.uuid4().hex[:10]}"  # a process name (15 characters at most)
    listener = socket.socket()
    listener.bind(("0.0.0.0", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    calls: list[bytes] = []
    stop = threading.Event()

    def answer() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    calls.append(conn.recv(100) or b"(connected)")
                except OSError:
                    calls.append(b"(connected)")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    values = {
        "course": str(course.root),
        "kit": str(course.kit_root),
        "home": str(home),
        "marker": marker,
        "daemon_name": daemon_name,
        "port": str(listener.getsockname()[1]),
        "host_ip": _host_ip(),
    }
    victim = learner_folder(tmp / "victim", solved=[ATTACKED])
    (victim / MODULE).write_text((victim / MODULE).read_text() + f"\n# {SECRETS['victim']}\n")
    course.submit("victim", victim)
    for name in members_for(mode):
        folder = learner_folder(tmp / name)
        (folder / MODULE).write_text(MEMBERS[name].text(values))
        course.submit(name, folder)
    run = course.kit(
        "autograde",
        "--isolation",
        mode,
        "--jobs",
        "2",
        "--timeout-scale",
        "0.3",
        "--memory-limit",
        "2",
        env={"HOME": str(home), "PGPASSWORD": SECRETS["password"]},
    )
    stop.set()
    thread.join()
    listener.close()
    roots = [course.root, course.kit_root, home, Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")]
    result = Attacked(
        mode, course, run.stdout + run.stderr, run.returncode, marker, daemon_name, roots, calls
    )
    yield result
    for path in result.planted():  # what an unsandboxed run could not stop
        path.unlink(missing_ok=True)


def _host_ip() -> str:
    """This machine's address on its network (not loopback), for a call home to it."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def only_in(mode: str, attacked: Attacked) -> None:
    """Skips a containment check where the run is unsandboxed: there it is only flagged."""
    if attacked.mode != mode:
        pytest.skip(f"{attacked.mode}: member code is not contained, only flagged (test_flags)")


def ran(name: str, attacked: Attacked) -> None:
    if name not in members_for(attacked.mode):
        pytest.skip(
            f"only the sandbox contains {name} ({MEMBERS[name].what}); unsandboxed it would "
            "act on the test machine itself, so it runs under bubblewrap only"
        )
