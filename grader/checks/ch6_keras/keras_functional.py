"""Checks for exercises/ch6_keras/keras_functional.py (manual F4, F5, F6, E4)."""

import numpy as np
import pytest

from grader.expect import Mistake, expect_close, expect_dtype, expect_shape, fail

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

from _keras_helpers import build, called_layers, copy_weights, expect_layers, layer_tokens, without

# The same float32 weights and inputs through the same layer kinds: only the order of the
# backend's sums can differ (0 on the reference CPU run); 1e-5 leaves room for oneDNN's kernels.
RTOL, ATOL = 1e-5, 1e-6
# Skipping the normalisation is recognised with a looser tolerance: the reference's unnormalised
# path (x * 255 / 255) differs from x by float32 rounding, which large activations amplify.
SKIPPED_RTOL, SKIPPED_ATOL = 1e-3, 1e-4


def learner_functional(factory, what: str):
    model = build(factory, what, "F5")
    if isinstance(model, tf.keras.Sequential) or not any(
        c.__name__ == "Functional" for c in type(model).__mro__
    ):
        fail(
            f"{what} to return a Functional model, tf.keras.Model(inputs=..., outputs=...)",
            f"a {type(model).__name__}",
            "Start from inputs = tf.keras.Input(shape=...), call each layer on the running tensor, then return "
            "tf.keras.Model(inputs=inputs, outputs=outputs).",
            "F5",
        )
    return model


def pixels(rng, count: int) -> np.ndarray:
    """Raw pixel values 0..255 as float32, NHWC, as the Functional CNN's docstring promises."""
    return rng.integers(0, 256, size=(count, 32, 32, 3)).astype(np.float32)


def test_mlp_matches_reference(learner, reference, rng):
    """Check that the Functional MLP has the reference's layers and, with its weights, its predictions."""
    features = rng.normal(size=(16, 8)).astype(np.float32)
    model = learner_functional(learner.build_mlp, "build_mlp()")
    output, layers = called_layers(model, features)
    expect_shape(
        output,
        (16, 1),
        "build_mlp()'s output for a (16, 8) batch",
        "End with Dense(units=1): one prediction per row.",
        "F4",
    )
    expect_dtype(
        output, tf.float32, "build_mlp()'s output", "Keep Keras's default float32 layers.", "F4"
    )
    want, reference_layers = called_layers(reference.build_mlp(), features)
    expect_layers(layer_tokens(layers), layer_tokens(reference_layers), "build_mlp()", "F4")
    copy_weights(reference_layers, layers, "build_mlp()", "F4")
    expect_close(
        model(features),
        want,
        what="build_mlp()'s predictions with the reference's weights",
        topic="F5",
        rtol=RTOL,
        atol=ATOL,
    )


def test_cnn_layers_match_reference(learner, reference, rng):
    """Check that the Functional CNN has the manual's layers, NHWC in, (batch, 10) float32 out."""
    images = pixels(rng, 2)
    model = learner_functional(learner.build_cnn, "build_cnn()")
    output, layers = called_layers(model, images)
    expect_shape(
        output,
        (2, 10),
        "build_cnn()'s output for a (2, 32, 32, 3) batch",
        "End with Dense(units=10, activation='softmax'): one probability per class.",
        "F4, F6",
    )
    expect_dtype(
        output, tf.float32, "build_cnn()'s output", "Keep Keras's default float32 layers.", "F4"
    )
    _, reference_layers = called_layers(reference.build_cnn(), images)
    expect_layers(
        without(layer_tokens(layers)), without(layer_tokens(reference_layers)), "build_cnn()", "F4"
    )


def test_cnn_normalisation_feeds_the_first_conv(learner, rng):
    """Check that a normalisation step sits between Input and the first Conv2D of the Functional CNN (E4)."""
    images = pixels(rng, 2)
    model = learner_functional(learner.build_cnn, "build_cnn()")
    model(images)
    # Keras keeps only the operations on the path from inputs to outputs, in the order they run.
    names = [type(op).__name__ for op in model.operations]
    first_conv = next((i for i, name in enumerate(names) if name == "Conv2D"), len(names))
    before = [name for name in names[:first_conv] if name != "InputLayer"]
    if not before:
        fail(
            "a normalisation step, such as Rescaling(1 / 255), between Input and the first Conv2D",
            f"the operations {' -> '.join(names[: first_conv + 1])}: the first Conv2D takes the raw inputs",
            "A layer whose output is never used is not part of a Functional model. Apply the first Conv2D to "
            "the rescaled x, not to inputs; the manual's sample code skips its normalisation this way "
            "(erratum E4).",
            "E4",
        )


def test_cnn_output_matches_reference_with_same_weights(learner, reference, rng):
    """Check that the Functional CNN, given the reference's weights, maps raw pixels to the reference's output."""
    images = pixels(rng, 4)
    model = learner_functional(learner.build_cnn, "build_cnn()")
    _, layers = called_layers(model, images)
    reference_model = reference.build_cnn()
    want, reference_layers = called_layers(reference_model, images)
    copy_weights(reference_layers, layers, "build_cnn()", "F4")
    # What the reference computes when nothing scales the pixels: its Rescaling undoes the * 255.
    unscaled = reference_model(images * 255.0).numpy()
    expect_close(
        model(images),
        want,
        what="build_cnn()'s probabilities for raw pixels, with the reference's weights",
        topic="F5",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                lambda got: np.allclose(got, unscaled, rtol=SKIPPED_RTOL, atol=SKIPPED_ATOL),
                "Your model gives what the CNN gives for unscaled pixels: the normalisation does not reach the "
                "first Conv2D. Apply it to the rescaled x, not to inputs (erratum E4).",
            ),
            Mistake(
                lambda got: not np.allclose(got.sum(axis=-1), 1.0, atol=1e-4),
                "Your rows do not sum to 1: the model does not end in a softmax. The manual's example ends in "
                "ReLU()(x); a classifier ends in Dense(units=10, activation='softmax') (F6).",
            ),
        ),
        next_step="Scale the pixels to [0, 1] exactly as the docstring says, Rescaling(1 / 255) or x / 255, and "
        "compare the layers with it.",
    )
