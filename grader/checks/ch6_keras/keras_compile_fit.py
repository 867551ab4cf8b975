"""Checks for exercises/ch6_keras/keras_compile_fit.py (manual F6, F7, F8)."""

import numpy as np
import pytest

from grader import cache
from grader.toolkit.expect import Mistake, Slip, describe, expect_close, expect_shape, fail
from grader.toolkit.numbers import expect_float
from grader.toolkit.plots import describe_curve, loss_curves, shown

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

from grader.toolkit.keras import as_array, cifar_arrays, small_classifier, source_digest

SLIPS = (
    Slip(
        error=ValueError,
        says=r"Argument\(s\) not recognized: \{'lr'",
        code=r"\blr\s*=",
        explanation="Keras 3 removed the optimizers' lr= argument (checked on Keras 3.15): write "
        "tf.keras.optimizers.Adam(learning_rate=learning_rate).",
        topic="F7",
    ),
)

# compile/fit/evaluate are checked on a small classifier from the checks (see small_classifier),
# so the learner's own model exercises cannot matter here, and tracing stays cheap.
LEARNING_RATE = 2e-3  # not Adam's default 1e-3, so a compile that ignores the argument shows
# One float32 loss on the same 16 probabilities, computed by Keras either way: equal to rounding.
LOSS_RTOL, LOSS_ATOL = 1e-5, 1e-6
# evaluate and predict run the same float32 graph as a direct call, batched the same way.
EVAL_RTOL, EVAL_ATOL = 1e-5, 1e-6

# The fixed CIFAR budget: 800 images (640 to train, the last 160 for validation: 20 and 5 full
# batches of 32, so no batch shape forces a retrace), two epochs, Adam(3e-3). Measured with the
# reference on the offline subset: test accuracy 0.20-0.25 on 1000 test images over seeds 0, 1, 2
# and 1234, where the untrained model scores 0.08-0.13. A correct learner run repeats the
# reference run exactly (same seed, weights and batches), so 0.05 below it only absorbs harmless
# float differences, and 0.15 stays above every untrained score.
CIFAR_TRAIN, CIFAR_TEST, EPOCHS, BATCH, VALIDATION_SPLIT = 800, 1000, 2, 32, 0.2
FIT_LEARNING_RATE = 3e-3
BELOW_REFERENCE, ABOVE_CHANCE = 0.05, 0.15
SYNTHETIC = 160  # the first, synthetic fit: 128 to train and 32 to validate, also full batches
HELD_OUT = int(SYNTHETIC * VALIDATION_SPLIT)
# val_loss is Keras's mean cross-entropy over the one batch of 32 held-out samples, recomputed
# here on the same float32 model: the two differ by float rounding only (about 1e-7 relative).
VAL_RTOL, VAL_ATOL = 1e-4, 1e-6


def probabilities_and_labels(model, rng, count: int):
    """Random images, the model's probabilities for them, and labels that it gets right about half the time."""
    images = rng.uniform(size=(count, 32, 32, 3)).astype(np.float32)
    probabilities = model(images).numpy()
    labels = np.where(
        np.arange(count) % 2 == 0, probabilities.argmax(axis=1), rng.integers(0, 10, count)
    )
    return images, probabilities, labels.astype(np.int32)


def test_compile_sets_adam_sparse_crossentropy_and_accuracy(learner, rng):
    """Check that compile_model sets Adam(learning_rate), a sparse cross-entropy on probabilities, and accuracy."""
    model = small_classifier()
    learner.compile_model(model, learning_rate=LEARNING_RATE)
    optimizer = getattr(model, "optimizer", None)
    if not isinstance(optimizer, tf.keras.optimizers.Adam):
        fail(
            "model.optimizer to be tf.keras.optimizers.Adam",
            describe(optimizer),
            "Pass optimizer=tf.keras.optimizers.Adam(learning_rate=learning_rate) to compile.",
            "F7, T9",
        )
    if not np.isclose(float(optimizer.learning_rate), LEARNING_RATE, rtol=1e-6):
        fail(
            f"Adam's learning rate to be {LEARNING_RATE:g}, the learning_rate argument",
            f"{float(optimizer.learning_rate):g}",
            "optimizer='adam' keeps the default 1e-3; use tf.keras.optimizers.Adam(learning_rate=learning_rate).",
            "F7",
        )

    images, probabilities, labels = probabilities_and_labels(model, rng, 16)
    loss_fn = tf.keras.losses.get(model.loss) if isinstance(model.loss, str) else model.loss
    if loss_fn is None:
        fail(
            "compile to set a loss",
            "no loss",
            "Pass loss=tf.keras.losses.SparseCategoricalCrossentropy() (F7).",
            "F7",
        )
    # A constant, not the model's output: Keras cannot see (and quietly undo) a softmax behind it.
    constant = tf.constant(probabilities)
    want = float(tf.keras.losses.SparseCategoricalCrossentropy()(labels, constant))
    try:
        got = float(np.mean(as_array(loss_fn(labels, constant))))
    except (ValueError, tf.errors.InvalidArgumentError) as exc:
        fail(
            "the loss to take integer labels (batch,) and probabilities (batch, 10)",
            f"{type(exc).__name__}: {str(exc)[:200]}",
            "CategoricalCrossentropy wants one-hot labels; for integer class labels use "
            "SparseCategoricalCrossentropy.",
            "F7",
        )
    as_logits = float(
        tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, constant)
    )
    expect_close(
        got,
        want,
        what="the compiled loss on softmax outputs",
        topic="F6",
        rtol=LOSS_RTOL,
        atol=LOSS_ATOL,
        mistakes=(
            Mistake(
                as_logits,
                "Your loss treats the model's probabilities as logits: from_logits=True with a "
                "softmax output applies the softmax twice. Keras undoes this inside fit only when it "
                "can see the softmax, with a warning; keep the default from_logits=False.",
            ),
        ),
        next_step="Use tf.keras.losses.SparseCategoricalCrossentropy() for integer labels.",
    )

    try:
        # compute_metrics updates the compiled metrics eagerly, without tracing an evaluate graph.
        result = model.compute_metrics(images, labels, tf.constant(probabilities))
    except (ValueError, tf.errors.InvalidArgumentError) as exc:
        fail(
            "the compiled metric to take integer labels (batch,) and probabilities (batch, 10)",
            f"{type(exc).__name__}: {str(exc)[:200]}",
            "tf.keras.metrics.Accuracy compares the probabilities with the label as they are. "
            "SparseCategoricalAccuracy compares their argmax with the integer label.",
            "F7",
        )
    accuracies = {name: float(value) for name, value in result.items() if "acc" in name}
    if not accuracies:
        fail(
            "compile to set an accuracy metric",
            f"only the results {sorted(result)}",
            "Pass metrics=[tf.keras.metrics.SparseCategoricalAccuracy()] to compile.",
            "F7",
        )
    want_accuracy = float(np.mean(probabilities.argmax(axis=1) == labels))
    name, value = next(iter(accuracies.items()))
    expect_close(
        value,
        want_accuracy,
        what=f"the compiled metric {name!r} on 16 images",
        topic="F7",
        rtol=0,
        atol=1e-6,
        next_step="Use metrics=[tf.keras.metrics.SparseCategoricalAccuracy()].",
    )


def expect_history(history, epochs: int) -> None:
    if isinstance(history, dict):
        fail(
            "fit_model to return the History object",
            "a dict (history.history?)",
            "Return what model.fit returns; its .history attribute holds the dict.",
            "F8",
        )
    if not isinstance(history, tf.keras.callbacks.History):
        fail(
            "fit_model to return a tf.keras.callbacks.History",
            describe(history),
            "Return model.fit(...)'s result instead of dropping it.",
            "F8",
        )
    record = history.history
    if len(record.get("loss", [])) != epochs:
        fail(
            f"history.history['loss'] to hold {epochs} values, one per epoch",
            f"{len(record.get('loss', []))}",
            "Pass epochs=epochs to fit.",
            "F8",
        )
    if len(record.get("val_loss", [])) != epochs:
        fail(
            "history.history to hold 'val_loss' for every epoch",
            f"the keys {sorted(record)}",
            "Pass validation_split=validation_split to fit, so it holds out the last part for validation "
            "(T11).",
            "F8",
        )


def expect_last_part_held_out(model, history, images, labels) -> None:
    """Fails unless the last val_loss is the loss on the last HELD_OUT samples, as validation_split's is."""
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy()
    got = float(history.history["val_loss"][-1])
    last = float(loss_fn(labels[-HELD_OUT:], model(images[-HELD_OUT:])))
    if np.isclose(got, last, rtol=VAL_RTOL, atol=VAL_ATOL):
        return
    first = float(loss_fn(labels[:HELD_OUT], model(images[:HELD_OUT])))
    fail(
        f"the last val_loss to be the loss on the last {HELD_OUT} of {len(labels)} samples, "
        "which validation_split holds out",
        f"{got:.6g}, where the last {HELD_OUT} samples give {last:.6g}"
        + (
            f" and the first {HELD_OUT} give {first:.6g}"
            if np.isclose(got, first, rtol=VAL_RTOL)
            else ""
        ),
        (
            "Your validation data is the first part of the data. "
            if np.isclose(got, first, rtol=VAL_RTOL, atol=VAL_ATOL)
            else ""
        )
        + "Pass validation_split=validation_split to fit: it holds out the last part of the arrays, "
        "before any shuffling, and trains on the rest.",
        "F8, T11",
    )


def test_fit_returns_history_and_training_learns_cifar(learner, reference, datasets, rng, seed):
    """Check that fit_model returns a History with val_loss, and that 2 epochs on 640 CIFAR images learn."""
    model = small_classifier(progress_reports=True)
    initial = model.get_weights()
    reference.compile_model(model, learning_rate=FIT_LEARNING_RATE)
    images = rng.uniform(size=(SYNTHETIC, 32, 32, 3)).astype(np.float32)
    labels = rng.integers(0, 10, SYNTHETIC).astype(np.int32)
    tf.keras.utils.set_random_seed(seed)
    history = learner.fit_model(model, images, labels, 2, BATCH, VALIDATION_SPLIT)
    expect_history(history, 2)
    expect_last_part_held_out(model, history, images, labels)

    # Back to the initial weights and a fresh Adam (step 0, zero moments, same learning rate): the
    # model keeps its traced train and test functions, which saves two traces.
    model.set_weights(initial)
    for variable in model.optimizer.variables:
        if "learning_rate" not in variable.name:
            variable.assign(tf.zeros_like(variable))
    x_train, y_train, x_test, y_test, source = cifar_arrays(datasets, CIFAR_TRAIN, CIFAR_TEST)
    tf.keras.utils.set_random_seed(seed)
    model.progress_who = "your code"
    history = learner.fit_model(model, x_train, y_train, EPOCHS, BATCH, VALIDATION_SPLIT)
    model.progress_who = None
    expect_history(history, EPOCHS)
    losses = [float(value) for value in history.history["loss"]]
    accuracy = float(np.mean(model(x_test).numpy().argmax(axis=1) == y_test))

    def reference_run():
        twin = small_classifier(progress_reports=True)
        twin.set_weights(initial)
        reference.compile_model(twin, learning_rate=FIT_LEARNING_RATE)
        tf.keras.utils.set_random_seed(seed)
        twin.progress_who = "reference"
        twin_history = reference.fit_model(twin, x_train, y_train, EPOCHS, BATCH, VALIDATION_SPLIT)
        return {
            "accuracy": float(np.mean(twin(x_test).numpy().argmax(axis=1) == y_test)),
            "losses": [float(value) for value in twin_history.history["loss"]],
        }

    digest = cache.key(
        reference,
        __file__,
        seed=seed,
        source=source,
        model=source_digest(),
        tf=tf.__version__,
        budget=(CIFAR_TRAIN, CIFAR_TEST, EPOCHS, BATCH, VALIDATION_SPLIT, FIT_LEARNING_RATE),
    )
    want = cache.cached("keras_compile_fit", digest, reference_run)
    # The same data, weights and budget for both curves: fit's own per-epoch training loss.
    picture = shown(
        loss_curves(
            "keras_compile_fit",
            losses,
            want["losses"],
            quantity="training loss (History)",
            data=f"{round(CIFAR_TRAIN * (1 - VALIDATION_SPLIT))} CIFAR-10 training images",
        )
    )
    if not losses[-1] < losses[0]:
        fail(
            "the training loss to fall from the first epoch to the last",
            f"losses {[round(v, 4) for v in losses]}: {describe_curve(losses)} (see {picture})",
            "Pass the images and labels you are given to fit, with the given batch_size and epochs.",
            "F8",
        )
    threshold = max(ABOVE_CHANCE, want["accuracy"] - BELOW_REFERENCE)
    if accuracy < threshold:
        fail(
            f"test accuracy of at least {threshold:.3f} (the reference reaches {want['accuracy']:.3f})",
            f"{accuracy:.3f} on {CIFAR_TEST} test images; {describe_curve(losses)}, the reference's from "
            f"{want['losses'][0]:.4g} to {want['losses'][-1]:.4g} (see {picture})",
            "Train with fit as the docstring says: the given epochs, batch_size and validation_split.",
            "F8",
        )


def test_evaluate_and_predict_match_reference(learner, reference, rng):
    """Check that evaluate_and_predict returns (loss, accuracy, probabilities (N, 10)) as evaluate and predict give them."""
    model = small_classifier()
    reference.compile_model(model)
    images, probabilities, labels = probabilities_and_labels(model, rng, 24)
    result = learner.evaluate_and_predict(model, images, labels)
    if not (isinstance(result, tuple) and len(result) == 3):
        fail(
            "evaluate_and_predict to return (loss, accuracy, probabilities)",
            describe(result),
            "Return the three values as a tuple, in that order.",
            "F8",
        )
    loss, accuracy, predicted = result
    for name, value in (("loss", loss), ("accuracy", accuracy)):
        expect_float(
            value,
            f"the returned {name} to be a Python float",
            "model.evaluate(images, labels, verbose=0) returns [loss, accuracy] as Python floats: return "
            "them as they are, or through float(...).",
            "F8",
            kinds=(int, float),
        )
    want_loss = float(tf.keras.losses.SparseCategoricalCrossentropy()(labels, probabilities))
    want_accuracy = float(np.mean(probabilities.argmax(axis=1) == labels))
    swapped = (
        "You returned (accuracy, loss): evaluate returns [loss, accuracy], the loss first and then the "
        "metrics in compile's order."
    )
    expect_close(
        loss,
        want_loss,
        what="the returned test loss",
        topic="F8",
        rtol=EVAL_RTOL,
        atol=EVAL_ATOL,
        mistakes=(Mistake(want_accuracy, swapped),),
    )
    expect_close(
        accuracy,
        want_accuracy,
        what="the returned test accuracy",
        topic="F8",
        rtol=0,
        atol=1e-6,
        mistakes=(Mistake(want_loss, swapped),),
    )
    expect_shape(
        predicted,
        (24, 10),
        "the returned probabilities for 24 images",
        "Return model.predict(images)'s output as it is: one row of 10 probabilities per image; take the "
        "argmax only when you want the class.",
        "F8, T7",
    )
    if not isinstance(predicted, np.ndarray):
        fail(
            "the returned probabilities to be a numpy array",
            describe(predicted),
            "model.predict(images, verbose=0) returns a numpy array; calling model(images) gives a "
            "TensorFlow tensor instead. Use predict, or call .numpy() on the tensor.",
            "F8",
        )
    if predicted.dtype != np.float32:
        fail(
            "the returned probabilities to have dtype float32",
            describe(predicted),
            "model.predict returns float32 already: return its output as it is, without converting it "
            "(np.array(..., dtype=float) makes float64).",
            "F8",
        )
    expect_close(
        predicted,
        probabilities,
        what="the returned probabilities",
        topic="F8",
        rtol=EVAL_RTOL,
        atol=EVAL_ATOL,
    )
