"""Where each learner stands, from the gradebook's history: the one model behind `kit progress`
and `kit dashboard`.

- who: every learner with a recorded submission, every member of the roster (a member who
  never submitted is shown, and is behind once a target date passes), and everyone an
  integrity finding names; withdrawn learners only when asked for;
- score: the latest submission's points, by chapter and in all;
- on: the first exercise, in the manifest's learning order, not yet passed (skipped ones, such
  as GPU checks on a machine without one, and ones not graded for a fault of the kit or the
  data do not hold a learner up; the kit's status view counts the same way);
- last progress: the time of the latest submission whose score beat every earlier one;
- stuck: for every exercise attempted and failing in the latest submission, since when: the
  first of the unbroken run of latest submissions in which it was attempted and not passed;
- behind: each chapter whose target date has passed and that is not complete, by how long and
  by how many points;
- integrity: skipped submissions, files edited after grading, tampering, runs without the
  sandbox, and exercises not graded for a fault of the kit or the data, each with its reason;
- flags: code that matches the reference, and pairs of members with similar code. Flags are
  for the supervisor to look at; they never change a score.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from grader import manifest
from grader.course import records
from grader.course.gradebook import UNSANDBOXED, Graded, Result
from grader.i18n import N_, _, ngettext

PASSED = "passed"
NOT_BLOCKING = {"passed", "skipped"}
FAILING = {"failed", "error", "timeout"}


# What progress and the dashboard call each kind of finding and flag (Issue.kind and the kinds
# of LearnerView.flags are data; these are their labels in the reader's language).
LABELS = {
    "skipped": N_("skipped"),
    "edited after grading": N_("edited after grading"),
    "tampered": N_("tampered"),
    "flagged": N_("flagged"),
    "unsandboxed": N_("unsandboxed"),
    "kit fault": N_("kit fault"),
    "data fault": N_("data fault"),
    "machine fault": N_("machine fault"),
    "matches the reference": N_("matches the reference"),
}


def label(kind: str) -> str:
    return _(LABELS[kind]) if kind in LABELS else kind


@dataclass(frozen=True)
class Issue:
    """One integrity finding about a learner, as progress and the dashboard show it."""

    kind: str  # skipped, edited after grading, tampered, unsandboxed, kit fault, data fault
    detail: str
    when: datetime | None = None
    exercise: str | None = None


@dataclass
class Context:
    """What besides the verdicts the views are built from."""

    roster: tuple = ()
    records: records.Records = field(default_factory=records.Records)
    due: dict[str, datetime] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    include_withdrawn: bool = False


@dataclass
class LearnerView:
    learner: str
    history: list[Graded]  # oldest first; empty for a member who has not submitted
    exercises: list[manifest.Exercise]  # those shown (filtered by chapter)
    name: str = ""
    withdrawn: bool = False
    chapter_scores: dict[str, tuple[float, int]] = field(default_factory=dict)
    score: float = 0.0
    max_score: int = 0
    on: manifest.Exercise | None = None
    last_progress: datetime | None = None
    stuck: dict[str, datetime] = field(default_factory=dict)  # exercise id -> since
    behind: list[tuple[str, float, float]] = field(default_factory=list)  # chapter, s, points
    issues: list[Issue] = field(default_factory=list)
    similar: list[records.Similar] = field(default_factory=list)

    @property
    def latest(self) -> Graded | None:
        return self.history[-1] if self.history else None

    @property
    def shown_name(self) -> str:
        return self.name or self.learner

    def result(self, exercise_id: str) -> Result | None:
        return self.latest.results.get(exercise_id) if self.latest else None

    @property
    def stuck_since(self) -> datetime | None:
        """Since when the learner has been stuck on the exercise they are stuck on longest."""
        return min(self.stuck.values()) if self.stuck else None

    def stuck_for(self, now: datetime) -> float | None:
        since = self.stuck_since
        return (now - since).total_seconds() if since else None

    def behind_for(self) -> float | None:
        return max((late for _, late, _ in self.behind), default=None)

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

    def evidence(self, exercise_id: str) -> str:
        """Why an exercise matches the reference, as autograde recorded it."""
        r = self.result(exercise_id)
        for note in r.notes if r else []:
            if note.startswith("Matches the reference:"):
                return note.removeprefix("Matches the reference:").strip()
        return ""

    def partner(self, pair: records.Similar) -> str:
        return pair.learners[1] if pair.learners[0] == self.learner else pair.learners[0]


def _scored(graded: Graded, exercises: list[manifest.Exercise]) -> float:
    return round(sum(r.score for e in exercises if (r := graded.results.get(e.id))), 2)


def _blocking(r: Result | None) -> bool:
    return r is None or (r.status not in NOT_BLOCKING and not r.no_verdict)


def _failing(r: Result | None) -> bool:
    return r is not None and r.attempted and r.status in FAILING and not r.no_verdict


def view(
    learner: str,
    history: list[Graded],
    exercises: list[manifest.Exercise],
    context: Context | None = None,
) -> LearnerView:
    context = context or Context()
    v = LearnerView(learner, history, exercises)
    v.max_score = sum(ex.points for ex in exercises)
    latest = v.latest
    for chapter in dict.fromkeys(ex.chapter for ex in exercises):
        inside = [ex for ex in exercises if ex.chapter == chapter]
        points = sum(ex.points for ex in inside)
        v.chapter_scores[chapter] = (_scored(latest, inside) if latest else 0.0, points)
    v.score = _scored(latest, exercises) if latest else 0.0
    v.on = next((ex for ex in exercises if _blocking(v.result(ex.id))), None)
    best = 0.0
    for graded in history:
        score = _scored(graded, exercises)
        if score > best:
            best, v.last_progress = score, graded.submitted_at
    for ex in exercises:
        if not _failing(v.result(ex.id)):
            continue
        for graded in reversed(history):
            r = graded.results.get(ex.id)
            if not _failing(r):
                break
            v.stuck[ex.id] = graded.submitted_at
    for chapter, due in context.due.items():
        if chapter not in v.chapter_scores or due > context.now:
            continue
        inside = [ex for ex in exercises if ex.chapter == chapter]
        if any(_blocking(v.result(ex.id)) for ex in inside):
            score, points = v.chapter_scores[chapter]
            v.behind.append((chapter, (context.now - due).total_seconds(), points - score))
    v.behind.sort(key=lambda b: -b[1])
    v.issues = _issues(v, context)
    v.similar = [p for p in context.records.similar if learner in p.learners]
    return v


def _issues(v: LearnerView, context: Context) -> list[Issue]:
    found = [
        # A skipped submission's label says why it was skipped; an edit after grading's label
        # is its kind already.
        Issue("edited after grading", e.detail, e.first_seen)
        if e.kind == records.EDITED_AFTER_GRADING
        else Issue("skipped", f"{e.label}: {e.detail}", e.first_seen)
        for e in context.records.events
        if context.records.learners.current(e.learner) == v.learner
    ]
    seen = set()
    for graded in reversed(v.history):  # the latest occurrence of each
        for ex in v.exercises:
            r = graded.results.get(ex.id)
            if r is not None and r.tampered and (ex.id, "tampered") not in seen:
                seen.add((ex.id, "tampered"))
                note = next((n for n in r.notes if n.startswith("Tampered")), "tampered")
                found.append(Issue("tampered", f"{ex.id}: {note}", graded.submitted_at, ex.id))
            flagged = [f for f in (r.flags if r is not None else []) if f != UNSANDBOXED]
            if r is not None and not r.tampered and flagged and (ex.id, "flagged") not in seen:
                seen.add((ex.id, "flagged"))
                found.append(Issue("flagged", f"{ex.id}: {flagged[0]}", graded.submitted_at, ex.id))
    unsandboxed = [g for g in v.history if g.isolation == "unsandboxed"]
    if unsandboxed:
        found.append(
            Issue(
                "unsandboxed",
                ngettext(
                    "{n} submission graded without the sandbox (autograde's explicit opt-in): "
                    "its code could reach the machine",
                    "{n} submissions graded without the sandbox (autograde's explicit opt-in): "
                    "their code could reach the machine",
                    len(unsandboxed),
                ).format(n=len(unsandboxed)),
                unsandboxed[-1].submitted_at,
            )
        )
    latest = v.latest
    for ex in v.exercises:
        r = v.result(ex.id)
        if r is not None and r.no_verdict:
            why = r.notes[0] if r.notes else _("no verdict")
            found.append(Issue(f"{r.fault} fault", f"{ex.id}: {why}", latest.submitted_at, ex.id))
    return found


def views(
    graded: list[Graded],
    learners: list[str] | None = None,
    chapters: list[str] | None = None,
    context: Context | None = None,
) -> list[LearnerView]:
    """One view per learner (only `learners` when given)."""
    context = context or Context()
    exercises = [ex for ex in manifest.load() if not chapters or ex.chapter in chapters]
    by_learner: dict[str, list[Graded]] = {}
    for g in graded:
        by_learner.setdefault(g.learner, []).append(g)
    everyone = set(by_learner) | {m.id for m in context.roster}
    everyone |= {context.records.learners.current(e.learner) for e in context.records.events}
    withdrawn = context.records.learners.withdrawn
    if learners is not None:
        names = [name for name in learners if name in everyone]
    else:
        names = sorted(n for n in everyone if context.include_withdrawn or n not in withdrawn)
    found = []
    for name in names:
        v = view(name, by_learner.get(name, []), exercises, context)
        v.name = display_name(name, context)
        v.withdrawn = name in withdrawn
        found.append(v)
    return found


def known_learners(graded: list[Graded], context: Context) -> set[str]:
    return (
        {g.learner for g in graded}
        | {m.id for m in context.roster}
        | {context.records.learners.current(e.learner) for e in context.records.events}
    )


def display_name(learner: str, context: Context) -> str:
    """The roster's name, else nbgrader's student record (written from the name the learner
    gave), else the id."""
    member = next((m for m in context.roster if m.id == learner), None)
    if member is not None:
        return member.name
    first, last, _email = context.records.students.get(learner, (None, None, None))
    return " ".join(part for part in (first, last) if part) or learner


@dataclass
class StuckExercise:
    exercise: manifest.Exercise
    learners: list[str]  # attempting it and failing
    failing_check: str | None  # the check most of them fail
    failing_count: int
    message: str  # that check's message, from one of them


def stuck_exercises(all_views: list[LearnerView]) -> list[StuckExercise]:
    """Every exercise learners are stuck on, most learners first, with the most common failing
    check: which lesson needs help."""
    by_exercise: dict[str, list[LearnerView]] = {}
    for v in all_views:
        for exercise_id in v.stuck:
            by_exercise.setdefault(exercise_id, []).append(v)
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
        return _("{days}d {hours}h").format(days=days, hours=hours)
    if hours:
        return _("{hours}h {minutes}m").format(hours=hours, minutes=minutes)
    if minutes:
        return _("{minutes}m").format(minutes=minutes)
    return _("{seconds}s").format(seconds=secs)


def ago(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return _("never")
    now = now or datetime.now(UTC)
    return _("{duration} ago").format(duration=duration((now - when).total_seconds()))
