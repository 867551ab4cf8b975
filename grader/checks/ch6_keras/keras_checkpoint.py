"""Checks for exercises/ch6_keras/keras_checkpoint.py (manual F11)."""

from pathlib import Path

import numpy as np
import pytest

from grader.expect import describe, expect_close, fail

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

from _keras_helpers import reference_module

# Saving and loading is checked on the reference Sequential CNN, so the learner's own model
# exercises cannot matter here.
CNN_MODULE = "ch6_keras/keras_sequential.py"
# The same weights run through the same graph give the same float32 numbers; the tolerance only
# guards against another kernel choice on other hardware.
RTOL, ATOL = 0, 1e-6


def build_cnn():
    return reference_module(CNN_MODULE).build_cnn()


def call_save(learner, model, directory: Path) -> str:
    """learner.save_weights, with Keras 3's file-name rule explained."""
    try:
        path = learner.save_weights(model, str(directory))
    except ValueError as exc:
        if ".weights.h5" in str(exc):
            fail(
                "save_weights to write a weights file",
                f"ValueError: {exc}",
                "Keras 3 only writes weights to a file whose name ends in .weights.h5, for example "
                "cnn.weights.h5.",
                "F11",
            )
        raise
    if path is None:
        fail(
            "save_weights to return the path it wrote",
            "None",
            "Return the path you passed to model.save_weights.",
            "F11",
        )
    return str(path)


def test_save_weights_writes_a_weights_file(learner, tmp_path):
    """Check that save_weights writes a .weights.h5 file inside the given directory and returns its path."""
    directory = tmp_path / "checkpoints"
    directory.mkdir()
    path = Path(call_save(learner, build_cnn(), directory))
    if not path.is_absolute():
        path = Path.cwd() / path
    if not path.is_file():
        fail(
            f"a file at the returned path {path}",
            "no such file",
            "Return the same path you passed to model.save_weights.",
            "F11",
        )
    if path.parent.resolve() != directory.resolve():
        fail(
            f"the weights file inside {directory}",
            f"{path}",
            "Join the directory and the file name, e.g. Path(directory) / 'cnn.weights.h5', so the file goes "
            "where the caller asked.",
            "F11",
        )


def test_load_weights_restores_the_predictions(learner, rng, tmp_path):
    """Check that load_weights returns a fresh model that predicts exactly what the saved model predicted."""
    model = build_cnn()
    path = str(tmp_path / "saved.weights.h5")
    model.save_weights(path)
    images = rng.uniform(size=(8, 32, 32, 3)).astype(np.float32)
    want = model(images).numpy()
    restored = learner.load_weights(build_cnn, path)
    if not isinstance(restored, tf.keras.Model):
        fail(
            "load_weights to return the model it built",
            describe(restored),
            "Return the model you called load_weights on.",
            "F11",
        )
    if not all(np.array_equal(a, b) for a, b in zip(restored.get_weights(), model.get_weights())):
        fail(
            "the returned model to hold the saved weights",
            "weights that differ from the saved ones",
            "Call model.load_weights(path) on the fresh model and return that same model.",
            "F11",
        )
    expect_close(
        restored(images),
        want,
        what="the restored model's probabilities",
        topic="F11",
        rtol=RTOL,
        atol=ATOL,
    )


def test_round_trip_reproduces_predictions(learner, rng, tmp_path):
    """Check that save_weights then load_weights into a fresh model gives identical predictions."""
    model = build_cnn()
    images = rng.uniform(size=(8, 32, 32, 3)).astype(np.float32)
    want = model(images).numpy()
    path = call_save(learner, model, tmp_path)
    restored = learner.load_weights(build_cnn, path)
    expect_close(
        restored(images),
        want,
        what="the round-tripped model's probabilities",
        topic="F11",
        rtol=RTOL,
        atol=ATOL,
        next_step="Load the file save_weights wrote into the model you return.",
    )
