"""Checks for exercises/ch4_cifar/classify.py (manual P9, P18, P19, G5)."""

import hashlib
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader import REFERENCE_DIR, cache
from grader.toolkit.expect import CheckFailed, Mistake, describe, expect_close, fail
from grader.toolkit.loaders import synthetic_loader
from grader.toolkit.numbers import expect_float, expect_pair, float_or_nan
from grader.toolkit.plots import describe_curve, loss_curves, shown
from grader.toolkit.progress import report_epoch
from grader.toolkit.recorders import ModeRecorder
from grader.toolkit.references import reference_module

# The training loop is checked on the reference CNN, so a learner's own cnn.py cannot matter here.
CNN_MODULE = "ch4_cifar/cnn.py"
TRANSFORM_MODULE = "ch4_cifar/cifar_transforms.py"

STEP_BATCH = 8  # images in the batch of the one-step check
STEP_LR = 0.1  # plain SGD, so that one step is p - lr * grad and every slip shows in the weights
# Two runs of the same float32 ops on the same data agree bit for bit on the CPU; on CUDA,
# cuDNN's backward may sum in another order (about 1e-7 relative). Each slip below moves some
# weights by lr * grad, 1e-4 or more, and the stale gradients move them by about 0.1.
STEP_RTOL, STEP_ATOL = 1e-5, 1e-6

PROGRESS_EPOCHS = 4  # passes over the same two synthetic batches: the loss must fall
PROGRESS_SIZES = (32, 24)  # 56 samples in batches of 32: the short last batch exposes averages
# over batches instead of samples
# The first epoch's mean loss from the same weights and batches agrees to float32 rounding.
LOSS_RTOL = 1e-5

ACCURACY_SAMPLES, ACCURACY_BATCH = 50, 16  # 16 + 16 + 16 + 2: a short last batch
LOADER_TRAIN, LOADER_TEST = 250, 130  # make_loaders: two sets of other sizes, so a swap shows
TEST_OFFSET = 1000  # test samples are numbered from 1000, training samples from 0
ACCURACY_CORRECT = 35  # the labels agree with the model's eval-mode predictions on these

# The fixed CIFAR budget: Adam(lr=1e-3), batch 100, as in the manual. Measured with the
# reference on the offline subset: about 2 s of training on 2 free cores, and test accuracy
# 0.26-0.28 over seeds 0, 1, 2 and 1234 (chance is 0.10). A correct learner run repeats the
# reference run exactly (same seed, same weights, same batches), so 0.9 x only absorbs harmless
# differences such as another shuffling call.
CIFAR_TRAIN, CIFAR_TEST, CIFAR_EPOCHS = 2000, 1000, 2
RELATIVE_TO_REFERENCE = 0.9
# Clearly above chance: with 1000 test images an untrained model's accuracy is 0.10 +- 0.01,
# so 0.15 is five standard deviations above it and still well below the reference's 0.26.
ABOVE_CHANCE = 0.15


E3_STEP = (
    "Your epoch loss is about batch-size times too small: the manual's script adds up batch means "
    "and divides by the number of samples (erratum E3). Weight each batch mean by its size, "
    "total_loss += loss.item() * len(labels), then divide by the number of samples."
)


def source_hash(relative: str) -> str:
    return hashlib.sha256((REFERENCE_DIR / relative).read_bytes()).hexdigest()


def copy_of(model: nn.Module, device: str) -> nn.Module:
    """A second instance of the same class with the same weights, on device."""
    twin = type(model)().to(device)
    with torch.no_grad():
        for mine, theirs in zip(twin.parameters(), model.parameters()):
            mine.copy_(theirs)
    return twin


def flat_parameters(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in model.parameters()]).cpu()


def call_train(learner, model, loader, optimizer, device) -> float:
    """learner.train_one_epoch, with the errors that wrong labels cause explained."""
    try:
        return learner.train_one_epoch(model, loader, optimizer, device)
    except RuntimeError as exc:
        text = str(exc)
        if "class probabilities" in text or "multi-target" in text:
            fail(
                "train_one_epoch to run",
                f"RuntimeError: {text}",
                "F.cross_entropy takes the class labels as integers of shape (B,), not one-hot "
                "rows: pass the labels as the loader gives them.",
                "P18",
            )
        if "Long" in text or "dtype" in text:
            fail(
                "train_one_epoch to run",
                f"RuntimeError: {text}",
                "F.cross_entropy wants the labels as integer class indices (int64); do not "
                "convert them with .float().",
                "P18",
            )
        raise


def call_accuracy(learner, model, loader, device) -> float:
    """learner.accuracy, with the error that an argmax over the wrong axis causes explained."""
    try:
        return learner.accuracy(model, loader, device)
    except RuntimeError as exc:
        if "must match the size" not in str(exc):
            raise
        fail(
            "accuracy to run",
            f"RuntimeError: {exc}",
            "The logits are (B, 10): the predicted class of each image is the argmax over the "
            "class axis, model(images).argmax(dim=1). argmax(dim=0) picks an image per class.",
            "T7, P19",
        )


def test_make_loaders_batches_and_shuffles(learner):
    """Check that make_loaders gives batches of 100 and shuffles the training set only."""
    # The sample's number stands in for its label, so the order and the set show.
    train_set = TensorDataset(torch.randn(LOADER_TRAIN, 3, 32, 32), torch.arange(LOADER_TRAIN))
    test_set = TensorDataset(
        torch.randn(LOADER_TEST, 3, 32, 32), TEST_OFFSET + torch.arange(LOADER_TEST)
    )
    loaders = learner.make_loaders(train_set, test_set, 100)
    train_loader, test_loader = expect_pair(
        loaders,
        "make_loaders to return (train_loader, test_loader)",
        "Return both DataLoaders as a tuple, training loader first.",
        "P9",
        kinds=(tuple,),
    )
    first_numbers = [
        int(next(iter(loader))[1][0]) if isinstance(loader, DataLoader) else None
        for loader in loaders
    ]
    if None not in first_numbers and first_numbers[0] >= TEST_OFFSET > first_numbers[1]:
        fail(
            "make_loaders to return (train_loader, test_loader)",
            "the test loader first and the training loader second",
            "Return the training loader first: return train_loader, test_loader. The caller "
            "unpacks them in that order.",
            "P9",
        )
    for name, loader in (("train", train_loader), ("test", test_loader)):
        first_images, first_labels = next(iter(loader))
        if tuple(first_images.shape) != (100, 3, 32, 32) or tuple(first_labels.shape) != (100,):
            fail(
                f"the {name} loader's first batch to be images (100, 3, 32, 32) and labels (100,)",
                f"images {describe(first_images)}, labels {describe(first_labels)}",
                "Pass batch_size=batch_size to DataLoader; its default is 1.",
                "P9",
            )
    test_order = torch.cat([labels for _, labels in test_loader])
    if sorted(test_order.tolist()) != list(range(TEST_OFFSET, TEST_OFFSET + LOADER_TEST)):
        fail(
            f"the test loader to yield each of the {LOADER_TEST} test samples once",
            f"{len(test_order)} samples",
            "Accuracy must count every test sample: keep drop_last off for the test loader."
            if len(test_order) < LOADER_TEST
            else "Build the test loader over test_set, with batch_size=batch_size.",
            "P19",
        )
    if test_order.tolist() != list(range(TEST_OFFSET, TEST_OFFSET + LOADER_TEST)):
        fail(
            "the test loader to give the test samples in their stored order",
            "them in another order",
            "Build the test loader with shuffle=False (the default). Only the training loader "
            "shuffles: accuracy does not depend on the order, so shuffling buys nothing, and "
            "per-sample results such as the predictions CSV (P19) must line up with the data in "
            "every run.",
            "P9",
        )
    train_order = torch.cat([labels for _, labels in train_loader])
    if train_order.tolist() == list(range(len(train_order))):
        fail(
            "the training loader to shuffle",
            "the samples in their stored order",
            "Pass shuffle=True for the training loader, so that each epoch's batches are mixed "
            "differently; the test loader keeps shuffle=False.",
            "P9",
        )


def test_one_step_matches_reference(learner, reference, device):
    """Check that one optimizer step from stale gradients gives the reference's new weights."""
    cnn = reference_module(CNN_MODULE)
    start = cnn.CNN()
    images, labels = torch.randn(STEP_BATCH, 3, 32, 32), torch.randint(0, 10, (STEP_BATCH,))
    # The gradients a previous batch left behind; zero_grad must clear them.
    stale = [torch.randn_like(p) for p in start.parameters()]

    def one_step(train_one_epoch) -> tuple[torch.Tensor, float, dict]:
        model = copy_of(start, device)
        for p, g in zip(model.parameters(), stale):
            p.grad = g.clone().to(device)
        seen = {"backward": False}

        def note_backward(grad):
            seen["backward"] = True
            return grad

        hooks = [p.register_hook(note_backward) for p in model.parameters()]
        optimizer = torch.optim.SGD(model.parameters(), lr=STEP_LR)
        loader = DataLoader(TensorDataset(images, labels), batch_size=STEP_BATCH)
        try:
            loss = train_one_epoch(model, loader, optimizer, device)
        finally:
            for hook in hooks:
                hook.remove()
        seen["cleared"] = all(p.grad is None or not p.grad.any() for p in model.parameters())
        return flat_parameters(model), loss, seen

    got, got_loss, seen = one_step(lambda *args: call_train(learner, *args))
    want, want_loss, _ = one_step(reference.train_one_epoch)
    if not seen["backward"]:
        unmoved = (
            "The weights did not move and loss.backward() never ran, so there were no fresh "
            "gradients. The order is zero_grad -> forward -> loss -> backward -> step."
        )
    elif seen["cleared"]:
        unmoved = (
            "The weights did not move: optimizer.zero_grad() ran between loss.backward() and "
            "optimizer.step(), so it erased the fresh gradients before the step. The order is "
            "zero_grad -> forward -> loss -> backward -> step."
        )
    else:
        unmoved = (
            "The weights did not move: optimizer.step() ran before loss.backward(), when .grad "
            "was still empty. The order is zero_grad -> forward -> loss -> backward -> step."
        )

    def simulate(loss_of_logits, zero_grad=True, backward=True) -> torch.Tensor:
        model = copy_of(start, device)
        grads = [g.to(device) for g in stale]
        if backward:
            loss = loss_of_logits(model(images.to(device)), labels.to(device))
            fresh = torch.autograd.grad(loss, list(model.parameters()))
            grads = [f if zero_grad else f + g for f, g in zip(fresh, grads)]
        with torch.no_grad():
            for p, g in zip(model.parameters(), grads):
                p -= STEP_LR * g
        return flat_parameters(model)

    expect_close(
        got,
        want,
        what="the weights after one train_one_epoch step",
        topic="P10, P18",
        rtol=STEP_RTOL,
        atol=STEP_ATOL,
        next_step="Inside the loop: optimizer.zero_grad(), loss = F.cross_entropy(model(images), "
        "labels), loss.backward(), optimizer.step(), in that order.",
        mistakes=(
            Mistake(
                simulate(F.cross_entropy, zero_grad=False),
                "The old gradients were still in .grad: backward() adds to them. Call "
                "optimizer.zero_grad() before loss.backward() in every step.",
            ),
            Mistake(flat_parameters(start), unmoved),
            Mistake(
                simulate(F.cross_entropy, backward=False),
                "The step used the old gradients only: optimizer.step() ran before "
                "loss.backward() (or without it). The order is zero_grad -> forward -> loss -> "
                "backward -> step.",
            ),
            Mistake(
                simulate(lambda out, y: F.cross_entropy(torch.softmax(out, dim=1), y)),
                "You applied softmax before F.cross_entropy, which applies softmax itself. Pass "
                "the raw logits model(images) to F.cross_entropy.",
            ),
            Mistake(
                simulate(F.nll_loss),
                "F.nll_loss on raw logits is not cross-entropy: it expects log-probabilities. "
                "Use F.cross_entropy(logits, labels).",
            ),
            Mistake(
                simulate(lambda out, y: F.cross_entropy(out, y, reduction="sum")),
                "Your loss is the sum over the batch, not the mean, so the step is B times too "
                "large. Use F.cross_entropy's default reduction='mean'.",
            ),
        ),
    )
    expect_close(
        got_loss,
        want_loss,
        what="train_one_epoch's returned loss",
        topic="P10, E3",
        rtol=LOSS_RTOL,
        atol=0,
        mistakes=(Mistake(want_loss / STEP_BATCH, E3_STEP),),
    )


def test_training_reduces_the_loss(learner, reference, device):
    """Check that repeated epochs over the same batches lower the returned loss."""
    cnn = reference_module(CNN_MODULE)
    start = cnn.CNN()
    batches = synthetic_loader(PROGRESS_SIZES)
    model, twin, by_hand = (copy_of(start, device) for _ in range(3))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    before = flat_parameters(model)
    losses = []
    for epoch in range(1, PROGRESS_EPOCHS + 1):
        losses.append(call_train(learner, model, batches, optimizer, device))
        loss = losses[-1]
        report_epoch(
            epoch=epoch, epochs=PROGRESS_EPOCHS, loss=loss if isinstance(loss, float) else None
        )
    for loss in losses:
        expect_float(
            loss,
            "train_one_epoch to return a Python float",
            "Return total_loss / samples, built from loss.item() values.",
            "P10",
            kinds=(float, int),
        )

    def step_or(fallback: str) -> str:
        """The slip the one-step check names, so both checks give the same cause."""
        return named_slip(lambda: test_one_step_matches_reference(learner, reference, device)) or (
            fallback
        )

    if torch.equal(before, flat_parameters(model)):
        fail(
            "the weights to change during training",
            "the same weights as before",
            step_or("Call optimizer.step() after loss.backward() in every step."),
            "P10",
        )
    first = reference.train_one_epoch(
        twin, batches, torch.optim.Adam(twin.parameters(), lr=1e-3), device
    )
    # The reference's first epoch once more, batch by batch, for the averages a slip takes.
    hand_optimizer = torch.optim.Adam(by_hand.parameters(), lr=1e-3)
    batch_means = []
    for images, labels in batches:
        hand_optimizer.zero_grad()
        loss = F.cross_entropy(by_hand(images.to(device)), labels.to(device))
        loss.backward()
        hand_optimizer.step()
        batch_means.append(loss.item())
    # Erratum E3 names two correct forms of the epoch loss: the sample-weighted mean (what the
    # docstring and the reference compute) and the average of the batch means. Both pass.
    if math.isclose(losses[0], sum(batch_means) / len(batch_means), rel_tol=LOSS_RTOL):
        first = losses[0]
    expect_close(
        losses[0],
        first,
        what="the first epoch's mean loss",
        topic="P10, E3",
        rtol=LOSS_RTOL,
        atol=0,
        next_step=None
        if abs(losses[0] - first) <= LOSS_RTOL * abs(first)
        else step_or(
            "Return the loss averaged over samples: add loss.item() * len(labels) per batch "
            "and divide by the number of samples."
        ),
        mistakes=(Mistake(sum(batch_means) / sum(PROGRESS_SIZES), E3_STEP),),
    )
    if not losses[-1] < losses[0]:
        fail(
            f"the loss to fall over {PROGRESS_EPOCHS} epochs on the same two batches",
            f"epoch losses {[round(loss, 4) for loss in losses]}",
            step_or("Check the order zero_grad -> forward -> loss -> backward -> step."),
            "P10",
        )


def test_accuracy_counts_samples_in_eval_mode(learner, reference, device):
    """Check that accuracy runs in eval mode without gradients and counts samples, not batches."""
    # A small classifier with dropout, so that training mode changes its predictions.
    model = ModeRecorder(
        nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(3 * 32 * 32, 10))
    ).to(device)
    images = torch.randn(ACCURACY_SAMPLES, 3, 32, 32)
    model.eval()
    with torch.no_grad():
        predicted = model(images.to(device)).argmax(dim=1).cpu()
    labels = predicted.clone()
    labels[ACCURACY_CORRECT:] = (labels[ACCURACY_CORRECT:] + 1) % 10
    loader = DataLoader(TensorDataset(images, labels), batch_size=ACCURACY_BATCH)
    model.train()  # as after a training epoch
    model.calls.clear()
    got = call_accuracy(learner, model, loader, device)
    if model.ran_in_training_mode:
        fail(
            "the model to run in eval mode",
            "forward calls in training mode, with dropout active",
            "Call model.eval() before the loop: dropout (and batch norm) behave differently when "
            "testing, and training mode makes the accuracy random.",
            "P11, P19",
        )
    if model.built_a_graph:
        fail(
            "forward calls under torch.no_grad()",
            "forward calls that build an autograd graph",
            "Wrap the loop in `with torch.no_grad():`; testing needs no gradients, and the graph "
            "costs memory and time.",
            "P11, P19",
        )
    if isinstance(got, torch.Tensor):
        fail(
            "accuracy to return a Python float",
            describe(got),
            "Your count is a tensor: (predictions == labels).sum() is a tensor, and so is the "
            "result of dividing it. Add .item() to get a Python number, correct += "
            "(predictions == labels).sum().item().",
            "P19",
        )
    want = reference.accuracy(model, loader, device)
    batch_means = [
        float((predicted[i : i + ACCURACY_BATCH] == labels[i : i + ACCURACY_BATCH]).float().mean())
        for i in range(0, ACCURACY_SAMPLES, ACCURACY_BATCH)
    ]
    expect_close(
        got,
        want,
        what=f"accuracy on {ACCURACY_SAMPLES} samples with {ACCURACY_CORRECT} right",
        topic="P19",
        rtol=0,
        atol=1e-9,
        mistakes=(
            Mistake(
                sum(batch_means) / len(batch_means),
                "That is the mean of the per-batch accuracies, but the last batch is smaller. "
                "Count correct predictions and samples over the whole loader, then divide once.",
            ),
            Mistake(want * 100, "Return a fraction in [0, 1], not a percentage."),
            Mistake(
                ACCURACY_CORRECT / len(loader),
                "You divided by len(loader), the number of batches, not the number of samples. "
                "Add len(labels) per batch to a sample count (or use len(loader.dataset)).",
            ),
            Mistake(
                float(ACCURACY_CORRECT),
                "Divide the number of correct predictions by the number of samples.",
            ),
        ),
    )


def first_items(dataset, count: int) -> TensorDataset:
    """The first `count` (image, label) items, transformed once and kept as tensors.

    Both runs and every epoch reuse them, so the PIL-to-tensor transform (checked in
    cifar_transforms) runs once per image instead of once per image, epoch and run.
    """
    images, labels = zip(*(dataset[index] for index in range(count)))
    return TensorDataset(torch.stack(images), torch.tensor(labels))


def run_budget(module, cnn, train_set, test_set, seed: int, device: str, who: str) -> dict:
    """Trains the reference CNN with `module`'s functions under the fixed budget."""
    torch.manual_seed(seed)
    model = cnn.CNN().to(device)
    train_loader, test_loader = module.make_loaders(train_set, test_set, 100)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for epoch in range(1, CIFAR_EPOCHS + 1):
        losses.append(call_train(module, model, train_loader, optimizer, device))
        report_epoch(epoch=epoch, epochs=CIFAR_EPOCHS, loss=float_or_nan(losses[-1]), who=who)
    return {"losses": losses, "accuracy": call_accuracy(module, model, test_loader, device)}


def named_slip(*checks) -> str | None:
    """The next step of the first of these (cheaper, more precise) checks that fails, if any."""
    for check in checks:
        try:
            check()
        except CheckFailed as failure:
            return failure.next_step
        except Exception:  # noqa: BLE001, S112 - an error there is that check's own verdict
            continue
    return None


def test_accuracy_after_fixed_budget(learner, reference, seed, device, datasets):
    """Check that training on 2,000 CIFAR-10 images reaches 0.9x the reference's test accuracy."""
    # The learner's three functions run once on tiny input before any data loads.
    tiny = synthetic_loader((4,))
    learner.make_loaders(tiny.dataset, tiny.dataset, 100)
    probe = reference_module(CNN_MODULE).CNN().to(device)
    call_train(learner, probe, tiny, torch.optim.Adam(probe.parameters()), device)
    call_accuracy(learner, probe, tiny, device)

    cnn, transform = (
        reference_module(CNN_MODULE),
        reference_module(TRANSFORM_MODULE).make_transform(),
    )
    train = datasets.cifar10(train=True, transform=transform)
    test = datasets.cifar10(train=False, transform=transform)
    train_set, test_set = first_items(train, CIFAR_TRAIN), first_items(test, CIFAR_TEST)
    digest = cache.key(
        reference,
        __file__,
        seed=seed,
        device=device,
        source=f"{train.kit_source} | {test.kit_source}",
        budget=(CIFAR_TRAIN, CIFAR_TEST, CIFAR_EPOCHS),
        cnn=source_hash(CNN_MODULE),
        transform=source_hash(TRANSFORM_MODULE),
    )
    want = cache.cached(
        "cifar-budget",
        digest,
        lambda: run_budget(reference, cnn, train_set, test_set, seed, device, "reference"),
    )
    got = run_budget(learner, cnn, train_set, test_set, seed, device, "your code")
    curve = [float_or_nan(loss) for loss in got["losses"]]
    picture = shown(
        loss_curves(
            "classify",
            curve,
            [float(loss) for loss in want["losses"]],
            quantity="training loss (cross-entropy)",
            data=f"{CIFAR_TRAIN} CIFAR-10 training images",
            device=str(device),
        )
    )
    floor = max(RELATIVE_TO_REFERENCE * want["accuracy"], ABOVE_CHANCE)
    if isinstance(got["accuracy"], float | int) and got["accuracy"] >= floor:
        return
    step = named_slip(
        lambda: test_make_loaders_batches_and_shuffles(learner),
        lambda: test_one_step_matches_reference(learner, reference, device),
        lambda: test_accuracy_counts_samples_in_eval_mode(learner, reference, device),
    )
    if step is None:
        fell = len(curve) > 1 and curve[-1] < 0.98 * curve[0]
        step = (
            f"The training loss fell ({describe_curve(curve)}), so training works; the accuracy "
            "is what stays low: check accuracy's argmax over the classes (dim=1) and its "
            "count over samples."
            if fell
            else f"Training did not learn: {describe_curve(curve)}. Check the order zero_grad "
            "-> forward -> loss -> backward -> step."
        )
    fail(
        f"test accuracy of at least {floor:.3f} ({RELATIVE_TO_REFERENCE} x the reference's "
        f"{want['accuracy']:.3f}, and above chance) after {CIFAR_EPOCHS} epochs on "
        f"{CIFAR_TRAIN} images",
        f"{got['accuracy']!r}, with epoch losses {[round(v, 4) for v in curve]}",
        f"{step} See {picture} for your loss curve beside the reference's.",
        "P18, P19",
    )
