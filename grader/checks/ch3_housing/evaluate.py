"""Checks for exercises/ch3_housing/evaluate.py (manual P11, erratum E3)."""

import copy

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.toolkit.expect import Mistake, Slip, expect_close, fail
from grader.toolkit.numbers import expect_mean_loss
from grader.toolkit.recorders import ModeRecorder

N_FEATURES = 8
# Batches of 4, 4 and 2: a short last batch tells a per-sample mean from a mean of batch means.
N_SAMPLES, BATCH = 10, 4
# Same float32 operations on the same weights: only summation order differs (about 1e-6).
RTOL, ATOL = 1e-4, 1e-6
EVAL = "model.eval()"

SLIPS = (
    # loss.backward() copied from the training loop: under no_grad the loss has no graph.
    Slip(
        error=RuntimeError,
        says=r"does not require grad and does not have a grad_fn",
        code=r"\.backward\(",
        explanation="Evaluation computes no gradients: inside torch.no_grad() (or "
        "torch.inference_mode()) the loss has no autograd graph, so loss.backward() has nothing "
        "to go back through. Remove "
        "loss.backward() (and any optimizer call) from evaluate; it only reads the loss.",
        topic="P11",
    ),
)


def model_with_modes() -> nn.Module:
    """A small regressor whose output depends on the mode: Dropout and BatchNorm behave differently
    in training and in eval mode."""
    model = nn.Sequential(
        nn.Linear(N_FEATURES, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 1)
    )
    with torch.no_grad():  # running statistics that differ from any single batch's
        for _ in range(3):
            model(2.0 + 3.0 * torch.randn(64, N_FEATURES))
    return model


def data(rng: np.random.Generator) -> DataLoader:
    x = rng.normal(size=(N_SAMPLES, N_FEATURES)).astype(np.float32)
    y = rng.normal(size=(N_SAMPLES, 1)).astype(np.float32)
    return DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=BATCH)


def as_number(value, what: str) -> float:
    purpose = "fit() gets a plain number to compare and record"
    graph = "Inside torch.no_grad() no graph is built; also accumulate loss.item(), a plain number."
    return expect_mean_loss(value, what, "P11", purpose, graph)


def test_value_is_the_eval_mode_mean_loss(learner, reference, rng, device):
    """Check that evaluate returns the eval-mode mean loss per sample, as the reference does."""
    loader = data(rng)
    model = model_with_modes().to(device).train()
    want = reference.evaluate(copy.deepcopy(model), loader, nn.MSELoss(), device)
    probe = ModeRecorder(copy.deepcopy(model))  # the same model, recording the mode of each call
    got = as_number(learner.evaluate(probe, loader, nn.MSELoss(), device), "evaluate(...)")
    if probe.ran_in_training_mode:
        next_step = (
            f"The model ran in training mode: call {EVAL} first. In training mode Dropout drops "
            "at random and BatchNorm normalises by the batch, so the loss is not the model's."
        )
    else:
        next_step = (
            "Add loss.item() x batch size for every batch and divide by the number of samples."
        )
    model.eval()
    with torch.no_grad():
        means = [
            nn.functional.mse_loss(model(x.to(device)), y.to(device)).item() for x, y in loader
        ]
    # Erratum E3 names two correct forms: the sample-weighted mean, or the average of the
    # batch means; both are accepted.
    if np.isclose(float(got), sum(means) / len(means), rtol=RTOL, atol=ATOL):
        return
    expect_close(
        got,
        want,
        what=f"evaluate(...) over {N_SAMPLES} samples in batches of {BATCH}",
        topic="P11",
        rtol=RTOL,
        atol=ATOL,
        next_step=next_step,
        mistakes=(
            Mistake(
                means[0],
                f"That is the first batch's mean loss alone: the loop stopped after one of its "
                f"{len(means)} batches. A return (or a break) indented inside the for loop does "
                "that: move the return below the loop, out of the with block too.",
            ),
            Mistake(
                sum(means) / N_SAMPLES,
                f"That is the sum of the batch mean losses divided by the number of samples, off by "
                f"a factor of the batch size ({BATCH}): erratum E3. Multiply each loss.item() by its "
                "batch size before dividing by the sample count.",
            ),
            Mistake(
                float(want) * N_SAMPLES / len(means),
                f"That is the sum of loss.item() x batch size divided by the number of batches "
                f"({len(means)}) instead of the number of samples ({N_SAMPLES}). Divide by the sample "
                "count: total_samples, or len(loader.dataset) (len(loader) is the number of "
                "batches).",
            ),
        ),
        factors={
            "the number of samples": N_SAMPLES,
            "the batch size": BATCH,
            "the number of batches": len(means),
        },
    )


def test_runs_in_eval_mode_without_autograd(learner, rng, device):
    """Check that every forward pass runs in eval mode, inside torch.no_grad()."""
    model = ModeRecorder(model_with_modes()).to(device).train()
    learner.evaluate(model, data(rng), nn.MSELoss(), device)
    if not model.calls:
        fail(
            "evaluate to run the model on every batch",
            "no call of the model",
            "Compute model(features) for each batch.",
            "P11",
        )
    if model.ran_in_training_mode:
        fail(
            "every forward pass of evaluate in eval mode",
            "the model was in training mode",
            f"Call {EVAL} before the loop: in training mode Dropout zeroes activations at random "
            "and BatchNorm uses (and updates) the batch's statistics, so the loss is noisy and "
            "evaluation changes the model.",
            "P11",
        )
    if model.built_a_graph:
        fail(
            "every forward pass of evaluate inside torch.no_grad()",
            "autograd was on: each batch built a graph for backward()",
            "Wrap the loop in `with torch.no_grad():`. Evaluation never calls backward(), so the "
            "graph only costs memory and time.",
            "P11",
        )


def snapshot(model: nn.Module) -> dict:
    return {
        "state": {k: v.detach().clone() for k, v in model.state_dict().items()},
        "grads": [None if p.grad is None else p.grad.clone() for p in model.parameters()],
        "modes": [m.training for m in model.modules()],
    }


def test_leaves_the_model_as_it_found_it(learner, rng, device):
    """Check that parameters, gradients, BatchNorm statistics and the train/eval mode are unchanged."""
    loader = data(rng)
    for start_training in (True, False):
        model = model_with_modes().to(device).train(start_training)
        for p in model.parameters():  # gradients left from a training step must survive
            p.grad = torch.randn_like(p)
        before = snapshot(model)
        learner.evaluate(model, loader, nn.MSELoss(), device)
        after = snapshot(model)
        mode = "training" if start_training else "eval"
        if after["modes"] != before["modes"]:
            now = "training" if model.training else "eval"
            if not start_training and model.training:
                why = (
                    "The model came in eval mode and left in training mode: model.train() "
                    "always switches to training, whatever the mode was. Restore the mode it "
                    "had: was_training = model.training first, model.train(was_training) at the "
                    "end."
                )
            else:
                why = (
                    "Remember the mode first (was_training = model.training) and restore it at "
                    "the end with model.train(was_training): fit() calls evaluate between "
                    "training epochs, and a model left in eval mode trains without dropout from "
                    "then on."
                )
            fail(
                f"the model to be back in {mode} mode after evaluate, as it was before",
                f"the model in {now} mode",
                why,
                "P11",
            )
        for name, value in before["state"].items():
            if not torch.equal(value, after["state"][name]):
                kind = (
                    "BatchNorm's running statistics"
                    if "running" in name or "batches" in name
                    else "the weights"
                )
                fail(
                    f"evaluate to change nothing in the model (started in {mode} mode)",
                    f"{kind} changed ({name})",
                    f"Call {EVAL} before the loop: in training mode BatchNorm updates its running "
                    "statistics on every batch. Never call optimizer.step() in evaluation.",
                    "P11",
                )
        for i, (old, new) in enumerate(zip(before["grads"], after["grads"], strict=True)):
            if new is None or not torch.equal(old, new):
                fail(
                    "the parameters' .grad to be unchanged by evaluate",
                    f"parameter {i}'s .grad {'cleared' if new is None else 'changed'}",
                    "Evaluation needs no zero_grad() and no backward(): run the model inside "
                    "torch.no_grad() and only read the loss.",
                    "P11",
                )
