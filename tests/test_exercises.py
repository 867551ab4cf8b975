"""rustlings' dev check, for every exercise: the reference gets full marks and the pristine
stub is graded "not started", without loading any data set.

One test per exercise, so that `tox -e test -- --exercise ID` proves one exercise (with its
mutants, tests/test_mutants.py). Each reads its exercise's entry in the report of one
`kit grade` run (see tests/conftest.py), so no file is graded twice.
"""

import pytest

from grader import manifest

EXERCISES = [ex.id for ex in manifest.load()]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_gets_full_marks(exercise, reference_report):
    entry = reference_report.entry(exercise)
    failing = {
        c["name"]: (c["status"], c["message"])
        for c in entry["checks"]
        if c["status"] not in ("passed", "skipped")
    }
    assert (entry["status"], failing) == ("passed", {})
    assert entry["score"] == entry["max_score"] == manifest.find(exercise).points
    assert entry["attempted"] and len(entry["sha256"]) == 64


@pytest.mark.parametrize("exercise", EXERCISES)
def test_pristine_stub_is_not_started(exercise, stub_report):
    entry = stub_report.entry(exercise)
    assert entry["status"] == "not_started", {c["name"]: c["message"] for c in entry["checks"]}
    assert not entry["attempted"]
    assert entry["data"] == [], "a stub that is not started must never load a data set"
