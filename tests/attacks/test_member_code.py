"""What each attacker of members.py achieved, in both isolation modes (see conftest.py).

Under bubblewrap every attack is contained. Unsandboxed, what runs with the supervisor's
rights cannot be contained, so there the tests check the flag on every verdict, plus the
protections that do not depend on the sandbox (the verdict channel, scores, output, daemons).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from grader import manifest
from tests.attacks.conftest import ATTACKED, SECRETS, Attacked, members_for, only_in, ran

POINTS = manifest.find(ATTACKED).points


# --- every mode -------------------------------------------------------------------------------


def test_the_run_records_every_member_and_the_victim_keeps_full_marks(attacked: Attacked):
    learners = {r.learner for r in attacked.rows()}
    assert learners == {"victim", *members_for(attacked.mode)}, attacked.stdout[-3000:]
    victim = attacked.row("victim")
    assert (victim.status, victim.score) == ("passed", POINTS), victim


def test_no_score_exceeds_the_exercise_points(attacked: Attacked):
    for row in attacked.rows():
        assert 0 <= row.score <= row.max_score == manifest.find(row.exercise).points, row


def test_unsandboxed_verdicts_are_flagged_and_sandboxed_ones_are_not(attacked: Attacked):
    for row in attacked.rows():
        assert ("unsandboxed" in row.flags) == (attacked.mode == "unsandboxed"), row
    if attacked.mode == "unsandboxed":
        assert "UNSANDBOXED" in attacked.stdout
        progress = attacked.course.kit("progress").stdout
        assert "unsandboxed" in progress.lower(), progress


@pytest.mark.parametrize(
    "name", ["forger", "killer", "massacre", "stopper", "imposter", "twin_a", "twin_b"]
)
def test_a_grader_ended_or_stopped_by_member_code_scores_nothing_and_is_flagged(
    attacked: Attacked, name: str
):
    ran(name, attacked)
    row = attacked.row(name)
    assert (row.status, row.score) == ("error", 0), row
    assert any("ended abnormally" in f or "did not finish" in f for f in row.flags), row
    # The member's other exercises (pristine stubs) still get their verdict.
    assert attacked.row(name, "activations").status == "not_started"


def test_a_flagged_verdict_is_never_reused_for_another_member(attacked: Attacked):
    a, b = attacked.row("twin_a"), attacked.row("twin_b")
    assert not a.reused and not b.reused, (a, b)


def test_records_naming_checks_never_collected_score_nothing(attacked: Attacked):
    row = attacked.row("appender")
    assert (row.status, row.score) == ("error", 0), row
    assert any("bonus_points" in f or "ended abnormally" in f for f in row.flags), row


def test_patching_the_comparisons_numpy_and_torch_really_call_is_tampering(attacked: Attacked):
    row = attacked.row("patcher")
    assert (row.status, row.score, row.fault) == ("error", 0, "tampered"), row
    assert "numeric.isclose" in row.messages or "numeric.allclose" in row.messages, row


@pytest.mark.parametrize("name", ["peeker", "borrower"])
def test_answers_taken_from_the_reference_score_nothing_and_are_flagged(
    attacked: Attacked, name: str
):
    row = attacked.row(name)
    assert (row.score, row.fault) == (0, "tampered"), row
    assert any("reference" in f for f in row.flags), row


def test_a_message_of_megabytes_is_cut_and_output_stays_bounded(attacked: Attacked):
    row = attacked.row("shouter")
    assert row.status == "error" and "REPORT<<AAAA" in row.messages
    assert len(row.messages) < 20_000, len(row.messages)
    assert len(attacked.stdout) < 200_000, len(attacked.stdout)


def test_hundreds_of_megabytes_of_output_leave_the_verdict_alone(attacked: Attacked):
    row = attacked.row("talker")
    assert (row.status, row.score) == ("passed", POINTS), row


def test_memory_over_the_limit_across_processes_ends_the_exercise(attacked: Attacked):
    row = attacked.row("hog")
    assert (row.status, row.score) == ("error", 0), row
    assert "memory" in row.messages.lower(), row


def test_no_daemon_outlives_autograde(attacked: Attacked):
    alive = [
        pid for pid in os.listdir("/proc") if pid.isdigit() and _name(pid) == attacked.daemon_name
    ]
    assert not alive, f"{len(alive)} daemon process(es) still running"
    assert attacked.row("daemon").status == "passed"


def test_a_file_as_large_as_member_code_can_write_stays_small(attacked: Attacked):
    row = attacked.row("filler")
    # Under bubblewrap the scratch space is a bounded tmpfs; unsandboxed, the file-size limit
    # bounds each file. Either way nothing of gigabytes was written.
    written = eval(row.messages.split("REPORT<<", 1)[1].split(">>", 1)[0])
    assert max(written.values()) <= 1024, written  # MiB
    if attacked.mode == "bwrap":  # unsandboxed, what it wrote stays where it wrote it
        assert not [p for p in attacked.planted() if p.name.endswith(".fill")]


# --- bubblewrap: contained --------------------------------------------------------------------


def test_member_code_runs_unprivileged_even_for_a_root_supervisor(attacked: Attacked):
    only_in("bwrap", attacked)
    report = attacked.row("remounter").messages.split("REPORT<<", 1)[1].split(">>", 1)[0]
    fields = dict(part.split("=", 1) for part in report.split()[:2])
    assert fields["uid"] != "0" and fields["euid"] != "0", report
    caps = {k: v for k, v in (p.split(":", 1) for p in report.split()[2:])}
    assert caps["CapEff"] == caps["CapPrm"] == caps["CapBnd"] == "0000000000000000", report
    assert caps["NoNewPrivs"] == "1", report


def test_nothing_is_planted_outside_the_sandbox(attacked: Attacked):
    only_in("bwrap", attacked)
    assert attacked.planted() == []


def test_the_gradebook_keeps_the_scores_the_kit_wrote(attacked: Attacked):
    only_in("bwrap", attacked)
    for row in attacked.rows():
        if row.learner != "victim" and row.exercise != ATTACKED:
            assert (row.status, row.score) == ("not_started", 0), row


def test_no_call_home_reaches_the_network(attacked: Attacked):
    only_in("bwrap", attacked)
    assert attacked.calls == []


def test_nothing_secret_reaches_the_gradebook(attacked: Attacked):
    only_in("bwrap", attacked)
    text = attacked.gradebook_text() + attacked.stdout
    for what, secret in SECRETS.items():
        assert secret not in text, f"the {what} secret reached the gradebook or the output"
    shadow = Path("/etc/shadow")
    if os.access(shadow, os.R_OK):
        for line in shadow.read_text().splitlines():
            if ":" in line and len(line.split(":")[1]) > 2:  # an account with a password hash
                assert line.split(":")[1] not in text
    assert "SQLite format 3" not in text
    reader = attacked.row("reader").messages
    assert "submitted" not in reader.split("REPORT<<", 1)[1][:200]


def test_two_thousand_processes_are_not_allowed(attacked: Attacked):
    ran("forker", attacked)
    row = attacked.row("forker")
    if "REPORT<<" in row.messages:  # it saw the limit
        report = row.messages.split("REPORT<<", 1)[1].split(">>", 1)[0]
        assert int(report.split()[1]) < 2000, report
    else:  # forking a process of the size of torch's is slow: the time limit ended it first
        assert row.status == "timeout", row
    assert attacked.row("victim").status == "passed"


# --- helpers ------------------------------------------------------------------------------------


def _name(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def test_the_daemon_test_can_fail(tmp_path):
    """Negative control: the process-name scan does find a process it is looking for."""
    import time

    proc = subprocess.Popen(["sleep", "30"])
    try:
        deadline = time.monotonic() + 5
        while _name(str(proc.pid)) != "sleep" and time.monotonic() < deadline:
            time.sleep(0.05)  # until the child has executed sleep
        assert _name(str(proc.pid)) == "sleep"
    finally:
        proc.kill()
        proc.wait()
