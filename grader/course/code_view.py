"""A member's submitted file beside the messages, as the dashboard shows it (as nbgrader's
formgrader shows the work beside the grade): every line escaped, numbered, and the lines the
messages name highlighted. Only the file that was graded is shown: one whose sha256 no longer
matches the verdict's is named as edited after grading instead."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

from grader.course import intake
from grader.i18n import _

MAX_BYTES = 200_000  # a larger file is named, not shown


def named_lines(module: str, checks: list[dict], notes: list[str]) -> set[int]:
    """Lines of `module` the messages name: a check's recorded line, and every
    `<module>:<line>` in the messages and notes."""
    found = {c["line"] for c in checks if isinstance(c.get("line"), int)}
    pattern = re.compile(rf"(?<![\w/]){re.escape(module)}:(\d+)")
    for text in [*(c.get("message", "") for c in checks), *notes]:
        found |= {int(n) for n in pattern.findall(text or "")}
    return found


def block(root: Path, module: str, sha256: str, highlight: set[int], anchor: str) -> str:
    """HTML for the file root/module, graded with hash `sha256` (read without following a link:
    root is a member's submission)."""
    shown = html.escape(Path(module).name)
    try:
        data = intake.read(root, module, MAX_BYTES)
    except intake.Refused as exc:
        shown_problem = _("{problem}: it cannot be shown.").format(problem=str(exc))
        return f'<p class="empty">{html.escape(shown_problem)}</p>'
    if hashlib.sha256(data).hexdigest() != sha256:
        changed = _(
            "{file} has changed since it was graded (edited after grading); the graded version "
            "cannot be shown."
        ).format(file=shown)
        return f'<p class="flag">{changed}</p>'
    text = data.decode("utf-8", errors="replace")
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        mark = ' class="hit"' if number in highlight else ""
        rows.append(
            f'<tr id="{anchor}-L{number}"{mark}>'
            f'<td class="ln">{number}</td><td class="src">{html.escape(line) or " "}</td></tr>'
        )
    named = ", ".join(str(n) for n in sorted(highlight)) or _("none")
    summary = _("{file} as submitted (lines the messages name: {lines})").format(
        file=shown, lines=named
    )
    return (
        f'<details class="code" open><summary>{summary}</summary>'
        f'<table class="code">{"".join(rows)}</table></details>'
    )
