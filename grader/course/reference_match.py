"""Whether a submitted module is the reference solution, up to whitespace and comments.

The reference marks its solutions with nbgrader's `### BEGIN SOLUTION` / `### END SOLUTION`;
a submission has no markers, so the reference is compared with those marker lines removed.
Both are reduced to their Python tokens without comments, blank lines or layout (indentation
is kept as structure, not as a count of spaces; runs of whitespace inside strings count as one
space, as a re-indented docstring has them), so that a copy re-indented, re-wrapped or
re-commented still matches, while any change to the code itself does not.

A match is a flag for the instructor to look at, never a verdict: a one-line solution written
independently can be identical to the reference.
"""

from __future__ import annotations

import io
import re
import tokenize

MARKER = re.compile(r"^\s*###\s*(BEGIN|END)\s+SOLUTION\b.*$", re.MULTILINE)
LAYOUT = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
STRUCTURE = {tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE}


def without_markers(reference_source: str) -> str:
    return MARKER.sub("", reference_source)


def normalised(source: str) -> tuple[tuple[int, str], ...] | None:
    """The source's tokens without comments and layout; None when it does not tokenize."""
    tokens = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in LAYOUT:
                continue
            if tok.type in STRUCTURE:
                text = ""
            elif tok.type == tokenize.STRING:
                text = " ".join(tok.string.split())  # a re-indented docstring is the same
            else:
                text = tok.string
            tokens.append((tok.type, text))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    return tuple(tokens)


def matches(submitted_source: str, reference_source: str) -> bool:
    """True when the submission's code is the reference's (markers removed), token for token."""
    mine = normalised(submitted_source)
    return mine is not None and mine == normalised(without_markers(reference_source))
