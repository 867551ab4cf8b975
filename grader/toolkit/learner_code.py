"""What the learner's code says, comments and docstrings left out.

Checks use it to confirm that a slip is really in the learner's code before a message names it;
never to decide whether an answer passes.
"""

from __future__ import annotations

import inspect
import io
import re
import tokenize


def code_lines(function) -> list[str]:
    """A function's source lines with comments and docstrings blanked, whitespace collapsed."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return []
    lines = source.splitlines()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [" ".join(line.split()) for line in lines]
    previous = None
    for token in tokens:
        row, col = token.start
        if token.type == tokenize.COMMENT:
            lines[row - 1] = lines[row - 1][:col]
        elif token.type == tokenize.STRING and previous in (
            tokenize.INDENT,
            tokenize.NEWLINE,
            tokenize.DEDENT,
        ):
            # A string standing alone as a statement is a docstring: leave it out.
            for blank in range(row, token.end[0] + 1):
                lines[blank - 1] = ""
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            previous = token.type
    return [" ".join(line.split()) for line in lines]


def first_line_matching(function, pattern: str) -> int | None:
    """The index in code_lines(function) of the first line matching `pattern`, or None."""
    for index, line in enumerate(code_lines(function)):
        if re.search(pattern, line):
            return index
    return None
