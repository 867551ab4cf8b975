"""Tee stdout into a log file, so that a long run's output survives a dead terminal (manual P4)."""

import os
import sys
from typing import Self


class TeeStdout:
    """Copies everything printed to sys.stdout into a log file too, while a `with` block runs.

        with TeeStdout("train.log"):
            print("epoch 1  loss 0.25")  # shows on the terminal and lands in train.log

    path: the log file. Reusing a path appends, so earlier runs' logs survive. Every write is
    flushed at once, so the file holds everything printed so far even if the run is killed.
    On leaving the block, even by an exception, the previous sys.stdout is back in place.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = path
        self.terminal = None  # the sys.stdout that was active before the block
        self.file = None

    def __enter__(self) -> Self:
        self.terminal = sys.stdout
        self.file = open(self.path, "a", encoding="utf-8")
        sys.stdout = self
        return self

    def write(self, text: str) -> int:
        """Called by print(): text goes to the terminal and to the file."""
        print(text, end="")  # show it on the screen
        self.file.write(text)
        self.flush()
        return len(text)

    def flush(self) -> None:
        self.terminal.flush()
        self.file.flush()

    def __exit__(self, exc_type, exc, traceback) -> None:
        sys.stdout = self.terminal
        self.file.close()
