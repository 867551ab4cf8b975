"""Options and environment values shared by the kit's verbs, each validated with a one-line
error that names the problem and the fix."""

from __future__ import annotations

import argparse
import math
import os

from grader.i18n import _

MAX_SEED = 2**32 - 1  # NumPy's legacy seeding accepts 0 .. 2**32 - 1


class UsageError(Exception):
    """Bad input from the command line: reported in one line with exit code 2."""


def parse_seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("must be a whole number, got {text!r}").format(text=text)
        ) from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            _("must be from 0 to {max}, got {value}").format(max=MAX_SEED, value=value)
        )
    return value


def parse_number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("must be a number, got {text!r}").format(text=text)
        ) from None


def _from_env(given: float | None, variable: str, default: str) -> tuple[float, str]:
    """The option's value, else the environment variable's, else the default; and its name."""
    if given is not None:
        return given, "--" + variable.removeprefix("KIT_").lower().replace("_", "-")
    text = os.environ.get(variable, "").strip() or default
    try:
        return float(text), variable
    except ValueError:
        raise UsageError(
            _("{variable}={text!r} is not a number; set it to a number or unset it").format(
                variable=variable, text=text
            )
        ) from None


def positive_finite(
    given: float | None, option: str, variable: str, default: str, example: str
) -> float:
    value, source = _from_env(given, variable, default)
    if not math.isfinite(value) or value <= 0:
        raise UsageError(
            _("{name} must be a positive number (for example {example}), got {value}").format(
                name=option if source.startswith("--") else source,
                example=example,
                value=f"{value:g}",
            )
        )
    return value


def memory_limit_gb(given: float | None) -> float:
    value, source = _from_env(given, "KIT_MEMORY_LIMIT_GB", "8")
    if not math.isfinite(value) or value < 0:
        name = "--memory-limit" if source.startswith("--") else source
        raise UsageError(
            _("{name} must be a number of GiB, 0 or more (0: no limit), got {value}").format(
                name=name, value=f"{value:g}"
            )
        )
    return value
