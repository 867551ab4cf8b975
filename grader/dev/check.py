"""`kit dev check ID`: proves one exercise, as rustlings' `dev check` proves its exercises.

In order: the manifest entry and the reference's layout, the stub against what `kit release`
would write (the working tree's file, so it works before anything is committed), the reference
graded full marks and the pristine stub "not started", the exercise's mutants and beginner
answers, ruff on its files, and the Slips whose exception came but whose line did not confirm
them. Each finding names the fix. Problems make the exit status 1; warnings do not.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader import (
    EXERCISES_DIR,
    PROJECT_ROOT,
    REFERENCE_DIR,
    commands,
    grading,
    manifest,
    records,
    release,
)
from grader.dev import beginners, mutants
from grader.doctor import Finding  # the same three levels as kit doctor's findings
from grader.toolkit import diagnose

# The exercise processes report a Slip whose exception matched but whose line did not confirm it
# when this is set (grader.plugin); learners never see those reports.
DEV_SLIPS = "KIT_DEV_SLIPS"
# tests/beginners/README.md: at least five answers written from scratch per exercise.
MIN_BEGINNERS = 5
MIN_WRONG_MUTANTS = 2
# Text that `kit new` writes for the author to replace.
PLACEHOLDERS = (
    "(replace)",
    "(書き換えてください)",
    "replace this example",
    "scaffolded by `kit new`",
)


@dataclass
class Report:
    exercise: str
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "problem"]


def run(exercise_id: str, show: Callable[[Finding], None] = lambda finding: None) -> Report:
    """Every step for one exercise; `show` sees each finding as it comes."""
    started = time.perf_counter()
    report = Report(exercise_id)

    def note(level: str, step: str, text: str, fix: str = "") -> None:
        finding = Finding(level, step, text, fix)
        report.findings.append(finding)
        show(finding)

    exercise = manifest.find(exercise_id)  # an unknown id is bad input: one line, exit 2
    files_ok = _manifest_and_layout(exercise, note)
    if files_ok:
        _stub(exercise, note)
        _graded(exercise, note)
    _ruff(exercise, note)
    report.seconds = round(time.perf_counter() - started, 1)
    return report


# --- the manifest entry and the files ----------------------------------------------------------


def _manifest_and_layout(exercise: manifest.Exercise, note) -> bool:
    step = "manifest"
    reference = REFERENCE_DIR / exercise.module
    missing = [p for p in (reference, exercise.checks) if not p.is_file()]
    for path in missing:
        note(
            "problem",
            step,
            f"{_rel(path)} does not exist",
            f"create it (`{commands.kit('new', 'ID', '--chapter', exercise.chapter, '--topic', 'T1')}` "
            "writes a working start for a new exercise)",
        )
    placeholders = [
        text for texts in exercise.hints.values() for text in texts if _placeholder(text)
    ]
    japanese = [
        name
        for name, text in (("title_ja", exercise.title_ja), ("task_ja", exercise.task_ja))
        if _placeholder(text)
    ]
    if placeholders:
        note(
            "warning",
            step,
            f"{len(placeholders)} hint(s) of {exercise.id} still hold the text `kit new` wrote",
            "write the real hints in grader/manifest.toml, smallest nudge first, in en and ja",
        )
    if japanese:
        note(
            "warning",
            step,
            f"{' and '.join(japanese)} of {exercise.id} still hold the text `kit new` wrote",
            "write the Japanese title and task in grader/manifest.toml, with the words of "
            "grader/locale/glossary.ja.md",
        )
    if not placeholders and not japanese:
        note(
            "ok",
            step,
            f"{exercise.id}: {len(exercise.hints['en'])} hint levels in en and ja, "
            f"topics {' '.join(exercise.topics)}, {exercise.points} point(s), "
            f"{exercise.timeout:g} s",
        )
    if missing:
        return False
    source = reference.read_text()
    regions = source.count("### BEGIN SOLUTION")
    # A `# TODO:` line, perhaps continued by more comment lines, right above each region.
    todos = len(
        re.findall(r"#\s*TODO:[^\n]*\n(?:[ \t]*#[^\n]*\n)*?[ \t]*### BEGIN SOLUTION", source)
    )
    if not source.lstrip().startswith(('"""', "'''")):
        note(
            "problem",
            "reference",
            f"{_rel(reference)} has no module docstring",
            'start it with one line saying what the exercise teaches, e.g. """Softmax (manual T7)."""',
        )
    if regions == 0 or regions != source.count("### END SOLUTION"):
        note(
            "problem",
            "reference",
            f"{_rel(reference)} has {regions} `### BEGIN SOLUTION` and "
            f"{source.count('### END SOLUTION')} `### END SOLUTION` lines",
            "mark each gap with a BEGIN/END SOLUTION pair (one to three gaps); `kit release` "
            "turns each region into a raise NotImplementedError",
        )
    elif todos != regions:
        note(
            "problem",
            "reference",
            f"{regions - todos} of the {regions} solution regions in {_rel(reference)} have no "
            "`# TODO:` line right above them",
            "put a `# TODO:` comment above each `### BEGIN SOLUTION`, saying what to do and with "
            "which API; it is all the learner sees of the gap",
        )
    elif any(_placeholder(line) for line in source.splitlines()):
        note(
            "warning",
            "reference",
            f"{_rel(reference)} is still the example `kit new` wrote",
            "replace it with the exercise's own lesson (one lesson, one to three gaps)",
        )
    return True


def _placeholder(text: str) -> bool:
    return any(mark in text for mark in PLACEHOLDERS)


# --- the stub ----------------------------------------------------------------------------------


def _stub(exercise: manifest.Exercise, note) -> None:
    path = EXERCISES_DIR / exercise.module
    planned = release.planned(exercises=[exercise])[exercise.module]
    if path.is_file() and path.read_text() == planned:
        note("ok", "stub", f"exercises/{exercise.module} is what `kit release` writes")
        return
    if not path.is_file() or release.generated_by_kit(exercise.module):
        fix = commands.kit("release", exercise.id)
    else:
        fix = (
            f"{commands.kit('release', exercise.id, '--overwrite')} (it differs from what the "
            "kit last wrote, so it may hold someone's work: a copy is kept in .kit-backup/)"
        )
    what = "is missing" if not path.is_file() else "differs from what `kit release` writes"
    note("problem", "stub", f"exercises/{exercise.module} {what}", f"regenerate it: {fix}")


# --- grading: the reference, the stub, the mutants, the beginner answers ----------------------


def _graded(exercise: manifest.Exercise, note) -> None:
    unconfirmed: list[tuple[str, records.SlipUnconfirmed]] = []
    spoke: list[tuple[str, records.DiagnosisAudit]] = []
    os.environ[DEV_SLIPS] = "1"  # before the server starts: its processes copy the environment
    # The generic diagnosers run on right values too, and report any that would have spoken.
    os.environ[diagnose.AUDIT] = "1"
    server = grading.start_server([exercise])
    with tempfile.TemporaryDirectory(prefix="kit-dev-check-") as tmp:
        scratch = Path(tmp)

        def grade(name: str, root: Path, right: bool = True) -> grading.ExerciseResult:
            """Grades `root`; `right` says the answer is correct, so that no diagnoser may
            speak on it (on a wrong answer, a diagnoser that would name the answer's mistake
            on a check that passed anyway says nothing false)."""
            options = grading.Options(root.resolve(), 1234, "all", 1.0)

            def on_record(record: records.Received) -> None:
                if isinstance(record, records.SlipUnconfirmed):
                    unconfirmed.append((name, record))
                if isinstance(record, records.DiagnosisAudit) and (
                    record.outcome == "crashed" or (right and record.outcome == "fired_on_pass")
                ):
                    spoke.append((name, record))

            return grading.grade_one(server, exercise, options, on_record)

        _reference_and_stub(exercise, grade, scratch, note)
        _mutants(exercise, grade, scratch, note)
        _beginners(exercise, grade, scratch, note)
    for name, record in spoke:
        what = (
            f'the diagnoser {record.diagnoser} said "{record.said}" about a right '
            f"value ({record.what})"
            if record.outcome == "fired_on_pass"
            else f"the diagnoser {record.diagnoser} crashed: {record.error}"
        )
        note(
            "problem",
            "diagnosis",
            f"{name}: {what}",
            "a diagnoser must confirm that its relation sets the value apart from the expected "
            "one (grader/toolkit/diagnose.py); add the case to tests/test_diagnose.py",
        )
    for name, record in unconfirmed:
        note(
            "warning",
            "slips",
            f"{name}: Slip {record.slip} of {exercise.id} ({record.error} saying "
            f"`{record.says}`) was raised in check {record.check}, but its code pattern "
            f"`{record.code}` did not match the raising line `{record.line}`, so the "
            "generic message was shown",
            "widen the Slip's `code` pattern to that line (it is matched against the line that "
            "raised, not the whole function), or add a Slip for this line",
        )


def _failing(result: grading.ExerciseResult) -> str:
    bad = [c for c in result.checks if c.status != "passed"]
    return "; ".join(
        f"{c.name}: [{c.status}] {c.message.splitlines()[0] if c.message else ''}" for c in bad[:3]
    ) or "; ".join(result.notes[:1])


def _reference_and_stub(exercise, grade, scratch: Path, note) -> None:
    result = grade("the reference", REFERENCE_DIR)
    if result.status == "passed" and result.score == result.max_score:
        note("ok", "reference", f"the reference gets full marks ({len(result.checks)} checks)")
    else:
        note(
            "problem",
            "reference",
            f"the reference is graded {result.status}, {result.score}/{result.max_score}: "
            f"{_failing(result)}",
            f"fix the reference or the check; see {commands.kit('grade', exercise.id, '--exercises', 'reference')}",
        )
    stubs = scratch / "stub"
    target = stubs / exercise.module
    target.parent.mkdir(parents=True)
    target.write_text(release.planned(exercises=[exercise])[exercise.module])
    result = grade("the pristine stub", stubs)
    if result.status == "not_started":
        note("ok", "stub", "the pristine stub is graded not started")
    else:
        note(
            "problem",
            "stub",
            f"the pristine stub is graded {result.status}, not not_started: {_failing(result)}",
            "make every check call the learner's function before anything else, so that the "
            "stub's NotImplementedError comes first (and check for `raise NotImplementedError` "
            "in each gap of exercises/" + exercise.module + ")",
        )


def _mutants(exercise, grade, scratch: Path, note) -> None:
    path = mutants.mutants_file(exercise.chapter, exercise.id)
    try:
        found = mutants.for_exercise(exercise.chapter, exercise.id)
    except Exception as exc:  # noqa: BLE001 - the author's file: say what broke, do not crash
        note(
            "problem",
            "mutants",
            f"{_rel(path)} does not load: {type(exc).__name__}: {exc}",
            "fix the file; each entry is wrong(name, edits, check=, message=) or correct(...)",
        )
        return
    wrong = [m for m in found if m.wrong]
    if len(wrong) < MIN_WRONG_MUTANTS:
        note(
            "problem",
            "mutants",
            f"{_rel(path)} has {len(wrong)} wrong mutant(s); at least {MIN_WRONG_MUTANTS} are "
            "needed",
            "add realistic wrong variants, each with the check that must fail and a phrase of "
            "its message: wrong(name, [(old, new)], check=..., message=...)",
        )
    import torch

    cuda = torch.cuda.is_available()
    bad = skipped = 0
    for n, mutant in enumerate(found):
        try:
            root = mutant.write(scratch / f"mutant{n}")
        except mutants.MutantError as exc:
            note("problem", "mutants", str(exc), f"edit {_rel(path)}")
            bad += 1
            continue
        outcome, why = mutants.verdict(
            mutant, grade(f"mutant {mutant.name!r}", root, not mutant.wrong), cuda
        )
        if outcome == "wrong":
            bad += 1
            fix = (
                "make the check's message name this slip, or correct the mutant's check/message"
                if mutant.wrong
                else "a correct answer must pass: loosen the check (or fix the mutant)"
            )
            note("problem", "mutants", f"mutant {mutant.name!r}: {why}", fix)
        skipped += outcome == "skip"
    if found:
        passed = len(found) - bad - skipped
        note(
            "ok" if not bad else "problem",
            "mutants",
            f"{passed} of {len(found)} mutants get their verdict ({len(wrong)} wrong, "
            f"{len(found) - len(wrong)} correct-but-different"
            + (f"; {skipped} need CUDA to be caught and were skipped" if skipped else "")
            + ")",
            "" if not bad else "see the mutants above",
        )


def _beginners(exercise, grade, scratch: Path, note) -> None:
    cases = beginners.load_cases([exercise.chapter], exercise.id)
    toml = f"tests/beginners/{exercise.chapter}.toml"
    if len(cases) < MIN_BEGINNERS:
        note(
            "warning",
            "beginners",
            f"{len(cases)} beginner answer(s) for {exercise.id}; at least {MIN_BEGINNERS} "
            "written from scratch are expected",
            f"add them under tests/beginners/{exercise.chapter}/{exercise.id}/ with a [[case]] "
            f"each in {toml} (tests/beginners/README.md)",
        )
    wrong = [c for c in cases if c.wrong]
    targeted = 0
    for n, case in enumerate(cases):
        if not case.path.is_file():
            note(
                "problem",
                "beginners",
                f"{toml} names {case.file}, which does not exist",
                "add the file or remove its [[case]]",
            )
            continue
        result = grade(
            f"beginner answer {case.file}", case.write(scratch / f"case{n}"), not case.wrong
        )
        ok, why = beginners.verdict(case, result)
        if ok:
            targeted += case.wrong
        elif result.status != case.status:
            note(
                "problem",
                "beginners",
                f"{case.file} ({case.misconception}): {why}",
                "a correct answer must pass and a wrong one must not: fix the check, or the "
                f"case's status in {toml}",
            )
        else:
            note(
                "warning",
                "beginners",
                f"{case.file} ({case.misconception}): not targeted, {why}: {_failing(result)}",
                f"name this misconception in the check's message (a Mistake or a Slip), so it "
                f"holds {case.says}",
            )
    if wrong:
        note(
            "ok",
            "beginners",
            f"targeted {targeted}/{len(wrong)} wrong beginner answers "
            f"({100 * targeted / len(wrong):.0f} %); "
            f"{len(cases) - len(wrong)} correct-but-different",
        )


# --- ruff ----------------------------------------------------------------------------------


def _ruff(exercise: manifest.Exercise, note) -> None:
    ruff = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")
    files = [
        str(p.relative_to(PROJECT_ROOT))
        for p in (REFERENCE_DIR / exercise.module, exercise.checks)
        if p.is_file()
    ]
    if ruff is None:
        note("warning", "ruff", "ruff is not installed", "install the dev extra: pip install ruff")
        return
    for command, fix in (
        (
            ["check", "--output-format", "concise"],
            f"ruff check --fix {' '.join(files)}, then fix what remains by hand",
        ),
        (["format", "--check"], f"ruff format {' '.join(files)}"),
    ):
        run = subprocess.run(
            [ruff, *command, *files], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
        )
        if run.returncode != 0:
            lines = [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
            shown = [line for line in lines if not line.startswith(("Found", "[*]", "No fixes"))]
            note("problem", "ruff", f"ruff {command[0]}: " + "; ".join(shown[:4]), fix)
        else:
            note("ok", "ruff", f"ruff {command[0]}: {', '.join(files)} clean")


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)
