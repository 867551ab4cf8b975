"""Every mutant gets its expected verdict: wrong variants fail with a targeted message, correct ones pass."""

import pytest

from tests.conftest import write_mutant
from tests.mutants import all_mutants

MUTANTS = all_mutants()


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_mutant_verdict(mutant, grade, tmp_path):
    result = grade(mutant.exercise, write_mutant(mutant, tmp_path))
    summary = {c.name: (c.status, c.message) for c in result.checks}
    matching = {
        n: v
        for n, v in summary.items()
        if mutant.check and (n == mutant.check or n.startswith(mutant.check + "["))
    }
    if mutant.needs_cuda and not cuda_available():
        # Without a GPU the check that would catch this mutant must say so, never pass.
        assert matching and all(
            v == ("skipped", "CUDA not available") for v in matching.values()
        ), summary
        pytest.skip("this mutant needs CUDA to be caught")
    assert result.status == mutant.status, summary
    if mutant.check:
        assert matching, f"no check named {mutant.check}: {list(summary)}"
        hits = [
            n
            for n, (status, message) in matching.items()
            if status == mutant.check_status and mutant.message.lower() in message.lower()
        ]
        assert hits, summary


def test_every_exercise_has_two_wrong_mutants():
    from grader import manifest

    counts = {ex.id: 0 for ex in manifest.load()}
    for mutant in MUTANTS:
        if mutant.status != "passed":
            counts[mutant.exercise] += 1
    assert {ex: n for ex, n in counts.items() if n < 2} == {}
