"""The manual's models, for checks that train them instead of the learner's own."""

from __future__ import annotations

from torch import nn


def manual_mlp() -> nn.Module:
    """The manual's 8 -> 100 -> 100 -> 1 MLP, so that an exercise does not depend on the
    learner's answer to the MLP exercise."""
    return nn.Sequential(
        nn.Linear(8, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 1)
    )
