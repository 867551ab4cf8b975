"""Checks for exercises/ch3_housing/fit.py (manual T11, P12)."""

import copy

import numpy as np
import torch
from torch import nn
from torch.optim.lr_scheduler import ReduceLROnPlateau
from torch.utils.data import DataLoader, TensorDataset

from grader import cache
from grader.toolkit.expect import Slip, describe, fail
from grader.toolkit.models import manual_mlp
from grader.toolkit.numbers import expect_pair
from grader.toolkit.plots import Mark, describe_curve, loss_curves, shown
from grader.toolkit.progress import report_epoch

SLIPS = (
    # scheduler.step(val_loss) without `if scheduler is not None`: the default is no scheduler.
    Slip(
        error=AttributeError,
        says=r"'NoneType' object has no attribute 'step'",
        code=r"scheduler\.step",
        explanation="scheduler is None when fit is called without one (the default), and None "
        "has no step(). Guard the call: if scheduler is not None: scheduler.step(val_loss).",
        topic="T11",
    ),
    # ReduceLROnPlateau.step() without the metric it decides from.
    Slip(
        error=TypeError,
        says=r"step\(\) missing 1 required positional argument: 'metrics'",
        code=r"\.step\(\s*\)",
        explanation="ReduceLROnPlateau decides from the validation loss, so its step() needs "
        "it: call scheduler.step(val_loss), not scheduler.step(). Once more than its own "
        "`patience` epochs in a row bring no improvement, it multiplies the learning rate by "
        "`factor` (0.1 by default; factor=0.5 halves it, as the manual suggests).",
        topic="T11",
    ),
)

# Validation losses scripted per epoch. Lower is better.
BEST_IS_THIRD = [3.0, 2.0, 1.0, 1.5, 1.7, 1.9]  # then it gets worse: the best is not the last
PLATEAU = [
    5.0,
    4.0,
    3.0,
    3.5,
    3.6,
    3.7,
    3.8,
    3.9,
    4.0,
    4.1,
]  # 3 epochs without improvement after epoch 3
RECOVERY = [5.0, 6.0, 4.0, 7.0, 8.0, 9.0, 10.0, 11.0]  # an improvement at epoch 3 resets the count
# A loss equal to the best so far is no improvement: with patience 2 the run stops after epoch 4.
TIES = [5.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]
# Training losses returned by train_epoch(): lowest at epoch 5, which is neither the best
# validation epoch of BEST_IS_THIRD (3) nor its last (6), so picking by training loss shows.
TRAINING_LOSSES = [2.0, 1.6, 1.3, 1.1, 0.9, 0.95, 0.97, 0.99, 1.0, 1.01]


class Run:
    """A tiny model with scripted training and validation that records what fit() calls.

    Each epoch's training adds 1 to every weight in place, as optimizer.step() changes them, so
    every epoch's weights differ and tell which epoch a saved state comes from.
    """

    def __init__(self, losses: list[float], training: list[float] = TRAINING_LOSSES):
        self.model = nn.Linear(3, 1)
        self.training = training
        self.initial = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        self.snapshots = [self.initial]  # the weights after each epoch, 0 = before training
        self.losses = losses
        self.events: list[str] = []

    def train_epoch(self) -> float:
        self.events.append("train")
        with torch.no_grad():
            for p in self.model.parameters():
                p.add_(1.0)
        self.snapshots.append({k: v.detach().clone() for k, v in self.model.state_dict().items()})
        epoch = self.events.count("train") - 1
        return self.training[min(epoch, len(self.training) - 1)]

    def validate(self) -> float:
        self.events.append("validate")
        index = self.events.count("validate") - 1
        return self.losses[min(index, len(self.losses) - 1)]

    def epochs(self) -> int:
        return self.events.count("train")


def call(learner, run: Run, max_epochs: int, patience: int, scheduler=None):
    result = learner.fit(run.model, run.train_epoch, run.validate, max_epochs, patience, scheduler)
    return expect_pair(
        result,
        "fit to return (best_state, val_losses)",
        "Return the best state_dict copy and the list of validation losses.",
        "T11",
    )


def shares_memory(state, model: nn.Module) -> bool:
    """Whether any tensor of `state` lives in the same memory as one of the model's own."""
    live = {t.data_ptr() for t in model.state_dict().values() if t.numel()}
    return any(
        isinstance(t, torch.Tensor) and t.numel() and t.data_ptr() in live for t in state.values()
    )


LIVE_STATE = (
    "best_state's tensors share memory with the model's live parameters: you kept "
    "model.state_dict() itself (or a shallow copy of it), so every later epoch changed your "
    "'best' too. Save a real copy: best_state = copy.deepcopy(model.state_dict())."
)
EVERY_EPOCH_BEST = (
    "Every epoch counted as a new best, so the last one was kept, and with patience 2 the run "
    "never stopped early either: best_loss never goes down. When you save the state, also set "
    "best_loss = val_loss."
)


def wrong_state_diagnosis(learner, best_state, model: nn.Module, best_epoch) -> str:
    """Why best_state holds a later epoch's weights than the best one, confirmed before it is said.

    Shared memory is checked directly; "best_loss never updated" is confirmed by a second,
    scripted run that must stop early and does not; otherwise only what was seen is described.
    """
    if shares_memory(best_state, model):
        return LIVE_STATE
    if counts_every_epoch_as_best(learner):
        return EVERY_EPOCH_BEST
    return (
        f"best_state is a copy of the last epoch's weights, although epoch {best_epoch} had the "
        "lowest validation loss. Copy the state only on a new best, inside if val_loss < "
        "best_loss:, not every epoch or after the loop."
    )


def expect_one_validation_per_epoch(run: "Run") -> None:
    """Each scripted validate() call gives the next epoch's loss, so extra calls scramble them:
    say that, rather than what the scrambled losses then look like."""
    trained, validated = run.events.count("train"), run.events.count("validate")
    if validated != trained:
        fail(
            "validate() to be called once per epoch",
            f"{validated} calls of validate() in {trained} epochs",
            "Call validate() exactly once per epoch, after train_epoch(), and reuse its value "
            "(val_loss) for the comparison and the scheduler.",
            "T11",
        )


def counts_every_epoch_as_best(learner) -> bool:
    """Whether fit takes every epoch for a new best (best_loss never updated): on BEST_IS_THIRD
    with patience 2 it then never stops early (the right loop stops after epoch 5) and returns
    the last epoch's weights. The training losses are flat here, so that a loop which picks by
    training loss stops early instead and is not mistaken for this."""
    run = Run(BEST_IS_THIRD, training=[1.0] * len(BEST_IS_THIRD))
    best_state, _ = call(learner, run, max_epochs=len(BEST_IS_THIRD), patience=2)
    return (
        run.epochs() == len(BEST_IS_THIRD)
        and hasattr(best_state, "keys")
        and set(best_state.keys()) == set(run.initial)
        and which_epoch(best_state, run, run.epochs()) == run.epochs()
    )


def which_epoch(state, run: Run, epochs: int) -> int | None:
    """The epoch (0 = before training) whose weights `state` holds, if any."""
    for epoch in range(epochs + 1):
        want = run.snapshots[epoch]
        if all(torch.equal(state[k].detach().cpu(), want[k]) for k in want):
            return epoch
    return None


def test_returns_the_best_epoch_not_the_last(learner):
    """Check that fit returns the weights of the lowest-validation epoch, as a copy."""
    run = Run(BEST_IS_THIRD)
    best_state, _ = call(learner, run, max_epochs=len(BEST_IS_THIRD), patience=len(BEST_IS_THIRD))
    expect_one_validation_per_epoch(run)
    want_epoch = BEST_IS_THIRD.index(min(BEST_IS_THIRD)) + 1
    what = f"best_state to hold the weights after epoch {want_epoch} (validation losses {BEST_IS_THIRD})"
    if not hasattr(best_state, "keys") or set(best_state.keys()) != set(run.initial):
        fail(
            what,
            describe(best_state),
            "Return copy.deepcopy(model.state_dict()) from the best epoch.",
            "T11, P12",
        )
    got_epoch = which_epoch(best_state, run, run.epochs())
    if got_epoch == want_epoch:
        with torch.no_grad():
            for p in run.model.parameters():
                p.add_(100.0)  # training on after fit() must not reach the saved copy
        if which_epoch(best_state, run, run.epochs()) != want_epoch:
            fail(
                "best_state to stay as it was when the model keeps changing",
                "it changed together with the model",
                LIVE_STATE
                if shares_memory(best_state, run.model)
                else "Save a copy that nothing else changes: copy.deepcopy(model.state_dict()).",
                "T11, P12",
            )
        return
    by_training = TRAINING_LOSSES.index(min(TRAINING_LOSSES[: run.epochs()])) + 1
    last_epoch = got_epoch == run.epochs() and run.epochs() != want_epoch
    if shares_memory(best_state, run.model) or last_epoch:
        next_step = wrong_state_diagnosis(learner, best_state, run.model, want_epoch)
    elif got_epoch == 0:
        next_step = "best_state never changed from the initial weights: save it whenever val_loss < best_loss."
    elif got_epoch == by_training and by_training != want_epoch:
        next_step = (
            f"Epoch {got_epoch} had the lowest training loss (what train_epoch() returns), not "
            "the lowest validation loss. Choose the best epoch by the loss validate() returns."
        )
    else:
        next_step = "Lower validation loss is better: keep the state when val_loss < best_loss."
    got = (
        "the weights after epoch " + str(got_epoch)
        if got_epoch is not None
        else "weights from no epoch"
    )
    fail(what, got, next_step, "T11, P12")


LAST_LOSS_MISSING = (
    "The last epoch's validation loss is missing: the loop ran that epoch, but its loss was not "
    "appended (an early-stopping break before the append does this). Append val_loss right "
    "after validate(), before the break."
)


def test_stops_after_patience_epochs_without_improvement(learner):
    """Check that fit stops once `patience` epochs in a row brought no new lowest validation loss."""
    # (losses, patience, epochs that must run); 10 or 8 run when nothing stops the loop.
    cases = [(PLATEAU, 3, 6), (RECOVERY, 2, 5), (TIES, 2, 4)]
    for losses, patience, want in cases:
        run = Run(losses)
        _, val_losses = call(learner, run, max_epochs=len(losses), patience=patience)
        expect_one_validation_per_epoch(run)
        got = run.epochs()
        if got == want:
            if list(val_losses) != losses[:want]:
                fail(
                    f"val_losses to be the {want} validation losses in order, {losses[:want]}",
                    f"{val_losses}",
                    LAST_LOSS_MISSING
                    if list(val_losses) == losses[: want - 1]
                    else "Append each epoch's validation loss to val_losses.",
                    "T11",
                )
            continue
        what = f"fit to stop after epoch {want} (validation losses {losses}, patience {patience})"
        if losses is TIES and got > want:
            # The other cases passed: only an equal loss taken for an improvement delays this one.
            next_step = (
                "A validation loss equal to the best so far counted as an improvement and reset "
                "the count. Only a new lowest loss is one: compare with val_loss < best_loss, "
                "not <=."
            )
        elif got == len(losses):
            next_step = (
                "It ran every epoch: there is no early stopping. Count the epochs without "
                "improvement and break out of the loop when the count reaches patience."
            )
        elif losses is RECOVERY and got < want:
            next_step = (
                "It stopped too early: reset the count of epochs without improvement to 0 "
                "whenever the validation loss reaches a new low."
            )
        else:
            off = abs(got - want)
            next_step = (
                f"It stopped {'one epoch' if off == 1 else f'{off} epochs'} too "
                f"{'late' if got > want else 'early'}: stop as soon as the count of epochs "
                "without improvement equals patience."
            )
        fail(what, f"it ran {got} epochs", next_step, "T11")


def test_validates_once_per_epoch(learner):
    """Check that fit validates exactly once after each training epoch."""
    run = Run(BEST_IS_THIRD)
    call(learner, run, max_epochs=4, patience=10)
    want = ["train", "validate"] * 4
    if run.events != want:
        fail(
            "train, validate, train, validate, ... for 4 epochs",
            ", ".join(run.events),
            "Call validate() exactly once per epoch, after train_epoch(), and reuse its value "
            "(val_loss) for the comparison and the scheduler.",
            "T11",
        )


class RecordingScheduler(ReduceLROnPlateau):
    """A real ReduceLROnPlateau (what fit is given) that also records what step() receives."""

    def __init__(self, model: nn.Module):
        super().__init__(torch.optim.SGD(model.parameters(), lr=0.1), factor=0.5, patience=2)
        self.steps: list = []

    def step(self, metrics, epoch=None):
        self.steps.append(metrics)
        super().step(metrics)


def test_steps_the_scheduler_with_the_validation_loss(learner):
    """Check that fit calls scheduler.step(val_loss) once per epoch, like ReduceLROnPlateau needs."""
    run = Run(BEST_IS_THIRD)
    scheduler = RecordingScheduler(run.model)
    call(learner, run, max_epochs=len(BEST_IS_THIRD), patience=10, scheduler=scheduler)
    expect_one_validation_per_epoch(run)
    if scheduler.steps == BEST_IS_THIRD:
        return
    if not scheduler.steps:
        next_step = (
            "scheduler.step was never called: after validating, call scheduler.step(val_loss)."
        )
    elif all(s is None for s in scheduler.steps):
        next_step = (
            "ReduceLROnPlateau decides from the metric it is given: call scheduler.step(val_loss), "
            "not scheduler.step()."
        )
    else:
        next_step = "Step the scheduler once per epoch with that epoch's validation loss."
    fail(
        f"scheduler.step to receive the validation losses {BEST_IS_THIRD}",
        f"{scheduler.steps}",
        next_step + " Once more than its own `patience` epochs in a row bring no improvement, "
        "ReduceLROnPlateau multiplies the learning rate by `factor` (0.1 by default; factor=0.5 "
        "halves it).",
        "T11",
    )


# --- fit on a real model ---------------------------------------------------------------------

# A small, noisy training set and the manual's MLP with Adam: the validation loss falls, then
# rises as the model overfits, so the best epoch is not the last one. A run is about 0.05 s.
REAL = {
    "train": 64,
    "val": 400,
    "batch": 16,
    "lr": 1e-2,
    "max_epochs": 40,
    "patience": 5,
    "plateau_patience": 2,
}
# A correct fit makes exactly the reference's calls on the same seeded model and data, so its
# best state is the reference's to the last bit (on a GPU, summation order may differ by about
# 1e-6). With the default seed the last epoch's validation MSE is 18 % above the best one's, so
# 5 % tells a fit that returns a worse epoch from one that returns the best.
QUALITY_FACTOR = 1.05


def regression_data(seed: int) -> tuple[TensorDataset, TensorDataset]:
    """A non-linear regression problem with noise: (train, val) sets of 8 float32 features."""
    rng = np.random.default_rng(seed)

    def draw(n: int) -> TensorDataset:
        x = rng.normal(size=(n, 8))
        y = np.sin(2 * x[:, :1]) + x[:, 1:2] * x[:, 2:3] + 0.5 * rng.normal(size=(n, 1))
        return TensorDataset(
            torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
        )

    return draw(REAL["train"]), draw(REAL["val"])


def mse(model: nn.Module, dataset: TensorDataset) -> float:
    x, y = dataset.tensors
    model.eval()
    with torch.no_grad():
        value = nn.functional.mse_loss(model(x), y).item()
    model.train()
    return value


def as_losses(values) -> list[float]:
    """The learner's val_losses as floats, for the picture; what is no number becomes nan."""
    out = []
    for value in values if isinstance(values, (list, tuple)) else []:
        try:
            out.append(float(value))
        except (TypeError, ValueError, RuntimeError):
            out.append(float("nan"))
    return out


def fit_for_real(module, seed: int, who: str):
    """module.fit on the manual's MLP: (best_state, val_losses, model) of that run."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a small MLP gains nothing from more; results do not depend on it
    try:
        train, val = regression_data(seed)
        torch.manual_seed(seed)
        model = manual_mlp()
        optimizer = torch.optim.Adam(model.parameters(), lr=REAL["lr"])
        scheduler = ReduceLROnPlateau(optimizer, factor=0.5, patience=REAL["plateau_patience"])
        loader = DataLoader(
            train,
            batch_size=REAL["batch"],
            shuffle=True,
            generator=torch.Generator().manual_seed(seed),
        )
        calls = {"validate": 0}

        def train_epoch() -> float:
            model.train()
            total = 0.0
            for x, y in loader:
                optimizer.zero_grad()
                loss = nn.functional.mse_loss(model(x), y)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(x)
            return total / len(train)

        def validate() -> float:
            calls["validate"] += 1
            value = mse(model, val)
            report_epoch(epoch=calls["validate"], epochs=REAL["max_epochs"], loss=value, who=who)
            return value

        result = module.fit(
            model, train_epoch, validate, REAL["max_epochs"], REAL["patience"], scheduler
        )
        best_state, val_losses = expect_pair(
            result,
            "fit to return (best_state, val_losses)",
            "Return the best state_dict copy and the list of validation losses.",
            "T11",
        )
        return best_state, val_losses, model
    finally:
        torch.set_num_threads(threads)


def reference_result(reference, seed: int) -> dict:
    """The reference's best validation MSE and its curve, on the same data and budget."""
    best_state, val_losses, _ = fit_for_real(reference, seed, "reference")
    model = manual_mlp()
    model.load_state_dict(best_state)
    return {"best": mse(model, regression_data(seed)[1]), "curve": [float(v) for v in val_losses]}


def curve_marks(curve: list[float], returned: float) -> list[Mark]:
    """The epoch of the lowest validation MSE, and the epoch whose weights fit returned: the
    one whose validation MSE the returned state repeats (validate() measured that epoch's
    weights with the same code, so a match is exact)."""
    finite = [v for v in curve if np.isfinite(v)]
    if not finite:
        return []
    best = curve.index(min(finite)) + 1
    marks = [Mark(best, f"lowest validation MSE (epoch {best})", "*")]
    same = [
        epoch
        for epoch, v in enumerate(curve, 1)
        if np.isfinite(v) and np.isclose(v, returned, rtol=1e-6, atol=0)
    ]
    if same:
        epoch = best if best in same else same[-1]
        marks.append(Mark(epoch, f"weights fit returned (epoch {epoch})", "o"))
    return marks


def test_best_state_of_a_real_run_matches_reference(learner, reference, seed):
    """Check that fit on the manual's MLP returns weights as good as the reference's best epoch."""
    call(learner, Run(BEST_IS_THIRD), max_epochs=2, patience=2)  # a stub stops here
    digest = cache.key(reference, __file__, seed=seed, budget=REAL)
    want = cache.cached("ch3_fit_real_run", digest, lambda: reference_result(reference, seed))
    best_state, val_losses, model = fit_for_real(learner, seed, "your code")
    curve = as_losses(val_losses)
    fresh = manual_mlp()
    try:
        fresh.load_state_dict(copy.deepcopy(best_state))
    except Exception as exc:  # noqa: BLE001 - anything that is not the model's state_dict
        loading = exc
        got = float("nan")
    else:
        loading = None
        got = mse(fresh, regression_data(seed)[1])
    picture = shown(
        loss_curves(
            "fit",
            curve,
            want["curve"],
            quantity="validation MSE",
            data=f"{REAL['val']} validation samples",
            marks=curve_marks(curve, got),
        )
    )
    if loading is not None:
        fail(
            "best_state to load into the model it came from",
            f"{describe(best_state)} ({type(loading).__name__})",
            "Return copy.deepcopy(model.state_dict()) from the best epoch.",
            "T11, P12",
        )
    what = (
        f"best_state's validation MSE to be at most {QUALITY_FACTOR} x the reference's "
        f"{want['best']:.4f} (the manual's MLP, Adam lr {REAL['lr']}, at most "
        f"{REAL['max_epochs']} epochs, patience {REAL['patience']})"
    )
    if np.isfinite(got) and got <= QUALITY_FACTOR * want["best"]:
        return
    finite = [v for v in curve if np.isfinite(v)]
    lowest = min(finite) if finite else float("nan")
    if finite and lowest <= QUALITY_FACTOR * want["best"]:
        # The run reached a good epoch: the curve is fine, the state returned is not that epoch's.
        epoch = curve.index(lowest) + 1
        seen = (
            f"{got:.4f}, though your run's validation MSE reached {lowest:.4f} at epoch {epoch} "
            f"(see {picture})"
        )
        cause = wrong_state_diagnosis(learner, best_state, model, epoch)
        if cause not in (LIVE_STATE, EVERY_EPOCH_BEST):
            cause = (
                f"best_state holds a worse epoch's weights than epoch {epoch}'s. Copy the state "
                "only on a new best, inside if val_loss < best_loss:, and return that copy."
            )
        next_step = cause
    else:
        # The curve itself is the reason: the run never got as low as the reference's.
        seen = (
            f"{got:.4f}: your fit ran {len(curve)} epochs and {describe_curve(curve)}, while the "
            f"reference's reached {want['best']:.4f} in {len(want['curve'])} (see {picture})"
        )
        next_step = (
            "Your validation losses never came near the reference's: check when fit stops (after "
            "`patience` epochs in a row without a new lowest loss) and that it calls "
            "scheduler.step(val_loss) once per epoch."
        )
    fail(what, seen, next_step, "T11, P12")
