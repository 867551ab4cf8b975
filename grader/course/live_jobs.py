"""What `kit autograde` shows while it grades, in a terminal: one line per running job (whose
submission, which exercises, for how long), above which each recorded submission is printed.
Elsewhere (a log file, a scheduler's output) nothing is drawn: only the recorded lines."""

from __future__ import annotations

import threading
import time
from typing import Self

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text


class JobBoard:
    def __init__(self, console: Console):
        self.console = console
        self.jobs: dict[int, tuple[str, float]] = {}
        self.lock = threading.Lock()
        self.spinner = Spinner("dots")
        self.live = Live(
            console=console, transient=True, refresh_per_second=4, get_renderable=self._render
        )

    def __enter__(self) -> Self:
        self.live.start()
        return self

    def __exit__(self, *exc) -> None:
        self.live.stop()

    def say(self, line: str) -> None:
        """A line printed above the running jobs (learner names are never read as markup)."""
        self.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def started(self, key: int, label: str) -> None:
        with self.lock:
            self.jobs[key] = (label, time.monotonic())

    def finished(self, key: int) -> None:
        with self.lock:
            self.jobs.pop(key, None)

    def _render(self):
        with self.lock:
            jobs = list(self.jobs.values())
        if not jobs:
            return Text("")
        grid = Table.grid(padding=(0, 1))
        now = time.monotonic()
        for label, since in jobs:
            grid.add_row(self.spinner, Text(f"grading {label}", overflow="ellipsis", no_wrap=True),
                         Text(f"{now - since:4.0f} s", style="dim"))  # fmt: skip
        return Group(grid)
