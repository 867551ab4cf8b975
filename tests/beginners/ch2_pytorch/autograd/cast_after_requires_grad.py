"""Gradients with autograd: requires_grad, backward and retain_grad (manual P2, erratum E6)."""

import torch


def z_and_gradients(
    x1: list, x2: list
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The manual's example y = x1*x1 + 2*x2, z = sum(y**3), and z's gradients by autograd."""
    x1 = torch.tensor(x1, dtype=torch.float64, requires_grad=True).float()
    x2 = torch.tensor(x2, dtype=torch.float64, requires_grad=True).float()
    y = x1 * x1 + 2 * x2
    y.retain_grad()
    z = (y**3).sum()
    z.backward()
    return z, x1.grad, x2.grad, y.grad
