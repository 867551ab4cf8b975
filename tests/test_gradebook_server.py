"""A PostgreSQL gradebook, on a real private server (tests/postgres_server.py): a plain
postgresql:// URL works with the driver the kit ships, libpq's own settings (PGPASSWORD,
~/.pgpass, PGHOST, ...) reach it, a bad address or password is one line that never shows the
password, and several autograde runs may create a new gradebook at once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest
import sqlalchemy

from grader import PROJECT_ROOT, manifest
from grader.course import run_lock
from tests.postgres_server import PASSWORD, PASSWORD_ROLE
from tests.test_course_autograde import SMALL, instructor_kit, kit_results, query
from tests.test_course_submit import Course, learner_folder, one_line_error


@pytest.fixture
def course(tmp_path, postgres) -> Course:
    return Course(tmp_path, kit_root=instructor_kit(tmp_path), server_url=postgres.database())


def test_a_plain_postgresql_url_with_libpqs_own_settings(course, postgres, tmp_path):
    """The URL names only the database; the host, user and password come from PGHOST, PGUSER
    and PGPASSWORD, or the password from ~/.pgpass, as with any PostgreSQL client."""
    name = sqlalchemy.make_url(course.url).database
    postgres.sql(f"ALTER DATABASE {name} OWNER TO {PASSWORD_ROLE}")
    course.use_server(f"postgresql:///{name}")
    settings = {"PGHOST": str(postgres.folder), "PGUSER": PASSWORD_ROLE}
    course.submit("ada", learner_folder(tmp_path / "ada", solved=["sgd"]))
    run = course.kit("autograde", env={**settings, "PGPASSWORD": PASSWORD})
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"recorded 1 submission(s) in postgresql:///{name}" in run.stdout, run.stdout

    home = tmp_path / "home"
    home.mkdir()
    (home / ".pgpass").write_text(f"*:*:{name}:{PASSWORD_ROLE}:{PASSWORD}\n")
    (home / ".pgpass").chmod(0o600)  # libpq ignores a password file others can read
    run = course.kit("progress", "--csv", "-", env={**settings, "HOME": str(home)})
    assert run.returncode == 0 and run.stdout.splitlines()[1].startswith("ada,"), run.stderr

    # The password in the URL itself works too, and is never shown.
    with_password = f"postgresql://{PASSWORD_ROLE}:{PASSWORD}@/{name}?host={postgres.folder}"
    course.submit("bob", learner_folder(tmp_path / "bob", solved=["activations"]))
    for verb in (["autograde"], ["progress"], ["export", "--to", str(tmp_path / "g.csv")]):
        run = course.kit(*verb, "--db", with_password)
        assert run.returncode == 0, run.stdout + run.stderr
        assert PASSWORD not in run.stdout + run.stderr
        if verb == ["autograde"]:
            assert f"recorded 1 submission(s) in postgresql://{PASSWORD_ROLE}:***@" in run.stdout
    course.use_server(with_password)  # for this process, which has no PG* settings
    assert {row[0] for row in kit_results(course)} == {"ada", "bob"}


def test_a_server_that_ends_idle_transactions_does_not_end_autograde(course, postgres, tmp_path):
    """Jobs grade for seconds between autograde's reads and its writes; some servers end a
    session left idle inside a transaction after a while, which must not be the kit's."""
    name = sqlalchemy.make_url(course.url).database
    postgres.sql(f"ALTER DATABASE {name} SET idle_in_transaction_session_timeout = '2s'")
    course.submit("ada", learner_folder(tmp_path / "ada", solved=["sgd"]))
    run = course.kit("autograde")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "recorded 1 submission(s)" in run.stdout
    course.submit("ada", learner_folder(tmp_path / "ada", solved=["sgd", "activations"]))
    run = course.kit("autograde")  # reads the earlier verdicts, grades one file, records
    assert run.returncode == 0 and "(1 graded, 2 reused)" in run.stdout, run.stdout + run.stderr


WRONG = "wrong-pw-41"  # a password that must never be shown either


def bad_addresses(folder) -> list[tuple[str, str, dict]]:
    """(gradebook address, phrase of the one-line error, extra environment)."""
    socket = f"host={folder}"
    return [
        ("postgresql+psycopg2://kit@/x?" + socket, "needs the Python module psycopg2", {}),
        (f"mysql://kit:{WRONG}@dbhost/x", "needs the Python module MySQLdb", {}),
        ("nosuchdb://kit@dbhost/x", "names a database SQLAlchemy does not know", {}),
        (f"postgresql://kit:{WRONG}@dbhost:notaport/x", "is not a database URL", {}),
        ("postgresql://kit@/x?host=/no/such/folder", "cannot reach the gradebook server", {}),
        (f"postgresql://kit:{WRONG}@127.0.0.1:1/x", "cannot reach the gradebook server", {}),
        (
            f"postgresql://{PASSWORD_ROLE}:{WRONG}@/postgres?{socket}",
            "refused the password",
            {},
        ),
        (
            f"postgresql://{PASSWORD_ROLE}@/postgres?{socket}",
            "refused the password",
            {"PGPASSWORD": WRONG},
        ),
        (f"postgresql://{PASSWORD_ROLE}@/postgres?{socket}", "asks for a password", {}),
        ("postgresql://kit@/no_such_db?" + socket, "has no such database", {}),
    ]


@pytest.mark.parametrize("case", range(10))
def test_a_bad_address_or_password_is_one_line_without_the_password(course, postgres, case):
    address, phrase, env = bad_addresses(postgres.folder)[case]
    env = {"PGPASSFILE": "/nonexistent", **env}  # no password file of the machine's own
    verbs = [["autograde"], ["progress"]] if case in (0, 4, 6) else [["autograde"]]
    for verb in verbs:
        run = course.kit(*verb, "--db", address, env=env)
        one_line_error(run, phrase)
        assert WRONG not in run.stdout + run.stderr, run.stderr


def test_several_autogrades_create_a_new_gradebook_at_once(course, tmp_path):
    """Four runs of a job array, each for one learner, start together on an empty database.
    They are held at the course's lock (as a whole-course run would hold them), then let go at
    once: all of them find the gradebook new within a fraction of a second."""
    learners = ["ada", "bob", "cy", "dan"]
    for name in learners:
        course.submit(name, learner_folder(tmp_path / name, solved=[SMALL[len(name) % 3]]))
    with run_lock.held(course.root, 0, print):
        runs = [course.popen("autograde", "--learner", name, "--jobs", "1") for name in learners]
        for run in runs:  # each says so once it waits for the course's lock
            assert "waiting up to" in run.stdout.readline()
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0] * 4, outputs
    assert sorted({row[0] for row in kit_results(course)}) == learners
    assert len(kit_results(course)) == 4 * len(SMALL)
    assert query(course, "SELECT COUNT(*) FROM course") == [(1,)]
    assert query(course, "SELECT COUNT(*) FROM alembic_version") == [(1,)]


# Opens the gradebook as autograde does.
OPEN = """
from grader.course import config, gradebook
with gradebook.writing(config.resolve()):
    print("opened")
"""


def test_eight_processes_that_all_find_the_gradebook_new_create_it_once(course):
    """Sharper than whole autograde runs: eight processes open the same new gradebook, and all
    of them have found it new before any of them creates a table. The test holds a lock on
    PostgreSQL's catalog of tables (pg_class) that lets them read it but not create a table,
    until all eight wait; then it lets go."""
    import psycopg

    holder = psycopg.connect(course.url)
    holder.execute("LOCK TABLE pg_catalog.pg_class IN SHARE MODE")
    try:
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN],
                cwd=course.kit_root,
                # Waiting here is the test's doing: no lock timeout while the others start.
                env={
                    **os.environ,
                    "PYTHONPATH": str(course.kit_root),
                    **course.env,
                    "KIT_DB_TIMEOUT": "600",
                },
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(8)
        ]
        deadline = time.monotonic() + 300
        with psycopg.connect(course.url, autocommit=True) as watcher:
            while time.monotonic() < deadline:
                (waiting,) = watcher.execute(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                ).fetchone()
                if waiting == len(runs) or any(run.poll() is not None for run in runs):
                    break
                time.sleep(0.2)
        assert waiting == len(runs), f"{waiting} of {len(runs)} processes wait"
    finally:
        holder.rollback()
        holder.close()
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert all(out.strip().endswith("opened") for out in outputs), outputs
    assert query(course, "SELECT COUNT(*) FROM course") == [(1,)]
    assert query(course, "SELECT COUNT(*) FROM alembic_version") == [(1,)]
    chapters = len({manifest.find(i).chapter for i in SMALL})
    assert query(course, "SELECT COUNT(*) FROM assignment") == [(chapters,)]


@pytest.mark.skipif(shutil.which("tox") is None, reason="tox is not on PATH")
def test_tox_passes_the_database_settings_to_the_kit(tmp_path):
    """tox hands a command only the variables it is told to: PG* (PGPASSWORD, PGHOST, ...)
    and HOME (~/.pgpass) must be among them."""
    shown = subprocess.run(
        ["tox", "config", "-e", "kit", "-k", "pass_env", "--root", str(PROJECT_ROOT),
         "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    listed = {line.strip() for line in shown.stdout.splitlines()}
    assert {"PG*", "HOME", "KIT_*"} <= listed, shown.stdout
