"""Checks for exercises/ch6_keras/keras_checkpoint.py (manual F11)."""

import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from grader.toolkit.expect import Slip, describe, expect_close, fail

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

from grader.toolkit.keras import fail_missing_function, source_of
from grader.toolkit.references import reference_module

# Saving and loading is checked on the reference Sequential CNN, so the learner's own model
# exercises cannot matter here.
CNN_MODULE = "ch6_keras/keras_sequential.py"
# The same weights run through the same graph give the same float32 numbers; the tolerance only
# guards against another kernel choice on other hardware.
RTOL, ATOL = 0, 1e-6

SLIPS = (
    Slip(
        error=ValueError,
        says=r"No model config found in the file",
        code=r"load_model\(",
        explanation="tf.keras.models.load_model reads a whole model saved with model.save; a .weights.h5 "
        "file holds only the weights. Build the model with build_model() and call model.load_weights(path).",
        topic="F11",
    ),
)


def build_cnn():
    return reference_module(CNN_MODULE).build_cnn()


def call_save(learner, model, directory: Path):
    """learner.save_weights, with Keras 3's file-name rule explained; returns what it returned."""
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
            "model.save_weights returns None: call it, then return the path you passed to it.",
            "F11",
        )
    return path


def call_load(learner, path: str):
    """learner.load_weights(build_cnn, path), failing unless it returns the model it built."""
    try:
        restored = learner.load_weights(build_cnn, path)
    except AttributeError as exc:
        fail_missing_function(exc, {"build_model": build_cnn}, "F11")
        raise
    if restored is build_cnn:
        fail(
            "load_weights to return the model it built",
            "the function build_model itself",
            "Call it: model = build_model(), then model.load_weights(path), and return model.",
            "F11",
        )
    if not isinstance(restored, tf.keras.Model):
        returns_load = re.search(
            r"return\s+[\w.]+\.load_weights\(", source_of(learner.load_weights)
        )
        fail(
            "load_weights to return the model it built",
            describe(restored),
            "model.load_weights(path) changes the model in place and returns None, so return model itself, "
            "on a line of its own."
            if restored is None and returns_load
            else "Return the model you called load_weights on.",
            "F11",
        )
    return restored


def test_save_weights_writes_a_weights_file(learner, tmp_path):
    """Check that save_weights writes a .weights.h5 file inside the given directory and returns its path."""
    directory = tmp_path / "checkpoints"
    directory.mkdir()
    returned = call_save(learner, build_cnn(), directory)
    path = Path(returned)
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
        glued = str(path).startswith(str(directory)) and path.parent == directory.parent
        fail(
            f"the weights file inside {directory}",
            f"{path}",
            f"Your path is the directory's name with the file name glued on, without a separator between "
            f"them. Join them with Path(directory) / {path.name[len(directory.name) :]!r} or os.path.join."
            if glued
            else "Join the directory and the file name, e.g. Path(directory) / 'cnn.weights.h5', so the file "
            "goes where the caller asked.",
            "F11",
        )
    if not path.name.endswith(".weights.h5"):
        fail(
            "a weights file whose name ends in .weights.h5, written by model.save_weights",
            f"{path.name}" + (", a whole-model .keras archive" if zipfile.is_zipfile(path) else ""),
            "model.save writes the whole model (architecture, weights and optimizer); this exercise saves the "
            "weights only: model.save_weights(path) with a path ending in .weights.h5.",
            "F11",
        )
    if not isinstance(returned, str):
        fail(
            "save_weights to return the file's path as a string",
            describe(returned),
            "Return str(path): the docstring promises a string, which every caller can print, join and "
            "compare.",
            "F11",
        )


def test_load_weights_restores_the_predictions(learner, rng, tmp_path):
    """Check that load_weights returns a fresh model that predicts exactly what the saved model predicted."""
    model = build_cnn()
    path = str(tmp_path / "saved.weights.h5")
    model.save_weights(path)
    images = rng.uniform(size=(8, 32, 32, 3)).astype(np.float32)
    want = model(images).numpy()
    restored = call_load(learner, path)
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
    path = str(call_save(learner, model, tmp_path))
    restored = call_load(learner, path)
    expect_close(
        restored(images),
        want,
        what="the round-tripped model's probabilities",
        topic="F11",
        rtol=RTOL,
        atol=ATOL,
        next_step="Load the file save_weights wrote into the model you return.",
    )
