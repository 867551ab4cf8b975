"""Checks for exercises/ch5_gpu/device_training.py (manual G3, G4, G5)."""

import traceback

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader import cache
from grader.toolkit.devices import META, asks_for_missing_cuda, copy_parameters, device_mismatch
from grader.toolkit.expect import describe, expect_close, fail
from grader.toolkit.gpu import cuda_request_step, traced_loader, why_not_on
from grader.toolkit.numbers import expect_float
from grader.toolkit.plots import describe_curve, loss_curves, shown
from grader.toolkit.progress import report_epoch

# Same device, same initial weights, same batches: only summation order may differ.
SAME_DEVICE_RTOL, SAME_DEVICE_ATOL = 1e-5, 1e-6
# CPU vs CUDA with TF32 switched off: float32 kernels round differently (cuBLAS/cuDNN vs MKL),
# about 1e-6 relative per op; a few SGD steps on a small MLP stay well inside 1e-4.
CROSS_DEVICE_RTOL, CROSS_DEVICE_ATOL = 1e-4, 1e-5
# 45 samples in batches of 10: a short last batch of 5, so an average over batches (instead of
# over samples) or a dropped last batch changes the epoch loss.
TRAIN_SAMPLES, BATCH = 45, 10
EPOCHS = 5  # the loss curve: enough epochs on the small MLP to see it fall (1.10 -> 1.02 here)
LR = 0.1
PREDICT_SAMPLES = 45  # a short last batch of 5 too, so a dropped last batch shows

DTYPE_ERRORS = ("Expected dtype int32/int64 for index", "expected target dtype to be Long")


def _model() -> nn.Module:
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))


def _dataset(n: int) -> TensorDataset:
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(n, 6, generator=generator)
    labels = torch.randint(0, 3, (n,), generator=generator)
    return TensorDataset(inputs, labels)


def _loader(n: int = TRAIN_SAMPLES) -> DataLoader:
    return DataLoader(_dataset(n), batch_size=BATCH, shuffle=False)


def _explain_runtime(exc: RuntimeError, learner, device) -> None:
    """Fails with the next step for the errors typical slips raise in train_one_epoch."""
    text = str(exc)
    if asks_for_missing_cuda(exc):
        fail(
            f"training on the device passed in ({torch.device(device).type})",
            f"a request for CUDA: {exc}",
            cuda_request_step(exc, learner, torch.device(device).type),
            "G5",
        )
    if any(message in text for message in DTYPE_ERRORS):
        fail(
            "train_one_epoch to run",
            f"RuntimeError: {text}",
            "F.cross_entropy needs the labels as integer class indices (int64, as the loader "
            "gives them), and yours reached it as floats: move them with labels.to(device) "
            "only, without a dtype or .float().",
            "G4, P18",
        )


def _train_epochs(module, device, model, epochs: int, who: str) -> list:
    """`epochs` calls of module.train_one_epoch on the same loader, reported as they come."""
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loader = _loader()
    losses = []
    for epoch in range(1, epochs + 1):
        try:
            loss = module.train_one_epoch(model, loader, optimizer, torch.device(device))
        except RuntimeError as exc:
            _explain_runtime(exc, module, device)
            raise
        losses.append(loss)
        report_epoch(
            epoch=epoch,
            epochs=epochs,
            loss=loss if isinstance(loss, (int, float)) else None,
            who=who,
        )
    return losses


def _train(module, device, model=None):
    model = (model or _model()).to(device)
    losses = _train_epochs(module, device, model, 1, "your code")
    return model, losses[0]


def test_every_tensor_reaches_the_device(learner):
    """Check that train_one_epoch moves inputs and labels to the device it is given (meta here)."""
    model = _model().to(META)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    log: list = []
    try:
        learner.train_one_epoch(model, traced_loader(_dataset(20), BATCH, log), optimizer, META)
    except RuntimeError as exc:
        if "meta tensors" in str(exc):
            return  # reached loss.item(): every tensor was on the device up to the loss
        if device_mismatch(exc):
            functions = {frame.name for frame in traceback.extract_tb(exc.__traceback__)}
            which = "labels" if functions & {"cross_entropy", "nll_loss"} else "inputs"
            fail(
                f"the {which} moved to the model's device (meta here)",
                f"{which} still on the CPU ({exc})",
                why_not_on(which, META, log),
                "G4",
            )
        _explain_runtime(exc, learner, META)
        raise


def _reference_run(reference, device: str, start: nn.Module) -> dict:
    model = _copy(start).to(device)
    first = _train_epochs(reference, device, model, 1, "reference")
    after_first = [p.detach().cpu().clone() for p in model.parameters()]
    rest = _train_epochs(reference, device, model, EPOCHS - 1, "reference")
    return {
        "losses": [float(v) for v in first + rest],
        "after_first": after_first,
        "batch_mean_losses": _batch_mean_losses(device, start),
    }


def _batch_mean_losses(device: str, start: nn.Module) -> list[float]:
    """Each epoch's average of its batch means, from the reference's loop written out by hand.

    Erratum E3 names it as the second correct form of the epoch loss (with a short last batch it
    differs from the sample-weighted mean that the docstring asks for); both are accepted.
    """
    model = _copy(start).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    epochs = []
    for _ in range(EPOCHS):
        means = []
        for inputs, labels in _loader():
            optimizer.zero_grad()
            loss = F.cross_entropy(model(inputs.to(device)), labels.to(device))
            loss.backward()
            optimizer.step()
            means.append(loss.item())
        epochs.append(sum(means) / len(means))
    return epochs


def test_epoch_matches_reference(learner, reference, device, seed):
    """Check that epochs on each device update the weights and the loss as the reference does."""
    start = _model()
    digest = cache.key(
        reference, __file__, seed=seed, device=device, budget=(TRAIN_SAMPLES, BATCH, EPOCHS, LR)
    )
    want = cache.cached(
        "ch5_device_training_epochs", digest, lambda: _reference_run(reference, device, start)
    )
    model = _copy(start).to(device)
    losses = _train_epochs(learner, device, model, 1, "your code")
    after_first = [p.detach().cpu().clone() for p in model.parameters()]
    losses += _train_epochs(learner, device, model, EPOCHS - 1, "your code")
    numbers = [float(v) if isinstance(v, (int, float)) else float("nan") for v in losses]
    picture = shown(
        loss_curves(
            "device_training",
            numbers,
            want["losses"],
            quantity="training loss",
            data=f"{TRAIN_SAMPLES} synthetic training samples",
            device=str(device),
        )
    )
    expect_float(
        losses[0],
        "train_one_epoch to return the epoch loss as a Python float",
        "Return total / count, built from loss.item() values.",
        "G3",
        kinds=(float,),
    )
    names = [name for name, _ in model.named_parameters()]
    for name, got, expected in zip(names, after_first, want["after_first"]):
        expect_close(
            got,
            expected,
            what=f"parameter {name} after one epoch on {device}",
            topic="G5",
            rtol=SAME_DEVICE_RTOL,
            atol=SAME_DEVICE_ATOL,
        )
    if not any(
        np.allclose(numbers, curve, rtol=SAME_DEVICE_RTOL, atol=SAME_DEVICE_ATOL)
        for curve in (want["losses"], want["batch_mean_losses"])
    ):
        fail(
            f"the epoch losses of {EPOCHS} epochs on {device} to match the reference's "
            f"{[round(v, 4) for v in want['losses']]}",
            f"{[round(v, 4) for v in numbers]}: {describe_curve(numbers)}",
            "The weights after the first epoch match, so the loop trains as it should; the "
            "returned loss is what differs. Return the mean over samples, total / count, as "
            f"the stub accumulates it. See {picture} for both curves.",
            "G5",
        )


def test_parameters_stay_on_cuda(learner, cuda):
    """Check that after training on CUDA the model's parameters are really on the GPU."""
    model, loss = _train(learner, cuda)
    stranded = [n for n, p in model.named_parameters() if p.device.type != "cuda"]
    if stranded:
        fail(
            "every parameter on cuda after training",
            f"{stranded[0]} on {dict(model.named_parameters())[stranded[0]].device}",
            "Do not move the model back inside the loop; the caller put it on the device.",
            "G5",
        )
    expect_float(
        loss, "the epoch loss as a Python float", "Accumulate loss.item().", "G3", kinds=(float,)
    )


def test_cuda_agrees_with_cpu(learner, cuda):
    """Check that training on CUDA gives the CPU's weights within float32 tolerances."""
    start = _model()
    matmul, cudnn = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    try:
        on_cpu, _ = _train(learner, "cpu", model=_copy(start))
        on_gpu, _ = _train(learner, cuda, model=_copy(start))
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = matmul, cudnn
    for (name, got), expected in zip(on_gpu.named_parameters(), on_cpu.parameters()):
        expect_close(
            got.cpu(),
            expected,
            what=f"parameter {name} trained on CUDA vs on the CPU",
            topic="G5",
            rtol=CROSS_DEVICE_RTOL,
            atol=CROSS_DEVICE_ATOL,
        )


def _predict(learner, model, loader, device):
    try:
        return learner.predict(model, loader, torch.device(device))
    except TypeError as exc:
        if "numpy" in str(exc):
            fail(
                "a NumPy array of predictions",
                f"TypeError: {exc}",
                "NumPy only reads CPU memory: call .cpu() before .numpy() (G3), as in "
                "logits.argmax(dim=1).cpu().numpy().",
                "G3",
            )
        raise
    except RuntimeError as exc:
        if asks_for_missing_cuda(exc):
            fail(
                f"predictions on the device passed in ({torch.device(device).type})",
                f"a request for CUDA: {exc}",
                cuda_request_step(exc, learner, torch.device(device).type),
                "G5",
            )
        raise


def test_predict_moves_to_the_device_and_back(learner):
    """Check that predict sends the inputs to the device and brings results back (meta here).

    The meta device plays a GPU: NumPy cannot read it, and copying it to the CPU raises
    "Cannot copy out of meta tensor", which proves the code got as far as .cpu().
    """
    model = _model().to(META).eval()
    log: list = []
    try:
        got = _predict(learner, model, traced_loader(_dataset(20), BATCH, log), META)
    except NotImplementedError as exc:
        if "Cannot copy out of meta tensor" in str(exc):
            return  # moved the inputs, then .cpu() / .tolist() to bring the result back
        raise
    except RuntimeError as exc:
        if device_mismatch(exc):
            fail(
                "predict to run the model on inputs moved to the model's device (meta here)",
                f"inputs still on the CPU ({exc})",
                why_not_on("inputs", META, log),
                "G4",
            )
        raise
    fail(
        "predictions brought back to the CPU as a NumPy array",
        describe(got),
        "Bring the predictions back from the device: logits.argmax(dim=1).cpu().numpy(), then "
        "np.concatenate the batches (G3).",
        "G3",
    )


def test_predictions_come_back_as_cpu_numpy(learner, reference, device):
    """Check that predict returns a CPU NumPy int64 array equal to the reference's, on each device."""
    model = _model().to(device)
    loader = _loader(PREDICT_SAMPLES)
    got = _predict(learner, model, loader, device)
    want = reference.predict(model, loader, torch.device(device))
    if not isinstance(got, np.ndarray):
        fail(
            "a NumPy array",
            describe(got),
            "Convert each batch with .cpu().numpy() and join them with np.concatenate.",
            "G3",
        )
    batches = -(-PREDICT_SAMPLES // BATCH)
    if got.shape == (batches * 3,):
        fail(
            f"predictions of shape ({PREDICT_SAMPLES},), one per sample",
            describe(got),
            "That is one value per class and batch: you took the argmax over dim=0, the batch "
            "axis. The logits are (B, classes); the prediction is logits.argmax(dim=1).",
            "G3, T7",
        )
    if got.shape == want.shape and np.issubdtype(got.dtype, np.floating):
        whole = np.all(np.mod(got, 1) == 0)
        fail(
            "class indices as an int64 array",
            describe(got),
            "Your values are class indices stored as floats: keep argmax's int64 result, "
            "without .float()."
            if whole
            else "Those are scores or probabilities, not class indices: the prediction is the "
            "argmax over the classes, logits.argmax(dim=1).",
            "G3",
        )
    expect_close(got, want, what="the predicted classes", topic="G3", rtol=0, atol=0)
    if got.dtype != np.int64:
        fail(
            "class indices as an int64 array",
            describe(got),
            "Keep argmax's int64 result: .cpu().numpy() keeps the dtype.",
            "G3",
        )


def _copy(model: nn.Module) -> nn.Module:
    fresh = _model()
    copy_parameters(fresh, model)
    return fresh
