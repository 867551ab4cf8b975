"""Live progress of training checks: the terminal shows each epoch and its loss as they come."""

from __future__ import annotations

from grader import records
from grader.plugin import record


def report_epoch(
    *,
    epoch: int | None = None,
    epochs: int | None = None,
    loss: float | None = None,
    who: str = "your code",
) -> None:
    """One epoch done by `who` ("your code" or "reference"); a no-op in a plain pytest run."""
    record(
        records.Progress(
            epoch=epoch, epochs=epochs, loss=None if loss is None else float(loss), who=who
        )
    )
