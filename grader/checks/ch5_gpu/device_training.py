"""Checks for exercises/ch5_gpu/device_training.py (manual G3, G4, G5)."""

import traceback

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.devices import META, asks_for_missing_cuda, copy_parameters, device_mismatch
from grader.expect import describe, expect_close, fail

# Same device, same initial weights, same batches: only summation order may differ.
SAME_DEVICE_RTOL, SAME_DEVICE_ATOL = 1e-5, 1e-6
# CPU vs CUDA with TF32 switched off: float32 kernels round differently (cuBLAS/cuDNN vs MKL),
# about 1e-6 relative per op; a few SGD steps on a small MLP stay well inside 1e-4.
CROSS_DEVICE_RTOL, CROSS_DEVICE_ATOL = 1e-4, 1e-5


def _model() -> nn.Module:
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))


def _loader(n: int = 40, shuffle: bool = False) -> DataLoader:
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(n, 6, generator=generator)
    labels = torch.randint(0, 3, (n,), generator=generator)
    return DataLoader(TensorDataset(inputs, labels), batch_size=10, shuffle=shuffle)


def _train(module, device, model=None):
    model = model or _model()
    model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    try:
        loss = module.train_one_epoch(model, _loader(), optimizer, torch.device(device))
    except RuntimeError as exc:
        if asks_for_missing_cuda(exc):
            fail(
                f"training on the device passed in ({device})",
                f"a request for CUDA: {exc}",
                "Move batches with .to(device); a hard-coded 'cuda' breaks on CPU-only machines.",
                "G5",
            )
        raise
    return model, loss


def test_every_tensor_reaches_the_device(learner):
    """Check that train_one_epoch moves inputs and labels to the device it is given (meta here)."""
    model = _model().to(META)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    try:
        learner.train_one_epoch(model, _loader(), optimizer, META)
    except RuntimeError as exc:
        if "meta tensors" in str(exc):
            return  # reached loss.item(): every tensor was on the device up to the loss
        if device_mismatch(exc):
            functions = {frame.name for frame in traceback.extract_tb(exc.__traceback__)}
            which = "labels" if functions & {"cross_entropy", "nll_loss"} else "inputs"
            fail(
                f"the {which} moved to the model's device",
                f"{which} still on the CPU ({exc})",
                f"Every tensor in one operation must be on the same device (G4): "
                f"{which} = {which}.to(device), assigning the result.",
                "G4",
            )
        if asks_for_missing_cuda(exc):
            fail(
                "tensors moved to the device passed in",
                f"a request for CUDA: {exc}",
                "Use the `device` argument instead of a hard-coded 'cuda'.",
                "G5",
            )
        raise


def test_epoch_matches_reference(learner, reference, device):
    """Check that one epoch on each device updates the weights exactly as the reference does."""
    start = _model()
    ours, our_loss = _train(learner, device, model=_copy(start))
    want, want_loss = _train(reference, device, model=_copy(start))
    for (name, got), expected in zip(ours.named_parameters(), want.parameters()):
        expect_close(
            got,
            expected,
            what=f"parameter {name} after one epoch on {device}",
            topic="G5",
            rtol=SAME_DEVICE_RTOL,
            atol=SAME_DEVICE_ATOL,
        )
    expect_close(
        our_loss,
        want_loss,
        what="the returned epoch loss",
        topic="G5",
        rtol=SAME_DEVICE_RTOL,
        atol=SAME_DEVICE_ATOL,
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
    if not isinstance(loss, float):
        fail("the epoch loss as a Python float", describe(loss), "Accumulate loss.item().", "G3")


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


def test_predictions_come_back_as_cpu_numpy(learner, reference, device):
    """Check that predict returns a CPU NumPy int array equal to the reference's, on each device."""
    model = _model().to(device)
    try:
        got = learner.predict(model, _loader(shuffle=False), torch.device(device))
    except TypeError as exc:
        if "cpu()" in str(exc) or "numpy" in str(exc):
            fail(
                "a NumPy array of predictions",
                f"TypeError: {exc}",
                "NumPy only reads CPU memory: call .cpu() before .numpy() (G3).",
                "G3",
            )
        raise
    want = reference.predict(model, _loader(shuffle=False), torch.device(device))
    if not isinstance(got, np.ndarray):
        fail(
            "a NumPy array", describe(got), "Convert with .cpu().numpy() and np.concatenate.", "G3"
        )
    expect_close(got, want, what="the predicted classes", topic="G3", rtol=0, atol=0)


def _copy(model: nn.Module) -> nn.Module:
    fresh = _model()
    copy_parameters(fresh, model)
    return fresh
