"""Learner code that exits, crashes, hogs memory, never returns or leaves processes behind ends
only its own exercise, never earns marks it did not, and never takes the report with it."""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from grader import PROJECT_ROOT
from grader.dev.mutants import Mutant, Replace
from tests.conftest import copy_reference

RELU = "return np.maximum(x, 0)"


def poisoned(name: str, old: str, new: str) -> Mutant:
    return Mutant(
        name, Replace(((old, new),)), "error", exercise="activations", chapter="ch1_theory"
    )


def in_relu(name: str, code: str) -> Mutant:
    """relu() runs `code` first (indented into the function body), then returns as it should."""
    body = "\n    ".join(code.splitlines())
    return poisoned(name, RELU, f"{body}\n    {RELU}")


SUBMISSIONS = {
    "infinite loop": poisoned("loop", RELU, "while True:\n        pass"),
    "os._exit(0)": poisoned("os_exit0", RELU, "import os\n    os._exit(0)"),
    "os._exit(1)": poisoned("os_exit1", RELU, "import os\n    os._exit(1)"),
    "os._exit(3)": poisoned("os_exit3", RELU, "import os\n    os._exit(3)"),
    "os._exit(5)": poisoned("os_exit5", RELU, "import os\n    os._exit(5)"),
    "os._exit(0) at import": poisoned(
        "os_exit_import", "import numpy as np", "import numpy as np\nimport os\n\nos._exit(0)"
    ),
    "native exit(0)": poisoned("native_exit", RELU, "import ctypes\n    ctypes.CDLL(None).exit(0)"),
    "sys.exit": poisoned("sys_exit", RELU, "import sys\n    sys.exit(1)"),
    "KeyboardInterrupt": poisoned("keyboard", RELU, "raise KeyboardInterrupt"),
    "pytest.exit": poisoned("pytest_exit", RELU, "import pytest\n    pytest.exit('done', 0)"),
    "raise at import": poisoned(
        "import_error",
        "import numpy as np",
        "import numpy as np\n\nraise RuntimeError('boom at import')",
    ),
    "syntax error": poisoned("syntax", RELU, "return np.maximum(x, 0"),
    "segfault": poisoned("segfault", RELU, "import ctypes\n    ctypes.string_at(0)"),
    "MemoryError": poisoned("memory", RELU, "return np.ones(2**45)"),
    "swaps a comparison": poisoned(
        "tamper",
        "import numpy as np",
        "import numpy as np\n\nnp.allclose = lambda *args, **kwargs: True",
    ),
    "swaps the kit's assertion": poisoned(
        "tamper_kit",
        "import numpy as np",
        "import numpy as np\nimport grader.toolkit.expect\n\n"
        "grader.toolkit.expect.expect_close.__code__ = (lambda *a, **k: None).__code__",
    ),
}


@pytest.mark.parametrize(
    "kind, status, phrase",
    [
        ("infinite loop", "timeout", "did not finish within 3 s"),
        ("os._exit(0)", "error", "ended with exit code 0 during check relu_matches_reference"),
        ("os._exit(1)", "error", "ended with exit code 1"),
        ("os._exit(3)", "error", "ended with exit code 3"),
        ("os._exit(5)", "error", "ended with exit code 5"),
        ("os._exit(0) at import", "error", "ended with exit code 0"),
        ("native exit(0)", "error", "ended with exit code 0"),
        ("sys.exit", "error", "called sys.exit()"),
        ("KeyboardInterrupt", "error", "your code raised KeyboardInterrupt"),
        ("pytest.exit", "error", "ended the grader's pytest session with pytest.exit()"),
        ("raise at import", "error", "RuntimeError: boom at import"),
        ("syntax error", "error", "SyntaxError"),
        ("segfault", "error", "crashed with SIGSEGV"),
        ("MemoryError", "error", "MemoryError"),
        ("swaps a comparison", "error", "tampered"),
        ("swaps the kit's assertion", "error", "tampered"),
    ],
)
def test_bad_submission_is_contained(kind, status, phrase, grade, tmp_path):
    root = SUBMISSIONS[kind].write(tmp_path)
    result = grade("activations", root, timeout_scale=0.1)  # activations allows 30 s: 3 s here
    assert result.status == status, result
    if kind not in ("sys.exit", "MemoryError"):  # those end only relu's check; softmax is fine
        assert result.score == 0, result  # no exit code, crash or swap ever earns a mark
    messages = "\n".join([*result.notes, *(c.message for c in result.checks)])
    assert phrase.lower() in messages.lower(), messages
    assert "exercises" not in messages or "activations.py" in messages
    # The learner is pointed at their own file, never at grader internals.
    assert "grader/" not in messages and "site-packages" not in messages, messages


@pytest.mark.parametrize("kind", ["os._exit(0)", "os._exit(5)", "KeyboardInterrupt"])
def test_an_early_end_names_the_checks_that_did_not_run(kind, grade, tmp_path):
    result = grade("activations", SUBMISSIONS[kind].write(tmp_path))
    assert (
        "Not run: softmax_matches_reference, softmax_is_stable_for_large_logits"
        in (result.notes[0])
    )


def test_crash_points_at_learner_line(grade, tmp_path):
    result = grade("activations", SUBMISSIONS["segfault"].write(tmp_path))
    assert "activations.py:" in "\n".join(result.notes)


def test_a_missing_checks_file_is_the_kits_fault(grade, tmp_path, monkeypatch):
    from grader import manifest

    exercise = manifest.find("activations")
    monkeypatch.setattr(type(exercise), "checks", property(lambda self: tmp_path / "gone.py"))
    result = grade("activations")
    assert result.status == "error" and result.fault == "kit"
    assert "checks for this exercise" in result.notes[0] and "not of your code" in result.notes[0]


# --- processes the learner's code starts ------------------------------------------------


def marker() -> str:
    return f"kit-orphan-{uuid.uuid4().hex[:12]}"


def spawner(tag: str) -> str:
    """Code that starts three sleepers tagged `tag`: a child, a daemon in its own session, and a
    grandchild whose parent exits at once (so it is re-parented to init)."""
    sleep = "import time; time.sleep(600)"
    return (
        "import subprocess, sys\n"
        f"sleeper = [sys.executable, '-c', {sleep!r}, {tag!r}]\n"
        "subprocess.Popen(sleeper)\n"
        "subprocess.Popen(sleeper, start_new_session=True)\n"
        "orphan = 'import subprocess, sys; subprocess.Popen(sys.argv[1:])'\n"
        "subprocess.Popen([sys.executable, '-c', orphan, *sleeper]).wait()"
    )


def survivors(tag: str) -> list[str]:
    """Command lines of live processes that carry `tag` (read from /proc: ps cuts long lines)."""
    time.sleep(0.3)
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (entry / "stat").read_text().rsplit(") ", 1)[1][0]
            except (OSError, IndexError):
                continue
            if tag in args and state != "Z":
                found.append(args)
    return found


@pytest.mark.parametrize("ending", ["normal", "timeout"])
def test_processes_started_by_learner_code_end_with_the_exercise(ending, grade, tmp_path):
    tag = marker()
    code = spawner(tag) + ("\nwhile True:\n    pass" if ending == "timeout" else "")
    result = grade("activations", in_relu("spawner", code).write(tmp_path), timeout_scale=0.1)
    assert result.status == ("passed" if ending == "normal" else "timeout"), result
    assert survivors(tag) == []
    # Three per call of relu, which the checks may call more than once.
    counts = [int(m) for note in result.notes for m in re.findall(r"left (\d+) process", note)]
    assert counts and counts[0] % 3 == 0, result.notes


def test_temporary_files_go_with_the_exercise(grade, tmp_path):
    """Files learner code (or a framework, as TensorFlow's autograph does) leaves in the
    temporary folder are removed with the exercise, never left in /tmp."""
    record = tmp_path / "where.txt"
    code = (
        "import tempfile\n"
        "with tempfile.NamedTemporaryFile('w', suffix='.kit-left', delete=False) as f:\n"
        "    f.write('x')\n"
        f"open({str(record)!r}, 'a').write(f.name + '\\n')"
    )
    result = grade("activations", in_relu("leaves a file", code).write(tmp_path))
    assert result.status == "passed", result
    left = record.read_text().split()
    assert left and all(not Path(name).exists() for name in left), left
    assert not list(Path(tempfile.gettempdir()).glob("*.kit-left"))


def kit_in_background(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "grader", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "COLUMNS": "120", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job has
    )


def test_ctrl_c_stops_cleanly_with_a_partial_report(tmp_path):
    tag = marker()
    root = in_relu("spawner_loop", spawner(tag) + "\nwhile True:\n    pass").write(tmp_path)
    copy_reference(root, ["conv_output_size"])
    out = tmp_path / "partial.json"
    kit = kit_in_background(
        "grade", "conv_output_size", "activations", "--exercises", str(root), "--json", str(out)
    )
    deadline = time.monotonic() + 120
    while not survivors(tag) and time.monotonic() < deadline:  # activations is running now
        time.sleep(0.2)
    assert survivors(tag), "the learner code never started"
    # A terminal's Ctrl-C reaches the whole foreground group; under tox it arrives twice.
    os.killpg(kit.pid, signal.SIGINT)
    time.sleep(0.05)
    os.killpg(kit.pid, signal.SIGINT)
    stdout, stderr = kit.communicate(timeout=60)
    assert kit.returncode == 130, (kit.returncode, stdout[-300:], stderr[-2000:])
    assert "Traceback" not in stdout + stderr, stdout + stderr
    assert "not graded" in stdout and "Stopped (Ctrl-C)" in stdout
    report = json.loads(out.read_text())
    assert report["interrupted"] is True
    statuses = {e["id"]: (e["status"], e["attempted"]) for e in report["exercises"]}
    assert statuses == {"conv_output_size": ("passed", True), "activations": ("not_graded", True)}
    assert survivors(tag) == []


def test_a_dead_fork_server_is_restarted_and_the_report_still_written(tmp_path):
    """Learner code (or the OOM killer) kills the fork server: that exercise is the kit's
    fault, the next ones are graded by a new server, and the report is complete."""
    killer = in_relu(
        "kill_server",
        "import os, signal, time\nos.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(2)",
    )
    root = killer.write(tmp_path)
    copy_reference(root, ["conv_output_size", "sgd"])
    out = tmp_path / "report.json"
    run = subprocess.run(
        [sys.executable, "-m", "grader", "grade", "activations", "conv_output_size", "sgd",
         "--exercises", str(root), "--json", str(out)],
        cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert "Traceback" not in run.stdout + run.stderr and "EOFError" not in run.stderr
    by_id = {e["id"]: e for e in json.loads(out.read_text())["exercises"]}
    assert (by_id["activations"]["status"], by_id["activations"]["fault"]) == ("error", "kit")
    assert "fork server stopped" in by_id["activations"]["notes"][0]
    assert by_id["conv_output_size"]["status"] == by_id["sgd"]["status"] == "passed"
