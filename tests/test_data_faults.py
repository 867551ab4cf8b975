"""A fault of the data or the machine is never blamed on the learner: even the reference solution
gets a message that names the file, what is wrong with it, and how to fix it."""

import json
import os
import shutil

import pytest

from grader import data
from tests.conftest import kit_command

SHARED = data.data_dir()  # the real data the tests run with (KIT_DATA_DIR in CI)


def grade_reference(tmp_path, data_dir) -> dict:
    out = tmp_path / "report.json"
    run = kit_command(
        data.PROJECT_ROOT,
        "grade", "california_dataset", "cifar_transforms", "--exercises", "reference",
        "--json", str(out),
        env={"KIT_DATA_DIR": str(data_dir), "KIT_OFFLINE": "1"},
    )  # fmt: skip
    assert "Traceback" not in run.stdout + run.stderr
    return {e["id"]: e for e in json.loads(out.read_text())["exercises"]}


def errors(exercise: dict) -> list[str]:
    return [c["message"] for c in exercise["checks"] if c["status"] == "error"]


def damaged_copy(tmp_path, how: str):
    root = tmp_path / "data"
    (root / data.SKLEARN_HOME).mkdir(parents=True)
    for name in (data.CIFAR_SUBSET, f"{data.SKLEARN_HOME}/cal_housing_py3.pkz"):
        good = (SHARED / name).read_bytes()
        (root / name).write_bytes(good[: len(good) // 3] if how == "truncated" else b"garbage\n")
    return root


@pytest.mark.parametrize("how", ["truncated", "corrupt"])
def test_damaged_data_files_are_named_with_the_fix(tmp_path, how):
    if not (SHARED / data.CIFAR_SUBSET).exists():
        pytest.skip(f"needs the offline data in {SHARED}")
    root = damaged_copy(tmp_path, how)
    by_id = grade_reference(tmp_path, root)
    for exercise_id, file in (
        ("california_dataset", root / data.SKLEARN_HOME / "cal_housing_py3.pkz"),
        ("cifar_transforms", root / data.CIFAR_SUBSET),
    ):
        exercise = by_id[exercise_id]
        assert exercise["status"] == "error" and exercise["fault"] == "data", exercise
        messages = errors(exercise)
        assert messages and all(f"{file} is damaged" in m for m in messages), messages
        assert not any("your code" in m.lower() for m in messages), messages


def test_a_data_directory_that_is_a_file_is_named(tmp_path):
    not_a_folder = tmp_path / "datasets"
    not_a_folder.write_text("")
    by_id = grade_reference(tmp_path, not_a_folder)
    for exercise in by_id.values():
        assert exercise["fault"] == "data"
        assert all("is a file, not a folder" in m for m in errors(exercise))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder: permissions cannot fail")
def test_an_unreadable_data_directory_is_named(tmp_path):
    locked = tmp_path / "locked"
    shutil.copytree(SHARED, locked)
    locked.chmod(0)
    try:
        by_id = grade_reference(tmp_path, locked)
    finally:
        locked.chmod(0o755)
    for exercise in by_id.values():
        assert all("cannot be read (permission denied)" in m for m in errors(exercise))
