"""Mutants: variants of a reference solution, each with the verdict the grader must give it.

Each exercise's mutants live in tests/mutants/<chapter>/<exercise>.py, as a list MUTANTS of
wrong(...) and correct(...) variants. A wrong variant names the check that must fail and a
phrase its message must contain, so it proves that check and its targeted message; a
correct-but-different variant must pass. A variant is the reference changed in one of three
ways:

- text replacements, [(old, new), ...], each `old` found exactly once in the reference;
- Diff(text) or diff("name.diff"): a unified diff against the reference;
- Whole(text) or whole("name.py"): the whole module, written out.

diff() and whole() read their file from the folder tests/mutants/<chapter>/<exercise>/.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from grader import PROJECT_ROOT, REFERENCE_DIR

MUTANTS_DIR = PROJECT_ROOT / "tests" / "mutants"


class MutantError(ValueError):
    """A mutant that cannot be applied to its reference; the message names it and the fix."""


@dataclass(frozen=True)
class Replace:
    """Text replacements: each `old` must occur exactly once in the reference."""

    edits: tuple[tuple[str, str], ...]

    def apply(self, source: str, folder: Path) -> str:
        for old, new in self.edits:
            if source.count(old) != 1:
                raise MutantError(
                    f"{old!r} occurs {source.count(old)} times in the reference; quote more of "
                    "the line so that it occurs exactly once"
                )
            source = source.replace(old, new)
        return source


@dataclass(frozen=True)
class Diff:
    """A unified diff against the reference (`diff -u`, `git diff`); inline text or a file name."""

    text: str = ""
    file: str | None = None

    def apply(self, source: str, folder: Path) -> str:
        return apply_unified_diff(source, _read(folder, self.file) if self.file else self.text)


@dataclass(frozen=True)
class Whole:
    """The whole module as the learner would hand it in; inline text or a file name."""

    text: str = ""
    file: str | None = None

    def apply(self, source: str, folder: Path) -> str:
        return _read(folder, self.file) if self.file else self.text


def diff(file: str) -> Diff:
    return Diff(file=file)


def whole(file: str) -> Whole:
    return Whole(file=file)


def _read(folder: Path, name: str) -> str:
    path = folder / name
    if not path.is_file():
        raise MutantError(
            f"{path.relative_to(PROJECT_ROOT)} does not exist; add it or fix the name"
        )
    return path.read_text()


@dataclass(frozen=True)
class Mutant:
    name: str
    change: Replace | Diff | Whole
    status: str  # the exercise's expected overall status
    check: str | None = None  # a check that must end with `check_status`
    message: str = ""  # a phrase (case-insensitive) that check's message must contain
    must_not: tuple[str, ...] = ()  # phrases it must not contain: causes the code does not have
    check_status: str = "failed"
    needs_cuda: bool = False
    exercise: str = ""  # set from the file it is listed in
    chapter: str = ""

    @property
    def id(self) -> str:
        return f"{self.exercise}:{self.name}"

    @property
    def wrong(self) -> bool:
        return self.status != "passed"

    def source(self) -> str:
        """The reference module with this mutant's change applied."""
        module = f"{self.chapter}/{self.exercise}.py"
        try:
            return self.change.apply(
                (REFERENCE_DIR / module).read_text(), MUTANTS_DIR / self.chapter / self.exercise
            )
        except MutantError as exc:
            raise MutantError(f"mutant {self.id!r}: {exc}") from None

    def write(self, root: Path) -> Path:
        """Writes the mutated module into `root`, laid out like exercises/; returns root."""
        target = root / self.chapter / f"{self.exercise}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.source())
        return root


def _change(edits) -> Replace | Diff | Whole:
    return edits if isinstance(edits, (Replace, Diff, Whole)) else Replace(tuple(map(tuple, edits)))


def wrong(
    name, edits, check, message, status="failed", check_status=None, needs_cuda=False, must_not=()
) -> Mutant:
    return Mutant(
        name,
        _change(edits),
        status,
        check,
        message,
        tuple(must_not),
        check_status or status,
        needs_cuda,
    )


def correct(name, edits) -> Mutant:
    return Mutant(name, _change(edits), "passed")


def mutants_file(chapter: str, exercise: str) -> Path:
    return MUTANTS_DIR / chapter / f"{exercise}.py"


def load(path: Path) -> list[Mutant]:
    """The mutants listed in one exercise's file, with its exercise and chapter filled in."""
    from dataclasses import replace

    spec = importlib.util.spec_from_file_location(
        f"_kit_mutants_{path.parent.name}_{path.stem}", path
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [replace(m, exercise=path.stem, chapter=path.parent.name) for m in module.MUTANTS]


def for_exercise(chapter: str, exercise: str) -> list[Mutant]:
    path = mutants_file(chapter, exercise)
    return load(path) if path.is_file() else []


def all_mutants(root: Path = MUTANTS_DIR) -> list[Mutant]:
    return [m for path in sorted(root.glob("*/*.py")) for m in load(path)]


def verdict(mutant: Mutant, result, cuda: bool) -> tuple[str, str]:
    """("ok" | "skip" | "wrong", why) for one graded mutant (a grading.ExerciseResult)."""
    summary = {c.name: (c.status, c.message) for c in result.checks}
    matching = {
        n: v
        for n, v in summary.items()
        if mutant.check and (n == mutant.check or n.startswith(mutant.check + "["))
    }
    if mutant.needs_cuda and not cuda:
        # Without a GPU the check that would catch this mutant must say so, never pass.
        if matching and all(v == ("skipped", "CUDA not available") for v in matching.values()):
            return "skip", "this mutant needs CUDA to be caught"
        return "wrong", f"without CUDA, {mutant.check} must be skipped: {summary}"
    if result.status != mutant.status:
        return "wrong", f"status {result.status}, expected {mutant.status}: {summary}"
    if not mutant.check:
        return "ok", ""
    if not matching:
        return "wrong", f"no check named {mutant.check}: {list(summary)}"
    for status, message in matching.values():
        text = message.lower()
        if (
            status == mutant.check_status
            and mutant.message.lower() in text
            and not any(p.lower() in text for p in mutant.must_not)
        ):
            return "ok", ""
    unless = f" and none of {list(mutant.must_not)}" if mutant.must_not else ""
    return "wrong", (
        f"{mutant.check} did not end {mutant.check_status} with a message containing "
        f"{mutant.message!r}{unless}: {summary}"
    )


def apply_unified_diff(source: str, patch: str) -> str:
    """`source` with the hunks of a unified diff applied; each hunk's context must match."""
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    at = 0  # next line of `lines` not yet copied
    hunks = re.split(r"^(?=@@ )", patch, flags=re.MULTILINE)[1:]
    if not hunks:
        raise MutantError("the diff has no hunk (a line starting with '@@ ')")
    for hunk in hunks:
        body = hunk.splitlines(keepends=True)[1:]
        old = [line[1:] for line in body if line[:1] in (" ", "-")]
        new = [line[1:] for line in body if line[:1] in (" ", "+")]
        start = _find(lines, old, at)
        if start is None:
            raise MutantError(
                f"a hunk's context ({''.join(old[:2]).strip()!r}...) is not in the reference "
                "after the previous hunk; make the diff against the current reference"
            )
        out += lines[at:start] + [_newline(line) for line in new]
        at = start + len(old)
    return "".join(out + lines[at:])


def _find(lines: list[str], block: list[str], start: int) -> int | None:
    want = [line.rstrip("\n") for line in block]
    for i in range(start, len(lines) - len(block) + 1):
        if [line.rstrip("\n") for line in lines[i : i + len(block)]] == want:
            return i
    return None


def _newline(line: str) -> str:
    return line if line.endswith("\n") else line + "\n"
