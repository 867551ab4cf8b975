"""Where each learner stands, from the gradebook's history: the one model behind `kit progress`
and `kit dashboard`.

- score: the latest submission's points, by chapter and in all;
- on: the first exercise, in the manifest's learning order, not yet passed (skipped ones, such
  as GPU checks on a machine without one, do not hold a learner up; the kit's status view
  counts the same way);
- last progress: the time of the latest submission whose score beat every earlier one;
- stuck: how long the learner has been on that exercise while attempting it: from the first
  of the unbroken run of latest submissions in which it was attempted and not passed, to now.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from grader import manifest
from grader.course.gradebook import Graded, Result

PASSED = "passed"
NOT_BLOCKING = {"passed", "skipped"}


@dataclass
class LearnerView:
    learner: str
    history: list[Graded]  # oldest first
    exercises: list[manifest.Exercise]  # those shown (filtered by chapter)
    chapter_scores: dict[str, tuple[float, int]] = field(default_factory=dict)
    score: float = 0.0
    max_score: int = 0
    on: manifest.Exercise | None = None
    last_progress: datetime | None = None
    stuck_since: datetime | None = None

    @property
    def latest(self) -> Graded:
        return self.history[-1]

    def result(self, exercise_id: str) -> Result | None:
        return self.latest.results.get(exercise_id)

    def flags(self) -> list[tuple[str, str]]:
        """(exercise id, kind) in the latest submission, kind "tampered", "flagged" (ended
        abnormally and the like), "unsandboxed" or "matches the reference"."""
        found = []
        for ex in self.exercises:
            r = self.result(ex.id)
            if r is None:
                continue
            if r.tampered:
                found.append((ex.id, "tampered"))
            elif [f for f in r.flags if f != "unsandboxed"]:
                found.append((ex.id, "flagged"))
            if r.unsandboxed:
                found.append((ex.id, "unsandboxed"))
            if r.matches_reference:
                found.append((ex.id, "matches the reference"))
        return found

    def stuck_for(self, now: datetime) -> float | None:
        return (now - self.stuck_since).total_seconds() if self.stuck_since else None


def _scored(graded: Graded, exercises: list[manifest.Exercise]) -> float:
    return round(sum(r.score for e in exercises if (r := graded.results.get(e.id))), 2)


def view(learner: str, history: list[Graded], exercises: list[manifest.Exercise]) -> LearnerView:
    v = LearnerView(learner, history, exercises)
    latest = history[-1]
    for chapter in dict.fromkeys(ex.chapter for ex in exercises):
        inside = [ex for ex in exercises if ex.chapter == chapter]
        v.chapter_scores[chapter] = (_scored(latest, inside), sum(ex.points for ex in inside))
    v.score = _scored(latest, exercises)
    v.max_score = sum(ex.points for ex in exercises)
    v.on = next(
        (
            ex
            for ex in exercises
            if (r := latest.results.get(ex.id)) is None or r.status not in NOT_BLOCKING
        ),
        None,
    )
    best = 0.0
    for graded in history:
        score = _scored(graded, exercises)
        if score > best:
            best, v.last_progress = score, graded.submitted_at
    if v.on is not None:
        for graded in reversed(history):
            r = graded.results.get(v.on.id)
            if r is None or not r.attempted or r.status == PASSED:
                break
            v.stuck_since = graded.submitted_at
    return v


def views(
    graded: list[Graded], learners: list[str] | None = None, chapters: list[str] | None = None
) -> list[LearnerView]:
    """One view per learner with a recorded submission (only `learners` when given)."""
    exercises = [ex for ex in manifest.load() if not chapters or ex.chapter in chapters]
    by_learner: dict[str, list[Graded]] = {}
    for g in graded:
        by_learner.setdefault(g.learner, []).append(g)
    names = learners if learners is not None else sorted(by_learner)
    return [view(name, by_learner[name], exercises) for name in names if name in by_learner]


@dataclass
class StuckExercise:
    exercise: manifest.Exercise
    learners: list[str]  # on it and attempting it
    failing_check: str | None  # the check most of them fail
    failing_count: int
    message: str  # that check's message, from one of them


def stuck_exercises(all_views: list[LearnerView]) -> list[StuckExercise]:
    """Exercises where learners are stuck, most learners first, with the most common failing
    check: which lesson needs help."""
    by_exercise: dict[str, list[LearnerView]] = {}
    for v in all_views:
        if v.on is not None and v.stuck_since is not None:
            by_exercise.setdefault(v.on.id, []).append(v)
    found = []
    for exercise_id, stuck in by_exercise.items():
        counts: Counter[str] = Counter()
        messages: dict[str, str] = {}
        for v in stuck:
            result = v.result(exercise_id)
            for check in result.failing_checks() if result else []:
                counts[check["name"]] += 1
                messages.setdefault(check["name"], check.get("message", ""))
        top = counts.most_common(1)
        name, count = top[0] if top else (None, 0)
        found.append(
            StuckExercise(
                manifest.find(exercise_id),
                sorted(v.learner for v in stuck),
                name,
                count,
                messages.get(name, "") if name else "",
            )
        )
    order = {ex.id: n for n, ex in enumerate(manifest.load())}
    found.sort(key=lambda s: (-len(s.learners), order[s.exercise.id]))
    return found


def duration(seconds: float | None) -> str:
    """A short duration: 45s, 12m, 5h 3m, 3d 4h."""
    if seconds is None:
        return "—"
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def ago(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return "never"
    now = now or datetime.now(UTC)
    return f"{duration((now - when).total_seconds())} ago"
