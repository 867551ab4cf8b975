"""`kit new` scaffolds an exercise that already satisfies the kit's rules, and never overwrites."""

import subprocess
import sys

from tests.conftest import kit_command


def test_new_exercise_passes_the_kits_own_rules(project_copy):
    root = project_copy
    run = kit_command(root, "new", "doubling", "--chapter", "ch1_theory", "--topic", "T2")
    assert run.returncode == 0, run.stderr
    for path in (
        "grader/manifest.toml",
        "reference/ch1_theory/doubling.py",
        "grader/checks/ch1_theory/doubling.py",
        "tests/mutants/ch1_theory/doubling.py",
        "exercises/ch1_theory/doubling.py",
    ):
        assert path in run.stdout, run.stdout
    assert "at least 2 levels" in run.stdout and "two wrong mutants" in run.stdout
    graded = kit_command(root, "grade", "doubling", "--exercises", "reference")
    assert graded.returncode == 0 and "passed" in graded.stdout, graded.stdout
    stub = kit_command(root, "grade", "doubling")
    assert stub.returncode == 0 and "not started" in stub.stdout, stub.stdout
    # The new exercise comes right after the chapter's last one, in learning order.
    listing = kit_command(root, "list").stdout
    assert listing.index("sgd") < listing.index("doubling") < listing.index("tensors")
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_mutants.py", "-k", "doubling or two_wrong"],
        cwd=root, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert "4 passed" in tests.stdout, tests.stdout[-500:]


def test_new_refuses_what_exists_or_is_malformed(project_copy):
    root = project_copy
    before = (root / "grader" / "manifest.toml").read_text()
    for args, phrase in (
        (["activations", "--chapter", "ch1_theory", "--topic", "T2"], "exists already"),
        (["Bad-Name", "--chapter", "ch1_theory", "--topic", "T2"], "lower-case Python names"),
        (["fresh_one", "--chapter", "ch1_theory"], "give the manual topic ids"),
    ):
        run = kit_command(root, "new", *args)
        assert run.returncode == 2 and phrase in run.stderr, run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
    assert (root / "grader" / "manifest.toml").read_text() == before
