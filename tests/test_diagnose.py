"""The relation diagnosers (grader.toolkit.diagnose): each names its relation on a value that has
it, and stays silent on right values, on right values within the check's tolerance, and on
unrelated wrong values. The catalogue-wide silence test is tests/test_diagnose_silence.py."""

import numpy as np
import pytest
import torch

from grader.toolkit import diagnose
from grader.toolkit.diagnose import Given
from grader.toolkit.expect import CheckFailed, expect_close, expect_dtype, expect_shape

RTOL, ATOL = 1e-9, 1e-12


def found(got, want, given=diagnose.NOTHING, rtol=RTOL, atol=ATOL):
    raw = got
    got = np.asarray(diagnose.to_numpy(got), dtype=np.float64)
    want = np.asarray(diagnose.to_numpy(want), dtype=np.float64)
    return diagnose.diagnose(got, want, raw, rtol=rtol, atol=atol, given=given)


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def cross_entropy(probs, targets):
    return float(-(targets * np.log(probs)).sum(axis=1).mean())


def mse(pred, target):
    return float(np.mean((pred - target) ** 2))


def standardize(x):
    return (x - x.mean(axis=0)) / x.std(axis=0)


rng = np.random.default_rng(7)
X = rng.normal(size=(6, 10))
PROBS = softmax(rng.normal(size=(5, 4)))
TARGETS = softmax(rng.normal(size=(5, 4)))
SCORES = rng.normal(size=(16, 10))
FRACTIONS = rng.random(16)
COUNTS = rng.integers(0, 30, size=12).astype(float)


# Each diagnoser on a value that has its relation: (name, got, want, given, phrase).
NAMED = [
    ("factor", FRACTIONS * 100, FRACTIONS, diagnose.NOTHING, "percentages"),
    ("factor", -X, X, diagnose.NOTHING, "opposite sign"),
    ("factor", 16 * 0.7, 0.7, Given(factors={"the batch size": 16}), "16 is the batch size"),
    ("factor", X / 6, X, Given(factors={"the number of samples": 6}), "divided by 6"),
    ("factor", 2.5 * X, X, diagnose.NOTHING, "2.5 times"),
    ("axes", X.T, X, diagnose.NOTHING, "transposed"),
    (
        "axes",
        np.transpose(X.reshape(2, 3, 10), (2, 0, 1)),
        X.reshape(2, 3, 10),
        diagnose.NOTHING,
        "axes in another order",
    ),
    ("unit_axis", X[:, None, :], X, diagnose.NOTHING, ".squeeze(1)"),
    ("unit_axis", FRACTIONS, FRACTIONS[:, None], diagnose.NOTHING, "position 1 is missing"),
    # heldout mlp/squeezed_output was told to use keepdims=True on a reduction it did not have.
    ("unit_axis", FRACTIONS, FRACTIONS[:, None], diagnose.NOTHING, "leave out a .squeeze()"),
    ("reshaped", X.reshape(10, 6), X, diagnose.NOTHING, "in the right order"),
    ("reshaped", X.T.reshape(6, 10), X, diagnose.NOTHING, "reshape and view"),
    (
        "missing_reduction",
        torch.tensor(SCORES),
        SCORES.argmax(axis=1),
        diagnose.NOTHING,
        ".argmax(dim=1)",
    ),
    ("missing_reduction", SCORES, SCORES.mean(axis=1), diagnose.NOTHING, ".mean(axis=1)"),
    ("missing_reduction", FRACTIONS, FRACTIONS.mean(), diagnose.NOTHING, "their mean"),
    ("extra_reduction", SCORES.sum(axis=0), SCORES, diagnose.NOTHING, "sum of the expected"),
    ("other_axis", softmax(X.T).T, softmax(X), Given((X,), softmax), "along the other axis"),
    ("other_axis", standardize(X.T).T, standardize(X), Given((X,), standardize), "exchanged"),
    ("other_axis", X.max(axis=0), X.max(axis=1), Given((X,)), "over axis 0"),
    (
        "swapped",
        cross_entropy(TARGETS, PROBS),
        cross_entropy(PROBS, TARGETS),
        Given((PROBS, TARGETS), cross_entropy),
        "`probs` and `targets` exchanged",
    ),
    (
        "softmax_again",
        cross_entropy(softmax(PROBS), TARGETS),
        cross_entropy(PROBS, TARGETS),
        Given((PROBS, TARGETS), cross_entropy),
        "after a softmax of `probs`",
    ),
    (
        "broadcast",
        mse(FRACTIONS[:, None], FRACTIONS[::-1]),
        mse(FRACTIONS, FRACTIONS[::-1]),
        Given((FRACTIONS, FRACTIONS[::-1]), mse),
        "one of `pred` and `target` has shape (16, 1) and the other shape (16,)",
    ),
    (
        "broadcast",
        mse(FRACTIONS[:, None], FRACTIONS[::-1]),
        mse(FRACTIONS[:, None], FRACTIONS[::-1, None]),
        Given((FRACTIONS[:, None], FRACTIONS[::-1, None]), mse),
        "a (16, 16) grid",
    ),
    (
        "quantity",
        11.0,
        2.0,
        Given(quantities={"y_hat, the forward pass's output": 11.0}),
        "exactly y_hat, the forward pass's output",
    ),
    ("quantity", X, X + 1.0, Given((X, 3.0), lambda x, c: x + 1.0), "the input `x`"),
    ("off_by_one", COUNTS + 1, COUNTS, diagnose.NOTHING, "1 more"),
    ("off_by_one", COUNTS - 1, COUNTS, diagnose.NOTHING, "1 less"),
    ("off_by_one", np.roll(X, 1, axis=1), X, diagnose.NOTHING, "moved by one position"),
    ("off_by_one", FRACTIONS[:-1], FRACTIONS, diagnose.NOTHING, "without its last entry"),
    ("off_by_one", FRACTIONS[1:], FRACTIONS, diagnose.NOTHING, "without its first entry"),
    (
        "off_by_one",
        X.reshape(1, 1, 6, 10)[:, :, :-1, :-1],
        X.reshape(1, 1, 6, 10),
        diagnose.NOTHING,
        "without its last entry along axes 2 and 3",
    ),
    (
        "off_by_one",
        np.append(FRACTIONS, 0.3),
        FRACTIONS,
        diagnose.NOTHING,
        "extra entry at the end",
    ),
    ("dtype", np.trunc(X * 10), X * 10, diagnose.NOTHING, "fractional part cut off"),
    ("dtype", np.round(X * 10), X * 10, diagnose.NOTHING, "rounded to whole numbers"),
    ("dtype", np.mod(COUNTS * 20, 256), COUNTS * 20, diagnose.NOTHING, "wrapped around at 256"),
    ("dtype", X.astype(np.float32), X, diagnose.NOTHING, "float32"),
]


@pytest.mark.parametrize(
    ("diagnoser", "got", "want", "given", "phrase"), NAMED, ids=[f"{n[0]}:{n[4]}" for n in NAMED]
)
def test_each_diagnoser_names_its_relation(diagnoser, got, want, given, phrase):
    result = found(got, want, given)
    assert result is not None, "nothing named"
    assert (result.diagnoser, phrase in result.seen + " " + result.step) == (diagnoser, True), (
        result
    )


# Right values, or right within the check's tolerance: every diagnoser stays silent, including
# on values where a relation holds trivially (a symmetric matrix is its own transpose, a constant
# array its own shift, zeros any multiple of themselves).
SYMMETRIC = X[:, :6] @ X[:, :6].T
RIGHT = [
    ("random", X, X, RTOL, ATOL),
    ("noise below tolerance", X * (1 + 1e-11), X, RTOL, ATOL),
    ("symmetric", SYMMETRIC, SYMMETRIC, RTOL, ATOL),
    ("constant", np.full((4, 5), 3.0), np.full((4, 5), 3.0), RTOL, ATOL),
    ("zeros", np.zeros(8), np.zeros(8), RTOL, ATOL),
    ("integers", COUNTS, COUNTS, 0, 0),
    ("scalar", 0.25, 0.25, RTOL, ATOL),
    ("one-element", np.array([2.0]), np.array([2.0]), RTOL, ATOL),
    ("softmax", softmax(X), softmax(X), RTOL, ATOL),
    # Whole numbers so large that 1 more is within the tolerance (graph_mode's z is about 1e7).
    ("large whole numbers", COUNTS * 1e7, COUNTS * 1e7, 1e-6, 0),
    ("float32 within a float32 tolerance", X.astype(np.float32), X, 1e-5, 1e-6),
    # Rounded to 4 decimals, as a CSV may hold them: every value is about 1.00001 times the
    # expected one, which is no factor.
    ("rounded within atol", np.round(FRACTIONS, 4), FRACTIONS, 0, 1e-4),
]


@pytest.mark.parametrize(("case", "got", "want", "rtol", "atol"), RIGHT, ids=[c[0] for c in RIGHT])
def test_silent_on_right_values(case, got, want, rtol, atol):
    given = Given((np.asarray(want, dtype=float).reshape(np.shape(want)),), lambda v: v)
    assert found(got, want, rtol=rtol, atol=atol) is None
    assert found(got, want, given, rtol=rtol, atol=atol) is None


def test_silent_on_unrelated_wrong_values():
    """Independent random values, integers and shapes: no relation holds, none is named."""
    draws = np.random.default_rng(1)
    named = []
    for trial in range(300):
        shape = [(), (7,), (5, 4), (4, 4), (2, 3, 4), (16, 10)][trial % 6]
        if trial % 3 == 0:
            want = draws.integers(-50, 50, size=shape).astype(float)
            got = draws.integers(-50, 50, size=shape).astype(float)
        else:
            want = draws.normal(size=shape)
            got = draws.normal(size=shape) * draws.uniform(0.1, 10)
        inputs = (draws.normal(size=(5, 4)), draws.normal(size=(5, 4)))
        given = Given(inputs, lambda a, b: (a * b).sum(axis=0), factors={"the batch size": 5})
        result = found(got, want, given)
        if result is not None:
            named.append((trial, result))
    assert named == []


def test_silent_when_the_relation_gives_the_expected_value_too():
    """A relation that maps the expected value onto itself says nothing about the learner's."""
    symmetric_input = SYMMETRIC.copy()
    # The reference on the transposed input is the reference itself: no "other axis".
    assert (
        found(
            softmax(symmetric_input) + 1.0,
            softmax(symmetric_input),
            Given((symmetric_input,), lambda v: v),
        )
        is None
    )
    # Swapping equal inputs changes nothing: no "swapped".
    assert found(X + 1.0, X, Given((X, X), lambda a, b: a + 0 * b)) is None


def test_softmax_again_and_broadcast_stay_silent_where_their_alteration_is_no_slip():
    """Logits (rows that are no probabilities) get no softmax; inputs of different shapes, or a
    reference that gives the same value broadcast or not, name no broadcast."""
    logits = rng.normal(size=(5, 4))
    assert found(cross_entropy(PROBS, TARGETS) + 1, cross_entropy(PROBS, TARGETS)) is None
    given = Given((logits, TARGETS), lambda z, t: cross_entropy(softmax(z), t))
    wrong = cross_entropy(softmax(softmax(logits)), TARGETS)
    assert found(wrong, cross_entropy(softmax(logits), TARGETS), given) is None
    # The total of a - b is the same whether or not the two broadcast: nothing to name.
    total = Given((FRACTIONS, FRACTIONS**2), lambda a, b: float(np.sum(a) - np.sum(b)))
    difference = FRACTIONS.sum() - (FRACTIONS**2).sum()
    assert found(difference + 0.123, difference, total) is None
    mean = FRACTIONS.mean()
    assert found(mean + 1, mean, Given((FRACTIONS, FRACTIONS[:8]), mse)) is None


def test_non_finite_values_are_named_only_when_swapped_arguments_reproduce_them():
    """Targets and probabilities swapped give log(0): the reference on swapped arguments gives
    the same inf. A nan or inf the swap does not reproduce names nothing."""
    onehot = np.eye(4)[[0, 3, 1, 2, 2]]
    given = Given((PROBS, onehot), cross_entropy)
    want = np.asarray(cross_entropy(PROBS, onehot))
    with np.errstate(all="ignore"):
        got = np.asarray(cross_entropy(onehot, PROBS))
    assert not np.isfinite(got)
    result = diagnose.non_finite(got, want, rtol=RTOL, atol=ATOL, given=given)
    assert result is not None and "`probs` and `targets` exchanged" in result.seen
    for other in (np.asarray(np.nan), np.asarray(-np.inf)):
        assert diagnose.non_finite(other, want, rtol=RTOL, atol=ATOL, given=given) is None
    assert diagnose.non_finite(got, want, rtol=RTOL, atol=ATOL, given=diagnose.NOTHING) is None


def test_other_quantity_stays_silent_where_the_quantity_is_chance_or_the_answer():
    """A single-number input equal to the value may be chance; a quantity equal to the expected
    value says nothing; a value near a quantity, but not at it, is no quantity."""
    compare = diagnose._Compare(RTOL, ATOL)

    def other(got, want, given):
        got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        return diagnose._other_quantity(got, want, got, compare, given)

    assert other(3.0, 2.0, Given((X, 3.0), lambda x, c: 2.0)) is None
    assert other(5.0, 2.0, Given(quantities={"the output": 2.0})) is None
    assert other(11.5, 2.0, Given(quantities={"the output": 11.0})) is None
    assert other(X + 1e-3, X + 1.0, Given((X,), lambda x: x + 1.0)) is None


def test_a_zero_result_is_no_extra_reduction():
    """A sum over the whole batch clamped by ReLU gives 0, which is also the min of the clamped
    expected rows: heldout perceptron/sum_whole_batch was told it took a min."""
    rows = np.maximum(0, np.array([0.7, -0.2, 1.3, -1.1, 0.4, -0.3]))
    assert found(np.float64(0.0), rows) is None
    # Rows whose max equals their sum (one nonzero value) cannot tell sum from max: silent.
    one_hot = np.array([0.0, 0.0, 2.5, 0.0])
    assert found(np.float64(2.5), one_hot) is None


def test_a_diagnoser_that_breaks_is_skipped(monkeypatch):
    def broken(*args):
        raise RuntimeError("broken diagnoser")

    monkeypatch.setattr(diagnose, "DIAGNOSERS", (broken, *diagnose.DIAGNOSERS))
    assert found(FRACTIONS * 100, FRACTIONS).diagnoser == "factor"


def message(call) -> str:
    with pytest.raises(CheckFailed) as failure:
        call()
    return str(failure.value)


def test_expect_close_names_the_relation_only_where_mistakes_are_silent():
    def percent(mistakes=()):
        return message(
            lambda: expect_close(
                FRACTIONS * 100,
                FRACTIONS,
                what="the confidences",
                topic="P19",
                rtol=0,
                atol=1e-6,
                mistakes=mistakes,
            )
        )

    assert "percentages" in percent()
    from grader.toolkit.expect import Mistake

    targeted = percent((Mistake(FRACTIONS * 100, "Return a fraction, not a percentage."),))
    assert "Return a fraction, not a percentage." in targeted and "percentages" not in targeted
    # Nothing confirmed: the check's own next step, else the manual.
    text = message(
        lambda: expect_close(
            FRACTIONS[::-1], FRACTIONS, what="x", topic="T1", rtol=0, atol=1e-6, next_step="Do X."
        )
    )
    assert "Do X." in text


def test_a_list_of_tensors_is_told_to_be_stacked_or_joined():
    rows = [torch.tensor(row, requires_grad=True) for row in X]
    text = message(lambda: expect_close(rows, X, what="x", topic="T1", rtol=1e-6, atol=1e-6))
    assert "torch.stack(...)" in text and "a list of 6 torch tensors of shape (10,)" in text
    batches = [torch.tensor(FRACTIONS[:10]), torch.tensor(FRACTIONS[10:])]
    text = message(
        lambda: expect_close(batches, FRACTIONS, what="x", topic="T1", rtol=1e-6, atol=1e-6)
    )
    assert "torch.cat(...)" in text


def test_expect_dtype_tells_a_numpy_array_from_a_tensor():
    text = message(
        lambda: expect_dtype(X.astype(np.float32), torch.float32, "x", "Use float32.", "P1")
    )
    assert "a numpy array where a torch tensor is expected" in text and "Use float32" not in text
    text = message(
        lambda: expect_dtype(
            torch.zeros(2, dtype=torch.float64), torch.float32, "x", "Use float32.", "P1"
        )
    )
    assert "Use float32." in text


def test_expect_shape_diagnoses_only_with_the_reference_value():
    text = message(lambda: expect_shape(X.T, X.shape, "x", "Check the axes.", "T1"))
    assert "Check the axes." in text
    text = message(lambda: expect_shape(X.T, X.shape, "x", "Check the axes.", "T1", like=X))
    assert "transposed" in text


def test_pairs_and_numbers_say_what_came_back_instead():
    from grader.toolkit.numbers import expect_float, expect_pair

    def pair(value, kinds=(tuple,)):
        return message(lambda: expect_pair(value, "a pair", "Return both.", "F2", kinds=kinds))

    assert "a list of two items where a tuple is expected" in pair([1, 2])
    assert "returned one value, a torch tensor" in pair(torch.zeros(3))
    assert "returned 3 values" in pair((1, 2, 3))
    assert "Return both." in pair(None) and "Return both." in pair({"a": 1})
    assert expect_pair([1, 2], "a pair", "Return both.", "F2") == (1, 2)

    def number(value):
        return message(lambda: expect_float(value, "a float", "Return a float.", "P10"))

    assert ".item()" in number(torch.tensor(0.5)) and ".item()" in number(np.array([0.5]))
    assert "Return a float." in number(torch.zeros(3)) and "Return a float." in number("0.5")


def test_bounds_off_by_one_only_at_one_end_of_every_axis():
    """A value cut at different ends of two axes, or one axis longer and another shorter, is no
    single bound off by one: nothing is named."""
    assert found(X[1:, :-1], X) is None
    assert found(np.pad(X, ((0, 1), (0, 0)))[:, :-1], X) is None


def test_a_tensorflow_number_is_not_told_to_use_item():
    """A TensorFlow tensor has no .item(): its one number comes out with float(...)."""
    tf = pytest.importorskip("tensorflow")
    found = diagnose.one_number(tf.constant(0.5))
    assert "float(...)" in found.step and ".item()" not in found.step
