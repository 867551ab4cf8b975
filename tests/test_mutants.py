"""Every mutant gets its expected verdict: wrong variants fail with a targeted message, correct ones pass."""

import pytest

from tests.conftest import write_mutant
from tests.mutants import all_mutants

MUTANTS = all_mutants()


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_mutant_verdict(mutant, grade, tmp_path):
    result = grade(mutant.exercise, write_mutant(mutant, tmp_path))
    summary = {c.name: (c.status, c.message) for c in result.checks}
    if mutant.needs_cuda and result.status == "skipped":
        pytest.skip("this mutant needs CUDA")
    assert result.status == mutant.status, summary
    if mutant.check:
        matching = {n: v for n, v in summary.items() if n == mutant.check or n.startswith(mutant.check + "[")}
        assert matching, f"no check named {mutant.check}: {list(summary)}"
        hits = [n for n, (status, message) in matching.items()
                if status == mutant.check_status and mutant.message.lower() in message.lower()]
        assert hits, summary


def test_every_exercise_has_two_wrong_mutants():
    from grader import manifest

    counts = {ex.id: 0 for ex in manifest.load()}
    for mutant in MUTANTS:
        if mutant.status != "passed":
            counts[mutant.exercise] += 1
    assert {ex: n for ex, n in counts.items() if n < 2} == {}
