"""Checks for exercises/ch6_keras/keras_subclass.py (manual F4, F5, F6, E5)."""

import numpy as np
import pytest

from grader.expect import Mistake, expect_close, expect_dtype, expect_shape, fail

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

from _keras_helpers import build, called_layers, copy_weights, expect_layers, layer_tokens, without

# The same float32 weights and inputs through the same layer kinds: only the order of the
# backend's sums can differ (0 on the reference CPU run); 1e-5 leaves room for oneDNN's kernels.
RTOL, ATOL = 1e-5, 1e-6
DROPOUT_RATE = 0.5  # the CNN's default; with 100 units, training mode zeroes about 50 of them


def expect_call_not_dunder_call(cls, name: str) -> None:
    """Fails when the class (or a class of the learner's between it and tf.keras.Model) overrides __call__."""
    own = [c for c in cls.__mro__ if c.__module__ == cls.__module__]
    if any("__call__" in c.__dict__ for c in own):
        fail(
            f"{name} to implement call(self, x, training=None)",
            f"{name} overrides __call__",
            "Rename __call__ to call. Keras's own __call__ builds the layers, passes training on and then runs "
            "your call(); overriding __call__ bypasses all of that, so fit, predict and summary break. The "
            "manual's __call__ is an erratum (E5).",
            "E5",
        )
    if not any("call" in c.__dict__ for c in own):
        fail(
            f"{name} to implement call(self, x, training=None)",
            f"{name} has no call method",
            "Define call(self, x, training=None) and return the model's output from it.",
            "F5",
        )


def test_models_implement_call(learner, rng):
    """Check that MLP and CNN run and implement call(self, x, training=None), not __call__ (E5)."""
    mlp = build(learner.MLP, "MLP()", "F5")
    expect_shape(
        mlp(rng.normal(size=(4, 8)).astype(np.float32)),
        (4, 1),
        "MLP's output for a (4, 8) batch",
        "fc3 is Dense(units=1): return its output.",
        "F5",
    )
    cnn = build(learner.CNN, "CNN()", "F5")
    expect_shape(
        cnn(rng.uniform(size=(2, 32, 32, 3)).astype(np.float32)),
        (2, 10),
        "CNN's output for a (2, 32, 32, 3) batch",
        "End with Dense(units=10, activation='softmax'): one probability per class.",
        "F5, F6",
    )
    expect_call_not_dunder_call(type(mlp), "MLP")
    expect_call_not_dunder_call(type(cnn), "CNN")


def test_mlp_output_matches_reference_with_same_weights(learner, reference, rng):
    """Check that MLP, given the reference's weights, predicts what the reference predicts."""
    features = rng.normal(size=(16, 8)).astype(np.float32)
    model = build(learner.MLP, "MLP()", "F5")
    output, layers = called_layers(model, features)
    expect_dtype(output, tf.float32, "MLP's output", "Keep Keras's default float32 layers.", "F4")
    want, reference_layers = called_layers(reference.MLP(), features)
    copy_weights(reference_layers, layers, "MLP", "F5")
    want = want.numpy()
    expect_close(
        model(features),
        want,
        what="MLP's predictions with the reference's weights",
        topic="F5",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                np.maximum(want, 0),
                "Your predictions are never negative: the output passes through a "
                "ReLU. A regression output has no activation (P8).",
            ),
        ),
    )


def test_cnn_layers_match_reference(learner, reference, rng):
    """Check that CNN calls the manual's layers in order (activations may be functions, so they are not listed)."""
    images = rng.uniform(size=(2, 32, 32, 3)).astype(np.float32)
    model = build(learner.CNN, "CNN()", "F5")
    output, layers = called_layers(model, images)
    expect_dtype(output, tf.float32, "CNN's output", "Keep Keras's default float32 layers.", "F4")
    _, reference_layers = called_layers(reference.CNN(), images)
    expect_layers(
        without(layer_tokens(layers), drop_activations=True),
        without(layer_tokens(reference_layers), drop_activations=True),
        "CNN's call()",
        "F5",
    )


def test_cnn_output_matches_reference_at_inference(learner, reference, rng):
    """Check that CNN with the reference's weights and training=False outputs the reference's probabilities."""
    images = rng.uniform(size=(4, 32, 32, 3)).astype(np.float32)
    model = build(learner.CNN, "CNN()", "F5")
    _, layers = called_layers(model, images)
    reference_model = reference.CNN()
    _, reference_layers = called_layers(reference_model, images)
    copy_weights(reference_layers, layers, "CNN", "F5")
    want = reference_model(images, training=False).numpy()
    first = model(images, training=False).numpy()
    again = model(images, training=False).numpy()
    if not np.array_equal(first, again):
        fail(
            "CNN(x, training=False) to give the same output every time",
            "two different outputs for one batch",
            "Dropout is still active at test time. Pass training=training to the Dropout layer, not "
            "training=True.",
            "F5, T12",
        )
    expect_close(
        first,
        want,
        what="CNN's probabilities with the reference's weights and training=False",
        topic="F5",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                lambda got: not np.allclose(got.sum(axis=-1), 1.0, atol=1e-4),
                "Your rows do not sum to 1: the model does not end in a softmax. In Keras the last layer "
                "has one: Dense(units=10, activation='softmax') (F6).",
            ),
        ),
    )


def test_cnn_dropout_is_active_in_training(learner, rng):
    """Check that CNN(x, training=True) applies dropout, so it differs from CNN(x, training=False)."""
    images = rng.uniform(size=(8, 32, 32, 3)).astype(np.float32)
    model = build(learner.CNN, "CNN()", "F5")
    inference = model(images, training=False).numpy()
    training = model(images, training=True).numpy()
    if np.allclose(training, inference, rtol=RTOL, atol=ATOL):
        fail(
            f"CNN(x, training=True) to apply Dropout({DROPOUT_RATE:g}) and so differ from training=False",
            "the same output in both modes",
            "Create a Dropout(dropout_rate) layer in __init__ and call it after each hidden Dense layer with "
            "training=training, so Keras can switch it on for training.",
            "F5, T12",
        )
