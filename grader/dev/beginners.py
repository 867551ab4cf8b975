"""The beginner answers: whole exercise modules written from scratch, to measure the messages.

tests/beginners/<chapter>/<exercise>/<case>.py holds each answer and <chapter>.toml one
[[case]] per file (see tests/beginners/README.md). A wrong case is targeted when it gets its
expected status and the named check's message holds every `says` phrase and no
`must_not_say` phrase; a correct-but-different case must pass.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from grader import PROJECT_ROOT

CASES_DIR = PROJECT_ROOT / "tests" / "beginners"


@dataclass
class Case:
    chapter: str
    file: str
    exercise: str
    misconception: str
    status: str
    check: str | None = None
    says: list[str] = field(default_factory=list)
    must_not_say: list[str] = field(default_factory=list)

    @property
    def wrong(self) -> bool:
        return self.status != "passed"

    @property
    def path(self) -> Path:
        return CASES_DIR / self.chapter / self.file

    def write(self, root: Path) -> Path:
        """Writes the answer into `root`, laid out like exercises/; returns root."""
        target = root / self.chapter / f"{self.exercise}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.path.read_text())
        return root


def load_cases(chapters: list[str] | None = None, exercise: str | None = None) -> list[Case]:
    """The cases of the given chapters (default: all), or of one exercise."""
    cases = []
    for toml in sorted(CASES_DIR.glob("*.toml")):
        chapter = toml.stem
        if chapters and chapter not in chapters:
            continue
        for entry in tomllib.loads(toml.read_text())["case"]:
            case = Case(
                chapter=chapter,
                file=entry["file"],
                exercise=entry.get("exercise") or entry["file"].split("/")[0],
                misconception=entry["misconception"],
                status=entry["status"],
                check=entry.get("check"),
                says=list(entry.get("says", [])),
                must_not_say=list(entry.get("must_not_say", [])),
            )
            if exercise is None or case.exercise == exercise:
                cases.append(case)
    return cases


def verdict(case: Case, result) -> tuple[bool, str]:
    """(as expected, why not) for one graded case (a grading.ExerciseResult)."""
    if result.status != case.status:
        return False, f"status {result.status}, expected {case.status}"
    if not case.wrong:
        return True, ""
    checks = [
        c for c in result.checks if c.name == case.check or c.name.startswith(f"{case.check}[")
    ]
    if case.check and not checks:
        return False, f"no check named {case.check}"
    texts = [c.message + "\n" + "\n".join(result.notes) for c in checks] or [
        "\n".join(result.notes)
    ]
    for text in texts:
        low = text.lower()
        if all(p.lower() in low for p in case.says) and not any(
            p.lower() in low for p in case.must_not_say
        ):
            return True, ""
    return False, "message does not name it"
