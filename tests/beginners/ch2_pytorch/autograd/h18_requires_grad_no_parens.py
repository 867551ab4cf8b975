"""Gradients with autograd: requires_grad, backward and retain_grad (manual P2, erratum E6)."""

import torch


def z_and_gradients(
    x1: list, x2: list
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The manual's example y = x1*x1 + 2*x2, z = sum(y**3), and z's gradients by autograd.

    x1, x2: nested lists of numbers (ints allowed) of the same shape, e.g. [[1, 2], [3, 4]].
    Returns (z, dz/dx1, dz/dx2, dz/dy): z is a float32 tensor of shape (); the three gradients
    are float32 tensors of x1's shape.
    """
    # Note (erratum E6): the manual writes `require_grad=True`; the keyword is `requires_grad`.
    # TODO: Make x1 and x2 float32 tensors that require grad:
    #   torch.tensor(..., dtype=torch.float32, requires_grad=True).
    x1 = torch.tensor(x1, dtype=torch.float32).requires_grad_
    x2 = torch.tensor(x2, dtype=torch.float32).requires_grad_
    y = x1 * x1 + 2 * x2
    # TODO: Ask autograd to keep y's gradient with y.retain_grad(), then compute
    #   z = (y**3).sum() and call z.backward().
    y.retain_grad()
    z = (y**3).sum()
    z.backward()
    return z, x1.grad, x2.grad, y.grad
