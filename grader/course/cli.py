"""The instructor verbs of `kit` (submit, autograde, progress, dashboard)."""

from __future__ import annotations

import argparse


def add_verbs(verbs: argparse._SubParsersAction) -> None:
    """Adds the course verbs to the `kit` parser."""
