"""Checks for exercises/ch6_tensorflow/tf_data_pipeline.py (manual F3)."""

import re

import numpy as np
import pytest

from grader.toolkit.expect import Mistake, Slip, describe, expect_close, fail, to_numpy
from grader.toolkit.numbers import expect_pair
from grader.toolkit.tf_source import code_only, discarded_dataset_calls, discarded_message, source

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

SLIPS = (
    Slip(
        error=AttributeError,
        says=r"'SymbolicTensor' object has no attribute 'numpy'",
        code=r"\.numpy\(",
        explanation="dataset.map runs your function once to trace it into a graph, with "
        "symbolic tensors that have no value yet, so .numpy() fails there (even though calling "
        "normalize yourself works). Use TF operations only: tf.cast(image, tf.float32) / 255.0.",
        topic="F3",
    ),
)

# A small synthetic image set: 300 samples of 4x5x3 uint8, batch 8, so 37 full batches and a
# last one of 4. 300 is more than the shuffle buffers beginners type (100, 128, a batch), so a
# buffer smaller than the dataset shows. Labels are the sample indices, so every batch shows
# which samples it holds and in what order, and each image can be matched to its label.
N, IMAGE_SHAPE, BATCH_SIZE = 300, (4, 5, 3), 8
WANT_BATCH_SIZES = [BATCH_SIZE] * (N // BATCH_SIZE) + ([N % BATCH_SIZE] if N % BATCH_SIZE else [])
# A real shuffle of 300 samples leaves |rank correlation| between input and output position
# around 0.06 (one standard deviation); 0.5 is ~8 of them. A buffer of one batch gives ~0.99.
MAX_ORDER_CORRELATION = 0.5
# With a buffer of B, the k-th sample out is one of the first B + k in, so the largest
# (input index - output position) + 1 is at most B. For a full shuffle of 300 it is near 300:
# in 20,000 random permutations of 250 its smallest value was 191, far above half of N.
MIN_BUFFER_BOUND = N // 2
# Division by 255 in float32: both sides round the same way up to one float32 ulp near 1.
RTOL, ATOL = 1e-6, 1e-7


def make_data(rng) -> tuple[np.ndarray, np.ndarray]:
    images = rng.integers(0, 256, size=(N, *IMAGE_SHAPE)).astype(np.uint8)
    return images, np.arange(N, dtype=np.int64)


def call_make_dataset(learner, images, labels, seed, batch_size=BATCH_SIZE):
    """learner.make_dataset, with the manual's one-argument map recognised."""
    what = f"make_dataset(images, labels, batch_size={batch_size}, seed={seed})"
    try:
        dataset = learner.make_dataset(images, labels, batch_size, seed)
    except TypeError as exc:
        if "positional argument" not in str(exc):
            raise
        fail(
            f"{what} to build a dataset",
            "TypeError: "
            + next(line.strip() for line in str(exc).splitlines()[::-1] if line.strip()),
            "Each element is an (image, label) pair, and map passes its parts as separate "
            "arguments, so the function must take both: dataset.map(normalize), or "
            "map(lambda image, label: ...). The manual's `map(lambda x: x / 255)` only works for "
            "a dataset of images alone.",
            "F3",
        )
    if not isinstance(dataset, tf.data.Dataset):
        fail(
            f"{what} to be a tf.data.Dataset",
            describe(dataset),
            "Return the dataset after .batch(batch_size).",
            "F3",
        )
    spec = dataset.element_spec
    if not (isinstance(spec, tuple) and len(spec) == 2):
        fail(
            f"{what} to yield (images, labels) pairs",
            f"elements with spec {spec}",
            pair_next_step(learner, images),
            "F3",
        )
    return dataset, what


def pair_next_step(learner, images) -> str:
    """Why the dataset's elements are not pairs: normalize's result, if that is the cause."""
    try:
        result = learner.normalize(tf.constant(images[0]), tf.constant(0, dtype=tf.int64))
    except Exception:  # noqa: BLE001 - only a diagnosis; the normalize check reports the error
        result = None
    if result is not None and not (isinstance(result, tuple) and len(result) == 2):
        return (
            f"Your normalize returns {describe(result)}, not a pair, and map keeps exactly what "
            "its function returns, so the labels are gone. Return (image, label) from normalize."
        )
    return (
        "Build it with from_tensor_slices((images, labels)) (a tuple) and keep the pair in "
        "map: return (image, label)."
    )


def undivided_next_step(learner, images) -> str:
    """Why a pass yields images still in 0..255: map's result dropped, or normalize itself."""
    dropped = discarded(learner, "map")
    if dropped:
        return dropped
    try:
        image, _ = learner.normalize(tf.constant(images[0]), tf.constant(0, dtype=tf.int64))
        undivided = np.allclose(to_numpy(image), images[0].astype(np.float64))
    except Exception:  # noqa: BLE001 - only a diagnosis; the normalize check reports the error
        undivided = False
    if undivided:
        return "Your normalize does not divide by 255 (see normalize_scales_to_unit_range)."
    return "The images are not divided by 255: apply dataset.map(normalize)."


def sizes_text(sizes: list[int]) -> str:
    """Batch sizes in short: '37 batches of 8, then one of 4' or where the odd one came."""
    full = [size for size in sizes if size == BATCH_SIZE]
    others = [(i, size) for i, size in enumerate(sizes) if size != BATCH_SIZE]
    if len(others) == 1 and others[0][0] == len(sizes) - 1:
        return f"{len(full)} batches of {BATCH_SIZE}, then one of {others[0][1]}"
    if len(others) == 1:
        return (
            f"{len(full)} batches of {BATCH_SIZE} and one of {others[0][1]} at position "
            f"{others[0][0] + 1} of {len(sizes)}"
        )
    return str(sizes)


def discarded(learner, method: str) -> str | None:
    """The next step when make_dataset calls `method` without keeping its result, else None."""
    lines = discarded_dataset_calls(learner.make_dataset)
    return discarded_message(method, lines[method]) if method in lines else None


def one_epoch(dataset, what: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """The batches of one pass, stopping with a targeted failure if the dataset never ends."""
    limit = N + 1  # more elements than any pipeline without .repeat() yields, batched or not
    try:
        batches = [(to_numpy(x), to_numpy(y)) for x, y in dataset.take(limit)]
    except tf.errors.OpError as exc:
        fail(
            f"one pass over {what} to run",
            f"{type(exc).__name__}: {str(exc.message).strip().splitlines()[0][:200]}",
            "TF ran the functions your pipeline applies (normalize, through map) while the "
            "grader read the batches, and one of them failed. Call normalize on one "
            "(image, label) pair yourself to see the error at your line.",
            "F3",
        )
    if len(batches) == limit:
        fail(
            f"one pass over {what} to end after {len(WANT_BATCH_SIZES)} batches",
            f"at least {limit} batches (the pass does not end)",
            "Leave out .repeat(): Keras' fit and your own epoch loop start a new pass each epoch.",
            "F3",
        )
    return batches


def epoch_order(dataset, what: str) -> np.ndarray:
    return np.concatenate([np.atleast_1d(labels) for _, labels in one_epoch(dataset, what)])


NO_RESHUFFLE_STEP = (
    "reshuffle_each_iteration=False keeps the first order for every epoch. Leave it at its "
    "default (True), so that every epoch sees new batches."
)
CACHE_AFTER_SHUFFLE_STEP = (
    ".cache() after .shuffle(...) stores the first shuffled order and replays it every epoch. "
    "Put .cache() before .shuffle(...), or leave it out."
)
REPLAYED_ORDER_STEP = (
    "Every epoch must run the shuffle again: keep reshuffle_each_iteration at its default "
    "(True), and put any .cache() before .shuffle(...)."
)


def _replayed_order_step(code: str) -> str:
    """Why every pass comes in the first pass's order, named only from the learner's code."""
    if re.search(r"reshuffle_each_iteration\s*=\s*False", code):
        return NO_RESHUFFLE_STEP
    shuffle, cache = code.find(".shuffle("), code.rfind(".cache(")
    if shuffle >= 0 and cache > shuffle:
        return CACHE_AFTER_SHUFFLE_STEP
    return REPLAYED_ORDER_STEP


def test_normalize_scales_to_unit_range(learner, reference, rng):
    """Check that normalize turns a uint8 image into float32 image / 255 and keeps the label."""
    image = tf.constant(rng.integers(0, 256, size=IMAGE_SHAPE).astype(np.uint8))
    image_np = image.numpy().astype(np.float64)
    label = tf.constant(7, dtype=tf.int64)
    what = f"normalize(image, label) for a uint8 image of shape {IMAGE_SHAPE}"
    got = learner.normalize(image, label)
    got_image, got_label = expect_pair(
        got,
        f"{what} to return a pair (image, label)",
        "map keeps each element's structure: return the normalised image and the label.",
        "F3",
        kinds=(tuple,),
    )
    if getattr(got_image, "dtype", None) != tf.float32:
        fail(
            f"{what}[0] to have dtype float32",
            describe(got_image),
            "Cast first: tf.cast(image, tf.float32) / 255. Models take float32 input.",
            "F3",
        )
    want_image, _ = reference.normalize(image, label)
    expect_close(
        got_image,
        want_image,
        what=f"{what}[0]",
        topic="F3",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(image_np, "The values still run from 0 to 255: divide by 255 after the cast."),
            Mistake(
                image_np // 255, "// is integer division, so almost every pixel became 0. Use /."
            ),
            Mistake(
                image_np / 127.5 - 1,
                "That maps to [-1, 1] (like Normalize(0.5, 0.5)); this pipeline wants [0, 1]: image / 255.",
            ),
        ),
    )
    if to_numpy(got_label) != 7:
        fail(
            f"{what}[1] to be the label 7, unchanged",
            describe(got_label),
            "Return the label as it came in.",
            "F3",
        )


def test_element_spec_and_batch_sizes(learner, reference, rng, seed):
    """Check that batches are (float32 (B, H, W, C), int64 (B,)) and the last partial batch is kept."""
    images, labels = make_data(rng)
    dataset, what = call_make_dataset(learner, images, labels, seed)
    spec = dataset.element_spec
    want_spec = reference.make_dataset(images, labels, BATCH_SIZE, seed).element_spec
    image_spec, label_spec = spec
    if image_spec.dtype == tf.uint8:
        fail(
            f"{what}'s images to be float32 in [0, 1]",
            "uint8 images",
            discarded(learner, "map")
            or "The images are not normalised: apply dataset.map(normalize).",
            "F3",
        )
    if image_spec.shape.rank == len(IMAGE_SHAPE):
        fail(
            f"{what}'s elements to be batches of shape {want_spec[0].shape}",
            f"single images of shape {image_spec.shape}",
            discarded(learner, "batch") or "Finish with .batch(batch_size).",
            "F3",
        )
    if image_spec.shape != want_spec[0].shape and image_spec.shape[0] == BATCH_SIZE:
        fail(
            f"{what}'s image batches to have shape {want_spec[0].shape} (None: the last batch is smaller)",
            f"shape {image_spec.shape}",
            "drop_remainder=True throws the last, smaller batch away; in an epoch those samples "
            "would never be seen. Call .batch(batch_size) without it.",
            "F3",
        )
    if label_spec.dtype != want_spec[1].dtype:
        fail(
            f"{what}'s labels to have dtype {want_spec[1].dtype.name}",
            f"labels of dtype {label_spec.dtype.name}",
            "The labels must pass through unchanged: normalize returns the label as it came in, "
            "with no cast.",
            "F3",
        )
    for name, got, want in (
        ("images", image_spec, want_spec[0]),
        ("labels", label_spec, want_spec[1]),
    ):
        if got.shape != want.shape or got.dtype != want.dtype:
            fail(
                f"{what}'s {name} to have spec {want}",
                str(got),
                "map, shuffle and batch, in that order: map(normalize).shuffle(len(labels), seed=seed).batch(batch_size).",
                "F3",
            )
    sizes = [len(y) for _, y in one_epoch(dataset, what)]
    if sizes != WANT_BATCH_SIZES and sorted(sizes) == sorted(WANT_BATCH_SIZES):
        fail(
            f"batch sizes {sizes_text(WANT_BATCH_SIZES)}: the smaller batch last",
            sizes_text(sizes),
            "The smaller batch came in the middle: the dataset was shuffled after batching, "
            "which reorders whole batches. Call .shuffle(...) before .batch(batch_size).",
            "F3",
        )
    if sizes and len(set(sizes[:-1])) == 1 and sizes[0] != BATCH_SIZE:
        fail(
            f"batches of batch_size={BATCH_SIZE} samples",
            f"batches of {sizes[0]}",
            "Pass the batch_size argument on, .batch(batch_size), instead of a fixed number"
            + (" (the manual's 100)." if sizes[0] == 100 else "."),
            "F3",
        )
    if sizes != WANT_BATCH_SIZES:
        fail(
            f"batch sizes {sizes_text(WANT_BATCH_SIZES)} for {N} samples in batches of {BATCH_SIZE}",
            sizes_text(sizes),
            "Keep every sample, the last smaller batch included: .batch(batch_size) without drop_remainder.",
            "F3",
        )


def test_batches_hold_normalised_images_with_their_labels(learner, rng, seed):
    """Check that each batch holds images / 255 next to their own labels (the pairs stay together)."""
    images, labels = make_data(rng)
    dataset, what = call_make_dataset(learner, images, labels, seed)
    for batch_images, batch_labels in one_epoch(dataset, what):
        originals = images[batch_labels.astype(np.int64)].astype(np.float64)
        expect_close(
            batch_images,
            originals / 255.0,
            what=f"a batch of {what} (labels {batch_labels[:4].tolist()}, …)",
            topic="F3",
            rtol=RTOL,
            atol=ATOL,
            mistakes=(
                Mistake(originals, undivided_next_step(learner, images)),
                Mistake(
                    lambda got, originals=originals: np.allclose(
                        np.sort(got.ravel()), np.sort(originals.ravel() / 255.0)
                    ),
                    "The right pixels are there, but not next to their labels: shuffle the "
                    "(image, label) pairs together, in one dataset, never images and labels apart.",
                ),
            ),
        )


def expect_every_sample_once(order: np.ndarray, what: str) -> None:
    """Fails unless `order` (one pass's labels) holds each sample index exactly once."""
    if sorted(order.tolist()) == list(range(N)):
        return
    seen = np.bincount(order, minlength=N)
    missing, repeated = int((seen == 0).sum()), int((seen > 1).sum())
    if repeated:
        next_step = (
            "Some samples come more than once in a pass. Shuffle with .shuffle(len(labels)), "
            "which reorders each sample once, and do not .repeat() or concatenate the dataset."
        )
    else:
        next_step = (
            "Samples are missing from the pass. drop_remainder=True drops the last, smaller "
            "batch and .take(n) stops early: keep every sample, .batch(batch_size) as it is."
        )
    fail(
        f"{what} to yield each of the {N} samples once",
        f"{missing} samples missing and {repeated} repeated",
        next_step,
        "F3",
    )


def test_every_sample_once_per_epoch(learner, rng, seed):
    """Check that each pass over the dataset yields every sample exactly once."""
    images, labels = make_data(rng)
    dataset, what = call_make_dataset(learner, images, labels, seed)
    for epoch in (1, 2):
        expect_every_sample_once(epoch_order(dataset, what), f"pass {epoch} over {what}")


def test_shuffle_covers_the_whole_dataset(learner, rng, seed):
    """Check that the order is a real, seeded shuffle of all samples, fresh on every pass."""
    images, labels = make_data(rng)
    dataset, what = call_make_dataset(learner, images, labels, seed)
    batches = [np.atleast_1d(batch_labels) for _, batch_labels in one_epoch(dataset, what)]
    order = np.concatenate(batches)
    expect_every_sample_once(order, f"one pass over {what}")
    if order.tolist() == labels.tolist():
        fail(
            f"{what} to shuffle the samples",
            "the input order, 0, 1, 2, …",
            discarded(learner, "shuffle")
            or "Add .shuffle(len(labels), seed=seed) before .batch: training on sorted data "
            "biases each batch.",
            "F3",
        )
    if all(np.array_equal(np.sort(b), np.arange(b.min(), b.min() + len(b))) for b in batches):
        fail(
            f"{what} to mix samples from all over the dataset into each batch",
            f"batches of consecutive samples, e.g. {np.sort(batches[0]).tolist()}",
            "shuffle after batch reorders whole batches and keeps each batch's contents "
            "together. Call .shuffle(...) before .batch(batch_size).",
            "F3",
        )
    buffer_bound = int(np.max(order - np.arange(N))) + 1
    if buffer_bound <= MIN_BUFFER_BOUND:
        fail(
            f"a shuffle over all {N} samples, where any sample can come first",
            f"an order where no sample came out more than {buffer_bound - 1} places earlier "
            f"than its input position: what a shuffle buffer of about {buffer_bound} does",
            "shuffle(buffer_size) only picks from the next buffer_size samples, so a buffer "
            "smaller than the dataset shuffles locally. Use a buffer as large as the dataset: "
            ".shuffle(len(labels), seed=seed).",
            "F3",
        )
    correlation = float(np.corrcoef(np.arange(N), order)[0, 1])
    if abs(correlation) > MAX_ORDER_CORRELATION:
        fail(
            f"a shuffled order unrelated to the input order (|rank correlation| <= {MAX_ORDER_CORRELATION})",
            f"correlation {correlation:.2f}: samples stay near their input position",
            "The shuffle buffer is smaller than the dataset, so each sample can only move a few "
            "places. Use a buffer as large as the dataset: .shuffle(len(labels), seed=seed).",
            "F3",
        )
    if epoch_order(dataset, what).tolist() == order.tolist():
        fail(
            f"the second pass over {what} to come in a new order",
            "the same order as the first pass",
            _replayed_order_step(code_only(source(learner.make_dataset))),
            "F3",
        )
    again, _ = call_make_dataset(learner, images, labels, seed)
    if epoch_order(again, what).tolist() != order.tolist():
        fail(
            f"two datasets made with seed={seed} to give the same order",
            "two different orders",
            "Pass the seed on: .shuffle(len(labels), seed=seed). Without it, each new dataset "
            "draws a new shuffle seed.",
            "F3",
        )
    other, _ = call_make_dataset(learner, images, labels, seed + 1)
    if epoch_order(other, what).tolist() == order.tolist():
        fixed = re.search(r"\bseed\s*=\s*\d+", code_only(source(learner.make_dataset)))
        fail(
            f"seed={seed + 1} to give another order than seed={seed}",
            "the same order",
            (f"Your code passes a fixed {fixed.group(0)}. " if fixed else "")
            + "Use the `seed` argument, not a fixed number: .shuffle(len(labels), seed=seed).",
            "F3",
        )
