"""Each generic diagnoser stays silent on every correct-but-different answer of the catalogue.

tests/diagnose_audit.py grades the mutants that must pass and the beginner answers that pass
with the diagnosers instrumented: every expect_close runs them on the learner's right value
too, and every passing check looks for a method named without its call. Not one may speak.
(Each diagnoser's own tests, on values with and without its relation: tests/test_diagnose.py.)
"""

import json
import subprocess
import sys
from collections import Counter

import pytest

from grader import PROJECT_ROOT
from tests.conftest import selected_exercises
from tests.diagnose_audit import variants

EXERCISES = sorted({exercise for exercise, _, _ in variants([], wrong=False)})


@pytest.fixture(scope="session")
def audited(request, tmp_path_factory) -> dict[str, list[dict]]:
    """The audit of the selected exercises (all by default), run once, by exercise."""
    out = tmp_path_factory.mktemp("audit") / "audit.json"
    run = subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "tests/diagnose_audit.py"),
            *selected_exercises(request.config),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    by_exercise: dict[str, list[dict]] = {}
    for result in json.loads(out.read_text()):
        by_exercise.setdefault(result["exercise"], []).append(result)
    return by_exercise


@pytest.mark.parametrize("exercise", EXERCISES)
def test_no_diagnoser_speaks_on_a_correct_answer(audited, exercise):
    results = audited[exercise]
    assert [r["variant"] for r in results if r["status"] != "passed"] == []
    spoke = [
        (r["variant"], record)
        for r in results
        for record in r["records"]
        if record["outcome"] != "silent"
    ]
    assert spoke == []


def test_the_diagnosers_ran(audited):
    """The instrumentation is live: right values were seen (so silence is not a dead hook)."""
    outcomes = Counter(
        record["outcome"]
        for results in audited.values()
        for r in results
        for record in r["records"]
    )
    assert outcomes["silent"] > 0
