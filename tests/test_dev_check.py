"""`kit dev check ID` proves one exercise, names the fix for each problem, and exits 1 on any.

It runs in a copy of the kit: the check reads exercises/ from the working tree (so that an
author's uncommitted stub is what it judges), and a learner's copy holds their work there.
"""

import re

from tests.conftest import kit_command


def lines_of(run) -> list[str]:
    return run.stdout.splitlines()


def test_a_real_exercise_passes_every_step(project_copy):
    run = kit_command(project_copy, "dev", "check", "conv_output_size")
    assert run.returncode == 0, run.stdout + run.stderr
    for phrase in (
        "ok      manifest:",
        "is what `kit release`",
        "the reference gets full marks",
        "the pristine stub is graded not started",
        "wrong beginner answers (100 %)",
        "ruff check:",
        "0 problem(s)",
    ):
        assert phrase in run.stdout, run.stdout
    # Every mutant of the exercise, however many its file holds.
    assert re.search(r"(\d+) of \1 mutants get their verdict", run.stdout), run.stdout


def test_an_unknown_exercise_is_one_line_and_exit_2(project_copy):
    run = kit_command(project_copy, "dev", "check", "no_such_exercise")
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "unknown exercise id 'no_such_exercise'" in run.stderr


BROKEN_CHECKS_HEAD = """from grader.toolkit.expect import Slip

SLIPS = (
    # Its code pattern asks for np.reshape, but the learner's line says x.reshape.
    Slip(error=ValueError, says="cannot reshape", code=r"np\\.reshape",
         explanation="Reshape with np.reshape.", topic="T2"),
)
"""

BROKEN_MUTANTS = """
MUTANTS += [
    wrong("reshaped", [("return 2 * x", "return x.reshape(5)")],
          check="doubling_matches_reference", message="Your code raised ValueError",
          status="error"),
    wrong("message that the check never gives", [("return 2 * x", "return 3 * x")],
          check="doubling_matches_reference", message="tripled"),
]
"""


def test_a_broken_exercise_names_each_problem_and_its_fix(project_copy):
    root = project_copy
    assert (
        kit_command(root, "new", "doubling", "--chapter", "ch1_theory", "--topic", "T2").returncode
        == 0
    )
    checks = root / "grader/checks/ch1_theory/doubling.py"
    text = checks.read_text()
    docstring_end = text.index('"""', 3) + 3
    checks.write_text(
        text[:docstring_end] + "\nimport os\n" + BROKEN_CHECKS_HEAD + text[docstring_end:]
    )
    mutants = root / "tests/mutants/ch1_theory/doubling.py"
    mutants.write_text(mutants.read_text() + BROKEN_MUTANTS)
    reference = root / "reference/ch1_theory/doubling.py"
    reference.write_text(reference.read_text().replace("    # TODO: Say what", "    # Say what"))

    run = kit_command(root, "dev", "check", "doubling")
    assert run.returncode == 1, run.stdout + run.stderr
    out = " ".join(run.stdout.split())  # findings are wrapped to the terminal's width
    assert "PROBLEM reference: 1 of the 1 solution regions" in out
    assert "PROBLEM stub: exercises/ch1_theory/doubling.py differs" in out
    assert "PROBLEM mutants: mutant 'message that the check never gives'" in out
    assert "PROBLEM ruff: ruff check: grader/checks/ch1_theory/doubling.py" in out
    assert "F401 [*] `os` imported but unused" in out
    assert "warning slips: mutant 'reshaped': Slip 1 of doubling (ValueError" in out
    assert "code pattern `np\\.reshape`" in out
    assert "did not match the raising line `return x.reshape(5)`" in out
    findings = re.split(r"\n(?=(?:ok     |warning|PROBLEM) )", run.stdout)
    for finding in findings:
        if finding.startswith(("PROBLEM", "warning")):
            assert "\n          fix: " in finding, finding
    lines = lines_of(run)
    assert "problem(s)" in lines[-1] and "ready to commit" not in lines[-1]


def test_a_diagnoser_that_speaks_on_a_right_value_is_a_problem(project_copy):
    """The generic diagnosers run on every right value of the exercise's answers too."""
    diagnose = project_copy / "grader/toolkit/diagnose.py"
    diagnose.write_text(
        diagnose.read_text()
        + "\n\ndef _always(*args):\n    return Diagnosis('It is always wrong.', 'Fix it.', 'always')"
        + "\n\n\nDIAGNOSERS = (_always, *DIAGNOSERS)\n"
    )
    run = kit_command(project_copy, "dev", "check", "conv_output_size")
    assert run.returncode == 1, run.stdout + run.stderr
    out = " ".join(run.stdout.split())
    assert (
        'PROBLEM diagnosis: the reference: the diagnoser always said "It is always wrong."' in out
    )


def test_a_wrong_mutant_whose_mistake_a_diagnoser_names_on_a_passing_check_is_no_problem(
    project_copy,
):
    """autograd's mutant "retain_grad without the call" leaves `y.retain_grad` uncalled; the
    checks that pass anyway would name that statement, which is true of that code. Only a
    diagnoser speaking on a correct answer is a problem."""
    run = kit_command(project_copy, "dev", "check", "autograd")
    assert "PROBLEM diagnosis" not in " ".join(run.stdout.split()), run.stdout
    assert "0 problem(s)" in run.stdout, run.stdout
