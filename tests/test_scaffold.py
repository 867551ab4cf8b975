"""`kit new` scaffolds an exercise that already satisfies the kit's rules, and never overwrites."""

from tests.conftest import kit_command


def test_new_then_dev_check_passes_and_a_changed_reference_needs_no_overwrite(project_copy):
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
    assert "dev check doubling" in run.stdout
    # The new exercise comes right after the chapter's last one, in learning order.
    listing = kit_command(root, "list").stdout
    assert listing.index("sgd") < listing.index("doubling") < listing.index("tensors")

    check = kit_command(root, "dev", "check", "doubling")
    assert check.returncode == 0, check.stdout + check.stderr
    # What `kit new` left for the author to write is said, without failing the check.
    out = " ".join(check.stdout.split())
    assert "warning manifest: 4 hint(s) of doubling still hold the text `kit new` wrote" in out
    assert "0 beginner answer(s) for doubling" in out
    assert "3 of 3 mutants get their verdict" in out
    assert "the reference gets full marks" in out and "graded not started" in out

    # The author rewrites a TODO: the stub is stale, and the printed fix needs no --overwrite.
    reference = root / "reference/ch1_theory/doubling.py"
    reference.write_text(reference.read_text().replace("# TODO: Say what", "# TODO: Tell what"))
    check = kit_command(root, "dev", "check", "doubling")
    assert check.returncode == 1
    lines = check.stdout.splitlines()
    at = lines.index(
        "PROBLEM stub: exercises/ch1_theory/doubling.py differs from what `kit release` writes"
    )
    assert lines[at + 1].startswith("          fix: regenerate it: "), lines[at + 1]
    assert "--overwrite" not in lines[at + 1]
    words = lines[at + 1].split("regenerate it: ")[1].split()  # the command as printed
    release = kit_command(root, *words[words.index("release") :])
    assert release.returncode == 0 and "wrote exercises/ch1_theory/doubling.py" in release.stdout
    assert kit_command(root, "dev", "check", "doubling").returncode == 0


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
