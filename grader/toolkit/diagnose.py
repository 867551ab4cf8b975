"""Generic diagnosis of a wrong value: the relation between the learner's value and the reference's.

A check's Mistakes name the slips its author foresaw. When none matches, `diagnose` tries the
relations a slip leaves behind whatever the exercise: a constant factor, axes in another order,
a missing or an extra reduction, a computation along the wrong axis, swapped arguments, an
off-by-one, a dtype that lost precision. Each relation is named only after it is confirmed
numerically: the relation applied to the reference's value (or the reference function applied
to the altered inputs) reproduces the learner's value within the check's tolerance, and does not
reproduce the reference's value itself. A wrong diagnosis is worse than none, so anything
unconfirmed stays silent.

Messages are whole sentences with named placeholders (the templates below), so that each can be
translated as one unit.
"""

from __future__ import annotations

import copy
import itertools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from grader.toolkit.values import KINDS, describe, to_numpy

# When set (by the kit's silence tests), expect_* also runs the diagnosers where the learner's
# value is right, and reports each one that would have spoken (grader.records, "diagnosis_audit").
AUDIT = "KIT_DIAGNOSE_AUDIT"

# Reductions a result may miss or have too many, in the order they are tried.
REDUCTIONS = ("argmax", "sum", "mean", "max", "min", "argmin")

# --- the templates ------------------------------------------------------------------------------
# Each is one or more whole sentences; {placeholders} are filled by name.

PERCENT = (
    "Your values are 100 times the expected ones, which lie between 0 and 1: they are percentages."
)
PERCENT_STEP = "Return the fraction itself, in [0, 1]: leave out the factor 100."
HUNDREDTH = "Your values are the expected ones divided by 100."
HUNDREDTH_STEP = (
    "The expected values are percentages (0 to 100); yours are fractions. Multiply by 100, or "
    "leave out the division by 100."
)
SIGN = "Your values have the expected size but the opposite sign."
SIGN_STEP = (
    "A minus sign is missing or extra, or a difference is taken the other way round (b - a "
    "instead of a - b)."
)
NAMED_FACTOR_MORE = (
    "Your values are {count} times the expected ones, and {count} is {name} in this check."
)
NAMED_FACTOR_MORE_STEP = (
    "You divided by {name} once too few (or multiplied by it once too often): a sum where a "
    "mean is meant gives exactly this."
)
NAMED_FACTOR_LESS = (
    "Your values are the expected ones divided by {count}, and {count} is {name} in this check."
)
NAMED_FACTOR_LESS_STEP = (
    "You divided by {name} once too often (or multiplied by it once too few): a mean where a "
    "sum is meant gives exactly this."
)
FACTOR = "Every value of yours is {factor} times the expected one."
FACTOR_STEP = (
    "Your formula is right up to a constant factor: look for a constant you added, left out or "
    "inverted."
)
TRANSPOSED = (
    "Your result is the expected one transposed: shape {got_shape} where {want_shape} is expected."
)
PERMUTED = (
    "Your result is the expected one with its axes in another order: shape {got_shape} where "
    "{want_shape} is expected (your axes are the expected axes {order})."
)
AXES_STEP = (
    "Check which axis holds what, as the docstring says, and fix the step that put them in "
    "another order: a transpose or permute too many or too few, or a matrix product with its "
    "factors the other way round."
)
EXTRA_ONE = (
    "Your values are right, but your result has shape {got_shape} where {want_shape} is "
    "expected: an extra axis of size 1."
)
EXTRA_ONE_STEP = (
    "Return the shape the docstring gives: find the step that kept or added that axis (a "
    "keepdims=True, an indexing with None, a reshape, or a reduction over fewer axes than the "
    "array has); {squeeze} removes it."
)
MISSING_ONE = (
    "Your values are right, but your result has shape {got_shape} where {want_shape} is "
    "expected: the axis of size 1 at position {axis} is missing."
)
# The value alone cannot tell a reduction from a squeeze or an index, so the step names each.
MISSING_ONE_STEP = (
    "Keep that axis: leave out a .squeeze() or an index such as [:, 0] that drops it, pass "
    "keepdims=True to a reduction that drops it, or add it back with {unsqueeze}."
)
RESHAPED = (
    "Your values are right and in the right order, but your result has shape {got_shape} where "
    "{want_shape} is expected."
)
RESHAPED_STEP = (
    "Give the result the expected shape {want_shape}: check the reshape or view that made it."
)
SCRAMBLED = (
    "Your result holds the expected values, but cut into shape {got_shape} in memory order: "
    "that is the expected result with its axes moved, then reshaped."
)
SCRAMBLED_STEP = (
    "reshape and view keep the values in memory order and only cut them differently, so they "
    "cannot move an axis. To move an axis, use {move}."
)
MISSING_ARGMAX = (
    "Your result has shape {got_shape}, one axis more than the expected {want_shape}: scores "
    "for each of {size} classes. The position of the largest score along that axis is exactly "
    "the expected result."
)
MISSING_ARGMAX_STEP = "Return the index of the largest score, not the scores: {call}."
MISSING_REDUCTION = (
    "Your result has shape {got_shape}, one axis more than the expected {want_shape}, and its "
    "{op} over that axis is exactly the expected result."
)
MISSING_REDUCTION_STEP = "Take that {op} at the end: {call}."
MISSING_TOTAL = (
    "Your result holds {count} values where one number is expected, and their {op} is exactly "
    "the expected number."
)
MISSING_TOTAL_STEP = "Return their {op} as one number: {call}."
EXTRA_REDUCTION = (
    "Your result is the {op} of the expected result over its axis {axis}: shape {got_shape} "
    "where {want_shape} is expected."
)
EXTRA_REDUCTION_STEP = (
    "Leave that {op} out: the docstring asks for every value along that axis, not their {op}."
)
OTHER_AXIS = (
    "Your result is what the correct computation gives along the other axis: the reference, "
    "given `{name}` with its axes {first} and {second} exchanged, returns exactly your values."
)
OTHER_AXIS_STEP = (
    "Check the axis (axis= in NumPy, dim= in torch) of each sum, mean, max or softmax: the "
    "docstring says which axis holds the samples and which the values of one sample."
)
INPUT_AXIS = (
    "Your values are the {op} of `{name}` over axis {got_axis}; the expected ones are its {op} "
    "over axis {want_axis}."
)
INPUT_AXIS_STEP = "Reduce over axis {want_axis} ({dim}={want_axis})."
SWAPPED = (
    "Your result is what the correct computation gives with `{first}` and `{second}` exchanged."
)
SWAPPED_STEP = (
    "Somewhere you use {first} where {second} belongs: check the order of the arguments in each "
    "call that takes both, and each difference between them."
)
SOFTMAX_AGAIN = (
    "Your result is what the correct computation gives after a softmax of `{name}`. But "
    "`{name}` holds probabilities already (each row sums to 1), and a second softmax squeezes "
    "them towards equal values."
)
SOFTMAX_AGAIN_STEP = "Use `{name}` as it is: leave out the softmax (the exp and the division)."
BROADCAST = (
    "Your result is what the correct computation gives when one of `{first}` and `{second}` has "
    "shape {column} and the other shape {flat}: NumPy then broadcasts the two to a {grid} grid "
    "of every pair."
)
BROADCAST_STEP = (
    "Give `{first}` and `{second}` the same shape before you combine them: reshape both, or "
    "neither (.reshape(-1) turns an (N, 1) column into (N,))."
)
OTHER_QUANTITY = (
    "Your value is exactly {name}, another quantity of this computation, not the one asked for."
)
OTHER_QUANTITY_STEP = (
    "Return the quantity the docstring names: {name} is only a step on the way to it."
)
PLUS_ONE = "Every value of yours is exactly 1 more than the expected one."
MINUS_ONE = "Every value of yours is exactly 1 less than the expected one."
OFF_BY_ONE_STEP = (
    "An off-by-one: check each + 1 and - 1, and whether you count from 0 (as Python, NumPy and "
    "torch index) or from 1."
)
SHIFTED = "Your values are the expected ones moved by one position along axis {axis}."
SHIFTED_STEP = (
    "An index is off by one: check where you count from 0 or from 1, and each + 1 or - 1 in an "
    "index or a slice."
)
DROPPED_FIRST = (
    "Your result is the expected one without its first entry along {axes}: shape "
    "{got_shape} where {want_shape} is expected."
)
DROPPED_LAST = (
    "Your result is the expected one without its last entry along {axes}: shape "
    "{got_shape} where {want_shape} is expected."
)
EXTRA_FIRST = (
    "Your result is the expected one with one extra entry in front along {axes}: shape "
    "{got_shape} where {want_shape} is expected."
)
EXTRA_LAST = (
    "Your result is the expected one with one extra entry at the end along {axes}: shape "
    "{got_shape} where {want_shape} is expected."
)
BOUNDS_STEP = (
    "Check the bounds of your range() or slice: range(n) runs from 0 to n - 1, and a[1:] or "
    "a[:-1] leaves out one entry."
)
TRUNCATED = "Your values are the expected ones with the fractional part cut off."
TRUNCATED_STEP = (
    "Part of the computation ran on integers: an integer array, // or int(). Compute in "
    "floating point: convert with .astype(np.float64) in NumPy or .float() in torch, and "
    "divide with /."
)
ROUNDED = "Your values are the expected ones rounded to whole numbers."
ROUNDED_STEP = (
    "Leave out the rounding (round, np.round or an integer dtype): return the exact values."
)
WRAPPED = "Your values are the expected ones wrapped around at 256."
WRAPPED_STEP = (
    "uint8 holds 0 to 255 only and wraps around past it. Convert to a float dtype "
    "(.astype(np.float32) or .float()) before you compute."
)
LOW_PRECISION = (
    "Your values are {dtype} and agree with the expected float64 values to about {digits} "
    "significant digits only."
)
LOW_PRECISION_STEP = (
    "Keep the computation in float64: torch.tensor(...) and .float() make float32, so pass "
    "dtype=torch.float64, or stay in NumPy, whose default is float64."
)

STACKED = (
    "Your value is {described}, and stacking them along a new first axis gives exactly the "
    "expected result."
)
STACKED_STEP = "Return one {kind}, not a {container}: combine the items with {call}."
CONCATENATED = (
    "Your value is {described}, and joining them end to end gives exactly the expected result."
)
CONCATENATED_STEP = "Return one {kind}, not a {container}: join the items with {call}."
LIST_FOR_TUPLE = "Your value is a list of two items where a tuple is expected."
LIST_FOR_TUPLE_STEP = (
    "Return the two values separated by a comma, `return a, b`: that makes a tuple (a list, "
    "such as what tape.gradient(z, [a, b]) returns, is another type)."
)
ONE_FOR_TWO = "Your function returned one value, {described}, where two are expected."
ONE_FOR_TWO_STEP = "Return both, separated by a comma: `return a, b`."
MANY_FOR_TWO = "Your function returned {count} values where two are expected."
MANY_FOR_TWO_STEP = "Return exactly the two the docstring names, in its order."
ONE_NUMBER = "Your value is {described}: it holds one number, but it is not a Python number."
ONE_NUMBER_STEP = "Take the number out with .item() (or float(...)), and return that."
# A TensorFlow tensor has no .item().
ONE_NUMBER_TF_STEP = "Take the number out with float(...) (or .numpy()), and return that."
OTHER_FRAMEWORK = "Your value is a {got_kind} where a {want_kind} is expected."
OTHER_FRAMEWORK_STEP = {
    ("numpy array", "torch tensor"): (
        "Convert it with torch.from_numpy(...) (it keeps the dtype), or compute with torch "
        "throughout."
    ),
    ("torch tensor", "numpy array"): "Convert it with .numpy() (after .detach().cpu() if needed).",
    ("numpy array", "TensorFlow tensor"): "Convert it with tf.convert_to_tensor(...).",
    ("TensorFlow tensor", "numpy array"): "Convert it with .numpy().",
    ("torch tensor", "TensorFlow tensor"): "Compute it with TensorFlow operations, not torch.",
    ("TensorFlow tensor", "torch tensor"): "Compute it with torch operations, not TensorFlow.",
}


def say(template: str, **fields: Any) -> str:
    """One message from its template (the single place a translation would hook in)."""
    return template.format(**fields)


# --- what the check knows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Given:
    """What a check knows beyond the two values.

    inputs: the arguments the learner's function was called with (positional, in order);
    reference: the reference function, evaluated on altered inputs to confirm a relation (it
    must be a pure function: the inputs are copied before each call);
    names: the inputs' names, by default the reference's parameter names;
    factors: constants of the check with what they are, such as {"the batch size": 16};
    quantities: other values the check computed on the way, by what they are, such as
    {"y_hat, the forward pass's output": 11.0}: a learner who returns one of them is told so.
    """

    inputs: tuple = ()
    reference: Callable | None = None
    names: tuple[str, ...] | None = None
    factors: dict[str, float] = field(default_factory=dict)
    quantities: dict[str, Any] = field(default_factory=dict)

    def input_names(self) -> list[str]:
        if self.names:
            return list(self.names)
        if self.reference is not None:
            import inspect

            try:
                params = list(inspect.signature(self.reference).parameters)
            except (TypeError, ValueError):
                params = []
            if len(params) >= len(self.inputs):
                return params[: len(self.inputs)]
        return [f"argument {i + 1}" for i in range(len(self.inputs))]


NOTHING = Given()


@dataclass(frozen=True)
class Diagnosis:
    """A confirmed relation: what was seen and what to do, and which diagnoser found it."""

    seen: str
    step: str
    diagnoser: str


# --- helpers -----------------------------------------------------------------------------------


def framework(value: Any) -> str:
    """ "torch", "tensorflow" or "numpy": whose conventions the learner's value follows."""
    root = type(value).__module__.split(".")[0]
    return root if root in ("torch", "tensorflow") else "numpy"


def _call(op: str, axis: int | None, kind: str) -> str:
    """How to write `op` over `axis` (None: all) in the learner's framework."""
    if kind == "tensorflow":
        name = {"argmax": "tf.argmax", "argmin": "tf.argmin"}.get(op, f"tf.reduce_{op}")
        return f"{name}(x)" if axis is None else f"{name}(x, axis={axis})"
    if kind == "torch":
        name = {"max": "amax", "min": "amin"}.get(op, op)
        return f".{name}()" if axis is None else f".{name}(dim={axis})"
    return f".{op}()" if axis is None else f".{op}(axis={axis})"


def _reduce(values: np.ndarray, op: str, axis: int | None) -> np.ndarray:
    return np.asarray(getattr(np, op)(values, axis=axis), dtype=np.float64)


def _number(value: float) -> str:
    """A factor as a reader would write it: 100, -1, 0.5, 1/16, 2.5."""
    if float(value).is_integer():
        return str(int(value))
    fraction = Fraction(value).limit_denominator(1000)
    if fraction.numerator in (1, -1) and abs(float(fraction) - value) <= 1e-9 * abs(value):
        return f"{fraction.numerator}/{fraction.denominator}"
    return f"{value:.4g}"


class _Compare:
    """The check's tolerance, floored so that float32 rounding of a true relation still counts."""

    def __init__(self, rtol: float, atol: float):
        self.check_rtol, self.check_atol = float(rtol), float(atol)
        self.rtol = max(float(rtol), 1e-6)
        self.atol = max(float(atol), 1e-12)

    def passes(self, got: np.ndarray, want: np.ndarray) -> bool:
        """The check itself would accept `got`."""
        return bool(np.allclose(got, want, rtol=self.check_rtol, atol=self.check_atol))

    def close(self, a: Any, b: Any, scale: float = 1.0) -> bool:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        return (
            a.shape == b.shape
            and bool(np.all(np.isfinite(a)))
            and bool(np.all(np.isfinite(b)))
            and bool(np.allclose(a, b, rtol=self.rtol, atol=self.atol * scale))
        )

    def same_non_finite(self, a: Any, b: Any) -> bool:
        """`a` holds nan or inf, and `b` holds the same ones in the same places (and matches it
        elsewhere): a non-finite value reproduced exactly."""
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        return (
            a.shape == b.shape
            and not bool(np.all(np.isfinite(a)))
            and bool(np.allclose(a, b, rtol=self.rtol, atol=self.atol, equal_nan=True))
        )

    def distinct(self, candidate: np.ndarray, want: np.ndarray) -> bool:
        """The candidate differs from the expected value: naming it says something."""
        return not self.close(candidate, want)


def _copy(value: Any) -> Any:
    """A copy the reference may change without changing the check's own inputs."""
    if hasattr(value, "clone") and hasattr(value, "detach"):
        return value.detach().clone()
    if isinstance(value, (np.ndarray, dict, list)):
        return copy.deepcopy(value)
    return value


def _swap_axes(value: Any, first: int, second: int) -> Any:
    if hasattr(value, "transpose") and hasattr(value, "detach"):  # torch
        return value.detach().transpose(first, second).contiguous()
    return np.ascontiguousarray(np.swapaxes(value, first, second))


def _evaluate(given: Given, args: list) -> np.ndarray | None:
    """The reference on these arguments as a float64 array, or None if it cannot run on them."""
    try:
        out = given.reference(*[_copy(a) for a in args])
        return np.asarray(to_numpy(out), dtype=np.float64)
    except Exception:  # noqa: BLE001 - an altered input the reference rejects confirms nothing
        return None


# --- the diagnosers ----------------------------------------------------------------------------
# Each takes (got, want, raw, compare, given): got and want as float64 arrays, raw the learner's
# value as returned. Each returns a Diagnosis or None.


def _other_quantity(got, want, raw, compare, given) -> Diagnosis | None:
    """The learner's value is one of the other values the check computed (or one of its array
    inputs, passed back unchanged)."""
    candidates = dict(given.quantities)
    for name, value in zip(given.input_names(), given.inputs, strict=False):
        # A single number equal to an input may be chance; an array passed back is no chance.
        if isinstance(value, np.ndarray) and value.size > 1:
            candidates.setdefault(f"the input `{name}`", value)
    for name, value in candidates.items():
        try:
            quantity = np.asarray(to_numpy(value), dtype=np.float64)
        except Exception:  # noqa: BLE001, S112 - a quantity that is no number names nothing
            continue
        if compare.close(got, quantity) and compare.distinct(quantity, want):
            return Diagnosis(
                say(OTHER_QUANTITY, name=name), say(OTHER_QUANTITY_STEP, name=name), "quantity"
            )
    return None


def _dtype(got, want, raw, compare, given) -> Diagnosis | None:
    if got.shape != want.shape or not got.size:
        return None
    fractional = not np.allclose(want, np.round(want))
    integral = np.allclose(got, np.round(got), rtol=0, atol=0)
    if fractional and integral:
        if compare.close(got, np.trunc(want)) and compare.distinct(np.trunc(want), want):
            return Diagnosis(say(TRUNCATED), say(TRUNCATED_STEP), "dtype")
        if compare.close(got, np.round(want)) and compare.distinct(np.round(want), want):
            return Diagnosis(say(ROUNDED), say(ROUNDED_STEP), "dtype")
    if (want < 0).any() or (want > 255).any():
        wrapped = np.mod(want, 256)
        if integral and compare.close(got, wrapped) and compare.distinct(wrapped, want):
            return Diagnosis(say(WRAPPED), say(WRAPPED_STEP), "dtype")
    kind = str(getattr(raw, "dtype", ""))
    low = next((d for d in ("float16", "bfloat16", "float32") if kind.endswith(d)), None)
    if (
        low
        and compare.check_rtol < 1e-6
        and not compare.passes(got, want)
        and np.allclose(got, want, rtol=1e-5, atol=compare.atol)
    ):
        digits = {"float16": 3, "bfloat16": 2, "float32": 7}[low]
        return Diagnosis(
            say(LOW_PRECISION, dtype=low, digits=digits), say(LOW_PRECISION_STEP), "dtype"
        )
    return None


def _factor(got, want, raw, compare, given) -> Diagnosis | None:
    if got.shape != want.shape or not got.size:
        return None
    big = np.abs(want) > 100 * compare.atol
    if not big.any() or not np.any(np.abs(got) > 100 * compare.atol):
        return None
    k = float(np.sum(got * want) / np.sum(want * want))
    if not math.isfinite(k) or abs(k) < 1e-12 or not compare.distinct(k * want, want):
        return None  # a factor within the tolerance of 1 is no factor

    def is_factor(candidate: float) -> bool:
        return np.isclose(k, candidate, rtol=1e-6) and compare.close(got / candidate, want)

    if is_factor(100) and np.all((want >= 0) & (want <= 1)):
        return Diagnosis(say(PERCENT), say(PERCENT_STEP), "factor")
    if is_factor(0.01) and np.all((want >= 0) & (want <= 100)) and np.any(want > 1):
        return Diagnosis(say(HUNDREDTH), say(HUNDREDTH_STEP), "factor")
    if is_factor(-1):
        return Diagnosis(say(SIGN), say(SIGN_STEP), "factor")
    for name, count in given.factors.items():
        count = float(count)
        if count in (0.0, 1.0, -1.0):
            continue
        if is_factor(count):
            return Diagnosis(
                say(NAMED_FACTOR_MORE, count=_number(count), name=name),
                say(NAMED_FACTOR_MORE_STEP, name=name),
                "factor",
            )
        if is_factor(1 / count):
            return Diagnosis(
                say(NAMED_FACTOR_LESS, count=_number(count), name=name),
                say(NAMED_FACTOR_LESS_STEP, name=name),
                "factor",
            )
    # Any other constant: only an array whose entries differ can show one (a single number is
    # always some multiple of another).
    if len(np.unique(np.round(want[big], 12))) >= 3 and compare.close(got / k, want):
        return Diagnosis(say(FACTOR, factor=_number(k)), say(FACTOR_STEP), "factor")
    return None


def _axes(got, want, raw, compare, given) -> Diagnosis | None:
    if got.ndim != want.ndim or got.ndim < 2 or got.ndim > 5:
        return None
    for order in itertools.permutations(range(want.ndim)):
        if order == tuple(range(want.ndim)):
            continue
        candidate = np.transpose(want, order)
        if candidate.shape != got.shape or not compare.close(got, candidate):
            continue
        if candidate.shape == want.shape and not compare.distinct(candidate, want):
            continue
        fields = {"got_shape": got.shape, "want_shape": want.shape, "order": order}
        seen = TRANSPOSED if want.ndim == 2 else PERMUTED
        return Diagnosis(say(seen, **fields), say(AXES_STEP), "axes")
    return None


def _unit_axis(got, want, raw, compare, given) -> Diagnosis | None:
    if got.shape == want.shape or got.size != want.size:
        return None
    if tuple(n for n in got.shape if n != 1) != tuple(n for n in want.shape if n != 1):
        return None
    if not compare.close(got.reshape(want.shape), want):
        return None
    kind = framework(raw)
    fields = {"got_shape": got.shape, "want_shape": want.shape}
    if got.ndim > want.ndim:
        axis = next(
            (
                i
                for i in range(got.ndim)
                if got.shape[i] == 1 and np.delete(got.shape, i).tolist() == list(want.shape)
            ),
            None,
        )
        squeeze = ".squeeze()" if axis is None else f".squeeze({axis})"
        if kind == "tensorflow":
            squeeze = "tf.squeeze(x)" if axis is None else f"tf.squeeze(x, axis={axis})"
        return Diagnosis(
            say(EXTRA_ONE, **fields), say(EXTRA_ONE_STEP, squeeze=squeeze), "unit_axis"
        )
    if got.ndim < want.ndim:
        axis = next(
            (
                i
                for i in range(want.ndim)
                if want.shape[i] == 1 and np.delete(want.shape, i).tolist() == list(got.shape)
            ),
            None,
        )
        if axis is None:
            return None
        unsqueeze = {
            "torch": f".unsqueeze({axis})",
            "tensorflow": f"tf.expand_dims(x, axis={axis})",
        }.get(kind, f"np.expand_dims(x, {axis})")
        return Diagnosis(
            say(MISSING_ONE, axis=axis, **fields),
            say(MISSING_ONE_STEP, unsqueeze=unsqueeze),
            "unit_axis",
        )
    return None


def _reshaped(got, want, raw, compare, given) -> Diagnosis | None:
    if got.size != want.size or want.ndim < 1:
        return None
    fields = {"got_shape": got.shape, "want_shape": want.shape}
    if got.shape != want.shape and compare.close(got.ravel(), want.ravel()):
        return Diagnosis(say(RESHAPED, **fields), say(RESHAPED_STEP, **fields), "reshaped")
    if want.ndim < 2 or want.ndim > 5:
        return None
    for order in itertools.permutations(range(want.ndim)):
        if order == tuple(range(want.ndim)):
            continue
        moved = np.transpose(want, order)
        if compare.close(got.ravel(), moved.ravel()) and compare.distinct(
            moved.ravel(), want.ravel()
        ):
            move = {
                "torch": ".permute(...)",
                "tensorflow": "tf.transpose(x, perm=...)",
            }.get(framework(raw), ".transpose(...)")
            return Diagnosis(say(SCRAMBLED, **fields), say(SCRAMBLED_STEP, move=move), "reshaped")
    return None


def _missing_reduction(got, want, raw, compare, given) -> Diagnosis | None:
    kind = framework(raw)
    if want.ndim == 0 and got.size > 1:
        for op in REDUCTIONS[1:4]:  # sum, mean, max of every value
            total = _reduce(got, op, None)
            if compare.close(total, want) and not np.allclose(got, got.flat[0]):
                return Diagnosis(
                    say(MISSING_TOTAL, count=got.size, op=op),
                    say(MISSING_TOTAL_STEP, op=op, call=_call(op, None, kind)),
                    "missing_reduction",
                )
        return None
    if got.ndim != want.ndim + 1:
        return None
    for axis in range(got.ndim):
        if got.shape[axis] < 2 or tuple(np.delete(got.shape, axis)) != want.shape:
            continue
        for op in REDUCTIONS:
            if not compare.close(_reduce(got, op, axis), want):
                continue
            fields = {"got_shape": got.shape, "want_shape": want.shape}
            if op == "argmax":
                return Diagnosis(
                    say(MISSING_ARGMAX, size=got.shape[axis], **fields),
                    say(MISSING_ARGMAX_STEP, call=_call(op, axis, kind)),
                    "missing_reduction",
                )
            return Diagnosis(
                say(MISSING_REDUCTION, op=op, **fields),
                say(MISSING_REDUCTION_STEP, op=op, call=_call(op, axis, kind)),
                "missing_reduction",
            )
    return None


def _extra_reduction(got, want, raw, compare, given) -> Diagnosis | None:
    # Zeros confirm no reduction: a ReLU clamps a wrong sum to 0, and the min of a clamped
    # result is 0 too, so "the min of the expected result" would name a cause the code lacks.
    if got.ndim != want.ndim - 1 or not np.any(got):
        return None
    for axis in range(want.ndim):
        if want.shape[axis] < 2 or tuple(np.delete(want.shape, axis)) != got.shape:
            continue
        ops = [op for op in REDUCTIONS if compare.close(got, _reduce(want, op, axis))]
        # Two reductions that give the same value cannot tell which one the code took.
        if len(ops) == 1:
            fields = {"got_shape": got.shape, "want_shape": want.shape, "axis": axis}
            return Diagnosis(
                say(EXTRA_REDUCTION, op=ops[0], **fields),
                say(EXTRA_REDUCTION_STEP, op=ops[0]),
                "extra_reduction",
            )
    return None


def _other_axis(got, want, raw, compare, given) -> Diagnosis | None:
    """The reference on an input with two axes exchanged (and its result exchanged back)."""
    if given.reference is None or not given.inputs:
        return None
    names = given.input_names()
    for index, value in enumerate(given.inputs):
        ndim = len(getattr(value, "shape", ()))
        if ndim < 2 or not hasattr(value, "dtype"):
            continue
        for first, second in itertools.combinations(range(ndim), 2):
            args = list(given.inputs)
            args[index] = _swap_axes(value, first, second)
            out = _evaluate(given, args)
            if out is None:
                continue
            if out.ndim == ndim:
                out = np.swapaxes(out, first, second)
            if out.shape == got.shape and compare.close(got, out) and compare.distinct(out, want):
                return Diagnosis(
                    say(OTHER_AXIS, name=names[index], first=first, second=second),
                    say(OTHER_AXIS_STEP),
                    "other_axis",
                )
    return None


def _input_axis(got, want, raw, compare, given) -> Diagnosis | None:
    """A reduction of an input over one axis, where the reference reduces over another."""
    names = given.input_names()
    for index, value in enumerate(given.inputs):
        if not hasattr(value, "shape") or len(value.shape) < 2:
            continue
        array = np.asarray(to_numpy(value), dtype=np.float64)
        for op in REDUCTIONS:
            by_axis = {axis: _reduce(array, op, axis) for axis in range(array.ndim)}
            want_axes = [a for a, r in by_axis.items() if compare.close(r, want)]
            got_axes = [a for a, r in by_axis.items() if compare.close(r, got)]
            if len(want_axes) == 1 and len(got_axes) == 1 and want_axes != got_axes:
                kind = "dim" if framework(raw) == "torch" else "axis"
                return Diagnosis(
                    say(
                        INPUT_AXIS,
                        op=op,
                        name=names[index],
                        got_axis=got_axes[0],
                        want_axis=want_axes[0],
                    ),
                    say(INPUT_AXIS_STEP, want_axis=want_axes[0], dim=kind),
                    "other_axis",
                )
    return None


def _swapped(got, want, raw, compare, given) -> Diagnosis | None:
    if given.reference is None or len(given.inputs) < 2:
        return None
    names = given.input_names()
    for first, second in itertools.combinations(range(len(given.inputs)), 2):
        args = list(given.inputs)
        args[first], args[second] = args[second], args[first]
        out = _evaluate(given, args)
        if out is not None and compare.close(got, out) and compare.distinct(out, want):
            return Diagnosis(
                say(SWAPPED, first=names[first], second=names[second]),
                say(SWAPPED_STEP, first=names[first], second=names[second]),
                "swapped",
            )
    return None


def _is_probabilities(value: Any) -> bool:
    """A float array of 2 or more axes whose rows (last axis) are probabilities summing to 1."""
    if not (isinstance(value, np.ndarray) and value.ndim >= 2 and value.shape[-1] >= 2):
        return False
    if not np.issubdtype(value.dtype, np.floating):
        return False
    return bool(np.all(value >= 0) and np.all(value <= 1) and np.allclose(value.sum(axis=-1), 1.0))


def _softmax_again(got, want, raw, compare, given) -> Diagnosis | None:
    """The reference on softmax(input), for an input that holds probabilities already."""
    if given.reference is None:
        return None
    names = given.input_names()
    for index, value in enumerate(given.inputs):
        if not _is_probabilities(value):
            continue
        shifted = np.exp(value - value.max(axis=-1, keepdims=True))
        args = list(given.inputs)
        args[index] = shifted / shifted.sum(axis=-1, keepdims=True)
        out = _evaluate(given, args)
        if out is not None and compare.close(got, out) and compare.distinct(out, want):
            return Diagnosis(
                say(SOFTMAX_AGAIN, name=names[index]),
                say(SOFTMAX_AGAIN_STEP, name=names[index]),
                "softmax_again",
            )
    return None


def _broadcast(got, want, raw, compare, given) -> Diagnosis | None:
    """The reference with one of two same-shaped inputs turned from (N,) into a (N, 1) column
    (or back): the two then broadcast to (N, N)."""
    if given.reference is None or len(given.inputs) < 2:
        return None
    names = given.input_names()
    shapes = [getattr(v, "shape", None) for v in given.inputs]
    for index, value in enumerate(given.inputs):
        if not isinstance(value, np.ndarray) or value.ndim not in (1, 2) or value.shape[0] < 2:
            continue
        if value.ndim == 2 and value.shape[1] != 1:
            continue
        partners = [j for j, shape in enumerate(shapes) if j != index and shape == value.shape]
        if not partners:
            continue
        altered = value.reshape(-1, 1) if value.ndim == 1 else value.reshape(-1)
        args = list(given.inputs)
        args[index] = altered
        out = _evaluate(given, args)
        if out is not None and compare.close(got, out) and compare.distinct(out, want):
            # Which of the two was reshaped is not known (a - b and b - a broadcast alike).
            first, second = sorted((index, partners[0]))
            size = value.shape[0]
            fields = {"first": names[first], "second": names[second]}
            return Diagnosis(
                say(
                    BROADCAST,
                    column=(size, 1),
                    flat=(size,),
                    grid=f"({size}, {size})",
                    **fields,
                ),
                say(BROADCAST_STEP, **fields),
                "broadcast",
            )
    return None


def _off_by_one(got, want, raw, compare, given) -> Diagnosis | None:
    if not got.size or not want.size:
        return None
    if got.shape == want.shape:
        whole = np.allclose(want, np.round(want), rtol=0, atol=1e-9)
        # A difference of 1 must be beyond the tolerance: 1 is nothing next to 1e7.
        if whole and compare.distinct(want + 1, want) and compare.close(got, want + 1):
            return Diagnosis(say(PLUS_ONE), say(OFF_BY_ONE_STEP), "off_by_one")
        if whole and compare.distinct(want - 1, want) and compare.close(got, want - 1):
            return Diagnosis(say(MINUS_ONE), say(OFF_BY_ONE_STEP), "off_by_one")
        for axis in range(want.ndim):
            if want.shape[axis] < 3:
                continue
            for shift in (1, -1):
                moved = np.roll(want, shift, axis=axis)
                if compare.close(got, moved) and compare.distinct(moved, want):
                    return Diagnosis(say(SHIFTED, axis=axis), say(SHIFTED_STEP), "off_by_one")
        return None
    if got.ndim != want.ndim:
        return None
    # One entry too few (or too many) at the same end of each axis whose size differs: a range()
    # or a slice with a bound off by one, also where the bound is shared by rows and columns.
    differing = [a for a in range(got.ndim) if got.shape[a] != want.shape[a]]
    steps = {got.shape[a] - want.shape[a] for a in differing}
    if steps not in ({1}, {-1}):
        return None
    larger = want if steps == {-1} else got
    if any(larger.shape[a] < 3 for a in differing):
        return None
    named = [str(a) for a in differing]
    axes = (
        f"axis {named[0]}" if len(named) == 1 else f"axes {', '.join(named[:-1])} and {named[-1]}"
    )
    fields = {"got_shape": got.shape, "want_shape": want.shape, "axes": axes}

    def cut(part: slice) -> tuple:
        index = [slice(None)] * got.ndim
        for a in differing:
            index[a] = part
        return tuple(index)

    if steps == {-1}:
        for template, part in ((DROPPED_FIRST, slice(1, None)), (DROPPED_LAST, slice(None, -1))):
            if compare.close(got, want[cut(part)]):
                return Diagnosis(say(template, **fields), say(BOUNDS_STEP), "off_by_one")
        return None
    for template, part in ((EXTRA_FIRST, slice(1, None)), (EXTRA_LAST, slice(None, -1))):
        if compare.close(got[cut(part)], want):
            return Diagnosis(say(template, **fields), say(BOUNDS_STEP), "off_by_one")
    return None


# --- containers and frameworks -----------------------------------------------------------------


def wrong_kind(value: Any, want: Any) -> Diagnosis | None:
    """A list or tuple of arrays or tensors whose items, stacked or joined, are the expected
    value (confirmed by doing it); None for anything else."""
    if not isinstance(value, (list, tuple)) or not value or want is None:
        return None
    if not all(hasattr(v, "shape") and hasattr(v, "dtype") for v in value):
        return None
    try:
        items = [np.asarray(to_numpy(v), dtype=np.float64) for v in value]
        expected = np.asarray(to_numpy(want), dtype=np.float64)
    except Exception:  # noqa: BLE001 - items that are no arrays
        return None
    kind = framework(value[0])
    prefix = {"torch": "torch", "tensorflow": "tf"}.get(kind, "np")
    fields = {
        "described": describe(value),
        "kind": KINDS[kind],
        "container": type(value).__name__,
    }
    compare = _Compare(1e-6, 1e-9)
    if len({i.shape for i in items}) == 1 and compare.close(np.stack(items), expected):
        return Diagnosis(
            say(STACKED, **fields),
            say(STACKED_STEP, call=f"{prefix}.stack(...)", **fields),
            "container",
        )
    if all(i.ndim >= 1 for i in items) and len({i.shape[1:] for i in items}) == 1:
        joined = np.concatenate(items)
        if compare.close(joined, expected):
            call = {"torch": "torch.cat(...)", "tensorflow": "tf.concat(..., axis=0)"}.get(
                kind, "np.concatenate(...)"
            )
            return Diagnosis(
                say(CONCATENATED, **fields),
                say(CONCATENATED_STEP, call=call, **fields),
                "container",
            )
    return None


def wrong_pair(value: Any, kinds: tuple[type, ...]) -> Diagnosis | None:
    """Why `value` is not the 2-tuple (or list, if `kinds` allows it) a check expects."""
    if isinstance(value, list) and len(value) == 2 and list not in kinds:
        return Diagnosis(say(LIST_FOR_TUPLE), say(LIST_FOR_TUPLE_STEP), "container")
    if isinstance(value, (tuple, list)) and len(value) > 2:
        return Diagnosis(say(MANY_FOR_TWO, count=len(value)), say(MANY_FOR_TWO_STEP), "container")
    if value is not None and not isinstance(value, (tuple, list, dict, str)):
        return Diagnosis(
            say(ONE_FOR_TWO, described=describe(value)), say(ONE_FOR_TWO_STEP), "container"
        )
    return None


def one_number(value: Any) -> Diagnosis | None:
    """A tensor or array that holds a single number where a Python number is expected."""
    if not (hasattr(value, "shape") and hasattr(value, "dtype")):
        return None
    try:
        size = int(np.prod(tuple(value.shape)))
    except (TypeError, ValueError):
        return None
    if size != 1:
        return None
    step = ONE_NUMBER_TF_STEP if framework(value) == "tensorflow" else ONE_NUMBER_STEP
    return Diagnosis(say(ONE_NUMBER, described=describe(value)), say(step), "container")


def wrong_framework(value: Any, dtype: Any) -> Diagnosis | None:
    """A value of one framework where another's dtype is asked for (a NumPy float32 array
    where torch.float32 is expected); None when the frameworks agree."""
    if not hasattr(value, "dtype"):
        return None
    got_kind = KINDS.get(type(value).__module__.split(".")[0])
    root = type(dtype).__module__.split(".")[0]
    want_kind = KINDS.get(root if root in ("torch", "tensorflow") else "numpy")
    step = OTHER_FRAMEWORK_STEP.get((got_kind, want_kind))
    if step is None:
        return None
    return Diagnosis(
        say(OTHER_FRAMEWORK, got_kind=got_kind, want_kind=want_kind), step, "container"
    )


# Most specific first: a relation that reproduces the value exactly from the reference's alone,
# then those that need the inputs or the reference function.
DIAGNOSERS = (
    _dtype,
    _factor,
    _axes,
    _unit_axis,
    _reshaped,
    _missing_reduction,
    _extra_reduction,
    # Before the other axis: a column (N, 1) swapped to a row (1, N) broadcasts the same way.
    _broadcast,
    _input_axis,
    _other_axis,
    _swapped,
    _softmax_again,
    _off_by_one,
    # Last: the other diagnosers' messages, which some mutants expect, keep their precedence.
    _other_quantity,
)


def diagnose(
    got: np.ndarray,
    want: np.ndarray,
    raw: Any = None,
    *,
    rtol: float,
    atol: float,
    given: Given = NOTHING,
) -> Diagnosis | None:
    """The first confirmed relation between the learner's value and the reference's, if any.

    `got` and `want` are the two values as float64 arrays, `raw` the learner's value as it was
    returned (for its dtype and framework). A diagnoser that fails on unusual input is skipped.
    """
    if not (np.all(np.isfinite(got)) and np.all(np.isfinite(want))):
        return None
    compare = _Compare(rtol, atol)
    for diagnoser in DIAGNOSERS:
        try:
            found = diagnoser(got, want, raw, compare, given)
        except Exception as exc:  # noqa: BLE001 - a diagnoser must never break a check
            audit(diagnoser=diagnoser.__name__.strip("_"), outcome="crashed", error=repr(exc))
            continue
        if found is not None:
            return found
    return None


def non_finite(got: np.ndarray, want: np.ndarray, *, rtol: float, atol: float, given: Given):
    """Why the learner's value holds nan or inf where the reference's is finite, if the reference
    on swapped arguments gives the same nan and inf in the same places; else None."""
    if given.reference is None or np.all(np.isfinite(got)) or not np.all(np.isfinite(want)):
        return None
    compare = _Compare(rtol, atol)
    names = given.input_names()
    for first, second in itertools.combinations(range(len(given.inputs)), 2):
        args = list(given.inputs)
        args[first], args[second] = args[second], args[first]
        with np.errstate(all="ignore"):
            out = _evaluate(given, args)
        if out is not None and compare.same_non_finite(got, out):
            return Diagnosis(
                say(SWAPPED, first=names[first], second=names[second]),
                say(SWAPPED_STEP, first=names[first], second=names[second]),
                "swapped",
            )
    return None


def auditing() -> bool:
    return bool(os.environ.get(AUDIT))


def audit(**fields: Any) -> None:
    """Reports what a diagnoser did, for the kit's silence tests (a no-op unless auditing)."""
    if auditing():
        from grader import records

        records.send(records.DiagnosisAudit(**fields))
