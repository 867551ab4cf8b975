"""Whether a submitted module carries evidence of being copied from the reference solution.

Identical code proves nothing here. The TODOs dictate most short solutions call by call: a
learner who wrote chapters 1 and 2 themselves, following the TODOs (tests/todo_answers/),
produced the reference's code token for token in 6 of 11 exercises. So a match is raised only
on what an independent writer does not produce:

- nbgrader's `### BEGIN SOLUTION` / `### END SOLUTION` markers, which only the reference file
  holds (the stubs never have them);
- a comment of the reference's solution regions (at least MIN_COMMENT_WORDS words, not one the
  stub already shows), copied word for word up to case, spacing and end punctuation.

Measured and left out (tests/test_flags.py): names and layout. The TODOs name nearly every
variable, and the names they do not name are the natural ones: 29 of the 478 independent
answers in tests/beginners/ bind all of the reference's own names of their exercise (conv1 to
conv3 in cnn, correct and predictions in classify). The reference is formatted by ruff, so its
layout is what any formatter gives: a TODO-following answer to keras_sequential repeats its 20
lines exactly.

31 of the 39 exercises have such evidence; the others are never flagged, however closely a
submission follows the reference. A match is a flag for the instructor to look at, never a
verdict and never a change of score.
"""

from __future__ import annotations

import io
import re
import tokenize

MARKER = re.compile(r"^\s*###\s*(BEGIN|END)\s+SOLUTION\b.*$", re.MULTILINE)
MIN_COMMENT_WORDS = 4


def without_markers(reference_source: str) -> str:
    return MARKER.sub("", reference_source)


def _comment_key(text: str) -> str:
    """A comment for comparison: without '#', case, runs of spaces and end punctuation."""
    return " ".join(text.lstrip("#").casefold().split()).strip(" .,:;!?")


def _comments(source: str) -> list[tuple[int, str]]:
    """(line, text) of every comment; [] when the source does not tokenize."""
    found = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                found.append((tok.start[0], tok.string))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    return found


def _solution_lines(reference_source: str) -> tuple[set[int], list[str]]:
    """The reference's line numbers inside solution regions, and the lines outside them (what
    the stub shows: docstrings, signatures, TODOs)."""
    inside, solution, stub = False, set(), []
    for number, line in enumerate(reference_source.splitlines(), 1):
        if MARKER.match(line):
            inside = "BEGIN" in line
            continue
        if inside:
            solution.add(number)
        else:
            stub.append(line)
    return solution, stub


def evidence(reference_source: str) -> dict[str, str]:
    """The reference's comments that would be evidence of copying: {normalised: as written}."""
    solution, stub = _solution_lines(reference_source)
    stub_comments = {_comment_key(text) for _, text in _comments("\n".join(stub))}
    found = {}
    for line, text in _comments(reference_source):
        key = _comment_key(text)
        if line in solution and len(key.split()) >= MIN_COMMENT_WORDS and key not in stub_comments:
            found[key] = text.lstrip("#").strip()
    return found


def copied(submitted_source: str, reference_source: str) -> list[str]:
    """What the submission copied of the reference's evidence, one phrase per kind; [] when
    nothing (a flag needs at least one)."""
    found = []
    if MARKER.search(submitted_source):
        found.append("it holds the reference's nbgrader solution markers")
    known = evidence(reference_source)
    taken = [
        known[key]
        for _, text in _comments(submitted_source)
        if (key := _comment_key(text)) in known
    ]
    if taken:
        found.append(f"it has the reference's comment {_quote(taken[0])}")
    return found


def _quote(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def matches(submitted_source: str, reference_source: str) -> bool:
    """True when the submission copied evidence of the reference (see copied())."""
    return bool(copied(submitted_source, reference_source))
