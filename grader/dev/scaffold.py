"""`kit new ID --chapter CH`: the four places a new exercise lives, filled with a working start.

The generated exercise already passes `kit dev check` (its reference gets full marks, its stub
is "not started", its two wrong mutants fail with their targeted message), so the author
replaces a small example that works instead of discovering the rules one error at a time.
Nothing that exists is ever overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from grader import CHECKS_DIR, PROJECT_ROOT, REFERENCE_DIR, manifest
from grader.dev.mutants import mutants_file


class ScaffoldError(ValueError):
    """The exercise cannot be created as asked; the message says why and what to do."""


@dataclass
class Created:
    files: list[Path]
    rules: list[str]


REFERENCE = '''"""{title} (manual {topics}).

One lesson, one to three gaps. State the shapes and dtypes in and out in each docstring.
"""

import numpy as np


def {id}(x: np.ndarray) -> np.ndarray:
    """Return 2 * x (replace this example with the exercise's own lesson).

    x: float array of any shape. Returns a float array of the same shape.
    """
    # TODO: Say what to do and with which API, e.g. "Return 2 * x with one multiplication."
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION
'''

CHECKS = '''"""Checks for exercises/{chapter}/{id}.py (manual {topics})."""

from grader.toolkit.expect import Mistake, expect_close

# How the tolerance was chosen: exact arithmetic in float64, so only rounding can differ.
RTOL, ATOL = 1e-12, 1e-12


def test_{id}_matches_reference(learner, reference, rng):
    """Check that {id} matches the reference on a random batch."""
    x = rng.normal(size=(4, 3))
    expect_close(
        learner.{id}(x),
        reference.{id}(x),
        what="{id}(x)",
        topic="{topic}",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            # Each realistic slip, computed, with the misconception it shows.
            Mistake(x, "You returned x unchanged: multiply it by 2."),
            Mistake(x**2, "You squared x; the exercise asks for 2 * x."),
        ),
    )
'''

MUTANTS = '''"""Mutants of {id} ({chapter}): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

# Scaffolded by `kit new`: replace with realistic slips of the real lesson. Each change is a list
# of (old, new) text replacements of the reference, a Diff("...") or a Whole("...") module.
MUTANTS = [
    wrong("returns x unchanged", [("return 2 * x", "return x")],
          check="{id}_matches_reference", message="returned x unchanged"),
    wrong("squares x", [("return 2 * x", "return x ** 2")],
          check="{id}_matches_reference", message="squared x"),
    correct("adds x to itself", [("return 2 * x", "return x + x")]),
]
'''

ENTRY = """
[[exercise]]
id = "{id}"
chapter = "{chapter}"
title = "{title}"
title_ja = "日本語のタイトル (書き換えてください)"
topics = [{topics_toml}]
points = 1
timeout = 30
needs = ["torch"]
task_ja = '''
課題の説明: スタブの docstring と TODO が求めることを日本語で (書き換えてください)。
'''
hints.en = [
  "First hint: the smallest nudge (replace).",
  "Second hint: more of the way (replace).",
]
hints.ja = [
  "最初のヒント (書き換えてください)。",
  "二つ目のヒント (書き換えてください)。",
]
"""

RULES = [
    (
        "grader/manifest.toml: hints in en and ja, at least 2 levels each and as many in both; "
        "title_ja and task_ja (the task in Japanese, in the terms of grader/locale/glossary.ja.md); "
        "topics are manual-map ids (T4, P6, E12, ...); the entry's place is the learning order."
    ),
    (
        "reference/{chapter}/{id}.py: one module docstring; one lesson with one to three gaps, "
        "each a `# TODO:` line above a ### BEGIN SOLUTION / ### END SOLUTION region."
    ),
    (
        "grader/checks/{chapter}/{id}.py: one test function per behaviour with a one-line "
        "docstring 'Check that ...'; failures say what was expected, what came back and the next "
        "step (grader.toolkit.expect: fail, expect_close with Mistake values, SLIPS)."
    ),
    (
        "tests/mutants/{chapter}/{id}.py: at least two wrong mutants with a phrase of their "
        "message, and correct-but-different ones that pass."
    ),
    (
        "tests/beginners/{chapter}/{id}/: at least five answers written from scratch, each with "
        "a [[case]] in tests/beginners/{chapter}.toml (tests/beginners/README.md)."
    ),
    "exercises/{chapter}/{id}.py: generated, never edited by hand: {release}.",
    "After each change: {check} proves the exercise in under a minute; commit when it passes.",
]


def create(exercise_id: str, chapter: str, topics: list[str], title: str | None) -> Created:
    from grader import commands, release

    if not manifest.NAME.fullmatch(exercise_id) or not manifest.NAME.fullmatch(chapter):
        raise ScaffoldError(
            f"{exercise_id!r} / {chapter!r}: ids and chapters are lower-case Python names "
            "(letters, digits, _), such as dropout_layer and ch4_cifar"
        )
    if any(ex.id == exercise_id for ex in manifest.load()):
        raise ScaffoldError(f"an exercise named {exercise_id!r} exists already; choose another id")
    bad = [t for t in topics if not manifest.TOPIC.fullmatch(t)]
    if not topics or bad:
        raise ScaffoldError(
            f"--topic {' '.join(bad) or '(none)'}: give the manual topic ids the exercise "
            "teaches, such as --topic T4 (see manual-map.md)"
        )
    title = title or exercise_id.replace("_", " ").capitalize()
    fields = {
        "id": exercise_id,
        "chapter": chapter,
        "title": title.replace('"', "'"),
        "topics": " ".join(topics),
        "topic": topics[0],
        "topics_toml": ", ".join(f'"{t}"' for t in topics),
    }
    reference = REFERENCE_DIR / chapter / f"{exercise_id}.py"
    checks = CHECKS_DIR / chapter / f"{exercise_id}.py"
    mutants = mutants_file(chapter, exercise_id)
    exists = [p for p in (reference, checks, mutants) if p.exists()]
    if exists:
        raise ScaffoldError(f"{exists[0]} exists already; nothing was written")

    # All checks passed: now write, manifest last (it is what makes the exercise exist).
    for path, text in ((reference, REFERENCE), (checks, CHECKS), (mutants, MUTANTS)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(**fields))
    _add_entry(ENTRY.format(**fields), chapter)
    manifest.load.cache_clear()
    new = manifest.find(exercise_id)
    stub = release.release(exercises=[new])
    rules = [
        rule.format(
            chapter=chapter,
            id=exercise_id,
            release=commands.kit("release", exercise_id),
            check=commands.kit("dev", "check", exercise_id),
        )
        for rule in RULES
    ]
    written = [manifest.manifest_path(), reference, checks, mutants]
    written += [PROJECT_ROOT / "exercises" / m for m in stub.written]
    return Created(written, rules)


def _add_entry(entry: str, chapter: str) -> None:
    """Appends the entry after the chapter's last exercise (or at the end for a new chapter)."""
    path = manifest.manifest_path()
    text = path.read_text()
    starts = [m.start() for m in re.finditer(r"^\[\[exercise\]\]", text, flags=re.MULTILINE)]
    last = None
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(text)
        if re.search(rf'^chapter = "{re.escape(chapter)}"', text[start:end], flags=re.MULTILINE):
            last = end
    if last is None:
        path.write_text(text.rstrip("\n") + "\n" + entry)
    else:
        path.write_text(text[:last].rstrip("\n") + "\n" + entry + "\n" + text[last:])
