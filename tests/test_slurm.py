"""Slurm, for real: the README's job array, run as printed with the kit's own job script
(slurm/autograde.sbatch) on a one-node cluster started here from Debian's packages
(tests/slurm_cluster.py), records every learner in one PostgreSQL gradebook, which
`kit progress` then reads. Skipped, saying why, without root or the packages."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from shlex import quote

import pytest

from grader import PROJECT_ROOT
from grader.course.isolation import bwrap_problem
from tests import slurm_cluster
from tests.postgres_server import PASSWORD, PASSWORD_ROLE
from tests.test_course_autograde import instructor_kit, kit_results
from tests.test_course_submit import SMALL, Course, learner_folder

SCRIPT = "slurm/autograde.sbatch"
# The README's placeholders, which the test replaces with its own course and database.
README_COURSE = "/srv/cnn-course"
README_DB = "postgresql://grader@dbhost/cnn_course"


def readme_commands() -> list[str]:
    """The lines of the README's job-array block (section "A course of hundreds...")."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme[readme.index("### A course of hundreds of submissions") :]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block, "the README's scale section has no bash block"
    return [line.strip() for line in block.group(1).strip().splitlines()]


def test_the_readme_runs_the_commands_of_the_shipped_script():
    """One source: the README's block is the usage written at the top of the job script."""
    usage = [
        line[len("#   ") :]
        for line in (PROJECT_ROOT / SCRIPT).read_text().splitlines()
        if line.startswith("#   ")
    ]
    assert readme_commands() == usage


@pytest.fixture(scope="module")
def cluster():
    why = slurm_cluster.problem()
    if why:
        pytest.skip(why)
    with slurm_cluster.Cluster() as running:
        yield running
    assert all(daemon.poll() is not None for daemon in running.daemons.values())


def test_a_job_array_grades_every_learner_into_one_postgresql_gradebook(
    cluster, postgres, tmp_path
):
    kit = instructor_kit(tmp_path)
    (kit / "slurm").mkdir()
    shutil.copy2(PROJECT_ROOT / SCRIPT, kit / SCRIPT)
    course = Course(tmp_path, kit_root=kit)
    learners = ["ada", "bob", "cy", "dan"]
    for n, name in enumerate(learners):  # a different cheap exercise solved by each
        course.submit(name, learner_folder(tmp_path / name, solved=SMALL[: n % 4]))
    # The database's owner must give a password: PGPASSWORD, set where sbatch runs, has to
    # reach every task.
    url = postgres.database(owner=PASSWORD_ROLE)
    commands = "\n".join(readme_commands())
    commands = commands.replace(README_COURSE, str(course.root)).replace(README_DB, quote(url))
    env = {
        **cluster.env,
        **course.env,
        "PGPASSWORD": PASSWORD,
        # The kit's environment: this one (a clone's own is .tox/kit, the script's default).
        "KIT_PYTHON": sys.executable,
        "PYTHONPATH": str(kit),
    }
    started = time.monotonic()
    submitted = subprocess.run(
        ["bash", "-eu", "-c", commands], cwd=kit, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    assert "Submitted batch job" in submitted.stdout, submitted.stdout
    cluster.wait(timeout=900)
    print(f"the job array of {len(learners)} tasks took {time.monotonic() - started:.0f} s")

    outputs = sorted(kit.glob("kit-autograde-*_*.out"))
    logs = "\n".join(f"--- {p.name}\n{p.read_text()}" for p in outputs)
    assert len(outputs) == len(learners), logs + cluster.logs()
    for name in learners:
        assert re.search(rf"task \d+: {name} on .*, 1 CPU\(s\)", logs), logs
    assert logs.count("recorded 1 submission(s) in postgresql://kit_password@") == 4, logs
    if not bwrap_problem():  # where bubblewrap runs, the tasks' jobs run in it too
        assert logs.count("isolation: bubblewrap") == 4, logs
    assert PASSWORD not in logs

    course.use_server(url.replace(f"{PASSWORD_ROLE}@", f"{PASSWORD_ROLE}:{PASSWORD}@"))
    rows = kit_results(course)
    assert sorted({row[0] for row in rows}) == learners
    assert len(rows) == len(learners) * len(SMALL) == len(set(rows))
    progress = course.kit("progress", "--db", url, "--csv", "-", env={"PGPASSWORD": PASSWORD})
    assert progress.returncode == 0, progress.stderr
    listed = [line.split(",")[0] for line in progress.stdout.splitlines()[1:]]
    assert listed == learners, progress.stdout


def test_the_job_script_says_what_is_wrong(tmp_path):
    """Run by hand, or with a list that is too short: one line that says how to run it."""
    run = subprocess.run(
        ["bash", str(PROJECT_ROOT / SCRIPT), "learners.txt"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False, timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert run.returncode == 2 and "run it as a job array" in run.stderr, run.stderr
    (tmp_path / "learners.txt").write_text("ada\n")
    run = subprocess.run(
        ["bash", str(PROJECT_ROOT / SCRIPT), str(tmp_path / "learners.txt")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False, timeout=60,
        env={"PATH": "/usr/bin:/bin", "SLURM_ARRAY_TASK_ID": "2",
             "SLURM_SUBMIT_DIR": str(PROJECT_ROOT)},
    )  # fmt: skip
    assert run.returncode == 2 and "line 2 of" in run.stderr and "--array=1-1" in run.stderr
