"""Constraints and stabilisers on the discriminator (theory §5, §6).

All act in the coordinates the networks train in (standardised data when the run standardises).
"""

from __future__ import annotations

import torch
from torch import nn


def gradient_penalty(
    critic: nn.Module, real: torch.Tensor, fake: torch.Tensor, generator: torch.Generator
) -> torch.Tensor:
    """WGAN-GP: E[(||∇_x d(x̂)||₂ - 1)²], x̂ = α x_real + (1 - α) x_fake, α ~ U[0, 1] per sample."""
    alpha = torch.rand(len(real), 1, generator=generator, device=real.device)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


def r1_penalty(critic: nn.Module, real: torch.Tensor, gamma: float) -> torch.Tensor:
    """R1 (Mescheder et al. 2018): (γ/2) E_data[||∇_x d(x)||²] on real samples."""
    real = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(real).sum(), real, create_graph=True)
    return 0.5 * gamma * grad.pow(2).sum(dim=1).mean()


def weight_decay_penalty(critic: nn.Module, strength: float) -> torch.Tensor:
    """(C/2) Σ ||W||² over the weight matrices (biases are not penalised)."""
    return 0.5 * strength * sum(
        m.weight.pow(2).sum() for m in critic.modules() if isinstance(m, nn.Linear)
    )


@torch.no_grad()
def clip_weights(critic: nn.Module, clip_value: float) -> None:
    """WGAN: clip every critic parameter to [-c, c] after each update."""
    for parameter in critic.parameters():
        parameter.clamp_(-clip_value, clip_value)
