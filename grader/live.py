"""What the terminal shows while exercises are graded: the exercise and check running now,
time used against the limit, and, for training checks, the epoch and loss as they come.

Checks send progress with grader.toolkit.progress.report_epoch(); it arrives here as records. Where the
output is not a terminal, rich shows nothing live and only the final report is printed.
"""

from __future__ import annotations

import time
from typing import Self

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from grader import records
from grader.i18n import _
from grader.report import STYLE


class GradingDisplay:
    def __init__(self, console: Console, total: int):
        self.console = console
        self.total = total
        self.spinner = Spinner("dots")
        self.exercise = None
        self.n = 0
        self.limit = 0.0
        self.started = 0.0
        self.check: str | None = None
        self.training: dict | None = None
        self.finished: list[str] = []
        self.live = Live(
            console=console, transient=True, refresh_per_second=8, get_renderable=self._render
        )

    def __enter__(self) -> Self:
        self.live.start()
        return self

    def __exit__(self, *exc) -> None:
        self.live.stop()

    def start(self, n: int, exercise, limit: float) -> None:
        self.n, self.exercise, self.limit = n, exercise, limit
        self.started = time.monotonic()
        self.check, self.training = None, None

    def record(self, record: records.Received) -> None:
        match record:
            case records.Started(check=check):
                self.check, self.training = check, None
            case records.Progress():
                self.training = record
            case records.Terminal(state=state):
                # A data download draws its own progress bar on the terminal; step aside for it.
                if state == "begin":
                    self.live.stop()
                else:
                    self.live.start()

    def done(self, result) -> None:
        label, style = STYLE[result.status]
        self.finished.append(f"[{style}]{result.id} {_(label)}[/]")

    def _render(self):
        if self.exercise is None:
            return Text("")
        elapsed = time.monotonic() - self.started
        lines = [
            Text.assemble(
                _("grading {n}/{total}").format(n=self.n, total=self.total) + "  ",
                (self.exercise.id, "bold"),
                "  "
                + _("{elapsed} of {limit} allowed").format(
                    elapsed=_clock(elapsed), limit=_clock(self.limit)
                ),
            )
        ]
        if self.check:
            lines.append(Text("  " + _("check {name}").format(name=self.check), style="dim"))
        if self.training:
            lines.append(Text("  " + training_text(self.training)))
        if self.finished:
            lines.append(
                Text.from_markup(
                    "  " + _("done: {exercises}").format(exercises=", ".join(self.finished[-4:]))
                )
            )
        self.spinner.text = Group(*lines)
        return self.spinner


def training_text(record: records.Progress) -> str:
    """'epoch 2/5  loss 1.9300 (your code)' from a progress record."""
    parts = []
    if record.epoch is not None:
        of = f"/{record.epochs}" if record.epochs else ""
        parts.append(_("epoch {epoch}").format(epoch=f"{record.epoch}{of}"))
    if record.loss is not None:
        parts.append(_("loss {value}").format(value=f"{record.loss:.4f}"))
    if record.who:
        parts.append(f"({record.who})")
    return "  ".join(parts)


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"
