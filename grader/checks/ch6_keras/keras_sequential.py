"""Checks for exercises/ch6_keras/keras_sequential.py (manual F4, F5, F6, E6)."""

import numpy as np
import pytest

from grader.toolkit.expect import Mistake, expect_close, expect_dtype, expect_shape, fail

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

from grader.toolkit.keras import (
    MODEL_SLIPS,
    build,
    copy_weights,
    expect_class_output,
    expect_layers,
    layer_difference,
    layer_tokens,
    run_built_model,
)

SLIPS = MODEL_SLIPS

# The same float32 weights and inputs through the same layer kinds: only the order of the
# backend's sums can differ (0 on the reference CPU run); 1e-5 leaves room for oneDNN's kernels.
RTOL, ATOL = 1e-5, 1e-6


def learner_sequential(factory, what: str, topic: str):
    model = build(factory, what, topic)
    if not isinstance(model, tf.keras.Sequential):
        fail(
            f"{what} to return a tf.keras.Sequential",
            f"a {type(model).__name__}",
            "Build this one with the Sequential API: tf.keras.Sequential([layer, layer, ...]). The Functional "
            "and Subclassing APIs have their own exercises.",
            topic,
        )
    return model


def test_mlp_layers_match_reference(learner, reference, rng):
    """Check that build_mlp returns a Sequential MLP 8 -> 100 -> 100 -> 1 with ReLU and float32 output."""
    features = rng.normal(size=(4, 8)).astype(np.float32)
    model = learner_sequential(learner.build_mlp, "build_mlp()", "F5")
    output, layers = run_built_model(model, features, "build_mlp()", "F4")
    expect_shape(
        output,
        (4, 1),
        "build_mlp()'s output for a (4, 8) batch",
        "End with Dense(units=1): one prediction per row.",
        "F4",
    )
    expect_dtype(
        output, tf.float32, "build_mlp()'s output", "Keep Keras's default float32 layers.", "F4"
    )
    _, reference_layers = run_built_model(reference.build_mlp(), features, "reference", "F4")
    expect_layers(layer_tokens(layers), layer_tokens(reference_layers), "build_mlp()", "F4")


def test_mlp_output_matches_reference_with_same_weights(learner, reference, rng):
    """Check that the MLP, given the reference's weights, predicts what the reference predicts."""
    features = rng.normal(size=(16, 8)).astype(np.float32)
    model = learner_sequential(learner.build_mlp, "build_mlp()", "F5")
    _, layers = run_built_model(model, features, "build_mlp()", "F4")
    reference_model = reference.build_mlp()
    want, reference_layers = run_built_model(reference_model, features, "reference", "F4")
    tokens = (layer_tokens(layers), layer_tokens(reference_layers))
    copy_weights(reference_layers, layers, "build_mlp()", "F4", tokens)
    # Same weights, other numbers: the layer check's diagnosis is the next step, if it has one.
    difference = layer_difference(*tokens)
    want = want.numpy()
    expect_close(
        model(features),
        want,
        what="build_mlp()'s predictions with the reference's weights",
        topic="F4",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                np.maximum(want, 0),
                "Your predictions are never negative: the last Dense has a ReLU. "
                "A regression output has no activation (P8).",
            ),
        ),
        next_step=difference[0] if difference else None,
    )


def test_cnn_layers_match_reference(learner, reference, rng):
    """Check that build_cnn returns a Sequential CNN with the manual's layers, NHWC in and (batch, 10) out."""
    images = rng.uniform(size=(2, 32, 32, 3)).astype(np.float32)
    model = learner_sequential(learner.build_cnn, "build_cnn()", "F5")
    output, layers = run_built_model(model, images, "build_cnn()", "F4")
    expect_class_output(output, layers, 2, "build_cnn()", "F4, F6")
    expect_dtype(
        output, tf.float32, "build_cnn()'s output", "Keep Keras's default float32 layers.", "F4"
    )
    conv = next((layer for layer in layers if isinstance(layer, tf.keras.layers.Conv2D)), None)
    if conv is not None and tuple(conv.kernel.shape) != (3, 3, 3, 32):
        fail(
            "the first Conv2D's kernel to have shape (3, 3, 3, 32): (kh, kw, in, out)",
            f"shape {tuple(conv.kernel.shape)}",
            "Conv2D(filters=32, kernel_size=3): Keras infers the input channels itself.",
            "F4",
        )
    _, reference_layers = run_built_model(reference.build_cnn(), images, "reference", "F4")
    expect_layers(layer_tokens(layers), layer_tokens(reference_layers), "build_cnn()", "F4")


def test_cnn_output_matches_reference_with_same_weights(learner, reference, rng):
    """Check that the CNN, given the reference's weights, outputs the reference's class probabilities."""
    images = rng.uniform(size=(4, 32, 32, 3)).astype(np.float32)
    model = learner_sequential(learner.build_cnn, "build_cnn()", "F5")
    output, layers = run_built_model(model, images, "build_cnn()", "F4")
    expect_class_output(output, layers, 4, "build_cnn()", "F4, F6")
    want, reference_layers = run_built_model(reference.build_cnn(), images, "reference", "F4")
    tokens = (layer_tokens(layers), layer_tokens(reference_layers))
    copy_weights(reference_layers, layers, "build_cnn()", "F4", tokens)
    difference = layer_difference(*tokens)
    expect_close(
        model(images),
        want,
        what="build_cnn()'s probabilities with the reference's weights",
        topic="F6",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                lambda got: not np.allclose(got.sum(axis=-1), 1.0, atol=1e-4),
                "Your rows do not sum to 1: the model does not end in a softmax. In Keras the last "
                "layer has one: Dense(units=10, activation='softmax').",
            ),
        ),
        next_step=difference[0] if difference else None,
    )
