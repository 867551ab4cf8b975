"""`kit status`: the learner's remembered progress by chapter, and the next exercise."""

from __future__ import annotations

from rich.table import Table

from grader import learner_progress, manifest
from grader.i18n import _
from grader.report import STYLE, console


def show(state: dict[str, dict]) -> None:
    out = console()
    if not state:
        out.print(_("Nothing graded yet in this copy of the kit."))
    grid = Table(title=_("Your progress"), box=None, pad_edge=False)
    for name, justify in (
        (_("chapter"), "left"),
        (_("done"), "right"),
        (_("points"), "right"),
        (_("exercises"), "left"),
    ):
        grid.add_column(name, no_wrap=justify == "right" or name == _("chapter"), justify=justify)
    for chapter in manifest.chapters():
        inside = [ex for ex in manifest.load() if ex.chapter == chapter]
        done = sum(state.get(ex.id, {}).get("status") == "passed" for ex in inside)
        points = sum(state.get(ex.id, {}).get("score", 0) for ex in inside)
        marks = " ".join(
            f"[{STYLE[s][1]}]{ex.id}[/]"
            for ex in inside
            for s in [state.get(ex.id, {}).get("status", "not_started")]
        )
        grid.add_row(
            chapter, f"{done}/{len(inside)}", f"{points:g}/{sum(e.points for e in inside)}", marks
        )
    out.print(grid)
    out.print(
        "[dim]"
        + _("colours: {legend}").format(
            legend=_(", ").join(f"[{style}]{_(label)}[/]" for label, style in STYLE.values())
        )
        + "[/]"
    )
    view = learner_progress.overview(state)
    out.print(learner_progress.progress_line(view))
    for line in learner_progress.next_lines(view):
        out.print(line)
