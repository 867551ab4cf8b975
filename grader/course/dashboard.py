"""`kit dashboard --out DIR`: a static page of the course's progress, no server needed.

DIR/index.html opens from the file system or from any web server (every link is relative):
the heatmap of learners × exercises, each learner's score over time, the exercises where most
learners are stuck with the check most of them fail, and a table of learners, each linking to
DIR/learners/<learner>.html with the messages of their latest submission.
"""

from __future__ import annotations

import html
import os
from datetime import UTC, datetime
from pathlib import Path

from grader import manifest
from grader.course import dashboard_figures
from grader.course.progress import LearnerView, StuckExercise, ago, duration, stuck_exercises

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 84rem;
       padding: 0 1rem; color: #222; }
h1 { margin-bottom: 0.2rem; } .meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.45rem; text-align: left;
         vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; white-space: nowrap; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
pre { white-space: pre-wrap; background: #f8f8f8; padding: 0.4rem; margin: 0.2rem 0; }
.flag { font-weight: bold; color: #b00020; } .copy { font-weight: bold; color: #7b3294; }
.status { padding: 0 0.4rem; border-radius: 0.2rem; color: #fff; white-space: nowrap; }
.empty { color: #666; font-style: italic; }
.scroll { overflow-x: auto; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n"
        "</body>\n</html>\n"
    )


def _status(status: str) -> str:
    colour, label = dashboard_figures.COLOURS.get(status, ("#666", status))
    text_colour = "#222" if status in ("not_started", "skipped", "missing") else "#fff"
    return (
        f'<span class="status" style="background:{colour};color:{text_colour}">{_e(label)}</span>'
    )


def _flags(v: LearnerView) -> str:
    by_kind: dict[str, list[str]] = {}
    for exercise_id, kind in v.flags():
        by_kind.setdefault(kind, []).append(exercise_id)
    return "<br>".join(
        f'<span class="{"copy" if kind == "matches the reference" else "flag"}">{_e(kind)}:</span> '
        + ", ".join(f"<code>{_e(i)}</code>" for i in ids)
        for kind, ids in by_kind.items()
    )


def _flags_list(views: list[LearnerView]) -> str:
    items = [f"<li>{_link(v.learner)}: {_flags(v)}</li>" for v in views if v.flags()]
    if not items:
        return '<p class="empty">No tampering, and no code that matches the reference.</p>'
    return "<ul>" + "\n".join(items) + "</ul>"


def learner_file(learner: str) -> str:
    """The learner page's path relative to DIR (learner names are folder-safe already)."""
    return f"learners/{learner}.html"


def build(views: list[LearnerView], out: Path, course_name: str, now: datetime) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "learners").mkdir(exist_ok=True)
    dashboard_figures.heatmap(views, out / "heatmap.svg")
    dashboard_figures.progress_over_time(views, out / "progress.svg")
    _write(out / "index.html", index(views, stuck_exercises(views), course_name, now))
    for v in views:
        _write(out / learner_file(v.learner), learner_page(v, now))
    return out / "index.html"


def _write(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def index(
    views: list[LearnerView], stuck: list[StuckExercise], course_name: str, now: datetime
) -> str:
    parts = [
        f"<h1>{_e(course_name)}: onboarding progress</h1>",
        (
            f'<p class="meta">{len(views)} learner(s), generated {now:%Y-%m-%d %H:%M} UTC from '
            "the gradebook. T marks an exercise where the grader was tampered with, = one whose "
            "code matches the reference solution (for you to look at; not failed).</p>"
        ),
        "<h2>Where each learner is</h2>",
        (
            '<img src="heatmap.svg" alt="Heatmap of the latest verdict of each exercise, '
            'learner by learner">'
        ),
        "<h2>Progress over time</h2>",
        '<img src="progress.svg" alt="Each learner\'s score at each submission">',
        "<h2>Where learners are stuck</h2>",
        _stuck_table(stuck),
        "<h2>Learners</h2>",
        _learners_table(views, now),
        "<h2>For you to look at</h2>",
        _flags_list(views),
    ]
    return _page(f"{course_name}: onboarding progress", "\n".join(parts))


def _stuck_table(stuck: list[StuckExercise]) -> str:
    if not stuck:
        return '<p class="empty">Nobody is stuck: no learner has an exercise they attempted and did not pass.</p>'
    rows = []
    for s in stuck:
        ex = s.exercise
        check = (
            f"<code>{_e(s.failing_check)}</code> ({s.failing_count} of {len(s.learners)})"
            f"<pre>{_e(_first_lines(s.message))}</pre>"
            if s.failing_check
            else '<span class="empty">no failing check recorded (an error before the checks)</span>'
        )
        rows.append(
            "<tr>"
            f"<td><code>{_e(ex.id)}</code><br>{_e(ex.title)}<br>manual {_e(' '.join(ex.topics))}</td>"
            f'<td class="num">{len(s.learners)}</td>'
            f"<td>{', '.join(_link(name) for name in s.learners)}</td>"
            f"<td>{check}</td>"
            "</tr>"
        )
    return (
        "<table><tr><th>exercise (lesson)</th><th>stuck</th><th>who</th>"
        "<th>most common failing check</th></tr>\n" + "\n".join(rows) + "</table>"
    )


def _first_lines(text: str, limit: int = 400) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _link(learner: str) -> str:
    return f'<a href="{_e(learner_file(learner))}">{_e(learner)}</a>'


def _learners_table(views: list[LearnerView], now: datetime) -> str:
    if not views:
        return '<p class="empty">No submission has been graded yet.</p>'
    from grader.course.progress_table import chapter_labels

    chapters = manifest.chapters()
    labels = chapter_labels(chapters)
    head = "".join(f'<th title="{_e(c)}">{_e(labels[c])}</th>' for c in chapters)
    rows = []
    for v in views:
        cells = "".join(
            f'<td class="num">{v.chapter_scores[c][0]:g}/{v.chapter_scores[c][1]}</td>'
            for c in chapters
        )
        rows.append(
            f"<tr><td>{_link(v.learner)}</td>{cells}"
            f'<td class="num">{v.score:g}/{v.max_score}</td>'
            f"<td><code>{_e(v.on.id if v.on else 'done')}</code></td>"
            f"<td>{_e(ago(v.last_progress, now))}</td>"
            f"<td>{_e(duration(v.stuck_for(now)) if v.stuck_since else '—')}</td></tr>"
        )
    legend = ", ".join(f"{_e(labels[c])} = {_e(c)}" for c in chapters if labels[c] != c)
    return (
        '<div class="scroll"><table><tr><th>learner</th>'
        f"{head}<th>total</th><th>on</th><th>last progress</th><th>stuck</th></tr>\n"
        + "\n".join(rows)
        + f'</table></div><p class="meta">chapters: {legend}</p>'
    )


def learner_page(v: LearnerView, now: datetime) -> str:
    latest = v.latest
    parts = [
        '<p><a href="../index.html">← all learners</a></p>',
        f"<h1>{_e(v.learner)}</h1>",
        f'<p class="meta">Latest submission {latest.submitted_at:%Y-%m-%d %H:%M} UTC '
        f"({_e(ago(latest.submitted_at, now))}), graded {latest.graded_at:%Y-%m-%d %H:%M} UTC "
        f"with kit {_e(latest.kit)} ({_e(latest.isolation)} isolation). Score "
        f"{v.score:g}/{v.max_score}; on <code>{_e(v.on.id if v.on else 'done')}</code>"
        + (f", stuck for {_e(duration(v.stuck_for(now)))}" if v.stuck_since else "")
        + ".</p>",
        "<h2>Latest messages, exercise by exercise</h2>",
        "<table><tr><th>exercise</th><th>status</th><th>score</th><th>messages</th></tr>",
    ]
    for ex in v.exercises:
        r = v.result(ex.id)
        if r is None:
            parts.append(
                f"<tr><td><code>{_e(ex.id)}</code></td><td>{_status('missing')}</td>"
                '<td class="num">—</td><td></td></tr>'
            )
            continue
        messages = []
        if r.tampered:
            messages.append('<span class="flag">tampered</span>')
        if r.matches_reference:
            messages.append('<span class="copy">matches the reference</span>')
        # A stub not started says so once, not once per check.
        failing = [] if r.status == "not_started" else r.failing_checks()
        for check in failing:
            messages.append(
                f"<code>{_e(check['name'])}</code> [{_e(check['status'])}]"
                f"<pre>{_e(check.get('message', ''))}</pre>"
            )
        shown = {c.get("message", "") for c in failing}
        for note in r.notes:
            if note not in shown:
                messages.append(f"<pre>{_e(note)}</pre>")
        parts.append(
            f"<tr><td><code>{_e(ex.id)}</code><br>{_e(ex.chapter)}</td><td>{_status(r.status)}</td>"
            f'<td class="num">{r.score:g}/{r.max_score:g}</td><td>{"".join(messages)}</td></tr>'
        )
    parts.append("</table>")
    parts.append("<h2>Every submission</h2>")
    parts.append("<table><tr><th>submitted (UTC)</th><th>score</th><th>folder</th></tr>")
    for g in v.history:
        score = round(sum(r.score for ex in v.exercises if (r := g.results.get(ex.id))), 2)
        parts.append(
            f"<tr><td>{g.submitted_at:%Y-%m-%d %H:%M:%S}</td>"
            f'<td class="num">{score:g}/{v.max_score}</td><td><code>{_e(g.folder)}</code></td></tr>'
        )
    parts.append("</table>")
    return _page(f"{v.learner}: latest messages", "\n".join(parts))


def now_utc() -> datetime:
    return datetime.now(UTC)
