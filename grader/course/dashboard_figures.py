"""The dashboard's two pictures, as SVG (text kept as text, so names stay searchable and sharp):
a heatmap of learners × exercises by status, and each learner's score over time."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from grader import manifest
from grader.course.progress import LearnerView, label
from grader.i18n import N_, _

# Status colours (and the legend's words); chosen to stay apart for red-green colour blindness.
COLOURS = {
    "passed": ("#1b9e77", N_("passed")),
    "failed": ("#d95f02", N_("failed")),
    "error": ("#7b3294", N_("error")),
    "timeout": ("#e7298a", N_("timeout")),
    "not_started": ("#d9d9d9", N_("not started")),
    "skipped": ("#a6cee3", N_("skipped")),
    "not_graded": ("#969696", N_("not graded")),
    "missing": ("#ffffff", N_("not submitted")),
}
MARKS = {"tampered": "T", "matches the reference": "="}
LEGEND_ROWS = 20
LINE_STYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "D", "^", "v")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"
    plt.rcParams["font.size"] = 9
    return plt


def heatmap(views: list[LearnerView], path: Path) -> None:
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    plt = _pyplot()
    exercises = list(manifest.load())
    statuses = list(COLOURS)
    grid = [
        [statuses.index(r.status if (r := v.result(ex.id)) else "missing") for ex in exercises]
        for v in views
    ]
    width = 2.5 + 0.26 * len(exercises)
    height = 2.6 + 0.32 * max(1, len(views))
    figure, axes = plt.subplots(figsize=(width, height), dpi=100)
    axes.imshow(
        grid or [[statuses.index("missing")] * len(exercises)],
        cmap=ListedColormap([COLOURS[s][0] for s in statuses]),
        vmin=0,
        vmax=len(statuses) - 1,
        aspect="auto",
        interpolation="nearest",
    )
    for row, v in enumerate(views):
        for exercise_id, kind in v.flags():
            column = next(i for i, ex in enumerate(exercises) if ex.id == exercise_id)
            axes.text(column, row, MARKS[kind], ha="center", va="center", fontsize=9, weight="bold")
    axes.set_xticks(range(len(exercises)), [ex.id for ex in exercises], rotation=90)
    axes.set_yticks(range(len(views)), [v.learner for v in views])
    axes.set_xticks([x - 0.5 for x in range(len(exercises) + 1)], minor=True)
    axes.set_yticks([y - 0.5 for y in range(len(views) + 1)], minor=True)
    axes.grid(which="minor", color="white", linewidth=1)
    axes.tick_params(which="minor", length=0)
    # A line between chapters, so a lesson's exercises read as a block.
    previous = None
    for column, ex in enumerate(exercises):
        if previous is not None and ex.chapter != previous:
            axes.axvline(column - 0.5, color="black", linewidth=1.2)
        previous = ex.chapter
    legend = [Patch(facecolor=c, edgecolor="#555", label=_(word)) for c, word in COLOURS.values()]
    legend += [
        Patch(facecolor="white", edgecolor="white", label=f"{mark}  {label(kind)}")
        for kind, mark in MARKS.items()
    ]
    axes.legend(
        handles=legend, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8
    )
    figure.tight_layout()
    figure.savefig(path, format="svg", bbox_inches="tight")
    plt.close(figure)


def progress_over_time(views: list[LearnerView], path: Path) -> None:
    import matplotlib.dates as mdates

    plt = _pyplot()
    # The legend names every learner: a column of LEGEND_ROWS names beside the plot, and as many
    # columns as it takes, the figure widening to hold them.
    columns = max(1, -(-len(views) // LEGEND_ROWS))
    figure, axes = plt.subplots(figsize=(9 + 1.4 * (columns - 1), 4.2), dpi=100)
    top = max((v.max_score for v in views), default=1)
    for i, v in enumerate(views):
        times: list[datetime] = [g.submitted_at for g in v.history]
        scores = [
            round(sum(r.score for ex in v.exercises if (r := g.results.get(ex.id))), 2)
            for g in v.history
        ]
        # Ten colours repeat: each round of ten learners gets its own line style and marker.
        style, marker = LINE_STYLES[i // 10 % len(LINE_STYLES)], MARKERS[i // 10 % len(MARKERS)]
        axes.step(
            times, scores, where="post", linestyle=style, marker=marker, markersize=3,
            label=v.learner,
        )  # fmt: skip
    axes.set_ylim(0, top * 1.05)
    axes.set_ylabel(_("points (of {top})").format(top=top))
    axes.set_title(_("Each learner's score at each submission"))
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(mdates.AutoDateLocator()))
    axes.grid(alpha=0.3)
    if views:
        axes.legend(
            loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8, ncol=columns
        )
    figure.tight_layout()
    figure.savefig(path, format="svg", bbox_inches="tight")  # the legend never cut off
    plt.close(figure)
