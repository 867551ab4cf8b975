"""A member's submitted file beside the messages, as the dashboard shows it (as nbgrader's
formgrader shows the work beside the grade): every line escaped, numbered, and the lines the
messages name highlighted. Only the file that was graded is shown: one whose sha256 no longer
matches the verdict's is named as edited after grading instead."""

from __future__ import annotations

import html
import re
from pathlib import Path

from grader import provenance

MAX_BYTES = 200_000  # a larger file is named, not shown


def named_lines(module: str, checks: list[dict], notes: list[str]) -> set[int]:
    """Lines of `module` the messages name: a check's recorded line, and every
    `<module>:<line>` in the messages and notes."""
    found = {c["line"] for c in checks if isinstance(c.get("line"), int)}
    pattern = re.compile(rf"(?<![\w/]){re.escape(module)}:(\d+)")
    for text in [*(c.get("message", "") for c in checks), *notes]:
        found |= {int(n) for n in pattern.findall(text or "")}
    return found


def block(path: Path, sha256: str, highlight: set[int], anchor: str) -> str:
    """HTML for the file at `path`, graded with hash `sha256`."""
    shown = html.escape(path.name)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return (
            f'<p class="empty">{shown} cannot be read here ({html.escape(exc.strerror or "")}).</p>'
        )
    if size > MAX_BYTES:
        return f'<p class="empty">{shown} is {size} bytes, too large to show.</p>'
    if provenance.sha256(path) != sha256:
        return (
            f'<p class="flag">{shown} has changed since it was graded (edited after grading); '
            "the graded version cannot be shown.</p>"
        )
    text = path.read_bytes().decode("utf-8", errors="replace")
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        mark = ' class="hit"' if number in highlight else ""
        rows.append(
            f'<tr id="{anchor}-L{number}"{mark}>'
            f'<td class="ln">{number}</td><td class="src">{html.escape(line) or " "}</td></tr>'
        )
    named = ", ".join(str(n) for n in sorted(highlight)) or "none"
    return (
        f'<details class="code" open><summary>{shown} as submitted '
        f"(lines the messages name: {named})</summary>"
        f'<table class="code">{"".join(rows)}</table></details>'
    )
