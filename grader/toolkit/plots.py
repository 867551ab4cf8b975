"""Loss-curve pictures for training exercises: the learner's curve beside the reference's.

Checks call loss_curves() with both curves, trained on the same data and budget; the PNG goes
to a git-ignored folder (KIT_PLOTS_DIR, default .kit-plots/ in the kit), in a subfolder named
after the folder graded, so that grading reference/ (or anyone else's folder) never replaces
the picture of the learner's own exercises/. Its path reaches the report. describe_curve()
puts what a curve did into words for a failure message.
"""

from __future__ import annotations

import hashlib
import math
import os
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader import EXERCISES_DIR, PROJECT_ROOT, REFERENCE_DIR, records


@dataclass(frozen=True)
class Mark:
    """A point of the learner's curve to point out: `epoch` (1-based x) and what it is."""

    epoch: int
    label: str
    marker: str = "*"


def plots_dir() -> Path:
    return Path(os.environ.get("KIT_PLOTS_DIR") or PROJECT_ROOT / ".kit-plots")


def folder_name(graded: Path | None) -> str:
    """The subfolder of plots_dir() for pictures of the code in `graded`: exercises and
    reference for the kit's own folders, else the folder's name and a hash of its path (two
    folders of the same name never share pictures)."""
    if graded is None:
        return "pytest"
    graded = graded.resolve()
    for own in (EXERCISES_DIR, REFERENCE_DIR):
        if graded == own.resolve():
            return own.name
    digest = hashlib.sha256(str(graded).encode()).hexdigest()[:8]
    return f"{graded.name or 'root'}-{digest}"


def whose(graded: Path | None) -> str:
    """The legend's name for the graded code's curve."""
    if graded is not None and graded.resolve() == REFERENCE_DIR.resolve():
        return "graded code (reference/)"
    if graded is None or graded.resolve() == EXERCISES_DIR.resolve():
        return "your code"
    return f"your code ({graded.name}/)"


def loss_curves(
    exercise: str,
    learner: Sequence[float],
    reference: Sequence[float],
    *,
    quantity: str,
    data: str,
    device: str | None = None,
    xlabel: str = "epoch",
    first_x: int = 1,
    marks: Sequence[Mark] = (),
) -> Path:
    """Writes <exercise>.png (<exercise>-<device>.png for a check run per device) with both
    curves and reports its path; returns the path. The arguments are figure()'s."""
    from grader.plugin import graded_root, record

    graded = graded_root()
    name = f"{exercise}-{device}" if device else exercise
    path = plots_dir() / folder_name(graded) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    drawn = figure(
        exercise,
        learner,
        reference,
        quantity=quantity,
        data=data,
        device=device,
        xlabel=xlabel,
        first_x=first_x,
        marks=marks,
        learner_label=whose(graded),
    )
    import matplotlib.pyplot as plt  # after figure() chose the Agg backend

    partial = path.with_suffix(f".{os.getpid()}.tmp.png")
    drawn.savefig(partial)
    plt.close(drawn)
    os.replace(partial, path)
    record(records.PlotSaved(shown(path)))
    return path


def figure(
    exercise: str,
    learner: Sequence[float],
    reference: Sequence[float],
    *,
    quantity: str,
    data: str,
    device: str | None = None,
    xlabel: str = "epoch",
    first_x: int = 1,
    marks: Sequence[Mark] = (),
    learner_label: str = "your code",
):
    """The picture: both curves, the marks on the learner's, a legend that says whose curve is
    whose, and a title naming the exercise, the quantity and the data it was measured on.

    `quantity` is what the y axis shows ("validation MSE"), `data` what it was measured on
    ("400 validation samples"); `first_x` is the x of each curve's first value (0 where a
    curve starts before training).
    """
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    drawn, axes = plt.subplots(figsize=(7, 4.2), dpi=100)
    # The learner's curve wide underneath, the reference's thin and dashed on top: where they
    # agree (a correct solution repeats the reference exactly) both stay visible.
    curves = (
        (learner, learner_label, {"color": "tab:orange", "linewidth": 4, "alpha": 0.7}),
        (
            reference,
            "reference solution",
            {"color": "black", "linewidth": 1.2, "linestyle": "--"},
        ),
    )
    for values, label, style in curves:
        xs = list(range(first_x, first_x + len(values)))
        ys = [v if math.isfinite(v) else float("nan") for v in values]
        axes.plot(xs, ys, marker="o", markersize=4, label=label, **style)
    for mark in marks:
        index = mark.epoch - first_x
        if 0 <= index < len(learner) and math.isfinite(learner[index]):
            axes.plot(
                [mark.epoch],
                [learner[index]],
                linestyle="none",
                marker=mark.marker,
                markersize=16 if mark.marker == "o" else 14,
                markerfacecolor="none" if mark.marker == "o" else "tab:red",
                markeredgecolor="tab:red",
                markeredgewidth=2,
                label=mark.label,
                zorder=5,
            )
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(xlabel)
    axes.set_ylabel(quantity)
    where = f" ({device})" if device else ""
    title = f"{exercise}{where}: {quantity} by {xlabel}, on {data}"
    axes.set_title(textwrap.fill(title, 75), fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=9)
    drawn.tight_layout()
    return drawn


def describe_curve(losses: Sequence[float], xlabel: str = "epoch") -> str:
    """What a loss curve did, in words: 'your loss rose after epoch 2', 'stayed flat', ..."""
    values = list(losses)
    if not values:
        return "your code reported no loss"
    bad = [i for i, v in enumerate(values, 1) if not math.isfinite(v)]
    if bad:
        return f"your loss became nan or inf at {xlabel} {bad[0]}"
    for i in range(1, len(values)):
        if values[i] > values[i - 1] * 1.05 and values[i] > values[0] * 0.95:
            return f"your loss rose after {xlabel} {i} ({values[i - 1]:.4g} -> {values[i]:.4g})"
    if len(values) > 1 and values[-1] > values[0] * 0.98:
        return f"your loss stayed flat ({values[0]:.4g} -> {values[-1]:.4g})"
    return f"your loss fell from {values[0]:.4g} to {values[-1]:.4g}"


def shown(path: Path | str) -> str:
    """A path as the learner's shell shows it: relative to the folder they ran the kit in
    (KIT_SHOW_FROM; the exercise itself runs in a scratch folder) when it lies below it."""
    base = os.environ.get("KIT_SHOW_FROM") or os.getcwd()
    try:
        relative = os.path.relpath(path, base)
    except ValueError:  # another drive
        return str(path)
    return str(path) if relative.startswith("..") else relative
