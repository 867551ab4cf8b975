"""`kit progress`: learners × chapters in the terminal (or as CSV), and one learner's history.

The table never cuts a name, a score or an exercise id. Where all its columns do not fit the
terminal, it is split into panels that each repeat the learner column, like a wide table
printed on several pages. Widths are measured in terminal cells, so that 李明 counts four.
Below the table: each member's integrity findings with their reasons, then the flags (code
that matches the reference, similar pairs), which never change a score.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from grader import manifest
from grader.course import csv_safe
from grader.course.gradebook import Graded
from grader.course.progress import LearnerView, ago, duration, label
from grader.i18n import N_, _

GAP = 2  # characters between columns
SORTS = ("learner", "score", "last", "stuck", "on", "behind")
# The table's columns (keys) and their headings; a chapter's heading is its short label.
HEADINGS = {
    "learner": N_("learner"),
    "name": N_("name"),
    "total": N_("total"),
    "on": N_("on"),
    "behind": N_("behind"),
    "last progress": N_("last progress"),
    "stuck": N_("stuck"),
}


def chapter_labels(chapters: list[str]) -> dict[str, str]:
    """Short, unique column labels: ch1 for ch1_theory, ch6_t and ch6_k for ch6_tensorflow and
    ch6_keras (the legend under the table names them in full)."""
    labels = {}
    for chapter in chapters:
        head, _sep, rest = chapter.partition("_")
        clash = [c for c in chapters if c != chapter and c.partition("_")[0] == head]
        label = head
        if clash:
            for n in range(1, len(rest) + 1):
                label = f"{head}_{rest[:n]}"
                if not any(c.partition("_")[2].startswith(rest[:n]) for c in clash):
                    break
        labels[chapter] = label
    return labels


def _score(score: float, max_score: int) -> str:
    return f"{score:g}/{max_score}"


def sort_views(views: list[LearnerView], key: str, now: datetime) -> list[LearnerView]:
    order = {ex.id: n for n, ex in enumerate(manifest.load())}
    if key == "learner":
        return sorted(views, key=lambda v: v.learner)
    if key == "score":
        return sorted(views, key=lambda v: (-v.score, v.learner))
    if key == "last":  # longest without progress first
        return sorted(
            views,
            key=lambda v: (v.last_progress or datetime.min.replace(tzinfo=UTC), v.learner),
        )
    if key == "stuck":
        return sorted(views, key=lambda v: (-(v.stuck_for(now) or -1), v.learner))
    if key == "on":
        return sorted(views, key=lambda v: (order[v.on.id] if v.on else len(order), v.learner))
    if key == "behind":  # most overdue first
        return sorted(views, key=lambda v: (-(v.behind_for() or -1), v.learner))
    # a chapter: its score, highest first
    return sorted(views, key=lambda v: (-v.chapter_scores.get(key, (0, 0))[0], v.learner))


def behind_text(v: LearnerView, labels: dict[str, str]) -> str:
    """The most overdue chapter and by how long ("ch1 3d 2h"), and how many more are."""
    if not v.behind:
        return "—"
    chapter, late, _missing = v.behind[0]
    more = f" +{len(v.behind) - 1}" if len(v.behind) > 1 else ""
    return f"{labels.get(chapter, chapter)} {duration(late)}{more}"


def stuck_text(v: LearnerView, now: datetime) -> str:
    """How long the learner is stuck on the exercise they are stuck on longest, and on how
    many exercises in all when more than one."""
    if not v.stuck:
        return "—"
    more = f" ({len(v.stuck)})" if len(v.stuck) > 1 else ""
    return duration(v.stuck_for(now)) + more


def rows(
    views: list[LearnerView], chapters: list[str], now: datetime, dated: bool = False
) -> list[dict[str, str]]:
    labels = chapter_labels(chapters)
    out = []
    for v in views:
        row = {"learner": v.learner, "name": v.shown_name}
        for chapter in chapters:
            row[chapter] = _score(*v.chapter_scores[chapter])
        row["total"] = _score(v.score, v.max_score)
        row["on"] = v.on.id if v.on else _("done")
        if dated:
            row["behind"] = behind_text(v, labels)
        row["last progress"] = ago(v.last_progress, now) if v.history else _("not submitted")
        row["stuck"] = stuck_text(v, now)
        out.append(row)
    return out


def panels(columns: list[str], widths: dict[str, int], width: int) -> list[list[str]]:
    """Columns in panels that fit `width`, each led by the first (key) column."""
    key, rest = columns[0], columns[1:]
    groups, current, used = [], [], widths[key]
    for name in rest:
        need = GAP + widths[name]
        if current and used + need > width:
            groups.append(current)
            current, used = [], widths[key]
        current.append(name)
        used += need
    groups.append(current)
    return [[key, *group] for group in groups]


def render(
    views: list[LearnerView], chapters: list[str], now: datetime, width: int, dated: bool = False
) -> list[Table]:
    labels = chapter_labels(chapters)
    data = rows(views, chapters, now, dated)
    named = any(v.shown_name != v.learner for v in views)
    columns = [
        "learner",
        *(["name"] if named else []),
        *chapters,
        "total",
        "on",
        *(["behind"] if dated else []),
        "last progress",
        "stuck",
    ]
    heading = {c: labels.get(c) or _(HEADINGS[c]) for c in columns}
    widths = {c: max([cell_len(heading[c]), *(cell_len(r[c]) for r in data)]) for c in columns}
    tables = []
    for group in panels(columns, widths, width):
        grid = Table(box=None, pad_edge=False, padding=(0, GAP // 2), show_edge=False)
        for c in group:
            grid.add_column(
                heading[c],
                no_wrap=True,
                width=widths[c],
                min_width=widths[c],
                justify="right" if c in chapters or c == "total" else "left",
                header_style="bold",
            )
        for row, v in zip(data, views, strict=True):
            cells = []
            for c in group:
                text = escape(row[c])  # a learner's name is never read as markup
                if c in chapters:
                    score, top = v.chapter_scores[c]
                    style = "green" if score == top else ("dim" if score == 0 else "")
                    text = f"[{style}]{text}[/]" if style else text
                elif (c == "stuck" and v.stuck) or (c == "behind" and v.behind):
                    text = f"[yellow]{text}[/]"
                cells.append(text)
            grid.add_row(*cells)
        tables.append(grid)
    return tables


def legend(chapters: list[str]) -> str:
    labels = chapter_labels(chapters)
    # label=name without spaces, so that a wrapped legend never parts a label from its name
    # Identifiers, so ", " in every language: a long legend wraps between them, never inside.
    return _("chapters: {list}").format(
        list=", ".join(f"{labels[c]}={c}" if labels[c] != c else c for c in chapters)
    )


def integrity_lines(views: list[LearnerView]) -> list[str]:
    """One line per finding: the member, what, and why (rich markup; names escaped)."""
    lines = []
    for v in views:
        for issue in v.issues:
            when = f" ({issue.when:%Y-%m-%d %H:%M} UTC)" if issue.when else ""
            lines.append(
                f"{escape(v.learner)}: [bold red]{escape(label(issue.kind))}[/]{when}: "
                f"{escape(issue.detail)}"
            )
    return lines


def flag_lines(views: list[LearnerView]) -> list[str]:
    """Code that matches the reference (with the evidence) and similar pairs (with the lines
    they share), each once."""
    lines = []
    for v in views:
        copied = [ex for ex, kind in v.flags() if kind == "matches the reference"]
        tampered = [ex for ex, kind in v.flags() if kind == "tampered"]
        if tampered:
            lines.append(
                f"{escape(v.learner)}: [bold red]" + _("TAMPERED") + f"[/]: {', '.join(tampered)}"
            )
        if copied:
            lines.append(
                f"{escape(v.learner)}: [magenta]{label('matches the reference')}[/]: "
                f"{', '.join(copied)}"
            )
            for ex in copied:
                lines.append(f"  {ex}: {escape(v.evidence(ex))}")
    shown = set()
    for v in views:
        for pair in v.similar:
            key = (pair.exercise, pair.learners)
            if key in shown:
                continue
            shown.add(key)
            a, b = pair.learners
            lines.append(
                _(
                    "[magenta]similar[/] {a} ~ {b} in {exercise}: {share} of the fingerprints, "
                    "lines {lines_a} ~ {lines_b}"
                ).format(
                    a=escape(a),
                    b=escape(b),
                    exercise=pair.exercise,
                    share=f"{pair.score:.0%}",
                    lines_a=_spans(pair.lines[0]),
                    lines_b=_spans(pair.lines[1]),
                )
            )
    return lines


def hanging(line: str, width: int, indent: int = 4) -> Text:
    """A line of markup wrapped to `width` with its continuation lines indented past its own
    indent, so that a long finding reads as one item and the next begins at the margin."""
    text = Text.from_markup(line)
    lead = len(text.plain) - len(text.plain.lstrip(" "))
    parts = text.wrap(Console(width=width), max(20, width - lead - indent))
    for part in parts:
        part.rstrip()  # in place: the space a line was broken at
    return Text("\n" + " " * (lead + indent)).join(parts)


def _spans(ranges) -> str:
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges)


CSV_FIXED = [
    "on",
    "behind",
    "behind_days",
    "last_progress",
    "stuck_since",
    "stuck_for",
    "stuck_exercises",
    "integrity",
    "flags",
    "similar",
]


def write_csv(views: list[LearnerView], chapters: list[str], now: datetime, target: str) -> None:
    """The same table, one row per learner: scores as numbers (the maximum in the header, so
    that a spreadsheet never reads 3/14 as a date) and times in ISO 8601, UTC. Every cell goes
    through csv_safe: a name like a formula is written as text."""
    exercises = [ex for ex in manifest.load() if ex.chapter in chapters]
    header = [
        "learner",
        "name",
        *(f"{c} (of {sum(e.points for e in exercises if e.chapter == c)})" for c in chapters),
        f"total (of {sum(e.points for e in exercises)})",
        *CSV_FIXED,
    ]
    if target == "-":
        _csv_rows(csv_safe.Writer(sys.stdout), header, views, chapters, now)
        return
    with Path(target).open("w", newline="", encoding="utf-8") as out:
        _csv_rows(csv_safe.Writer(out), header, views, chapters, now)


def _csv_rows(writer, header: list[str], views, chapters: list[str], now: datetime) -> None:
    writer.writerow(header)
    for v in views:
        writer.writerow(
            [
                v.learner,
                v.shown_name,
                *(f"{v.chapter_scores[c][0]:g}" for c in chapters),
                f"{v.score:g}",
                v.on.id if v.on else "done",
                "; ".join(
                    f"{c} {duration(late)} late, {missing:g} points short"
                    for c, late, missing in v.behind
                ),
                round(v.behind_for() / 86400, 2) if v.behind else "",
                _iso(v.last_progress),
                _iso(v.stuck_since),
                duration(v.stuck_for(now)) if v.stuck else "",
                "; ".join(
                    f"{ex} {duration((now - since).total_seconds())}"
                    for ex, since in v.stuck.items()
                ),
                "; ".join(f"{i.kind}: {i.detail}" for i in v.issues),
                "; ".join(f"{kind}: {ex}" for ex, kind in v.flags()),
                "; ".join(f"{p.exercise} with {v.partner(p)} ({p.score:.0%})" for p in v.similar),
            ]
        )


def _iso(when: datetime | None) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds") if when else ""


def history_table(v: LearnerView) -> Table:
    """One learner's submissions: when, the score, and what changed since the one before."""
    grid = Table(
        title=_("{learner}: every submission").format(learner=escape(v.learner)),
        box=None,
        pad_edge=False,
        padding=(0, GAP // 2),
    )
    grid.add_column(_("submitted (UTC)"), no_wrap=True)
    grid.add_column(_("score"), justify="right", no_wrap=True)
    grid.add_column(_("passed"), justify="right", no_wrap=True)
    grid.add_column(_("changes since the one before"), overflow="fold")
    previous: Graded | None = None
    ids = [ex.id for ex in v.exercises]
    for graded in v.history:
        status = {i: r.status for i in ids if (r := graded.results.get(i))}
        passed = sum(s == "passed" for s in status.values())
        if previous is None:
            change = _("first submission")
        else:
            before = {i: r.status for i in ids if (r := previous.results.get(i))}
            newly = [i for i in ids if status.get(i) == "passed" and before.get(i) != "passed"]
            lost = [i for i in ids if before.get(i) == "passed" and status.get(i) != "passed"]
            parts = []
            if newly:
                parts.append("[green]" + _("passed") + "[/] " + ", ".join(newly))
            if lost:
                parts.append("[red]" + _("no longer passing") + "[/] " + ", ".join(lost))
            change = "; ".join(parts) or _("no verdict changed")
        score = round(sum(r.score for i in ids if (r := graded.results.get(i))), 2)
        grid.add_row(
            f"{graded.submitted_at:%Y-%m-%d %H:%M}",
            _score(score, v.max_score),
            f"{passed}/{len(ids)}",
            change,
        )
        previous = graded
    return grid


def show(
    views: list[LearnerView],
    chapters: list[str],
    now: datetime,
    print_: Callable,
    width: int,
    history: bool,
    due: dict[str, datetime] | None = None,
) -> None:
    dated = bool(due) and any(c in due for c in chapters)
    for n, table in enumerate(render(views, chapters, now, width, dated)):
        if n:
            print_("")
        print_(table)
    if any(chapter_labels(chapters)[c] != c for c in chapters):
        print_(f"[dim]{legend(chapters)}[/]")
    if dated:
        labels = chapter_labels(chapters)
        dates = _(", ").join(
            f"{labels[c]} {due[c]:%Y-%m-%d %H:%M} UTC" for c in chapters if c in due
        )
        print_("[dim]" + _("target dates: {dates}").format(dates=dates) + "[/]")
    issues = integrity_lines(views)
    if issues:
        print_("")
        print_(_("[bold]Integrity[/] (per member, with the reason):"))
        for line in issues:
            print_(hanging(line, width))
    flags = flag_lines(views)
    if flags:
        print_("")
        print_(_("[bold]For you to look at[/] (flags only; no score was changed):"))
        for line in flags:
            print_(hanging(line, width))
    if history:
        for v in views:
            print_("")
            if v.history:
                print_(history_table(v))
            else:
                print_(_("{learner}: no graded submission yet").format(learner=escape(v.learner)))
