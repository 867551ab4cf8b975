"""The stub's raise left in below the learner's code is told apart from a stub not started."""

from pathlib import Path

from grader import EXERCISES_DIR
from grader.plugin import _code_above_raise

STUB = EXERCISES_DIR / "ch5_gpu" / "device_training.py"
RAISE = '        raise NotImplementedError("not started: see the TODO above")'


def where(path: Path) -> dict:
    line = path.read_text(encoding="utf-8").splitlines().index(RAISE) + 1
    return {"path": str(path), "line": line}


def test_a_pristine_stub_has_no_code_above_its_raise(tmp_path):
    path = tmp_path / "ch5_gpu" / "device_training.py"
    path.parent.mkdir()
    path.write_text(STUB.read_text(encoding="utf-8"), encoding="utf-8")
    assert _code_above_raise(where(path)) is None


def test_the_learners_code_above_the_raise_is_found(tmp_path):
    """heldout device_training/raise_left_in was told 'Not started' with its TODO filled in."""
    path = tmp_path / "ch5_gpu" / "device_training.py"
    path.parent.mkdir()
    code = "        inputs, labels = inputs.to(device), labels.to(device)\n"
    path.write_text(
        STUB.read_text(encoding="utf-8").replace(RAISE, code + RAISE, 1), encoding="utf-8"
    )
    assert _code_above_raise(where(path)) == where(path)["line"] - 1


def test_a_deleted_todo_comment_is_not_code(tmp_path):
    """A learner who deleted the TODO comment left the stub's own code above the raise."""
    path = tmp_path / "ch5_gpu" / "device_training.py"
    path.parent.mkdir()
    lines = STUB.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index(RAISE + "\n")
    while lines[at - 1].strip().startswith("#"):
        del lines[at - 1]
        at -= 1
    path.write_text("".join(lines), encoding="utf-8")
    assert _code_above_raise(where(path)) is None
