"""Similarity between members' submissions: token fingerprints chosen by winnowing, as MOSS
does (Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms for document
fingerprinting", SIGMOD 2003).

Each module is reduced to its Python code tokens, with what copying changes for free taken
out: layout, comments, and the names of the learner's own variables (every such name becomes
one token, so renaming hides nothing); names after a dot (np.maximum), keywords and builtins
stay. Every K consecutive tokens hash to one number, and of every W consecutive hashes the
smallest is kept: the module's fingerprints. Any run of K + W - 1 tokens that two modules
share gives both at least one common fingerprint. Comments are compared on their own: two
members who share MIN_COMMENTS comments of their own (at least MIN_COMMENT_WORDS words, word
for word) are shown too.

What a shared fingerprint cannot prove is left out before comparing:
- everything the stub provides (docstrings, signatures, TODOs) and everything the reference
  holds: TODO-following answers coincide with the reference and with each other, and a copy of
  the reference is flagged on its own (reference_match);
- fingerprints that more than COMMON_SHARE of the members, and more than COMMON_MIN, share
  (MOSS's -m): an idiom, not a copy.

Measured (tests/test_flags.py): of 121 pairs of answers by different authors (each beginner
answer of chapters 1 and 2 with the TODO-following one), none is shown; of 478 copies that
rename every variable, change every comment and re-lay the code, 417 are (the others are
answers whose own code is a line or two, too little to tell a copy from a coincidence).

A pair is shown when they share at least MIN_SHARED fingerprints, at least THRESHOLD of the
smaller module's own fingerprints, and MIN_LINES lines of each that neither the stub nor the
reference holds (a shorter match is what the TODOs dictate, not evidence); or MIN_COMMENTS
comments. The lines shown are those. tests/test_flags.py measures the thresholds on the
independent answers of tests/beginners/ (no pair of them may be shown) and on copies that
rename variables and re-lay the code (each must be shown). A pair is a flag for the
instructor, with the lines both share; it never changes a score.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import keyword
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations

K = 12  # tokens per hashed run
W = 6  # hashes per winnowing window
THRESHOLD = 0.6  # share of the smaller module's fingerprints
MIN_SHARED = 4  # fingerprints in common, at the least,
MIN_LINES = 2  # covering at least this many lines of each module
COMMON_SHARE = 0.5  # a fingerprint more members than this share is common,
COMMON_MIN = 10  # and more than this many (MOSS's default)
MIN_COMMENTS = 2
MIN_COMMENT_WORDS = 4
KEPT_NAMES = set(dir(builtins)) | {"self", "cls"}
SKIPPED = {
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}


@dataclass(frozen=True)
class Token:
    text: str
    line: int


def tokens(source: str) -> list[Token]:
    """The module's tokens, normalised as the module's docstring says; [] if it does not
    tokenize."""
    found: list[Token] = []
    previous = ""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in SKIPPED:
                continue
            line = tok.start[0]
            if tok.type == tokenize.COMMENT:
                continue
            text = tok.string
            if tok.type == tokenize.STRING:
                text = " ".join(text.split())
            elif (
                tok.type == tokenize.NAME
                and not keyword.iskeyword(text)
                and text not in KEPT_NAMES
                and previous != "."
            ):
                text = "$"  # a name of the learner's own (or an imported module's)
            found.append(Token(text, line))
            previous = tok.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    return found


@dataclass
class Prints:
    """A module's fingerprints: {hash: the lines of its tokens, for each place it occurs}."""

    lines: dict[int, set[int]] = field(default_factory=dict)

    @property
    def hashes(self) -> set[int]:
        return set(self.lines)


def stub_of(reference_source: str) -> str:
    """The stub as a learner receives it, near enough for fingerprints: each solution region
    replaced by the line that says it is not started (nbgrader's own is slower to load)."""
    from grader.course.reference_match import MARKER
    from grader.release import CODE_STUB

    out, inside = [], False
    for line in reference_source.splitlines():
        if MARKER.match(line):
            inside = "BEGIN" in line
            if inside:
                indent = line[: len(line) - len(line.lstrip())]
                out.append(indent + CODE_STUB)
            continue
        if not inside:
            out.append(line)
    return "\n".join(out) + "\n"


def comments(source: str) -> dict[str, int]:
    """{normalised comment: its line} for comments of at least MIN_COMMENT_WORDS words."""
    from grader.course.reference_match import _comment_key, _comments

    found = {}
    for line, text in _comments(source):
        key = _comment_key(text)
        if len(key.split()) >= MIN_COMMENT_WORDS:
            found.setdefault(key, line)
    return found


def fingerprints(source: str) -> Prints:
    toks = tokens(source)
    grams = [
        (
            int.from_bytes(
                hashlib.blake2b(
                    "\0".join(t.text for t in toks[i : i + K]).encode(), digest_size=8
                ).digest()
            ),
            i,
        )
        for i in range(len(toks) - K + 1)
    ]
    prints = Prints()
    if not grams:
        return prints
    chosen: set[int] = set()
    for start in range(max(1, len(grams) - W + 1)):
        window = grams[start : start + W]
        # the rightmost smallest hash of the window, as the paper's robust winnowing picks
        low = min(h for h, _ in window)
        chosen.add(max(i for h, i in window if h == low))
    for i in chosen:
        h = grams[i][0]
        prints.lines.setdefault(h, set()).update(t.line for t in toks[i : i + K])
    return prints


@dataclass
class Pair:
    exercise: str
    learners: tuple[str, str]
    folders: tuple[str, str]
    score: float  # shared fingerprints over the smaller module's own
    shared: int
    # The lines both share: (first line, last line) ranges in each module.
    lines: tuple[list[tuple[int, int]], list[tuple[int, int]]]


def _ranges(lines: set[int]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for line in sorted(lines):
        if found and line <= found[-1][1] + 1:
            found[-1] = (found[-1][0], line)
        else:
            found.append((line, line))
    return found


def similar_pairs(
    exercise: str,
    modules: dict[str, tuple[str, str]],
    ignored_sources: list[str],
) -> list[Pair]:
    """Pairs of members whose module for `exercise` is similar, most similar first.

    modules: {learner: (folder, source)}, one (the latest) per member.
    ignored_sources: what proves nothing (the stub and the reference).
    """
    ignored: set[int] = set()
    ignored_comments: set[str] = set()
    given_lines: set[str] = set()  # lines the stub or reference hold: never shown as shared
    for source in ignored_sources:
        ignored |= fingerprints(source).hashes
        ignored_comments |= set(comments(source))
        given_lines |= {" ".join(line.split()) for line in source.splitlines()}
    texts = {
        learner: [" ".join(line.split()) for line in source.splitlines()]
        for learner, (_, source) in modules.items()
    }

    def own_lines(learner: str, lines: set[int]) -> set[int]:
        return {
            n
            for n in lines
            if 0 < n <= len(texts[learner]) and texts[learner][n - 1] not in given_lines
        }

    prints = {learner: fingerprints(source) for learner, (_, source) in modules.items()}
    own = {learner: p.hashes - ignored for learner, p in prints.items()}
    notes = {
        learner: {k: n for k, n in comments(source).items() if k not in ignored_comments}
        for learner, (_, source) in modules.items()
    }
    limit = max(COMMON_MIN, int(COMMON_SHARE * len(own)))
    counts = Counter(h for hashes in own.values() for h in hashes)
    common = {h for h, n in counts.items() if n > limit}
    said = Counter(k for found in notes.values() for k in found)
    pairs = []
    for a, b in combinations(sorted(own), 2):
        mine, theirs = own[a] - common, own[b] - common
        shared = mine & theirs
        smaller = min(len(mine), len(theirs))
        score = len(shared) / smaller if smaller else 0.0
        words = [k for k in notes[a] if k in notes[b] and said[k] <= limit]
        lines_a = own_lines(a, set().union(set(), *(prints[a].lines[h] for h in shared)))
        lines_b = own_lines(b, set().union(set(), *(prints[b].lines[h] for h in shared)))
        by_code = (
            len(shared) >= MIN_SHARED
            and score >= THRESHOLD
            and min(len(lines_a), len(lines_b)) >= MIN_LINES
        )
        if not by_code and len(words) < MIN_COMMENTS:
            continue
        lines_a |= {notes[a][k] for k in words}
        lines_b |= {notes[b][k] for k in words}
        pairs.append(
            Pair(
                exercise,
                (a, b),
                (modules[a][0], modules[b][0]),
                round(score, 3),
                len(shared),
                (_ranges(lines_a), _ranges(lines_b)),
            )
        )
    pairs.sort(key=lambda p: (-p.score, p.learners))
    return pairs
