"""Stubs come from the reference by nbgrader's ClearSolutions, and the learner's files are safe.

These tests never read or judge exercises/ as it is on disk: in a learner's copy that folder
holds their work. They grade freshly generated stubs, compare the generator with what git has
committed, and prove that no kit command replaces an edited file without keeping a copy.
"""

import subprocess
import sys

import pytest

from grader import PROJECT_ROOT, manifest, release
from tests.conftest import git, kit_command


def committed(module: str) -> str | None:
    """exercises/<module> as git's HEAD holds it, or None where git does not have it."""
    run = git("show", f"HEAD:exercises/{module}")
    return run.stdout if run.returncode == 0 else None


def test_generator_matches_the_committed_stubs():
    """The stubs in git are exactly what `kit release` generates from reference/ (no drift)."""
    if git("rev-parse", "HEAD").returncode != 0:
        pytest.skip("not a git checkout: there is no committed exercises/ to compare with")
    stale = [m for m, text in release.planned().items() if committed(m) != text]
    assert stale == [], (
        "reference/ changed but the committed stubs did not (or were never committed): "
        "regenerate them with `tox -e kit -- release ID`, check with `tox -e kit -- dev check "
        f"ID`, and commit them with the reference: {stale}"
    )


def test_stub_differs_from_reference_only_in_solution_regions(pristine_stubs):
    for ex in manifest.load():
        stub = (pristine_stubs / ex.module).read_text()
        assert "NotImplementedError" in stub, ex.module
        assert "### BEGIN SOLUTION" not in stub, ex.module
        reference = (PROJECT_ROOT / "reference" / ex.module).read_text()
        outside = reference.split("### BEGIN SOLUTION")[0]
        assert stub.startswith(outside), ex.module


def test_release_keeps_edited_files_unless_told_and_then_backs_them_up(tmp_path):
    ex = manifest.load()[0]
    target = tmp_path / "exercises" / ex.module
    target.parent.mkdir(parents=True)
    target.write_text("# my work\n")
    done = release.release(tmp_path / "exercises", backup_dir=tmp_path / "backup")
    assert ex.module in done.refused and target.read_text() == "# my work\n"
    assert len(done.written) == len(manifest.load()) - 1
    done = release.release(tmp_path / "exercises", overwrite=True, backup_dir=tmp_path / "backup")
    assert done.written == [ex.module]
    assert done.backups[ex.module].read_text() == "# my work\n"
    assert target.read_text() != "# my work\n"


@pytest.fixture
def learners_copy(project_copy):
    """The kit's copy with one learner edit, not committed."""
    edited = project_copy / "exercises" / manifest.load()[0].module
    edited.write_text(edited.read_text() + "\n# the learner's own work\n")
    return project_copy, edited


def test_kit_tests_pass_on_a_learners_copy_and_leave_their_work(learners_copy):
    """`tox -e test` must not fail (or tell them to overwrite) because a learner edited a stub."""
    root, edited = learners_copy
    before = edited.read_text()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_stubs.py::test_generator_matches_the_committed_stubs",
            "tests/test_stubs.py::test_stub_differs_from_reference_only_in_solution_regions",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert edited.read_text() == before


def test_release_overwrite_keeps_a_copy_and_says_where(learners_copy):
    root, edited = learners_copy
    before = edited.read_text()
    run = kit_command(root, "release", manifest.load()[0].id, "--overwrite")
    assert run.returncode == 0, run.stderr
    backups = list((root / ".kit-backup").rglob(edited.name))
    assert len(backups) == 1 and backups[0].read_text() == before
    assert str(backups[0].relative_to(root)) in run.stdout
    # Without --overwrite an edited file is kept, and the message says how to replace it safely.
    edited.write_text(before)
    run = kit_command(root, "release")
    assert run.returncode == 1 and edited.read_text() == before
    assert "a copy is kept first" in run.stdout


def test_release_replaces_a_stub_nobody_edited_without_overwrite(project_copy):
    """A stub that is the committed reference's (or the one the kit last wrote) holds no work."""
    exercise = manifest.load()[0]
    reference = project_copy / "reference" / exercise.module
    reference.write_text(reference.read_text().replace("# TODO:", "# TODO: (new wording)", 1))
    run = kit_command(project_copy, "release", exercise.id)
    assert run.returncode == 0 and f"wrote exercises/{exercise.module}" in run.stdout, run.stdout
    assert "(new wording)" in (project_copy / "exercises" / exercise.module).read_text()
    assert not (project_copy / ".kit-backup").exists()
    # Once written, it is the stub the kit last wrote: the next change replaces it again.
    reference.write_text(reference.read_text().replace("(new wording)", "(newer wording)"))
    run = kit_command(project_copy, "release", exercise.id)
    assert (
        run.returncode == 0
        and "(newer wording)" in (project_copy / "exercises" / exercise.module).read_text()
    )
