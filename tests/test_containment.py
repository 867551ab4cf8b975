"""Learner code that exits, crashes, hogs memory or never returns ends only its own exercise."""

import pytest

from tests.conftest import write_mutant
from tests.mutants import Mutant

RELU = ("return np.maximum(x, 0)",)


def poisoned(name: str, old: str, new: str) -> Mutant:
    return Mutant("activations", name, ((old, new),), status="error")


SUBMISSIONS = {
    "infinite loop": poisoned("loop", RELU[0], "while True:\n        pass"),
    "os._exit": poisoned("os_exit", RELU[0], "import os\n    os._exit(3)"),
    "sys.exit": poisoned("sys_exit", RELU[0], "import sys\n    sys.exit(1)"),
    "raise at import": poisoned(
        "import_error",
        "import numpy as np",
        "import numpy as np\n\nraise RuntimeError('boom at import')",
    ),
    "syntax error": poisoned("syntax", RELU[0], "return np.maximum(x, 0"),
    "segfault": poisoned("segfault", RELU[0], "import ctypes\n    ctypes.string_at(0)"),
    "MemoryError": poisoned("memory", RELU[0], "return np.ones(2**45)"),
}


@pytest.mark.parametrize(
    "kind, status, phrase",
    [
        ("infinite loop", "timeout", "did not finish within 3 s"),
        ("os._exit", "error", "exited early with code 3"),
        ("sys.exit", "error", "called sys.exit()"),
        ("raise at import", "error", "RuntimeError: boom at import"),
        ("syntax error", "error", "SyntaxError"),
        ("segfault", "error", "crashed with SIGSEGV"),
        ("MemoryError", "error", "MemoryError"),
    ],
)
def test_bad_submission_is_contained(kind, status, phrase, grade, tmp_path):
    root = write_mutant(SUBMISSIONS[kind], tmp_path)
    result = grade("activations", root, timeout_scale=0.1)  # activations allows 30 s: 3 s here
    assert result.status == status, result
    messages = "\n".join([*result.notes, *(c.message for c in result.checks)])
    assert phrase.lower() in messages.lower(), messages
    assert "exercises" not in messages or "activations.py" in messages
    # The learner is pointed at their own file, never at grader internals.
    assert "grader/" not in messages and "site-packages" not in messages, messages


def test_crash_points_at_learner_line(grade, tmp_path):
    result = grade("activations", write_mutant(SUBMISSIONS["segfault"], tmp_path))
    assert "activations.py:" in "\n".join(result.notes)
