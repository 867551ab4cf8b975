"""Loss-curve pictures for training exercises: the learner's curve beside the reference's.

Checks call loss_curves() with both curves, trained on the same data and budget; the PNG goes
to a git-ignored folder (KIT_PLOTS_DIR, default .kit-plots/ in the kit) and its path reaches the
report. describe_curve() puts what a curve did into words for a failure message.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

from grader import PROJECT_ROOT, records


def plots_dir() -> Path:
    return Path(os.environ.get("KIT_PLOTS_DIR") or PROJECT_ROOT / ".kit-plots")


def loss_curves(
    exercise: str,
    check: str,
    learner: Sequence[float],
    reference: Sequence[float],
    *,
    xlabel: str = "epoch",
    ylabel: str = "loss",
    title: str | None = None,
) -> Path:
    """Writes <exercise>-<check>.png with both curves and reports its path; returns the path."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    from grader.plugin import record

    path = plots_dir() / f"{exercise}-{check}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    from matplotlib.ticker import MaxNLocator

    figure, axes = plt.subplots(figsize=(6, 3.6), dpi=100)
    # The learner's curve wide underneath, the reference's thin and dashed on top: where they
    # agree (a correct solution repeats the reference exactly) both stay visible.
    for values, label, style in (
        (learner, "your code", {"color": "tab:orange", "linewidth": 4, "alpha": 0.7}),
        (reference, "reference", {"color": "black", "linewidth": 1.2, "linestyle": "--"}),
    ):
        xs = list(range(1, len(values) + 1))
        ys = [v if math.isfinite(v) else float("nan") for v in values]
        axes.plot(xs, ys, marker="o", markersize=4, label=label, **style)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title or f"{exercise}: {check}")
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    partial = path.with_suffix(f".{os.getpid()}.tmp.png")
    figure.savefig(partial)
    plt.close(figure)
    os.replace(partial, path)
    record(records.PlotSaved(shown(path)))
    return path


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
