"""Checks for exercises/ch1_theory/conv_output_size.py (manual T4)."""

import math

import numpy as np

from grader.toolkit.expect import Mistake, expect_close, fail

# Sizes are whole numbers: any difference at all is wrong.
RTOL, ATOL = 0, 0

# (size, kernel, padding, stride). The manual's two rules, then cases where the floor, the 2P,
# the -K, the +1 and the stride each change the answer, so each wrong formula below is told apart:
# on TABLE_CASES every formula gives a different list of sizes (the manual's rules alone cannot
# tell some apart, so both checks diagnose on the whole table). (10, 3, 0, 3) has a remainder of
# 1/3, which separates rounding to the nearest int from rounding up.
RULE_CASES = [(32, 3, 1, 1), (5, 3, 1, 1), (32, 2, 0, 2), (28, 2, 0, 2)]
TABLE_CASES = RULE_CASES + [
    (5, 3, 0, 1),
    (7, 3, 0, 2),
    (8, 3, 1, 2),
    (6, 3, 0, 2),
    (224, 7, 3, 2),
    (10, 5, 2, 3),
    (10, 3, 0, 3),
]

# Each known wrong formula, with the misconception behind it.
WRONG_FORMULAS = [
    (
        lambda i, k, p, s: (i - k + 2 * p) / s + 1,
        (
            "Your sizes are fractions: you divided with / and never took the floor. Use // so that "
            "a last window that does not fit is dropped."
        ),
    ),
    (
        lambda i, k, p, s: round((i - k + 2 * p) / s) + 1,
        (
            "You rounded to the nearest whole number (round()). A window that runs past the padded "
            "input is dropped, so take the floor: // on the ints."
        ),
    ),
    (
        lambda i, k, p, s: math.ceil((i - k + 2 * p) / s) + 1,
        "You rounded up. A window that runs past the padded input is dropped: take the floor (//).",
    ),
    (
        lambda i, k, p, s: (i - k + p) // s + 1,
        "You added the padding once. P zeros go on each side, so the padded size is I + 2P.",
    ),
    (
        lambda i, k, p, s: (i - k + 2 * p) // s,
        (
            "You forgot the +1: (I - K + 2P) // S counts the steps between windows, and there is "
            "one more window than steps."
        ),
    ),
    (
        lambda i, k, p, s: i - k + 2 * p + 1,
        "Your answer ignores the stride: divide (I - K + 2P) by S before adding 1.",
    ),
    (
        lambda i, k, p, s: i - k + 2 * p // s + 1,
        (
            "Only 2P is divided by the stride: // binds tighter than + and -, so "
            "size - kernel + 2 * padding // stride + 1 means "
            "size - kernel + (2 * padding // stride) + 1. Put parentheses around the numerator: "
            "(size - kernel + 2 * padding) // stride + 1."
        ),
    ),
    (
        lambda i, k, p, s: (i - k) // s + 1,
        "You left out the padding: P zeros on each side make the input I + 2P wide.",
    ),
    (
        lambda i, k, p, s: (i - s + 2 * p) // k + 1,
        (
            "You swapped the kernel and the stride: the kernel size K is subtracted, and the "
            "stride S divides. O = floor((I - K + 2P) / S) + 1."
        ),
    ),
    (
        lambda i, k, p, s: (i + 2 * p) // s + 1,
        "You forgot to subtract the kernel size K: the last window must fit in the padded input.",
    ),
]


FLOAT_SIZE_STEP = (
    "A size is a whole number: use // on the ints (np.floor and / give floats), or wrap the "
    "result in int()."
)
NOT_A_NUMBER_STEP = "Return the size instead of printing it or leaving it out."


def _sizes(learner, cases):
    sizes = [learner.conv_output_size(*case) for case in cases]
    for case, size in zip(cases, sizes):
        if not isinstance(size, (int, float, np.number)) or isinstance(size, bool):
            fail(
                f"conv_output_size{case} to return a number",
                f"{size!r}",
                NOT_A_NUMBER_STEP,
                "T4",
            )
    return np.array(sizes, dtype=np.float64)


def _expect_sizes(learner, reference, cases, what):
    got = _sizes(learner, cases)
    want = np.array([reference.conv_output_size(*case) for case in cases], dtype=np.float64)
    first_wrong = next((i for i in range(len(cases)) if got[i] != want[i]), 0)
    # A wrong formula is named only when it gives the learner's sizes on the whole table, where
    # every formula differs; on fewer cases two slips can give the same sizes.
    mistakes = ()
    if not np.array_equal(got, want):
        table = _sizes(learner, TABLE_CASES)
        mistakes = tuple(
            Mistake(got, why)
            for f, why in WRONG_FORMULAS
            if np.array_equal(table, np.array([f(*c) for c in TABLE_CASES], dtype=np.float64))
        )[:1]
    expect_close(
        got,
        want,
        what=what,
        topic="T4",
        rtol=RTOL,
        atol=ATOL,
        next_step=f"conv_output_size{cases[first_wrong]} (size, kernel, padding, stride) should be "
        f"{want[first_wrong]:g}. Work it through O = floor((I - K + 2P) / S) + 1.",
        mistakes=mistakes,
    )


def test_conv_output_size_follows_the_manual_rules(learner, reference):
    """Check that K=3, P=1, S=1 keeps the size and that P=0, S=K=2 halves it."""
    _expect_sizes(
        learner,
        reference,
        RULE_CASES,
        what="sizes 32, 5 kept (K=3, P=1, S=1) and 32, 28 halved (P=0, S=K=2)",
    )


def test_conv_output_size_matches_reference(learner, reference):
    """Check that conv_output_size matches O = floor((I - K + 2P) / S) + 1 on a table of cases."""
    _expect_sizes(
        learner,
        reference,
        TABLE_CASES,
        what=f"conv_output_size on {len(TABLE_CASES)} (size, kernel, padding, stride) cases",
    )


def test_conv_output_size_returns_an_int(learner):
    """Check that conv_output_size returns an int, usable in range() and array shapes."""
    size = learner.conv_output_size(8, 3, 1, 2)
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool):
        # A float comes from / or np.floor; anything else (None from a print, a string) is not a
        # number at all, and blaming the division there would name a cause the code lacks.
        is_float = isinstance(size, (float, np.floating))
        fail(
            "conv_output_size(8, 3, 1, 2) to return an int",
            f"{size!r}, a {type(size).__name__}",
            FLOAT_SIZE_STEP if is_float else NOT_A_NUMBER_STEP,
            "T4",
        )
