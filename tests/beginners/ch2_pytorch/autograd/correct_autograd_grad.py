"""Gradients with autograd: requires_grad, backward and retain_grad (manual P2, erratum E6)."""

import torch


def z_and_gradients(
    x1: list, x2: list
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The manual's example y = x1*x1 + 2*x2, z = sum(y**3), and z's gradients by autograd."""
    a = torch.tensor(x1, dtype=torch.float32, requires_grad=True)
    b = torch.tensor(x2, dtype=torch.float32, requires_grad=True)
    y = a * a + 2 * b
    z = (y**3).sum()
    d_a, d_b, d_y = torch.autograd.grad(z, [a, b, y])
    return z, d_a, d_b, d_y
