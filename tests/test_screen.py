"""What `kit grade` leaves on a learner's screen: an 80x24 terminal, one message per cause, a rerun
command that repeats every option given. The terminal is real: a pseudo-terminal of 24 rows
and 80 columns, read back through pyte, a VT100 emulator, as the learner would see it."""

import os
import pty
import re
import select
import shlex
import subprocess
import sys
import termios
import time
from pathlib import Path

import pyte
import pytest

from grader import PROJECT_ROOT, REFERENCE_DIR
from tests.conftest import kit_command

ROWS, COLUMNS = 24, 80
TRAIN_EPOCH = "ch3_housing/train_epoch.py"
# The learner forgot zero_grad: the first check names it, and two later checks fail with it.
NO_ZERO_GRAD = ("        optimizer.zero_grad()\n", "")


def run_on_terminal(root: Path, *args: str, timeout: float = 600) -> tuple[int, list[str]]:
    """`python -m grader ARGS` on a 24x80 pseudo-terminal in `root`; its exit status and the
    screen's rows when it ended (the last row is where the shell's prompt comes next)."""
    leader, follower = pty.openpty()
    termios.tcsetwinsize(follower, (ROWS, COLUMNS))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TOX_ENV_NAME")}
    env.update(PYTHONPATH=str(root), TERM="xterm-256color")
    process = subprocess.Popen(
        [sys.executable, "-m", "grader", *args],
        cwd=root,
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
    )
    os.close(follower)
    screen = pyte.Screen(COLUMNS, ROWS)
    stream = pyte.ByteStream(screen)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the terminal closed: the process ended
                    break
                if not chunk:
                    break
                # A real terminal turns "\n" into "\r\n" (onlcr); pyte takes what it is sent.
                stream.feed(chunk.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
            elif process.poll() is not None:
                break
        status = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 9)
        os.close(leader)
    return status, [row.rstrip() for row in screen.display]


def learner_file(root: Path, module: str, *edits: tuple[str, str]) -> None:
    source = (REFERENCE_DIR / module).read_text()
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new)
    (root / "exercises" / module).write_text(source)


def test_a_failed_exercise_keeps_its_verdict_and_first_message_on_80x24(project_copy):
    """A train_epoch without zero_grad fails three checks; graded in the learner's own
    exercises/ (so the progress lines come too), the verdict and the whole first message are
    still on the 24 rows when grading ends."""
    learner_file(project_copy, TRAIN_EPOCH, NO_ZERO_GRAD)
    status, rows = run_on_terminal(project_copy, "grade", "train_epoch")
    screen = "\n".join(rows)
    assert status == 1, screen
    assert any(re.match(r"─+ train_epoch: failed [\d.]+/4 — ", row) for row in rows), screen
    first = screen.index("✗ two_steps_match_reference[cpu]  [failed]")
    for phrase in ("Expected the parameters after two batches", "Next step: The second step"):
        assert first < screen.index(phrase), screen
    assert "(manual P10)" in screen[first:], screen
    # The other two failures are one line each, after the first message.
    assert "✗ training_loss_falls[cpu] [failed]: Expected" in screen[first:], screen
    assert "Progress:" in screen and rows[-1] == "", screen


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        (("return np.maximum(x, 0)", "return np.maximum(x, 0"), "SyntaxError"),
        (("import numpy as np\n", "import numpy as np\nimport nunpy\n"), "No module named"),
    ],
    ids=["syntax", "import"],
)
def test_a_file_that_cannot_be_imported_is_told_once_for_the_exercise(tmp_path, edit, error):
    module = tmp_path / "ch1_theory" / "activations.py"
    module.parent.mkdir()
    source = (REFERENCE_DIR / "ch1_theory/activations.py").read_text()
    assert edit[0] in source
    module.write_text(source.replace(*edit))
    run = kit_command(PROJECT_ROOT, "grade", "activations", "--exercises", str(tmp_path))
    assert run.returncode == 1, run.stderr
    assert run.stdout.count(error) == 1, run.stdout
    assert run.stdout.count("Next step:") == 1, run.stdout
    assert "✗ all 3 checks  [error]" in run.stdout
    assert "activations: error 0/2" in run.stdout


def test_rerun_exactly_repeats_every_option_given(tmp_path):
    given = [
        "activations",
        "--seed", "7",
        "--exercises", "reference",
        "--device", "cpu",
        "--timeout-scale", "2.3456789",
        "--memory-limit", "4",
        "--strict",
        "--json", str(tmp_path / "my report.json"),
        "--learner", "ana",
    ]  # fmt: skip
    run = kit_command(PROJECT_ROOT, "grade", *given)
    assert run.returncode == 0, run.stdout + run.stderr
    rerun = printed_rerun(run.stdout)
    assert rerun[:4] == ["python", "-m", "grader", "grade"], rerun
    assert rerun[4:] == given
    # And it runs as printed (with this interpreter as `python`), printing itself again.
    again = subprocess.run(
        [sys.executable, *rerun[1:]],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "COLUMNS": "160"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 0 and printed_rerun(again.stdout) == rerun, again.stdout


def printed_rerun(stdout: str) -> list[str]:
    """The words of the header's "rerun exactly:" command, joined across the panel's lines."""
    panel = [line.strip("│ ") for line in stdout.splitlines() if line.startswith("│")]
    text = " ".join(panel)
    return shlex.split(text.split("rerun exactly: ", 1)[1])
