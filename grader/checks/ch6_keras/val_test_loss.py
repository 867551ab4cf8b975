"""Checks for exercises/ch6_keras/val_test_loss.py (manual F9, erratum E10, erratum E3)."""

import numpy as np
import pytest

from grader.toolkit.expect import Mistake, Slip, expect_close, fail
from grader.toolkit.numbers import expect_float, expect_pair

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

N_FEATURES = 8
BATCH = 4
# 10 validation and 7 test samples in batches of 4: short last batches (2 and 3), so a mean of
# batch means differs from a mean per sample, and every slip below gives another number.
VAL_SAMPLES, TEST_SAMPLES = 10, 7
OTHER_VAL_SAMPLES = 6  # a second validation set: the test loss must not notice the change
# The learner's loop and the reference's run the same float32 ops on the same batches; only the
# order of float64 additions may differ (about 1e-7). The slips below move the test loss by 30 %
# or more with these sizes.
RTOL, ATOL = 1e-5, 1e-7
E10 = (
    "Reset total and count to zero before the test loop (total, count = 0.0, 0), so that the "
    "test loss adds up only test samples"
)

SLIPS = (
    Slip(
        error=TypeError,
        says=r"cannot unpack non-iterable (int|float) object",
        code=r"total\s*,\s*count\s*=\s*0(\.0)?\s*$",
        explanation="Two names need two values: total, count = 0.0, 0 (one zero each).",
        topic="F9",
    ),
)


def linear_model(rng: np.random.Generator) -> tf.keras.Model:
    """A small regressor with fixed random weights: features (batch, 8) -> (batch, 1)."""
    model = tf.keras.Sequential([tf.keras.Input(shape=(N_FEATURES,)), tf.keras.layers.Dense(1)])
    kernel, bias = model.layers[0].weights
    kernel.assign(rng.normal(size=(N_FEATURES, 1)).astype(np.float32))
    bias.assign(np.asarray([0.5], dtype=np.float32))
    return model


def batches(rng: np.random.Generator, samples: int) -> tf.data.Dataset:
    features = rng.normal(size=(samples, N_FEATURES)).astype(np.float32)
    targets = rng.normal(scale=2.0, size=(samples, 1)).astype(np.float32)
    return tf.data.Dataset.from_tensor_slices((features, targets)).batch(BATCH)


def batch_means(model: tf.keras.Model, dataset: tf.data.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Each batch's mean squared error and size, as the loops see them."""
    loss_fn = tf.keras.losses.MeanSquaredError()
    means, sizes = [], []
    for features, targets in dataset:
        means.append(float(loss_fn(targets, model(features, training=False))))
        sizes.append(int(tf.shape(targets)[0]))
    return np.asarray(means), np.asarray(sizes)


def call(learner, model, val_set, test_set) -> tuple[float, float]:
    """The learner's (val_loss, test_loss), each a Python float."""
    got = learner.val_and_test_loss(model, val_set, test_set, tf.keras.losses.MeanSquaredError())
    val_loss, test_loss = expect_pair(
        got,
        "val_and_test_loss to return (val_loss, test_loss)",
        "Return both losses as a tuple: return val_loss, total / count.",
        "F9",
        kinds=(tuple, list),
    )
    step = (
        "That is a tensor: loss_fn returns a scalar tensor, so convert it with "
        "float(loss_fn(targets, predictions)) before adding it up."
    )
    return tuple(
        expect_float(
            value, f"the returned {name} to be a Python float", step, "F9", tensor_step=step
        )
        for name, value in (("val_loss", val_loss), ("test_loss", test_loss))
    )


def test_losses_match_reference(learner, reference, rng):
    """Check that val_and_test_loss returns each set's mean loss per sample, as the reference does."""
    model = linear_model(rng)
    val_set, test_set = batches(rng, VAL_SAMPLES), batches(rng, TEST_SAMPLES)
    got_val, got_test = call(learner, model, val_set, test_set)
    want_val, want_test = reference.val_and_test_loss(
        model, val_set, test_set, tf.keras.losses.MeanSquaredError()
    )
    if np.isclose(got_val, want_test, rtol=RTOL) and np.isclose(got_test, want_val, rtol=RTOL):
        fail(
            "val_and_test_loss to return (val_loss, test_loss)",
            "(test_loss, val_loss): the two losses in the other order",
            "Return the validation loss first: return val_loss, total / count.",
            "F9",
        )
    expect_close(
        got_val,
        want_val,
        what=f"the validation loss over {VAL_SAMPLES} samples in batches of {BATCH}",
        topic="F9",
        rtol=RTOL,
        atol=ATOL,
        next_step="Keep the validation loop as it is given: it already computes val_loss.",
    )
    val_means, val_sizes = batch_means(model, val_set)
    means, sizes = batch_means(model, test_set)
    val_total, test_total = float(val_means @ val_sizes), float(means @ sizes)
    if np.isclose(got_test, means.mean(), rtol=RTOL, atol=ATOL):
        return  # erratum E3's other correct form: the mean of the batch means
    expect_close(
        got_test,
        want_test,
        what=f"the test loss over {TEST_SAMPLES} samples in batches of {BATCH}",
        topic="F9",
        rtol=RTOL,
        atol=ATOL,
        next_step="Add each batch's loss x its size and divide by the number of test samples.",
        mistakes=(
            Mistake(
                test_total / (VAL_SAMPLES + TEST_SAMPLES),
                f"That is the test loss divided by {VAL_SAMPLES + TEST_SAMPLES} samples, the "
                f"validation's {VAL_SAMPLES} and the test's {TEST_SAMPLES}: the count was not "
                f"reset after the validation loop, as in the manual's script (erratum E10). {E10}.",
            ),
            Mistake(
                (val_total + test_total) / (VAL_SAMPLES + TEST_SAMPLES),
                "That is the mean loss over the validation and the test samples together: "
                "neither the sum nor the count was reset after the validation loop (erratum "
                f"E10). {E10}.",
            ),
            Mistake(
                (val_total + test_total) / TEST_SAMPLES,
                "Your test loss still holds the validation loop's sum: the count starts from "
                f"zero again, but the sum does not (erratum E10). {E10}.",
            ),
            Mistake(
                means[-1],
                "That is the last test batch's loss alone: total and count are reset inside the "
                "loop, at every batch. Reset them once, before the test loop.",
            ),
            Mistake(
                means.sum() / TEST_SAMPLES,
                "That is the sum of the batch mean losses divided by the number of samples, off "
                f"by a factor of the batch size ({BATCH}): erratum E3. loss_fn returns a batch's "
                "mean, so add float(loss_fn(...)) * batch.",
            ),
            Mistake(
                test_total / len(sizes),
                f"That divides by the number of batches ({len(sizes)}) instead of the number of "
                f"samples ({TEST_SAMPLES}): add the batch size to count, count += batch.",
            ),
        ),
    )


def test_test_loss_ignores_the_validation_set(learner, rng):
    """Check that the test loss does not change when only the validation set changes (E10)."""
    model = linear_model(rng)
    test_set = batches(rng, TEST_SAMPLES)
    losses = [
        call(learner, model, batches(rng, samples), test_set)[1]
        for samples in (VAL_SAMPLES, OTHER_VAL_SAMPLES)
    ]
    if not np.isclose(losses[0], losses[1], rtol=RTOL, atol=ATOL):
        fail(
            "the same test loss whatever the validation set",
            f"test loss {losses[0]:.6g} after {VAL_SAMPLES} validation samples and "
            f"{losses[1]:.6g} after {OTHER_VAL_SAMPLES}, on the same test set",
            f"Something from the validation loop carries over into the test loss: {E10} "
            "(erratum E10).",
            "E10",
        )
