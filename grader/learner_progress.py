"""The learner's progress, remembered between runs in a git-ignored file in their copy of the kit.

Each grade run of exercises/ updates it; `kit status` reads it without grading anything.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from grader import PROJECT_ROOT, commands, manifest
from grader.i18n import _, language

PROGRESS_FILE = PROJECT_ROOT / ".kit-progress.json"
DONE = ("passed",)


def load(path: Path = PROGRESS_FILE) -> dict[str, dict]:
    """{exercise id: {"status", "score", "max_score", "graded_at", "passed_at"}}; {} if none yet.

    A damaged file is ignored (and rewritten on the next run): progress is a convenience,
    never a reason for grading to fail.
    """
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return state.get("exercises", {}) if isinstance(state, dict) else {}


def update(results, path: Path = PROGRESS_FILE) -> dict[str, dict]:
    """Merges this run's verdicts (not_graded ones are left out) into the remembered state."""
    state = load(path)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for r in results:
        if r.status == "not_graded":
            continue
        entry = state.get(r.id, {})
        entry.update(status=r.status, score=r.score, max_score=r.max_score, graded_at=now)
        if r.status in DONE:
            entry.setdefault("passed_at", now)
        else:
            entry.pop("passed_at", None)
        state[r.id] = entry
    try:
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps({"version": 1, "exercises": state}, indent=1) + "\n")
        os.replace(partial, path)
    except OSError:
        pass  # a read-only copy of the kit still grades; it only forgets
    return state


@dataclass
class Overview:
    points: float
    max_points: int
    done: int
    total: int
    chapters: list[tuple[str, int, int]]  # (chapter, exercises done, exercises in it)
    next: manifest.Exercise | None


def overview(state: dict[str, dict]) -> Overview:
    exercises = manifest.load()
    chapters = []
    for chapter in manifest.chapters():
        inside = [ex for ex in exercises if ex.chapter == chapter]
        done = sum(state.get(ex.id, {}).get("status") in DONE for ex in inside)
        chapters.append((chapter, done, len(inside)))
    upcoming = [
        ex for ex in exercises if state.get(ex.id, {}).get("status") not in (*DONE, "skipped")
    ]
    return Overview(
        points=round(sum(state.get(ex.id, {}).get("score", 0) for ex in exercises), 2),
        max_points=sum(ex.points for ex in exercises),
        done=sum(state.get(ex.id, {}).get("status") in DONE for ex in exercises),
        total=len(exercises),
        chapters=chapters,
        next=upcoming[0] if upcoming else None,
    )


def progress_line(view: Overview) -> str:
    """One line: points and exercises done in the whole kit, then the chapters under way."""
    under_way = [f"{c} {d}/{n}" for c, d, n in view.chapters if 0 < d]
    line = _("Progress: {points}/{max_points} points, {done}/{total} exercises done").format(
        points=f"{view.points:g}", max_points=view.max_points, done=view.done, total=view.total
    )
    return line + (" (" + _(", ").join(under_way) + ")" if under_way else "")


def next_lines(view: Overview) -> list[str]:
    """ "Next:" with the file to open and the command that grades it, or the end of the kit."""
    if view.next is None:
        return [_("Next: nothing left. Every exercise in the kit is done.")]
    ex = view.next
    lines = [
        _("Next: {id} — {title} (manual {topics})").format(
            id=ex.id, title=ex.shown_title, topics=" ".join(ex.topics)
        ),
        _("  open   {path}").format(path=f"exercises/{ex.module}"),
    ]
    if language() == "ja":  # the task in Japanese; in English it is the file's own docstring
        lines.append(_("  task   {command}").format(command=commands.kit("task", ex.id)))
    lines.append(_("  grade  {command}").format(command=commands.kit("grade", ex.id)))
    return lines
