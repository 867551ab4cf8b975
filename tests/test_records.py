"""The records between an exercise's process and the kit: typed both ways, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import grading, manifest, records, sandbox

EXAMPLES = [
    records.Collected(["shape", "values"]),
    records.CollectError("ImportError: no module"),
    records.CollectSkipped("TensorFlow is not installed"),
    records.Started("shape"),
    records.CheckDone(
        "shape",
        "failed",
        "Expected (4, 3)",
        "The shape.",
        "cpu",
        {"path": "a.py", "line": 3, "code": "x.T"},
        "learner",
        None,
        "call",
    ),
    records.Interrupted("KeyboardInterrupt", "a.py:3"),
    records.Finished(0),
    records.DataUsed("California housing: /data"),
    records.PlotSaved("plots/fit.png"),
    records.Terminal("begin"),
    records.Progress(epoch=2, epochs=5, loss=1.5, who="reference"),
    records.SlipUnconfirmed("shape", 1, "TypeError", "not callable", None, "x = f"),
    records.DiagnosisAudit("fired_on_pass", "factor", "model(x)", "100 times the expected"),
    records.Environment({"torch": "2.14.1", "cuda": False}),
]


def test_every_kind_of_record_has_an_example():
    assert {type(r) for r in EXAMPLES} == set(records.EVENTS.values())


@pytest.mark.parametrize("record", EXAMPLES, ids=lambda r: type(r).__name__)
def test_a_record_comes_back_as_it_was_sent(record):
    assert records.parse(records.encode(record)) == record


def as_bytes(fields) -> bytes:
    return json.dumps(fields).encode()


@pytest.mark.parametrize(
    "data, why",
    [
        (b"not json", "not JSON"),
        (as_bytes(["check"]), "not a JSON object"),
        (as_bytes({"event": "result", "score": 99}), "an unknown event"),
        (as_bytes({"check": "shape"}), "an unknown event"),
        (as_bytes({"event": "check", "check": "shape", "status": "passed"}), "fields missing"),
        (as_bytes({"event": "finished", "exitstatus": 0, "score": 10}), "unknown fields"),
        (as_bytes({"event": "finished", "exitstatus": True}), "wrong type"),
        (as_bytes({"event": "collected", "checks": ["a", 1]}), "wrong type"),
        (as_bytes({"event": "progress", "loss": "0.1"}), "wrong type"),
    ],
)
def test_anything_else_is_malformed_and_says_why(data, why):
    parsed = records.parse(data)
    assert isinstance(parsed, records.Malformed)
    assert why in parsed.why


def folded(*received) -> grading.ExerciseResult:
    raw = sandbox.RawResult(records=list(received), exitcode=0)
    return grading.fold(manifest.find("activations"), raw, grading.Options(Path("."), 0))


def passed(name: str) -> records.CheckDone:
    return records.CheckDone(name, "passed", "", "")


def test_a_clean_session_scores_every_check():
    result = folded(
        records.Collected(["a", "b"]), records.Started("a"), passed("a"),
        records.Started("b"), passed("b"), records.Finished(0),
    )  # fmt: skip
    assert (result.status, result.score, result.flags) == ("passed", result.max_score, [])


@pytest.mark.parametrize(
    "extra",
    [
        records.Malformed("an unknown event"),
        passed("forged"),
        records.Collected(["a"]),
    ],
    ids=["malformed", "uncollected check", "second list"],
)
def test_anything_the_kit_never_asked_for_scores_nothing_and_is_flagged(extra):
    result = folded(
        records.Collected(["a"]), records.Started("a"), passed("a"), extra, records.Finished(0)
    )
    assert result.score == 0 and result.status == "error"
    assert result.flags and "never collected" in result.flags[0]


def test_a_session_that_did_not_finish_names_the_checks_not_run():
    result = folded(records.Collected(["a", "b", "c"]), records.Started("a"), passed("a"),
                    records.Started("b"))  # fmt: skip
    assert result.score == 0 and result.flags
    by_name = {c.name: c for c in result.checks}
    assert by_name["b"].status == "error" and "Not run: c" in by_name["b"].message
    assert by_name["c"].message.startswith("Not run")
