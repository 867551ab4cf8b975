"""Checks for exercises/ch3_housing/fit.py (manual T11, P12)."""

import torch
from torch import nn

from grader.expect import describe, fail

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


class Run:
    """A tiny model with scripted training and validation that records what fit() calls.

    Each epoch's training adds 1 to every weight in place, as optimizer.step() changes them, so
    every epoch's weights differ and tell which epoch a saved state comes from.
    """

    def __init__(self, losses: list[float]):
        self.model = nn.Linear(3, 1)
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
        return 0.0

    def validate(self) -> float:
        self.events.append("validate")
        index = self.events.count("validate") - 1
        return self.losses[min(index, len(self.losses) - 1)]

    def epochs(self) -> int:
        return self.events.count("train")


def call(learner, run: Run, max_epochs: int, patience: int, scheduler=None):
    result = learner.fit(run.model, run.train_epoch, run.validate, max_epochs, patience, scheduler)
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        fail(
            "fit to return (best_state, val_losses)",
            describe(result),
            "Return the best state_dict copy and the list of validation losses.",
            "T11",
        )
    return result


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
                "Its tensors share memory with the model's parameters. Save a real copy: "
                "copy.deepcopy(model.state_dict()).",
                "T11, P12",
            )
        return
    if got_epoch == run.epochs() and run.epochs() != want_epoch:
        next_step = (
            "You kept model.state_dict() itself. Its tensors are the model's live parameters, so "
            "every later epoch changed your 'best' too, and it ends as the last epoch's weights. "
            "Save a copy: best_state = copy.deepcopy(model.state_dict())."
        )
    elif got_epoch == 0:
        next_step = "best_state never changed from the initial weights: save it whenever val_loss < best_loss."
    else:
        next_step = "Lower validation loss is better: keep the state when val_loss < best_loss."
    got = (
        "the weights after epoch " + str(got_epoch)
        if got_epoch is not None
        else "weights from no epoch"
    )
    fail(what, got, next_step, "T11, P12")


def test_stops_after_patience_epochs_without_improvement(learner):
    """Check that fit stops once `patience` epochs in a row brought no new lowest validation loss."""
    # (losses, patience, epochs that must run); 10 or 8 run when nothing stops the loop.
    cases = [(PLATEAU, 3, 6), (RECOVERY, 2, 5)]
    for losses, patience, want in cases:
        run = Run(losses)
        _, val_losses = call(learner, run, max_epochs=len(losses), patience=patience)
        got = run.epochs()
        if got == want:
            if list(val_losses) != losses[:want]:
                fail(
                    f"val_losses to be the {want} validation losses in order, {losses[:want]}",
                    f"{val_losses}",
                    "Append each epoch's validation loss to val_losses.",
                    "T11",
                )
            continue
        what = f"fit to stop after epoch {want} (validation losses {losses}, patience {patience})"
        if got == len(losses):
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
            next_step = (
                f"It stopped {abs(got - want)} epoch(s) too {'late' if got > want else 'early'}: "
                "stop as soon as the count of epochs without improvement equals patience."
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


class RecordingScheduler:
    """Stands in for ReduceLROnPlateau and records what step() receives."""

    def __init__(self):
        self.steps: list = []

    def step(self, metrics=None, epoch=None):
        self.steps.append(metrics)


def test_steps_the_scheduler_with_the_validation_loss(learner):
    """Check that fit calls scheduler.step(val_loss) once per epoch, like ReduceLROnPlateau needs."""
    run = Run(BEST_IS_THIRD)
    scheduler = RecordingScheduler()
    call(learner, run, max_epochs=len(BEST_IS_THIRD), patience=10, scheduler=scheduler)
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
        next_step + " It halves the learning rate after `patience` epochs without improvement.",
        "T11",
    )
