"""Every mutant gets its expected verdict: wrong variants fail with a targeted message, correct ones pass."""

import pytest

from grader import manifest
from grader.dev import mutants

MUTANTS = mutants.all_mutants()


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_mutant_verdict(mutant, grade, tmp_path):
    result = grade(mutant.exercise, mutant.write(tmp_path))
    outcome, why = mutants.verdict(mutant, result, cuda_available())
    if outcome == "skip":
        pytest.skip(why)
    assert outcome == "ok", why


def test_every_exercise_has_two_wrong_mutants():
    counts = {ex.id: 0 for ex in manifest.load()}
    for mutant in MUTANTS:
        if mutant.wrong:
            counts[mutant.exercise] += 1
    assert {ex: n for ex, n in counts.items() if n < 2} == {}


def test_each_mutants_file_is_named_after_an_exercise_of_its_chapter():
    chapters = {ex.id: ex.chapter for ex in manifest.load()}
    files = sorted(mutants.MUTANTS_DIR.glob("*/*.py"))
    assert files
    assert [
        f"{p.parent.name}/{p.stem}" for p in files if chapters.get(p.stem) != p.parent.name
    ] == []


def test_diffs_and_whole_files_apply(tmp_path):
    """The two other forms of a change, beside text replacements, give the module they say."""
    reference = (mutants.REFERENCE_DIR / "ch1_theory/activations.py").read_text()
    patch = (
        "--- a/activations.py\n+++ b/activations.py\n@@ -1,3 +1,3 @@\n"
        + "".join(f" {line}\n" for line in reference.splitlines()[:1])
        + "".join(f"-{line}\n" for line in reference.splitlines()[1:2])
        + "+# changed\n"
        + "".join(f" {line}\n" for line in reference.splitlines()[2:3])
    )
    diffed = mutants.Mutant(
        "diff", mutants.Diff(patch), "failed", exercise="activations", chapter="ch1_theory"
    )
    lines = diffed.source().splitlines()
    assert lines[1] == "# changed" and lines[2:] == reference.splitlines()[2:]
    whole = mutants.Mutant(
        "whole", mutants.Whole("x = 1\n"), "error", exercise="activations", chapter="ch1_theory"
    )
    assert (whole.write(tmp_path) / "ch1_theory/activations.py").read_text() == "x = 1\n"
    stale = mutants.Mutant(
        "stale",
        mutants.Diff("@@ -1 +1 @@\n-no such line\n+x\n"),
        "error",
        exercise="activations",
        chapter="ch1_theory",
    )
    with pytest.raises(mutants.MutantError, match="not in the reference"):
        stale.source()
