"""Checks for exercises/ch3_housing/train_epoch.py (manual P10, erratum E3)."""

import copy

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader import cache
from grader.toolkit.expect import Mistake, expect_close, fail
from grader.toolkit.learner_code import code_lines
from grader.toolkit.models import manual_mlp
from grader.toolkit.numbers import expect_mean_loss
from grader.toolkit.plots import describe_curve, loss_curves, shown

N_FEATURES = 8
SGD_LR = 0.05  # plain SGD makes one step's size proportional to the gradient: a slip shows
# Same float32 operations on the same weights and batches: only summation order can differ,
# by about 1e-6 relative; a missed zero_grad or step moves parameters by about 1e-3 or more.
RTOL, ATOL = 1e-4, 1e-6
# Epoch-loss batches of 4, 4 and 2 samples: a short last batch tells weighted from unweighted.
EPOCH_SAMPLES, EPOCH_BATCH = 10, 4
# Real-data budget for the quality check: small enough for about a second on 2 CPU cores.
BUDGET = {"train": 4000, "val": 2000, "epochs": 2, "batch": 100, "lr": 1e-3}
# A correct loop reproduces the reference exactly; 10 % is the allowance for a loop that
# differs in harmless ways (another accumulation order, an extra model.train()).
QUALITY_FACTOR = 1.1


def synthetic(rng: np.random.Generator, n: int) -> TensorDataset:
    """A linear regression problem with noise: features (n, 8), targets (n, 1), float32."""
    x = rng.normal(size=(n, N_FEATURES))
    y = x @ rng.normal(size=(N_FEATURES, 1)) + 0.1 * rng.normal(size=(n, 1))
    return TensorDataset(torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32))


def flat(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


# Why an epoch loss still in autograd's graph is wrong (a tensor that is not is named too).
KEPT_GRAPH = (
    "Adding up loss tensors keeps every batch's autograd graph alive, and memory grows each "
    "batch. Accumulate loss.item() * batch size, which is a plain number."
)


def as_number(value, what: str) -> float:
    """The learner's epoch loss as a float; a tensor still in the autograd graph fails."""
    purpose = "the epoch loss prints, compares and saves as a plain number"
    return expect_mean_loss(value, what, "P10", purpose, KEPT_GRAPH, graph_topic="P10, E3")


def pair(device) -> tuple[nn.Module, nn.Module]:
    """Two copies of one freshly initialised model, on the device."""
    model = manual_mlp().to(device)
    return model, copy.deepcopy(model)


def run_learner(learner, model, loader, device, lr=SGD_LR, events=None) -> float:
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    if events is None:
        return learner.train_one_epoch(model, loader, optimizer, nn.MSELoss(), device)
    watch(model, optimizer, events)
    original = torch.Tensor.backward

    def backward(tensor, *args, **kwargs):
        # A backward on a tensor with no graph (no grad_fn) cannot reach any parameter.
        events.append("backward without graph" if tensor.grad_fn is None else "backward call")
        return original(tensor, *args, **kwargs)

    torch.Tensor.backward = backward
    try:
        return learner.train_one_epoch(model, loader, optimizer, nn.MSELoss(), device)
    finally:
        torch.Tensor.backward = original


def watch(model: nn.Module, optimizer: torch.optim.Optimizer, events: list[str]) -> None:
    """Records, in order, each zero_grad (the optimizer's or the model's), backward and step.

    A step is recorded as "step" when it finds a gradient, else as "empty step". Wrapping the
    two zero_grad methods changes nothing about what they do.
    """
    params = list(model.parameters())
    for owner in (optimizer, model):
        original = owner.zero_grad

        def zero_grad(*args, _original=original, **kwargs):
            events.append("zero_grad")
            return _original(*args, **kwargs)

        owner.zero_grad = zero_grad
    params[0].register_post_accumulate_grad_hook(lambda p: events.append("backward"))

    def before_step(opt, args, kwargs):
        found = any(p.grad is not None and bool(p.grad.ne(0).any()) for p in params)
        events.append("step" if found else "empty step")

    optimizer.register_step_pre_hook(before_step)


NO_GRAD_FORWARD = (
    "loss.backward() ran on a loss with no graph behind it (its grad_fn is None), so no "
    "gradient reached the parameters and step() had nothing to apply. Your train_one_epoch uses "
    "torch.no_grad(), and a forward pass or a loss computed under it builds no graph; "
    "requires_grad_(True) on the loss cannot bring it back. Compute the forward pass and the "
    "loss outside torch.no_grad()."
)
NO_GRAPH = (
    "loss.backward() ran on a loss with no graph behind it (its grad_fn is None), so no "
    "gradient reached the parameters and step() had nothing to apply. Compute the forward pass "
    "and the loss with autograd on: no torch.no_grad(), .detach() or .item() on the way."
)


def why_no_update(events: list[str], code: str = "") -> str:
    """What the recorded calls show about an epoch whose steps changed nothing; code: the
    learner's train_one_epoch without comments, to name torch.no_grad() only where it is."""
    steps = [i for i, e in enumerate(events) if e in ("step", "empty step")]
    if not steps:
        return (
            "optimizer.step() was never called: loss.backward() only fills each parameter's "
            ".grad, and step() is what changes the weights. Call it after loss.backward()."
        )
    first = steps[0]
    before = events[:first]
    if "backward" not in before and "backward without graph" in before:
        return NO_GRAD_FORWARD if "no_grad" in code else NO_GRAPH
    if "backward" not in before:
        return (
            "optimizer.step() ran before loss.backward(), so it found no gradient to apply: "
            "backward() computes the gradient that step() uses. Call loss.backward() before "
            "optimizer.step()."
        )
    last_backward = len(before) - 1 - before[::-1].index("backward")
    if "zero_grad" in before[last_backward:]:
        return (
            "zero_grad() ran between loss.backward() and optimizer.step(), so it cleared the "
            "gradients just computed and step() found none. Call zero_grad() before the forward "
            "pass (or after step())."
        )
    return "optimizer.step() found no gradients."


def _code(learner) -> str:
    return "\n".join(code_lines(learner.train_one_epoch))


def simulate(model: nn.Module, loader, device, zero_grad: bool) -> torch.Tensor:
    """The parameters after one epoch of SGD, done right or with zero_grad forgotten."""
    optimizer = torch.optim.SGD(model.parameters(), lr=SGD_LR)
    for x, y in loader:
        if zero_grad:
            optimizer.zero_grad()
        nn.functional.mse_loss(model(x.to(device)), y.to(device)).backward()
        optimizer.step()
    return flat(model)


ORDER = "The order per batch is optimizer.zero_grad() -> forward -> loss -> loss.backward() -> optimizer.step()."


def test_one_step_matches_reference(learner, reference, rng, device):
    """Check that after one batch (one SGD step) the parameters equal the reference's."""
    loader = DataLoader(synthetic(rng, 100), batch_size=100, shuffle=False)
    mine, theirs = pair(device)
    start = flat(mine).clone()
    events: list[str] = []
    run_learner(learner, mine, loader, device, events=events)
    run_learner(reference, theirs, loader, device)
    expect_close(
        flat(mine),
        flat(theirs),
        what="the parameters after one batch",
        topic="P10",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                start,
                "The parameters did not move: "
                + why_no_update(events, _code(learner))
                + " "
                + ORDER,
            ),
        ),
    )


def test_two_steps_match_reference(learner, reference, rng, device):
    """Check that after two batches the parameters equal the reference's (zero_grad in between)."""
    loader = DataLoader(synthetic(rng, 100), batch_size=50, shuffle=False)
    mine, theirs = pair(device)
    start = flat(mine).clone()
    accumulated = simulate(copy.deepcopy(mine), loader, device, zero_grad=False)
    events: list[str] = []
    run_learner(learner, mine, loader, device, events=events)
    run_learner(reference, theirs, loader, device)
    expect_close(
        flat(mine),
        flat(theirs),
        what="the parameters after two batches",
        topic="P10",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                accumulated,
                "The second step used the first batch's gradient plus the second's: PyTorch adds "
                "each backward() to .grad. Call optimizer.zero_grad() before every backward(). "
                + ORDER,
            ),
            Mistake(
                start,
                "The parameters did not move: "
                + why_no_update(events, _code(learner))
                + " "
                + ORDER,
            ),
        ),
    )


def test_epoch_loss_is_the_mean_per_sample(learner, rng, device):
    """Check that the returned epoch loss is the per-sample mean, with batches of 4, 4 and 2 (E3)."""
    data = synthetic(rng, EPOCH_SAMPLES)
    loader = DataLoader(data, batch_size=EPOCH_BATCH, shuffle=False)
    model = manual_mlp().to(device)
    with torch.no_grad():  # lr=0 below keeps the weights, so these are the losses it will see
        means = [
            nn.functional.mse_loss(model(x.to(device)), y.to(device)).item() for x, y in loader
        ]
        sizes = [len(x) for x, _ in loader]
    got = as_number(run_learner(learner, model, loader, device, lr=0.0), "train_one_epoch(...)")
    want = sum(m * s for m, s in zip(means, sizes, strict=True)) / EPOCH_SAMPLES
    # Erratum E3 names two correct fixes: the sample-weighted mean, or the average of the
    # batch means. The docstring asks for the first; the second is accepted too.
    if np.isclose(got, sum(means) / len(means), rtol=RTOL, atol=ATOL):
        return
    expect_close(
        got,
        want,
        what=f"the epoch loss over {EPOCH_SAMPLES} samples in batches of {sizes}",
        topic="P10, E3",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                sum(means) / EPOCH_SAMPLES,
                f"That is the sum of the batch *mean* losses divided by the number of samples, "
                f"which is off by a factor of the batch size ({EPOCH_BATCH}): erratum E3. Multiply "
                "each batch's loss.item() by its batch size before dividing by the sample count.",
            ),
            Mistake(
                want * EPOCH_SAMPLES / len(sizes),
                f"That is the sum of loss.item() x batch size divided by the number of batches "
                f"({len(sizes)}) instead of the number of samples ({EPOCH_SAMPLES}). Divide by the "
                "sample count: total_samples += len(features), or len(loader.dataset) "
                "(len(loader) is the number of batches).",
            ),
            Mistake(
                sum(means),
                "That is the sum of the batch losses; divide by the number of samples (E3).",
            ),
            Mistake(
                means[-1],
                "That is the last batch's loss only; return the mean over the whole epoch.",
            ),
        ),
        factors={
            "the number of samples": EPOCH_SAMPLES,
            "the batch size": EPOCH_BATCH,
            "the number of batches": len(sizes),
        },
    )


def test_training_loss_falls(learner, rng, device):
    """Check that over three epochs with Adam (lr 1e-2) the returned epoch loss falls by half."""
    loader = DataLoader(synthetic(rng, 400), batch_size=100, shuffle=True)
    model = manual_mlp().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = [
        as_number(
            learner.train_one_epoch(model, loader, optimizer, nn.MSELoss(), device),
            "train_one_epoch(...)",
        )
        for _ in range(3)
    ]
    if not losses[-1] < 0.5 * losses[0]:
        fail(
            "the epoch loss to fall by half or more over three epochs on an easy problem",
            f"epoch losses {[round(v, 4) for v in losses]}",
            "Check that each batch runs the full update: " + ORDER,
            "P10",
        )


def california_loaders(california, seed: int) -> tuple[DataLoader, DataLoader]:
    """Standardised train/val loaders over a seeded sample of the real data (the checks' own split)."""
    order = np.random.default_rng(seed).permutation(len(california.target))
    train_idx = order[: BUDGET["train"]]
    val_idx = order[BUDGET["train"] : BUDGET["train"] + BUDGET["val"]]
    x, y = california.features, california.target.reshape(-1, 1)
    mean, std = x[train_idx].mean(axis=0), x[train_idx].std(axis=0)  # training split only (E7)

    def tensors(idx):
        return torch.tensor((x[idx] - mean) / std, dtype=torch.float32), torch.tensor(
            y[idx], dtype=torch.float32
        )

    generator = torch.Generator().manual_seed(seed)
    train = DataLoader(
        TensorDataset(*tensors(train_idx)),
        batch_size=BUDGET["batch"],
        shuffle=True,
        generator=generator,
    )
    return train, DataLoader(TensorDataset(*tensors(val_idx)), batch_size=1000)


def validation_mse(model: nn.Module, loader, device) -> float:
    model.eval()
    with torch.no_grad():
        total = sum(
            nn.functional.mse_loss(model(x.to(device)), y.to(device), reduction="sum").item()
            for x, y in loader
        )
    model.train()
    return total / len(loader.dataset)


def train_on_california(module, california, seed: int, device) -> list[float]:
    """The validation MSE of the manual's MLP before training, then after each epoch of
    module.train_one_epoch."""
    threads = torch.get_num_threads()
    # One thread: this small MLP gains nothing from more, and on a busy machine 2 threads that
    # wait for each other run about 4x slower.
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        model = manual_mlp().to(device)
        train, val = california_loaders(california, seed)
        curve = [validation_mse(model, val, device)]
        optimizer = torch.optim.Adam(model.parameters(), lr=BUDGET["lr"])
        for _ in range(BUDGET["epochs"]):
            module.train_one_epoch(model, train, optimizer, nn.MSELoss(), device)
            curve.append(validation_mse(model, val, device))
        return curve
    finally:
        torch.set_num_threads(threads)


def test_validation_mse_on_california_is_close_to_reference(
    learner, reference, rng, seed, device, datasets
):
    """Check that your loop trains the manual's MLP on real data to within 1.1x the reference's MSE."""
    # Your loop with the kit's model: this grades the loop alone, whatever your MLP exercise holds.
    tiny = DataLoader(synthetic(rng, 10), batch_size=5)
    run_learner(
        learner, manual_mlp().to(device), tiny, device
    )  # a stub stops here, before any data
    california = datasets.california()
    digest = cache.key(
        reference, __file__, seed=seed, device=device, source=california.source, budget=BUDGET
    )
    reference_curve = cache.cached(
        "ch3_train_epoch_val_mse_curve",
        digest,
        lambda: train_on_california(reference, california, seed, device),
    )
    curve = train_on_california(learner, california, seed, device)
    picture = shown(
        loss_curves(
            "train_epoch",
            curve,
            reference_curve,
            quantity="validation MSE",
            data=f"{BUDGET['val']} California validation samples",
            device=str(device),
            xlabel="epoch (0: before training)",
            first_x=0,
        )
    )
    before, got, want = curve[0], curve[-1], reference_curve[-1]
    what = (
        f"validation MSE after {BUDGET['epochs']} epochs on {BUDGET['train']} California samples "
        f"(Adam, lr {BUDGET['lr']}) to be at most {QUALITY_FACTOR} x the reference's {want:.4f}"
    )
    if not np.isfinite(got) or got > QUALITY_FACTOR * want:
        progress = (
            "it did not improve on the untrained model's" if got >= before else "it improved on"
        )
        trend = describe_curve(curve[1:])
        fail(
            what,
            f"{got:.4f} ({progress} {before:.4f}; {trend}; see {picture})",
            "Compare your loop with the reference order: " + ORDER,
            "P10",
        )
