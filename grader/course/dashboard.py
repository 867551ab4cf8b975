"""`kit dashboard --out DIR`: a static page of the course's progress, no server needed.

DIR/index.html opens from the file system or from any web server (every link is relative):
the heatmap of learners × exercises, each learner's score over time, the exercises where most
learners are stuck with the check most of them fail, a table of learners (who is behind their
target dates and by how much), each member's integrity findings with the reason, and the flags
(code that matches the reference, similar pairs). Each learner links to
DIR/learners/<learner>.html: the messages of their latest submission, and beside each failing
exercise the file they submitted, with the lines the messages name highlighted (code_view).
Everything a learner wrote (names, messages, code) is escaped.
"""

from __future__ import annotations

import html
import os
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from grader import manifest
from grader.course import code_view, dashboard_figures, intake
from grader.course.config import Course
from grader.course.progress import (
    LearnerView,
    StuckExercise,
    ago,
    duration,
    label,
    stuck_exercises,
)
from grader.i18n import _, language, ngettext

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
.late { color: #b35806; font-weight: bold; }
details.code summary { cursor: pointer; color: #444; margin-top: 0.4rem; }
table.code { border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 0.85rem;
             margin: 0.2rem 0; background: #fafafa; }
table.code td { border: none; padding: 0 0.5rem; white-space: pre; }
table.code td.ln { color: #888; text-align: right; user-select: none; }
table.code tr.hit td { background: #ffe9a8; }
table.code tr.hit td.ln { color: #222; font-weight: bold; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


# Marks the pages `kit dashboard` writes: a learner page that carries it and no longer belongs
# to a learner (after a rename, merge or withdrawal) is removed; no other file ever is.
GENERATOR = '<meta name="generator" content="kit dashboard">'


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{language()}">\n<head>\n<meta charset="utf-8">\n'
        f"{GENERATOR}\n"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n"
        "</body>\n</html>\n"
    )


def _status(status: str) -> str:
    colour, shown = dashboard_figures.COLOURS.get(status, ("#666", status))
    text_colour = "#222" if status in ("not_started", "skipped", "missing") else "#fff"
    return f'<span class="status" style="background:{colour};color:{text_colour}">{_e(_(shown))}</span>'


def _flags(v: LearnerView) -> str:
    by_kind: dict[str, list[str]] = {}
    for exercise_id, kind in v.flags():
        by_kind.setdefault(kind, []).append(exercise_id)
    return "<br>".join(
        f'<span class="{"copy" if kind == "matches the reference" else "flag"}">{_e(label(kind))}:</span> '
        + ", ".join(
            f"<code>{_e(i)}</code>"
            + (
                f" ({_e(v.evidence(i))})"
                if kind == "matches the reference" and v.evidence(i)
                else ""
            )
            for i in ids
        )
        for kind, ids in by_kind.items()
    )


def _pairs(pairs, course: Course, prefix: str = "") -> str:
    items = []
    for p in pairs:
        a, b = p.learners
        module = manifest.find(p.exercise).module
        shown = "".join(
            f"<div><code>{_e(folder)}</code>, "
            + _("lines {lines}:").format(lines=_e(_spans(ranges)))
            + f"<pre>{_e(_lines(course.root / folder, module, ranges))}</pre></div>"
            for folder, ranges in zip(p.folders, p.lines, strict=True)
        )
        items.append(
            "<li>"
            + _(
                '<span class="copy">similar</span> {a} ~ {b} in {exercise}: {share} of the '
                "fingerprints"
            ).format(
                a=_link(a, prefix),
                b=_link(b, prefix),
                exercise=f"<code>{_e(p.exercise)}</code>",
                share=f"{p.score:.0%}",
            )
            + "<details><summary>"
            + _("the lines both share")
            + f"</summary>{shown}</details></li>"
        )
    return "<ul>" + "\n".join(items) + "</ul>" if items else ""


def _lines(root: Path, module: str, ranges) -> str:
    """The text of `ranges` of a submitted file, "…" between them."""
    try:
        text = intake.text(root, module).splitlines()
    except intake.Refused as exc:
        return _("(cannot be read here: {reason})").format(reason=exc)
    return "\n…\n".join("\n".join(text[a - 1 : b]) for a, b in ranges)


def _spans(ranges) -> str:
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in ranges)


def _flags_list(views: list[LearnerView], course: Course) -> str:
    items = [f"<li>{_link(v.learner)}: {_flags(v)}</li>" for v in views if v.flags()]
    seen, pairs = set(), []
    for v in views:
        for p in v.similar:
            if (p.exercise, p.learners) not in seen:
                seen.add((p.exercise, p.learners))
                pairs.append(p)
    if not items and not pairs:
        return '<p class="empty">{}</p>'.format(
            _("No tampering, no code that matches the reference, and no similar pair of members.")
        )
    return ("<ul>" + "\n".join(items) + "</ul>" if items else "") + _pairs(pairs, course)


def _issues(v: LearnerView) -> str:
    return "<br>".join(
        f'<span class="flag">{_e(label(i.kind))}</span>'
        + (f" ({i.when:%Y-%m-%d %H:%M} UTC)" if i.when else "")
        + f": {_e(i.detail)}"
        for i in v.issues
    )


def _integrity_list(views: list[LearnerView]) -> str:
    items = [f"<li>{_link(v.learner)}:<br>{_issues(v)}</li>" for v in views if v.issues]
    if not items:
        return '<p class="empty">{}</p>'.format(
            _(
                "Nothing skipped or edited, no tampering, no run without the sandbox, and no "
                "fault of the kit or the data."
            )
        )
    return "<ul>" + "\n".join(items) + "</ul>"


def learner_file(learner: str) -> str:
    """The learner page's path relative to DIR; learner ids are folder-safe (grader.identity),
    and the link is percent-encoded, so that 李明 or a+b links to its own page."""
    return f"learners/{learner}.html"


def _href(learner: str) -> str:
    return quote(learner_file(learner), safe="/@+")


def build(views: list[LearnerView], out: Path, course: Course, now: datetime) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "learners").mkdir(exist_ok=True)
    dashboard_figures.heatmap(views, out / "heatmap.svg")
    dashboard_figures.progress_over_time(views, out / "progress.svg")
    _write(out / "index.html", index(views, stuck_exercises(views), course, now))
    for v in views:
        _write(out / learner_file(v.learner), learner_page(v, now, course))
    _remove_stale_pages(out / "learners", {Path(learner_file(v.learner)).name for v in views})
    return out / "index.html"


def _remove_stale_pages(folder: Path, current: set[str]) -> None:
    """Removes the learner pages an earlier `kit dashboard` wrote that no learner has now: only
    regular *.html files (never a link) whose head carries GENERATOR."""
    for path in folder.glob("*.html"):
        if path.name in current or path.is_symlink() or not path.is_file():
            continue
        try:
            with path.open("rb") as f:
                head = f.read(512)
        except OSError:
            continue
        if GENERATOR.encode() in head:
            path.unlink(missing_ok=True)


def _write(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def index(
    views: list[LearnerView], stuck: list[StuckExercise], course: Course, now: datetime
) -> str:
    course_name = course.course_id
    title = _("{course}: onboarding progress").format(course=course_name)
    parts = [
        f"<h1>{_e(title)}</h1>",
        '<p class="meta">{}</p>'.format(
            ngettext(
                "{n} learner, generated {time} UTC from the gradebook. T marks an exercise where "
                "the grader was tampered with, = one whose code matches the reference solution "
                "(for you to look at; not failed).",
                "{n} learners, generated {time} UTC from the gradebook. T marks an exercise "
                "where the grader was tampered with, = one whose code matches the reference "
                "solution (for you to look at; not failed).",
                len(views),
            ).format(n=len(views), time=f"{now:%Y-%m-%d %H:%M}")
        ),
        "<h2>" + _("Where each learner is") + "</h2>",
        '<img src="heatmap.svg" alt="{}">'.format(
            _e(_("Heatmap of the latest verdict of each exercise, learner by learner"))
        ),
        "<h2>" + _("Progress over time") + "</h2>",
        '<img src="progress.svg" alt="{}">'.format(
            _e(_("Each learner's score at each submission"))
        ),
        "<h2>" + _("Where learners are stuck") + "</h2>",
        _stuck_table(stuck),
        "<h2>" + _("Learners") + "</h2>",
        _learners_table(views, now, course.due),
        "<h2>" + _("Integrity") + "</h2>",
        _integrity_list(views),
        "<h2>" + _("For you to look at") + "</h2>",
        '<p class="meta">{}</p>'.format(_("Flags only: none of them changed a score.")),
        _flags_list(views, course),
    ]
    return _page(title, "\n".join(parts))


def _stuck_table(stuck: list[StuckExercise]) -> str:
    if not stuck:
        return '<p class="empty">{}</p>'.format(
            _("Nobody is stuck: no learner has an exercise they attempted and did not pass.")
        )
    rows = []
    for s in stuck:
        ex = s.exercise
        check = (
            f"<code>{_e(s.failing_check)}</code> "
            + _("({count} of {total})").format(count=s.failing_count, total=len(s.learners))
            + f"<pre>{_e(_first_lines(s.message))}</pre>"
            if s.failing_check
            else '<span class="empty">{}</span>'.format(
                _("no failing check recorded (an error before the checks)")
            )
        )
        topics = _("manual {topics}").format(topics=" ".join(ex.topics))
        rows.append(
            "<tr>"
            f"<td><code>{_e(ex.id)}</code><br>{_e(ex.shown_title)}<br>{_e(topics)}</td>"
            f'<td class="num">{len(s.learners)}</td>'
            f"<td>{', '.join(_link(name) for name in s.learners)}</td>"
            f"<td>{check}</td>"
            "</tr>"
        )
    heads = (_("exercise (lesson)"), _("stuck"), _("who"), _("most common failing check"))
    return (
        "<table><tr>"
        + "".join(f"<th>{h}</th>" for h in heads)
        + "</tr>\n"
        + "\n".join(rows)
        + "</table>"
    )


def _first_lines(text: str, limit: int = 400) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _link(learner: str, prefix: str = "") -> str:
    return f'<a href="{_e(prefix + _href(learner))}">{_e(learner)}</a>'


def _learners_table(views: list[LearnerView], now: datetime, due: dict[str, datetime]) -> str:
    if not views:
        return '<p class="empty">{}</p>'.format(
            _("No learner yet: no roster, and no graded submission.")
        )
    from grader.course.progress_table import chapter_labels

    chapters = manifest.chapters()
    labels = chapter_labels(chapters)
    head = "".join(
        f'<th title="{_e(c)}{_e(_due(due[c])) if c in due else ""}">'
        f"{_e(labels[c])}{'<br>' + _e(f'{due[c]:%m-%d}') if c in due else ''}</th>"
        for c in chapters
    )
    rows = []
    for v in views:
        late = {chapter for chapter, *_rest in v.behind}
        cells = "".join(
            f'<td class="num{" late" if c in late else ""}">'
            f"{v.chapter_scores[c][0]:g}/{v.chapter_scores[c][1]}</td>"
            for c in chapters
        )
        behind = (
            "; ".join(
                _e(
                    _("{chapter} by {late} ({missing} points short)").format(
                        chapter=labels[c], late=duration(s), missing=f"{missing:g}"
                    )
                )
                for c, s, missing in v.behind
            )
            or "—"
        )
        stuck = (
            f"{_e(duration(v.stuck_for(now)))}"
            + (" " + _("({n} exercises)").format(n=len(v.stuck)) if len(v.stuck) > 1 else "")
            if v.stuck
            else "—"
        )
        name = f"<br>{_e(v.name)}" if v.name and v.name != v.learner else ""
        late_class = ' class="late"' if v.behind else ""
        on = v.on.id if v.on else _("done")
        last = ago(v.last_progress, now) if v.history else _("not submitted")
        rows.append(
            f"<tr><td>{_link(v.learner)}{name}</td>{cells}"
            f'<td class="num">{v.score:g}/{v.max_score}</td>'
            f"<td><code>{_e(on)}</code></td>"
            f"<td{late_class}>{behind}</td>"
            f"<td>{_e(last)}</td>"
            f"<td>{stuck}</td>"
            f"<td>{len(v.issues) or ''}</td></tr>"
        )
    legend = ", ".join(f"{_e(labels[c])} = {_e(c)}" for c in chapters if labels[c] != c)
    after = (_("total"), _("on"), _("behind"), _("last progress"), _("stuck"), _("integrity"))
    return (
        '<div class="scroll"><table><tr><th>'
        + _("learner")
        + f"</th>{head}"
        + "".join(f"<th>{h}</th>" for h in after)
        + "</tr>\n"
        + "\n".join(rows)
        + '</table></div><p class="meta">{}</p>'.format(_("chapters: {list}").format(list=legend))
    )


def _due(when: datetime) -> str:
    return _(", due {time} UTC").format(time=f"{when:%Y-%m-%d %H:%M}")


def learner_page(v: LearnerView, now: datetime, course: Course) -> str:
    latest = v.latest
    title = v.learner if v.shown_name == v.learner else f"{v.shown_name} ({v.learner})"
    parts = [
        '<p><a href="../index.html">{}</a></p>'.format(_("← all learners")),
        f"<h1>{_e(title)}</h1>",
    ]
    if latest is None:
        parts.append('<p class="meta">{}</p>'.format(_("No graded submission yet.")))
    else:
        summary = _(
            "Latest submission {submitted} UTC ({ago}), graded {graded} UTC with kit {kit} "
            "({isolation} isolation). Score {score}; on {on}"
        ).format(
            submitted=f"{latest.submitted_at:%Y-%m-%d %H:%M}",
            ago=_e(ago(latest.submitted_at, now)),
            graded=f"{latest.graded_at:%Y-%m-%d %H:%M}",
            kit=_e(latest.kit),
            isolation=_e(latest.isolation),
            score=f"{v.score:g}/{v.max_score}",
            on="<code>" + _e(v.on.id if v.on else _("done")) + "</code>",
        )
        if v.stuck:
            summary += _(", stuck for {time}").format(time=_e(duration(v.stuck_for(now))))
            if len(v.stuck) > 1:
                summary += " " + _("(on {n} exercises)").format(n=len(v.stuck))
        parts.append('<p class="meta">' + summary + _(".") + "</p>")
    if course.due:
        parts.append("<h2>" + _("Target dates") + "</h2><ul>")
        behind = {c: (s, m) for c, s, m in v.behind}
        for chapter, due in course.due.items():
            score, points = v.chapter_scores.get(chapter, (0.0, 0))
            if chapter in behind:
                state = '<span class="late">{}</span>'.format(
                    _("behind by {late}, {missing} points short").format(
                        late=_e(duration(behind[chapter][0])), missing=f"{behind[chapter][1]:g}"
                    )
                )
            else:
                state = f"{score:g}/{points}" + (" " + _("(not due yet)") if due > now else "")
            parts.append(
                "<li>"
                + _("{chapter} by {time} UTC: {state}").format(
                    chapter=f"<code>{_e(chapter)}</code>",
                    time=f"{due:%Y-%m-%d %H:%M}",
                    state=state,
                )
                + "</li>"
            )
        parts.append("</ul>")
    if v.issues:
        parts.append("<h2>" + _("Integrity") + f"</h2><p>{_issues(v)}</p>")
    if v.flags() or v.similar:
        parts.append("<h2>" + _("For you to look at") + "</h2>")
        parts.append(
            '<p class="meta">{}</p>'.format(_("Flags only: none of them changed a score."))
        )
        if v.flags():
            parts.append(f"<p>{_flags(v)}</p>")
        parts.append(_pairs(v.similar, course, prefix="../"))
    if latest is not None:
        heads = (_("exercise"), _("status"), _("score"), _("messages and the submitted code"))
        parts += [
            "<h2>" + _("Latest messages, exercise by exercise") + "</h2>",
            "<table><tr>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr>",
        ]
        for ex in v.exercises:
            parts.append(_exercise_row(v, ex, course, latest.folder))
        parts.append("</table>")
    parts.append("<h2>" + _("Every submission") + "</h2>")
    heads = (_("submitted (UTC)"), _("score"), _("folder"))
    parts.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr>")
    for g in v.history:
        score = round(sum(r.score for ex in v.exercises if (r := g.results.get(ex.id))), 2)
        parts.append(
            f"<tr><td>{g.submitted_at:%Y-%m-%d %H:%M:%S}</td>"
            f'<td class="num">{score:g}/{v.max_score}</td><td><code>{_e(g.folder)}</code></td></tr>'
        )
    parts.append("</table>")
    return _page(_("{name}: latest messages").format(name=v.shown_name), "\n".join(parts))


FAILING = {"failed", "error", "timeout"}


def _exercise_row(v: LearnerView, ex, course: Course, folder: str) -> str:
    r = v.result(ex.id)
    if r is None:
        return (
            f"<tr><td><code>{_e(ex.id)}</code></td><td>{_status('missing')}</td>"
            '<td class="num">—</td><td></td></tr>'
        )
    messages = []
    if r.tampered:
        messages.append('<span class="flag">{}</span>'.format(label("tampered")))
    if r.no_verdict:
        messages.append(
            '<span class="flag">{}</span>'.format(
                _e(
                    _("not graded: a fault of the data")
                    if r.fault == "data"
                    else _("not graded: a fault of the kit")
                )
            )
        )
    if r.matches_reference:
        why = f" ({_e(v.evidence(ex.id))})" if v.evidence(ex.id) else ""
        messages.append(
            '<span class="copy">{}</span>{}'.format(label("matches the reference"), why)
        )
    # A stub not started says so once, not once per check.
    failing = [] if r.status == "not_started" else r.failing_checks()
    for check in failing:
        line = (
            " " + _("(line {n})").format(n=check["line"])
            if isinstance(check.get("line"), int)
            else ""
        )
        messages.append(
            f"<code>{_e(check['name'])}</code> [{_e(check['status'])}]{_e(line)}"
            f"<pre>{_e(check.get('message', ''))}</pre>"
        )
    shown = {c.get("message", "") for c in failing}
    for note in r.notes:
        if note not in shown:
            messages.append(f"<pre>{_e(note)}</pre>")
    if r.status in FAILING and not r.no_verdict:
        highlight = code_view.named_lines(ex.module, r.checks, r.notes)
        anchor = f"code-{ex.id}"
        messages.append(
            f'<div id="{anchor}">'
            + code_view.block(course.root / folder, ex.module, r.sha256, highlight, anchor)
            + "</div>"
        )
    return (
        f"<tr><td><code>{_e(ex.id)}</code><br>{_e(ex.chapter)}</td><td>{_status(r.status)}</td>"
        f'<td class="num">{r.score:g}/{r.max_score:g}</td><td>{"".join(messages)}</td></tr>'
    )


def now_utc() -> datetime:
    return datetime.now(UTC)
