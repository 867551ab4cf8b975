"""`kit watch` regrades on every save and survives whatever the learner's file does."""

import os
import select
import shutil
import signal
import subprocess
import sys
import time

from grader import PROJECT_ROOT, manifest

EXERCISE = manifest.find("activations")
RELU = "return np.maximum(x, 0)"


def next_verdict(watcher: subprocess.Popen, within: float = 60) -> str:
    """The next verdict line ("activations: passed 2/2 (graded ...)")."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        ready, _, _ = select.select([watcher.stdout], [], [], 0.5)
        if ready:
            line = watcher.stdout.readline()
            assert line, "kit watch ended"
            if line.startswith(f"{EXERCISE.id}: ") and "(graded " in line:
                return line
    raise AssertionError("no verdict in time")


def test_watch_regrades_each_save_and_keeps_watching(tmp_path):
    target = tmp_path / EXERCISE.module
    target.parent.mkdir(parents=True)
    reference = (PROJECT_ROOT / "reference" / EXERCISE.module).read_text()
    shutil.copy(PROJECT_ROOT / "reference" / EXERCISE.module, target)
    watcher = subprocess.Popen(
        [sys.executable, "-m", "grader", "watch", EXERCISE.id, "--exercises", str(tmp_path)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert "passed" in next_verdict(watcher)
        saves = [
            (reference.replace(RELU, "return np.minimum(x, 0)"), "failed"),
            (reference.replace(RELU, "return np.maximum(x, 0"), "error"),  # syntax error
            (reference.replace(RELU, "import os\n    os._exit(0)"), "error"),  # crash
            (reference, "passed"),
        ]
        for source, status in saves:
            time.sleep(0.3)
            target.write_text(source)
            assert f": {status.replace('_', ' ')} " in next_verdict(watcher)
        # An endless loop is still running when the fix is saved: the fix is graded at once.
        target.write_text(reference.replace(RELU, "while True:\n        pass"))
        time.sleep(2)
        target.write_text(reference + "\n# fixed\n")
        assert "passed" in next_verdict(watcher, within=20)
    finally:
        os.killpg(watcher.pid, signal.SIGINT)
        rest = watcher.communicate(timeout=30)[0]
    assert watcher.returncode == 0 and "Stopped watching." in rest
    assert "Traceback" not in rest
