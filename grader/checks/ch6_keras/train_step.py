"""Checks for exercises/ch6_keras/train_step.py (manual F9, E3, E6)."""

import math

import numpy as np
import pytest

from grader import cache
from grader.toolkit.expect import Mistake, Slip, describe, expect_close, fail
from grader.toolkit.plots import describe_curve, loss_curves, shown
from grader.toolkit.progress import report_epoch

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

from grader.toolkit.keras import cifar_arrays, small_classifier, source_digest

# Both slips end in the same TF text while @tf.function traces the step (checked on TF 2.21):
# the learner's line tells them apart.
SLIPS = (
    Slip(
        error=AttributeError,
        says=r"'SymbolicTensor' object has no attribute 'numpy'",
        code=r"\.predict\(",
        explanation="model.predict cannot run inside @tf.function, and it returns a numpy array, which the "
        "tape cannot follow either. Inside the tape call the model itself: outputs = model(images, "
        "training=True).",
        topic="F9",
    ),
    Slip(
        error=AttributeError,
        says=r"'SymbolicTensor' object has no attribute 'numpy'",
        code=r"\.numpy\(",
        explanation="Inside @tf.function TF traces your code with symbolic tensors, which have no value yet, "
        "so .numpy() fails there. Return the tensor itself (return loss) and convert it outside, for example "
        "float(loss) in train_epochs.",
        topic="F9",
    ),
)

# The training step is checked on a small classifier from the checks (see small_classifier), so
# the learner's own model exercises cannot matter here, and tracing stays cheap.

STEP_BATCH = 16  # images in the batch of the one-step check
STEP_LR = 1e-3  # Adam's first step moves every weight by about lr, so every slip shows
# Two runs of the same float32 graph on the same batch agree to rounding on the CPU. Adam's
# first step is lr * g / (|g| + eps), so a weight whose gradient is near 0 may move by anything
# up to lr: 1e-5 relative plus 1e-6 absolute is far below the 1e-3 that each slip moves.
STEP_RTOL, STEP_ATOL = 1e-5, 1e-6

# 28 samples in batches of 8: three full batches and one of 4, so code that assumes equal batches
# (dividing by batches x batch size, or by the sample count) shows. Both correct forms of E3 pass:
# the mean of the batch means (the docstring's) and the batch means weighted by batch size.
LOOP_SAMPLES, LOOP_BATCH, LOOP_EPOCHS = 28, 8, 3

# The fixed CIFAR budget: 1024 images in 32 batches of 32, two epochs, Adam(3e-3), no shuffling,
# so the learner's run repeats the reference's batch for batch. Measured with the reference on
# the offline subset: test accuracy 0.27-0.30 on 1000 test images over seeds 0, 1, 2 and 1234,
# where the untrained model scores 0.08-0.13. 0.05 below the reference only absorbs harmless float
# differences, and 0.15 stays above every untrained score.
CIFAR_TRAIN, CIFAR_TEST, EPOCHS, BATCH = 1024, 1000, 2, 32
TRAIN_LR = 3e-3
BELOW_REFERENCE, ABOVE_CHANCE = 0.05, 0.15


class LossSpy:
    """A SparseCategoricalCrossentropy that notes whether it was called as (outputs, labels)."""

    def __init__(self):
        self.loss = tf.keras.losses.SparseCategoricalCrossentropy()
        self.calls = 0
        self.swapped = False
        self.numpy_outputs = False

    def __call__(self, y_true, y_pred, *args, **kwargs):
        self.calls += 1
        if isinstance(y_pred, np.ndarray):
            self.numpy_outputs = True  # model.predict's result: the tape cannot follow it
        if len(y_true.shape) == 2 and len(y_pred.shape) == 1:
            self.swapped = (
                True  # noted here, failed after the step: a raise inside tf.function gets wrapped
            )
            y_true, y_pred = y_pred, y_true
        return self.loss(y_true, y_pred, *args, **kwargs)


class AdamSpy(tf.keras.optimizers.Adam):
    """Adam that notes how apply_gradients was called and which gradients reached it."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.without_zip = self.reversed_pairs = False
        self.missing_gradients = 0
        self.applied = 0

    def apply_gradients(self, grads_and_vars, *args, **kwargs):
        if args or "trainable_variables" in kwargs:
            self.without_zip = True  # the manual's apply_gradients(gradients, weights) (E6)
            grads_and_vars = zip(grads_and_vars, args[0] if args else kwargs["trainable_variables"])
        pairs = list(grads_and_vars)
        variable = (tf.Variable, tf.keras.Variable)
        if pairs and isinstance(pairs[0][0], variable) and not isinstance(pairs[0][1], variable):
            self.reversed_pairs = True
            pairs = [(grad, var) for var, grad in pairs]
        self.missing_gradients += sum(grad is None for grad, _ in pairs)
        pairs = [(grad, var) for grad, var in pairs if grad is not None]
        self.applied += len(pairs)
        if pairs:
            super().apply_gradients(pairs)
        return self.iterations


def expect_honest_step(loss_spy: LossSpy, optimizer: AdamSpy, variables: int) -> None:
    """Fails with the slip that the spies saw while the step was traced or run."""
    if loss_spy.calls == 0:
        fail(
            "train_step to call the loss_fn it is given",
            "no call to loss_fn",
            "Compute loss = loss_fn(labels, outputs) inside the tape.",
            "F9",
        )
    if loss_spy.swapped:
        fail(
            "loss_fn(labels, outputs)",
            "loss_fn(outputs, labels)",
            "Keras losses take the labels first and the model's outputs second: the reverse of torch's "
            "F.cross_entropy(outputs, labels).",
            "F9",
        )
    if optimizer.without_zip:
        fail(
            "apply_gradients(zip(grads, model.trainable_weights))",
            "apply_gradients(grads, weights)",
            "apply_gradients takes one sequence of (gradient, variable) pairs; zip builds it. The manual's "
            "apply_gradients(gradients, weights) is a slip (erratum E6).",
            "E6",
        )
    if optimizer.reversed_pairs:
        fail(
            "(gradient, variable) pairs",
            "(variable, gradient) pairs",
            "Zip the gradients first: zip(grads, model.trainable_weights).",
            "F9",
        )
    if loss_spy.numpy_outputs and optimizer.missing_gradients:
        fail(
            "outputs = model(images, training=True) inside the tape",
            "outputs that reached loss_fn as a numpy array, and no gradients",
            "model.predict returns a numpy array, which the tape cannot follow, so no gradient reaches the "
            "weights. Inside the tape call the model itself: outputs = model(images, training=True).",
            "F9",
        )
    if optimizer.missing_gradients and not optimizer.applied:
        fail(
            "a gradient for every trainable weight",
            "None for every weight",
            "The tape only records what runs inside `with tf.GradientTape() as tape:`. Compute both the outputs "
            "and the loss inside that block, and take tape.gradient(loss, model.trainable_weights).",
            "F9",
        )
    if optimizer.missing_gradients:
        fail(
            "a gradient for every trainable weight",
            f"None for {optimizer.missing_gradients} of {variables}",
            "Take tape.gradient(loss, model.trainable_weights): the loss depends on all of them.",
            "F9",
        )


def prebuilt_adam(model, spy: bool = False, learning_rate: float = STEP_LR):
    """Adam with its slots made now: variables made during a tf.function's first call force a second trace."""
    optimizer = (AdamSpy if spy else tf.keras.optimizers.Adam)(learning_rate=learning_rate)
    optimizer.build(model.trainable_variables)
    return optimizer


def expect_step_function(step) -> None:
    """Fails unless make_train_step returned something to call (not None, not a tensor)."""
    if not callable(step):
        fail(
            "make_train_step to return the function train_step(images, labels)",
            describe(step),
            "Return the inner function itself, return train_step, without calling it.",
            "F9",
        )


def test_make_train_step_returns_a_tf_function(learner):
    """Check that make_train_step returns a function compiled with @tf.function."""
    model = small_classifier()
    step = learner.make_train_step(model, LossSpy(), prebuilt_adam(model, spy=True))
    if not isinstance(step, tf.types.experimental.GenericFunction):
        fail(
            "make_train_step to return a function decorated with @tf.function",
            describe(step),
            "Put @tf.function on the line above def train_step(images, labels): TF then traces the step into a "
            "graph once and reruns the graph, which is much faster.",
            "F9",
        )


def test_one_step_matches_reference(learner, reference, rng):
    """Check that one train_step on a batch returns the reference's loss and moves the weights as the reference does."""
    images = tf.constant(rng.uniform(size=(STEP_BATCH, 32, 32, 3)).astype(np.float32))
    labels = tf.constant(rng.integers(0, 10, STEP_BATCH).astype(np.int32))
    model = small_classifier()
    initial = model.get_weights()
    loss_spy, optimizer = LossSpy(), prebuilt_adam(model, spy=True)
    step = learner.make_train_step(model, loss_spy, optimizer)
    expect_step_function(step)
    loss = step(images, labels)
    expect_honest_step(loss_spy, optimizer, len(model.trainable_weights))

    twin = small_classifier()
    twin.set_weights(initial)
    reference_step = reference.make_train_step(
        twin, tf.keras.losses.SparseCategoricalCrossentropy(), prebuilt_adam(twin)
    )
    tf.config.run_functions_eagerly(
        True
    )  # one eager step: the same numbers, without a second trace
    try:
        want_loss = reference_step(images, labels)
    finally:
        tf.config.run_functions_eagerly(False)
    expect_close(
        loss,
        want_loss,
        what="the loss train_step returns",
        topic="F9",
        rtol=STEP_RTOL,
        atol=STEP_ATOL,
        next_step="Return the loss computed from this batch before the update.",
    )
    got, want = model.get_weights(), twin.get_weights()
    moved = [not np.allclose(after, before, rtol=0, atol=0) for after, before in zip(got, initial)]
    if not any(moved):
        fail(
            "one step to move every weight",
            "no weight changed",
            "Apply the gradients: optimizer.apply_gradients(zip(grads, model.trainable_weights)).",
            "F9",
        )
    if not all(moved):
        fail(
            "one step to move every weight",
            f"{sum(moved)} of {len(moved)} weights changed",
            "Take the gradients with respect to all of model.trainable_weights, and apply them to the same list.",
            "F9",
        )
    for index, (mine, theirs) in enumerate(zip(got, want)):
        expect_close(
            mine,
            theirs,
            what=f"weight {index} (shape {mine.shape}) after one step",
            topic="F9",
            rtol=STEP_RTOL,
            atol=STEP_ATOL,
            next_step="Compare your step with the docstring: outputs from model(images, training=True), "
            "loss_fn(labels, outputs), gradients of that loss, one apply_gradients.",
        )


class TrainingFlag(tf.keras.layers.Layer):
    """Passes its input through and notes the `training` value of each call, as Dropout and
    BatchNormalization read it (Keras hands a model's `training` on to every layer)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen: list = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs


def test_step_runs_the_model_in_training_mode(learner, rng):
    """Check that train_step calls the model with training=True, as Dropout and BatchNorm need."""
    flag = TrainingFlag()
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(32, 32, 3)),
            flag,
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(units=10, activation="softmax"),
        ]
    )
    built = len(flag.seen)  # building the model called the layer once, without a mode
    step = learner.make_train_step(model, LossSpy(), prebuilt_adam(model, spy=True))
    expect_step_function(step)
    images = tf.constant(rng.uniform(size=(4, 32, 32, 3)).astype(np.float32))
    step(images, tf.constant(rng.integers(0, 10, 4).astype(np.int32)))
    modes = flag.seen[built:]
    if True in modes:
        return
    calls = " and ".join(
        dict.fromkeys("without training=" if m is None else f"with training={m!r}" for m in modes)
    )
    fail(
        "train_step to call the model in training mode: outputs = model(images, training=True)",
        f"the model called {calls}" if modes else "no call of the model itself",
        "Pass training=True when you call the model inside the tape. Layers such as Dropout and "
        "BatchNormalization act differently in training: without it Dropout drops nothing, and "
        "BatchNormalization neither uses the batch's statistics nor updates its running ones, so "
        "the model trains as a different network from the one the manual builds.",
        "F5, F9",
    )


class FakeStep:
    """Stands in for train_step: returns 1.0, 0.9, 0.8, ... plus each batch's mean label."""

    def __init__(self):
        self.calls = 0

    def __call__(self, images, labels):
        value = 1.0 - 0.1 * self.calls + float(np.mean(np.asarray(labels)))
        self.calls += 1
        return tf.constant(value, dtype=tf.float32)


def loop_dataset(rng):
    images = rng.normal(size=(LOOP_SAMPLES, 4)).astype(np.float32)
    labels = rng.integers(0, 10, LOOP_SAMPLES).astype(np.int32)
    return tf.data.Dataset.from_tensor_slices((images, labels)).batch(LOOP_BATCH)


def fake_batch_losses(dataset) -> tuple[np.ndarray, np.ndarray]:
    """FakeStep's loss for each (epoch, batch), as float32 like the tensors it returns, and the batch sizes."""
    label_means = [float(np.mean(labels.numpy())) for _, labels in dataset]
    sizes = np.array([len(labels) for _, labels in dataset], dtype=np.float64)
    calls = np.arange(LOOP_EPOCHS * len(sizes)).reshape(LOOP_EPOCHS, len(sizes))
    values = (1.0 - 0.1 * calls + np.array(label_means)).astype(np.float32).astype(np.float64)
    return values, sizes


def test_train_epochs_returns_mean_batch_loss_per_epoch(learner, reference, rng):
    """Check that train_epochs calls train_step on every batch and returns each epoch's mean batch loss."""
    dataset = loop_dataset(rng)
    fake = FakeStep()
    got = learner.train_epochs(fake, dataset, LOOP_EPOCHS)
    want = np.asarray(reference.train_epochs(FakeStep(), dataset, LOOP_EPOCHS))
    batches = math.ceil(LOOP_SAMPLES / LOOP_BATCH)
    if fake.calls != LOOP_EPOCHS * batches:
        fail(
            f"train_step to be called {LOOP_EPOCHS * batches} times ({batches} batches x {LOOP_EPOCHS} epochs)",
            f"{fake.calls} calls",
            "Loop over the epochs, and inside over every batch of the dataset.",
            "F9",
        )
    if not isinstance(got, (list, tuple)) or len(got) != LOOP_EPOCHS:
        fail(
            f"train_epochs to return a list of {LOOP_EPOCHS} floats, one per epoch",
            describe(got),
            "Append each epoch's mean loss to a list and return the list.",
            "F9",
        )
    tensors = [value for value in got if tf.is_tensor(value) or isinstance(value, tf.Variable)]
    if tensors or not all(isinstance(value, (float, np.floating)) for value in got):
        fail(
            f"train_epochs to return a list of {LOOP_EPOCHS} Python floats",
            f"a list of {describe(tensors[0] if tensors else next(v for v in got if not isinstance(v, float)))}",
            "Convert each epoch's mean to a number with float(...): tf.reduce_mean and the step itself return "
            "TensorFlow tensors."
            if tensors
            else "Append float(mean) for each epoch.",
            "F9",
        )
    values, sizes = fake_batch_losses(dataset)
    got = np.asarray(got, dtype=np.float64)
    weighted = (values * sizes).sum(axis=1) / sizes.sum()
    if np.allclose(got, weighted, rtol=1e-6, atol=1e-6):
        return  # E3's other correct form: the batch means weighted by their batch sizes
    running = np.cumsum(values.sum(axis=1)) / (sizes.size * np.arange(1, LOOP_EPOCHS + 1))
    expect_close(
        got,
        want,
        what=f"the per-epoch losses for {LOOP_EPOCHS} epochs of {batches} batches",
        topic="E3",
        rtol=1e-6,
        atol=1e-6,
        mistakes=(
            Mistake(
                values.sum(axis=1) / LOOP_SAMPLES,
                "You divided the sum of batch means by the number of samples, which is off by "
                "the batch size: each batch loss is already a mean. Average the batch losses (erratum E3).",
            ),
            Mistake(
                values.sum(axis=1),
                "That is the sum of the batch losses; divide by the number of batches (E3).",
            ),
            Mistake(
                values[:, -1],
                "Each value is the last batch's loss of its epoch: collect every batch's loss in the epoch "
                "and append their mean.",
            ),
            Mistake(
                running,
                "Each epoch's value is the mean over all batches so far, earlier epochs included: reset the "
                "list of batch losses at the start of each epoch (create it inside the epoch loop).",
            ),
        ),
        next_step="Return one value per epoch: the mean of that epoch's batch losses (F9).",
    )


class StepRaised(Exception):
    """train_step raised inside train_epochs; the check re-raises the original error (see WatchedStep)."""


class WatchedStep:
    """Stands between train_epochs and train_step: reports each epoch's mean batch loss as it ends.

    It measures the learner's and the reference's curves the same way, whatever train_epochs
    returns. An error of the step is re-raised by the check itself, so the report points at the
    step's line (TF puts a traced step's line in the message), not at train_epochs' call.
    """

    def __init__(self, step, batches: int, epochs: int, who: str):
        self.step, self.batches, self.epochs, self.who = step, batches, epochs, who
        self.epoch_losses: list[float] = []
        self.error: BaseException | None = None
        self._batch: list[float] = []

    def __call__(self, images, labels):
        try:
            loss = self.step(images, labels)
        except Exception as exc:  # noqa: BLE001 - re-raised by the check, see StepRaised
            self.error = exc
            raise StepRaised from None
        try:
            self._batch.append(float(np.mean(np.asarray(loss))))
        except (TypeError, ValueError):
            self._batch.append(float("nan"))
        if len(self._batch) == self.batches:
            self.epoch_losses.append(sum(self._batch) / len(self._batch))
            self._batch = []
            report_epoch(
                epoch=len(self.epoch_losses),
                epochs=self.epochs,
                loss=self.epoch_losses[-1],
                who=self.who,
            )
        return loss


def run_epochs(train_epochs, watched: WatchedStep, dataset, epochs: int):
    try:
        return train_epochs(watched, dataset, epochs)
    except StepRaised:
        raise watched.error from None


def test_training_lowers_the_loss_and_learns_cifar(learner, reference, datasets, seed):
    """Check that two epochs of train_step on 1024 CIFAR images lower the loss and reach the reference's accuracy."""
    model = small_classifier()
    initial = model.get_weights()
    # The spies let a slip run to the end, so it is named here rather than crashing the step.
    loss_spy, optimizer = LossSpy(), prebuilt_adam(model, spy=True, learning_rate=TRAIN_LR)
    step = learner.make_train_step(model, loss_spy, optimizer)
    expect_step_function(step)
    warm_up = tf.data.Dataset.from_tensor_slices(
        (np.zeros((2, 4), np.float32), np.zeros(2, np.int32))
    ).batch(1)
    learner.train_epochs(FakeStep(), warm_up, 1)

    x_train, y_train, x_test, y_test, source = cifar_arrays(datasets, CIFAR_TRAIN, CIFAR_TEST)
    dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(BATCH)
    batches = math.ceil(CIFAR_TRAIN / BATCH)
    watched = WatchedStep(step, batches, EPOCHS, "your code")
    losses = run_epochs(learner.train_epochs, watched, dataset, EPOCHS)
    expect_honest_step(loss_spy, optimizer, len(model.trainable_weights))
    if losses is None or len(losses) != EPOCHS:
        fail(
            f"train_epochs to return {EPOCHS} losses, one per epoch",
            describe(losses),
            "Append each epoch's mean loss to a list and return the list.",
            "F9",
        )
    accuracy = float(np.mean(model(x_test).numpy().argmax(axis=1) == y_test))

    def reference_run():
        twin = small_classifier()
        twin.set_weights(initial)
        optimizer = prebuilt_adam(twin, learning_rate=TRAIN_LR)
        twin_step = reference.make_train_step(
            twin, tf.keras.losses.SparseCategoricalCrossentropy(), optimizer
        )
        twin_watched = WatchedStep(twin_step, batches, EPOCHS, "reference")
        run_epochs(reference.train_epochs, twin_watched, dataset, EPOCHS)
        return {
            "accuracy": float(np.mean(twin(x_test).numpy().argmax(axis=1) == y_test)),
            "losses": twin_watched.epoch_losses,
        }

    digest = cache.key(
        reference,
        __file__,
        seed=seed,
        source=source,
        model=source_digest(),
        tf=tf.__version__,
        budget=(CIFAR_TRAIN, CIFAR_TEST, EPOCHS, BATCH, TRAIN_LR),
    )
    want = cache.cached("train_step", digest, reference_run)
    # Both curves are the mean batch loss of each epoch, measured by WatchedStep on the same data.
    curve = watched.epoch_losses
    picture = shown(
        loss_curves(
            "train_step",
            curve,
            want["losses"],
            quantity="mean batch loss (training)",
            data=f"{CIFAR_TRAIN} CIFAR-10 training images",
        )
    )
    if len(curve) == EPOCHS and not curve[-1] < curve[0]:
        fail(
            "the epoch loss to fall from the first epoch to the last",
            f"mean batch losses {[round(v, 4) for v in curve]}: {describe_curve(curve)} (see {picture})",
            "Check that train_step applies the gradients of the loss and returns that loss.",
            "F9",
        )
    threshold = max(ABOVE_CHANCE, want["accuracy"] - BELOW_REFERENCE)
    if accuracy < threshold:
        fail(
            f"test accuracy of at least {threshold:.3f} (the reference reaches {want['accuracy']:.3f})",
            f"{accuracy:.3f} on {CIFAR_TEST} test images; {describe_curve(curve)}, the reference's from "
            f"{want['losses'][0]:.4g} to {want['losses'][-1]:.4g} (see {picture})",
            "Compare your step with the docstring: loss_fn(labels, outputs) inside the tape, gradients with respect "
            "to model.trainable_weights, apply_gradients(zip(...)).",
            "F9",
        )
