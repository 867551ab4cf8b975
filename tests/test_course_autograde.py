"""`kit autograde`: real grading processes, a real nbgrader gradebook, nbgrader's own export,
real concurrent runs; and learner code that tries to change what judges it.

The gradebook, export and concurrency tests run twice: on SQLite (a file in the course folder)
and on PostgreSQL (a private server, tests/postgres_server.py; skipped, saying why, where no
server binaries exist)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy

from grader import PROJECT_ROOT, manifest
from grader.course.isolation import bwrap_problem
from tests.test_containment import SUBMISSIONS
from tests.test_course_submit import SMALL, Course, learner_folder, one_line_error

RELU = "return np.maximum(x, 0)"
WRONG_RELU = ("activations", [(RELU, "return np.minimum(x, 0)")])
OTHER_RELU = ("activations", [(RELU, "return x * (x > 0)")])  # correct, not the reference's
needs_bwrap = pytest.mark.skipif(bool(bwrap_problem()), reason=f"{bwrap_problem()}")
# The gradebook's engines; a test marked with both_engines runs on each.
ENGINES = ("sqlite", "postgresql")
both_engines = pytest.mark.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request) -> str:
    return getattr(request, "param", "sqlite")


def server_url(request, engine: str) -> str | None:
    """A fresh PostgreSQL database's URL for the postgresql variant, else None (SQLite)."""
    return request.getfixturevalue("postgres").database() if engine == "postgresql" else None


@pytest.fixture
def course(tmp_path, engine, request) -> Course:
    """A course graded by a copy of the kit: no test touches the real kit or its cache, and
    edits to the real checks while the tests run cannot change a fingerprint mid-test."""
    return Course(
        tmp_path, kit_root=instructor_kit(tmp_path), server_url=server_url(request, engine)
    )


def query(course: Course, sql: str) -> list[tuple]:
    """Rows of `sql` on the course's gradebook, whichever engine holds it."""
    db = sqlalchemy.create_engine(course.url, poolclass=sqlalchemy.pool.NullPool)
    try:
        with db.connect() as connection:
            return [tuple(row) for row in connection.execute(sqlalchemy.text(sql))]
    finally:
        db.dispose()


def kit_results(course: Course) -> list[tuple]:
    return query(
        course,
        "SELECT s.learner, s.folder, r.exercise, r.status, r.score, r.fault, "
        "r.matches_reference, r.reused FROM kit_result r JOIN kit_submission s "
        "ON r.submission_id = s.id ORDER BY s.submitted_at, r.exercise",
    )


def autograde(course: Course, *args: str, ok: bool = True, **kw):
    run = course.kit("autograde", *args, **kw)
    if ok:
        assert run.returncode == 0, run.stdout + run.stderr
    return run


@pytest.fixture(scope="module", params=ENGINES)
def graded(tmp_path_factory, request) -> Course:
    """Four learners graded in one autograde run:
    ada submits the reference, bob a wrong relu, cy a correct relu of her own, and eve code
    that swaps a comparison of the grader's."""
    tmp = tmp_path_factory.mktemp("graded")
    course = Course(
        tmp, kit_root=instructor_kit(tmp), server_url=server_url(request, request.param)
    )
    course.submit("ada", learner_folder(tmp / "ada", solved=SMALL))
    course.submit(
        "bob", learner_folder(tmp / "bob", solved=["conv_output_size"], edits=dict([WRONG_RELU]))
    )
    course.submit("cy", learner_folder(tmp / "cy", solved=["sgd"], edits=dict([OTHER_RELU])))
    tamper = SUBMISSIONS["swaps a comparison"].change.edits
    course.submit("eve", learner_folder(tmp / "eve", edits={"activations": tamper}))
    course.first_run = autograde(course, "--jobs", "2")
    return course


def test_autograde_grades_each_distinct_file_once(graded):
    out = graded.first_run.stdout
    assert "4 to grade" in out and "recorded 4 submission(s)" in out, out
    # 8 distinct (exercise, file) pairs among 12: the same stub or reference file is graded
    # once, for every learner who has it.
    assert "(8 file(s) graded, 4 verdict(s) reused)" in out, out
    assert len(kit_results(graded)) == 4 * len(SMALL)


def test_autograde_writes_nbgrader_grades_comments_and_flags(graded):
    from nbgrader.api import Gradebook

    with Gradebook(graded.url, "cnn-basics") as gb:
        ada = gb.find_submission("ch1_theory", "ada")
        assert ada.score == ada.max_score == sum(manifest.find(i).points for i in SMALL)
        grade = gb.find_grade("activations", "activations", "ch1_theory", "bob")
        assert 0 < grade.auto_score < 2 and not grade.needs_manual_grade
        comment = gb.find_comment("activations", "activations", "ch1_theory", "bob").auto_comment
        assert "relu_matches_reference [failed]" in comment and "min(0, x)" in comment
        # nbgrader's flag: the reference's own code (ada) and tampering (eve); a wrong relu
        # and a correct one written differently are not flagged.
        flagged = {
            nb.student.id: nb.flagged for nb in gb.notebook_submissions("activations", "ch1_theory")
        }
        assert flagged == {"ada": True, "bob": False, "cy": False, "eve": True}
        eve = gb.find_comment("activations", "activations", "ch1_theory", "eve").auto_comment
        assert "TAMPERED" in eve


def test_tampering_and_copies_of_the_reference_are_recorded_and_shown(graded):
    rows = {(r[0], r[2]): r for r in kit_results(graded)}
    assert rows["eve", "activations"][3:6] == ("error", 0.0, "tampered")
    assert rows["cy", "activations"][3] == "passed" and not rows["cy", "activations"][6]
    assert all(rows["ada", i][6] for i in SMALL)
    progress = graded.kit("progress")
    assert "eve: TAMPERED: activations" in progress.stdout
    assert "ada: matches the reference: conv_output_size, activations, sgd" in progress.stdout


def test_nbgrader_export_reads_the_gradebook(graded, tmp_path):
    from nbgrader.api import Gradebook

    # nbgrader's own command, run in the course folder (kit autograde left it a config).
    nbgrader = Path(sys.executable).parent / "nbgrader"
    nbgrader = nbgrader if nbgrader.exists() else Path(shutil.which("nbgrader") or "nbgrader")
    export = subprocess.run(
        [str(nbgrader), "export", "--to", str(tmp_path / "grades.csv"), *nbgrader_db(graded)],
        cwd=graded.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert export.returncode == 0, export.stderr
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    with Gradebook(graded.url, "cnn-basics") as gb:
        expected = {
            (s.assignment.name, s.student.id): (str(s.timestamp), s.score, 4.0)
            for s in gb.assignment_submissions("ch1_theory")
        }
    got = {
        (r["assignment"], r["student_id"]): (
            r["timestamp"],
            float(r["score"]),
            float(r["max_score"]),
        )
        for r in rows
    }
    assert got == expected and len(got) == 4
    assert got["ch1_theory", "ada"][1] == 4.0 and got["ch1_theory", "eve"][1] < 4.0
    times = {r[0]: r[1] for r in _submitted_at(graded)}
    assert got["ch1_theory", "ada"][0] == times["ada"]


def test_kit_export_is_nbgraders_export_of_the_course(graded, tmp_path):
    nbgrader = Path(sys.executable).parent / "nbgrader"
    nbgrader = nbgrader if nbgrader.exists() else Path(shutil.which("nbgrader") or "nbgrader")
    theirs = subprocess.run(
        [str(nbgrader), "export", "--to", str(tmp_path / "theirs.csv"), *nbgrader_db(graded)],
        cwd=graded.root, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert theirs.returncode == 0
    run = graded.kit("export", "--to", str(tmp_path / "kits.csv"), cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"nbgrader export wrote {tmp_path / 'kits.csv'}" in run.stdout
    assert (tmp_path / "kits.csv").read_text() == (tmp_path / "theirs.csv").read_text()
    run = graded.kit("export", cwd=tmp_path)  # default: grades.csv in the course folder
    assert run.returncode == 0 and (graded.root / "grades.csv").exists(), run.stderr
    one_line_error(graded.kit("export", "--db", str(tmp_path / "none.db")), "no gradebook")
    if graded.engine != "sqlite":
        return  # a server gradebook is elsewhere already
    # A gradebook elsewhere (as a server's would be), though the course folder's
    # nbgrader_config.py names the default one.
    moved = tmp_path / "moved.db"
    shutil.copy2(graded.gradebook, moved)
    graded.gradebook.rename(tmp_path / "away.db")
    try:
        run = graded.kit("export", "--db", str(moved), "--to", str(tmp_path / "moved.csv"))
        assert run.returncode == 0, run.stdout + run.stderr
    finally:
        (tmp_path / "away.db").rename(graded.gradebook)
    assert (tmp_path / "moved.csv").read_text() == (tmp_path / "theirs.csv").read_text()
    one_line_error(graded.kit("export", "--to", str(tmp_path / "no/such/folder.csv")), "--to")


def _submitted_at(course: Course) -> list[tuple[str, str]]:
    return [
        (who, str(when))
        for who, when in query(course, "SELECT learner, submitted_at FROM kit_submission")
    ]


def nbgrader_db(course: Course) -> list[str]:
    """nbgrader's option for a server gradebook, which autograde keeps out of the course
    folder's nbgrader_config.py (it may hold a password)."""
    return [] if course.engine == "sqlite" else ["--db", course.url]


def test_a_match_with_the_reference_needs_evidence_not_equal_code():
    from grader import REFERENCE_DIR
    from grader.course.reference_match import copied, matches, without_markers
    from tests.conftest import own_code

    reference = (REFERENCE_DIR / "ch1_theory/activations.py").read_text()
    copy = without_markers(reference)
    # Two-space indents, other spacing, a blank line more: the reference's comment remains.
    relaid = copy.replace("    ", "  ").replace("import numpy as np\n", "import numpy as np\n\n")
    assert matches(copy, reference) and matches(relaid, reference)
    assert "comment" in copied(relaid, reference)[0]
    assert "markers" in copied(reference, reference)[0]  # the reference file itself
    # The same code written without the reference's comments is no evidence of anything.
    assert own_code(reference) != copy and not matches(own_code(reference), reference)
    assert not matches("def broken(:\n", reference)


@both_engines
def test_a_rerun_with_nothing_new_grades_nothing_and_a_change_grades_one_file(course, tmp_path):
    ada = learner_folder(tmp_path / "ada", solved=["conv_output_size"])
    course.submit("ada", ada)
    autograde(course)
    before = kit_results(course)

    started = time.perf_counter()
    run = autograde(course)
    assert "nothing to grade" in run.stdout and time.perf_counter() - started < 20
    assert kit_results(course) == before

    learner_folder(ada, solved=["conv_output_size", "sgd"])
    course.submit("ada", ada)
    run = autograde(course)
    assert "(1 graded, 2 reused)" in run.stdout, run.stdout
    rows = kit_results(course)
    assert len(rows) == 2 * len(SMALL)  # history: both submissions, each exercise once
    latest = {r[2]: r[3] for r in rows[len(SMALL) :]}
    assert latest == {"activations": "not_started", "conv_output_size": "passed", "sgd": "passed"}


def test_any_sqlalchemy_url_can_hold_the_gradebook(course, tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    course.submit("ada", learner_folder(tmp_path / "ada", solved=["sgd"]))
    autograde(course, "--db", url)
    assert (tmp_path / "elsewhere.db").exists() and not course.gradebook.exists()
    run = course.kit("progress", "--db", url, "--csv", "-")
    assert run.returncode == 0 and run.stdout.splitlines()[1].startswith("ada,"), run.stderr


def test_autograde_a_clone_by_path(course, tmp_path):
    clone = learner_folder(tmp_path / "clone", solved=["activations"])
    run = autograde(course, "--learner", "Carol", str(clone))
    assert "as Carol's submission" in run.stdout
    assert {r[0] for r in kit_results(course)} == {"Carol"}
    (tmp_path / "clone/ch1_theory/notes.txt").write_text("todo")
    one_line_error(
        autograde(course, "--learner", "Carol", str(clone), ok=False), "ch1_theory/notes.txt"
    )
    (tmp_path / "clone/ch1_theory/notes.txt").unlink()
    (tmp_path / "clone/ch1_theory/sgd.py").unlink()
    one_line_error(autograde(course, "--learner", "Carol", str(clone), ok=False), "lacks")
    one_line_error(autograde(course, str(clone), ok=False), "Name the learner with --learner")
    assert len(course.submissions("Carol")) == 1  # the bad ones were never taken


# --- integrity ------------------------------------------------------------------------------

# Learner code that tries to rewrite what judges it, then returns the right answer; {targets}
# is filled in per test. OSError (a read-only file system) is what bubblewrap answers.
ATTACK = """import os
    for target in {targets}:
        try:
            os.chmod(target, 0o666)
        except OSError:
            pass
        try:
            with open(target, "a") as f:
                f.write("# rewritten by learner code\\n")
        except OSError:
            pass
    try:
        open(os.path.join({course!r}, "planted.txt"), "w").write("x")
    except OSError:
        pass
    return np.maximum(x, 0)"""


def instructor_kit(tmp_path: Path) -> Path:
    """A copy of the kit to act as the instructor's (compiled modules included, for speed)."""
    kit = tmp_path / "kit"
    if not kit.exists():
        for part in ("grader", "reference"):
            shutil.copytree(PROJECT_ROOT / part, kit / part)
        shutil.copy2(PROJECT_ROOT / "pyproject.toml", kit / "pyproject.toml")
        (kit / ".kit-cache").mkdir()
        (kit / ".kit-cache" / "reference-result.pt").write_bytes(b"a cached reference result")
    return kit


def digests(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@needs_bwrap
def test_under_bubblewrap_learner_code_cannot_change_the_kit_cache_or_gradebook(course, tmp_path):
    kit = course.kit_root
    course.submit("ada", learner_folder(tmp_path / "ada", solved=SMALL))
    autograde(course, "--isolation", "bwrap")  # the gradebook exists before the attack
    targets = [
        kit / "grader/checks/ch1_theory/activations.py",
        kit / "grader/toolkit/expect.py",
        kit / "reference/ch1_theory/activations.py",
        kit / ".kit-cache/reference-result.pt",
        course.gradebook,
        course.root / "nbgrader_config.py",
    ]
    before = digests(targets)
    code = ATTACK.format(targets=[str(t) for t in targets], course=str(course.root))
    course.submit("eve", learner_folder(tmp_path / "eve", edits={"activations": [(RELU, code)]}))
    sqlite_before = kit_results(course)
    run = autograde(course, "--isolation", "bwrap")
    assert "isolation: bubblewrap" in run.stdout
    assert digests(targets)[str(course.gradebook)] != before[str(course.gradebook)]  # recorded
    del before[str(course.gradebook)]
    assert {k: v for k, v in digests(targets).items() if k in before} == before
    assert not (course.root / "planted.txt").exists()
    eve = [r for r in kit_results(course) if r[0] == "eve"]
    assert {r[2]: r[3] for r in eve}["activations"] == "passed"  # its writes simply failed
    assert kit_results(course)[: len(sqlite_before)] == sqlite_before


# --- concurrency and faults -----------------------------------------------------------------


@both_engines
def test_two_concurrent_autogrades_record_each_result_once(course, tmp_path):
    from nbgrader.api import Gradebook

    for name in ("ada", "bob"):
        course.submit(name, learner_folder(tmp_path / name, solved=["activations"]))
    first = course.popen("autograde", "--jobs", "1")
    lock = course.root / ".kit-autograde.lock"
    deadline = time.monotonic() + 120
    while not (lock.exists() and "pid" in lock.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)  # the first run holds the lock, and grades for seconds
    second = course.popen("autograde", "--jobs", "1")
    outputs = [p.communicate(timeout=600) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    texts = [out for out, _ in outputs]
    assert sum("waiting up to" in t for t in texts) == 1, texts
    assert sum("recorded 2 submission(s)" in t for t in texts) == 1, texts
    assert sum("nothing to grade" in t for t in texts) == 1, texts
    rows = kit_results(course)
    assert len(rows) == 2 * len(SMALL) == len(set(rows))
    assert query(course, "SELECT COUNT(*) FROM kit_submission") == [(2,)]
    assert query(course, "SELECT COUNT(*) FROM submitted_assignment") == [(2,)]
    assert query(course, "SELECT COUNT(*) FROM grade") == [(2 * len(SMALL),)]
    with Gradebook(course.url, "cnn-basics") as gb:
        assert {s.student.id for s in gb.assignment_submissions("ch1_theory")} == {"ada", "bob"}


def test_a_held_lock_fails_clearly_when_told_not_to_wait(course, tmp_path):
    from grader.course import run_lock

    course.submit("ada", learner_folder(tmp_path / "ada"))
    with run_lock.held(course.root, 0, print):
        run = autograde(course, "--wait", "0", ok=False)
    one_line_error(run, "still holds the course's autograde lock")
    assert not course.gradebook.exists()  # nothing was graded or recorded


@both_engines
def test_a_gradebook_locked_by_another_program_fails_clearly_and_loses_nothing(course, tmp_path):
    course.submit("ada", learner_folder(tmp_path / "ada"))
    autograde(course)
    course.submit("ada", learner_folder(tmp_path / "ada", solved=["sgd"]))
    before = kit_results(course)
    # As a formgrader in the middle of a write would.
    if course.engine == "sqlite":
        holder = sqlite3.connect(course.gradebook, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
    else:
        import psycopg

        holder = psycopg.connect(course.url)  # libpq reads the same URL; a transaction begins
        holder.execute("LOCK TABLE kit_submission IN ACCESS EXCLUSIVE MODE")
    try:
        run = autograde(course, ok=False, env={"KIT_DB_TIMEOUT": "1"})
    finally:
        holder.rollback()
        holder.close()
    one_line_error(run, "stayed locked for 1 s")
    assert kit_results(course) == before
    assert "(1 graded, 2 reused)" in autograde(course).stdout  # the next run records it


def test_a_corrupt_gradebook_is_one_line_and_left_as_it_was(course, tmp_path):
    course.submit("ada", learner_folder(tmp_path / "ada"))
    course.gradebook.write_bytes(b"this is not a database " * 100)
    before = course.gradebook.read_bytes()
    for verb in (["autograde"], ["progress"], ["dashboard", "--out", str(tmp_path / "d")]):
        one_line_error(course.kit(*verb), "is damaged")
    assert course.gradebook.read_bytes() == before


def test_autograde_without_a_course_folder_or_with_a_bad_option(course, tmp_path):
    one_line_error(course.kit("autograde", env={"KIT_COURSE_DIR": ""}), "no course folder")
    one_line_error(course.kit("autograde", "--jobs", "0"), "--jobs must be 1 or more")
    one_line_error(course.kit("progress", "--learner", "nobody"), "no gradebook")


# A relu that never returns (within any time limit the tests give it).
SLOW_RELU = """import time
    time.sleep(600)
    return np.maximum(x, 0)"""


@pytest.mark.parametrize("to", ["group", "process"])
def test_ctrl_c_keeps_what_was_recorded_ends_its_jobs_and_the_next_run_picks_up(
    course, tmp_path, to
):
    """Ctrl-C as a terminal sends it, to the whole foreground process group, or as a parent
    (tox, a scheduler) forwards it, to autograde's process alone: a job runs in a session of
    its own, so autograde must end its jobs itself."""

    slow = (RELU, SLOW_RELU)
    course.submit("ada", learner_folder(tmp_path / "ada", solved=["activations"]))
    course.submit("bob", learner_folder(tmp_path / "bob", edits={"activations": [slow]}))
    # A long time limit: only autograde itself can end bob's job within the test's wait.
    run = course.popen("autograde", "--jobs", "1", "--timeout-scale", "50", start_new_session=True)
    seen = []
    for line in run.stdout:
        seen.append(line)
        if "✓ ada" in line:
            break
    assert seen and "✓ ada" in seen[-1], "".join(seen) + run.stderr.read()
    deadline = time.monotonic() + 60
    while not _jobs(run.pid) and time.monotonic() < deadline:
        time.sleep(0.1)  # bob's job has started
    time.sleep(3)  # and is inside his endless relu
    job = _jobs(run.pid)
    assert job, "bob's job never started"
    (os.killpg if to == "group" else os.kill)(run.pid, signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, "".join(seen) + out + err
    assert "Stopped (Ctrl-C): every submission reported above as recorded" in out
    assert "Traceback" not in out + err
    assert {r[0] for r in kit_results(course)} == {"ada"}
    deadline = time.monotonic() + 10  # a killed process may take a moment to be reaped
    while [pid for pid in job if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.2)
    left = {pid: _command(pid) for pid in job if _alive(pid)}
    assert not left, f"a job outlived Ctrl-C: {left}"

    # The next run grades what is left: bob's relu now runs into its (short) time limit.
    again = autograde(course, "--timeout-scale", "0.1")
    assert "1 to grade" in again.stdout, again.stdout
    assert sorted({r[0] for r in kit_results(course)}) == ["ada", "bob"]
    assert len(kit_results(course)) == 2 * len(SMALL)


def _alive(pid: int) -> bool:
    """Running (not a zombie waiting to be reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return "(gone)"


def _jobs(autograde_pid: int) -> list[int]:
    """The processes autograde started (its grading jobs and all below them)."""
    from grader.sandbox import _started_by

    return _started_by(autograde_pid)


def test_a_submission_edited_while_autograde_runs_is_graded_as_submitted(course, tmp_path):
    """ada's code, while it is graded, appends a line to every submitted file of the course
    (unsandboxed it can, as someone editing the shared folder could). Every file was read and
    checked against its recorded hash before any job ran, so each verdict is that of the files
    as submitted, with their hashes."""
    submitted = course.root / "submitted"
    editor = (RELU, f"""import glob, os
    for path in glob.glob({str(submitted)!r} + "/*/*/ch1_theory/*.py"):
        os.chmod(path, 0o644)
        with open(path, "a") as f:
            f.write("# edited while autograde ran\\n")
    return np.maximum(x, 0)""")  # fmt: skip
    course.submit("ada", learner_folder(tmp_path / "ada", edits={"activations": [editor]}))
    course.submit("bob", learner_folder(tmp_path / "bob", solved=["sgd"]))
    recorded = {
        name: json.loads((course.submissions(name)[0] / "submission.json").read_text())["files"]
        for name in ("ada", "bob")
    }
    autograde(course, "--jobs", "1", "--isolation", "unsandboxed")
    sgd = (course.submissions("bob")[0] / "ch1_theory/sgd.py").read_text()
    assert "# edited while autograde ran" in sgd  # the edit did happen
    rows = {(r[0], r[2]): r for r in kit_results(course)}
    assert rows["ada", "activations"][3] == "passed"
    assert rows["bob", "sgd"][3] == "passed"
    with sqlite3.connect(course.gradebook) as db:
        graded = db.execute(
            "SELECT s.learner, r.exercise, r.sha256 FROM kit_result r JOIN kit_submission s "
            "ON r.submission_id = s.id"
        ).fetchall()
    for learner, exercise, digest in graded:
        assert digest == recorded[learner][manifest.find(exercise).module]


@both_engines
def test_runs_for_different_learners_go_on_at_once_and_a_whole_course_run_waits(
    course, tmp_path, request
):
    """How a scheduler's job array grades a course: one `--learner` run per task."""
    from grader.course import run_lock

    for name in ("ada", "bob"):
        course.submit(name, learner_folder(tmp_path / name, solved=["sgd"]))
    with run_lock.held(course.root, 0, print, "ada"):  # ada's run is going on
        bob = autograde(course, "--learner", "bob", "--wait", "0")
        assert "waiting" not in bob.stdout and "recorded 1 submission(s)" in bob.stdout
        one_line_error(
            autograde(course, "--learner", "ada", "--wait", "0", ok=False), "still holds"
        )
        whole = autograde(course, "--wait", "0", ok=False)
        one_line_error(whole, "kit autograde runs for single learners still holds")
    assert {r[0] for r in kit_results(course)} == {"bob"}

    # Two learners' runs started together on a course with no gradebook yet: both create it.
    for name in ("cy", "dan"):
        course.submit(name, learner_folder(tmp_path / name, solved=["activations"]))
    if course.engine == "sqlite":
        course.gradebook.unlink()
    else:
        course.use_server(server_url(request, course.engine))  # a new, empty database
    runs = [course.popen("autograde", "--learner", name, "--jobs", "1") for name in ("cy", "dan")]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    rows = kit_results(course)
    assert sorted({r[0] for r in rows}) == ["cy", "dan"]
    assert len(rows) == 2 * len(SMALL) == len(set(rows))


def test_jobs_side_by_side_share_the_cores(course, tmp_path):
    """Each of two jobs at once may use half the cores for torch's and TensorFlow's threads
    (all of them each, they ran slower than one after the other); a lone job keeps the
    frameworks' defaults. The learner's relu reports what it was given."""
    from grader.course.autograde import default_jobs

    tell = (
        RELU,
        "import os\n    raise ValueError(f\"threads={os.environ.get('OMP_NUM_THREADS')}\")",
    )
    # ada's job grades activations, bob's his own sgd: two jobs at once.
    course.submit("ada", learner_folder(tmp_path / "ada", edits={"activations": [tell]}))
    course.submit(
        "bob", learner_folder(tmp_path / "bob", solved=["sgd"], edits={"activations": [tell]})
    )
    autograde(course, "--jobs", "2")
    # cy's changed activations is the only file left to grade: one job, though --jobs 2.
    alone = (RELU, tell[1].replace("threads=", "alone, threads="))
    course.submit("cy", learner_folder(tmp_path / "cy", edits={"activations": [alone]}))
    autograde(course, "--jobs", "2")
    with sqlite3.connect(course.gradebook) as db:
        messages = dict(db.execute(
            "SELECT s.learner, r.checks FROM kit_result r JOIN kit_submission s "
            "ON r.submission_id = s.id WHERE r.exercise = 'activations'"
        ).fetchall())  # fmt: skip
    own = os.environ.get("OMP_NUM_THREADS")  # an instructor's own setting always wins
    shared = own or str(max(1, default_jobs() // 2))
    assert f"threads={shared}" in messages["ada"] and f"threads={shared}" in messages["bob"]
    assert f"alone, threads={own}" in messages["cy"], messages["cy"]


@pytest.mark.parametrize(
    "statuses, recorded",
    [
        (["passed", "skipped"], "passed"),  # CUDA checks skipped on a CPU-only supervisor
        (["passed", "failed"], "error"),  # a job that says passed over a failed check
        (["skipped", "skipped"], "error"),  # passed with nothing that passed
    ],
)
def test_a_job_verdict_is_recorded_as_its_checks_allow(statuses, recorded, tmp_path):
    """A passed exercise whose CUDA checks were skipped stays passed (it was recorded as error,
    so every member of a lab without a GPU was 'stuck' on its first device exercise)."""
    from datetime import UTC, datetime

    from grader import manifest
    from grader.course import autograde as ag
    from grader.course import isolation as iso
    from grader.course.submission import Submission

    exercise = manifest.find("mlp")
    entry = {
        "status": "passed",
        "checks": [{"name": f"c{n}", "status": s, "message": ""} for n, s in enumerate(statuses)],
    }
    submission = Submission("ada", datetime.now(UTC), tmp_path, {exercise.module: "0" * 64}, "test")
    options = ag.Options(1, 0, "all", 1.0, 4.0, iso.Isolation("bwrap", ""))
    result = ag.to_result(entry, b"", submission, exercise, "kit", options, {})
    assert result.status == recorded
