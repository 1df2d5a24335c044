"""Constraints and stabilisers on the discriminator (theory §5, §6).

All act in the coordinates the networks train in (standardised data when the run standardises),
and on samples of any shape (n, ...): points (n, dim) or images (n, channels, height, width).
Gradient norms are per sample, over all non-batch dimensions (the flattened sample).

A *critic* here is any callable x (n, ...) → logits (n,). A conditional discriminator takes
labels as well; its caller binds them in a closure, e.g. ``lambda x: discriminator(x, labels)``.
For the gradient penalty the interpolate x̂_i mixes real_i and fake_i, so both batches must
carry the same labels in the same order (the usual case: fakes generated for the real labels).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

Critic = Callable[[torch.Tensor], torch.Tensor]

# layers whose weight is a linear map: penalised by weight decay (batch norm's scale is not)
_WEIGHT_LAYERS = (
    nn.Linear,
    nn.Conv1d, nn.Conv2d, nn.Conv3d,
    nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d,
)


def _per_sample_norm(grad: torch.Tensor) -> torch.Tensor:
    """‖g_i‖₂ over all non-batch dimensions, shape (n,)."""
    return grad.flatten(1).norm(dim=1)


def gradient_penalty(
    critic: Critic, real: torch.Tensor, fake: torch.Tensor, generator: torch.Generator
) -> torch.Tensor:
    """WGAN-GP: E[(‖∇_x d(x̂)‖₂ - 1)²], x̂ = α x_real + (1 - α) x_fake, α ~ U[0, 1] per sample.

    ``real`` and ``fake`` have the same shape (n, ...); α has shape (n, 1, ..., 1) so one α
    mixes a whole sample. ``generator`` draws α (n numbers, whatever the sample shape).
    """
    alpha_shape = (len(real),) + (1,) * (real.dim() - 1)
    alpha = torch.rand(alpha_shape, generator=generator, device=real.device)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return ((_per_sample_norm(grad) - 1) ** 2).mean()


def _squared_gradient_norm(critic: Critic, x: torch.Tensor) -> torch.Tensor:
    """E[‖∇_x d(x)‖₂²] over the samples of x (n, ...), differentiable in the critic."""
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return grad.pow(2).flatten(1).sum(dim=1).mean()


def r1_penalty(critic: Critic, real: torch.Tensor, gamma: float) -> torch.Tensor:
    """R1 (Mescheder et al. 2018): (γ/2) E_data[‖∇_x d(x)‖₂²] on real samples of shape (n, ...)."""
    return 0.5 * gamma * _squared_gradient_norm(critic, real)


def r2_penalty(critic: Critic, fake: torch.Tensor, gamma: float) -> torch.Tensor:
    """R2 (Mescheder et al. 2018): (γ/2) E_g[‖∇_x d(x̃)‖₂²] on generated samples (n, ...)."""
    return 0.5 * gamma * _squared_gradient_norm(critic, fake)


def weight_decay_penalty(critic: nn.Module, strength: float) -> torch.Tensor:
    """(C/2) Σ ‖W‖² over the weights of linear and convolution layers (incl. transposed).

    Biases, batch-norm parameters and embeddings are not penalised. Under spectral
    normalisation the raw weights W are penalised, not W/σ(W).
    """
    return 0.5 * strength * sum(
        _raw_weight(m).pow(2).sum() for m in critic.modules() if isinstance(m, _WEIGHT_LAYERS)
    )


def _raw_weight(layer: nn.Module) -> torch.Tensor:
    """The layer's own weight parameter (under a parametrisation: the original)."""
    parametrizations = getattr(layer, "parametrizations", None)
    if parametrizations is not None and "weight" in parametrizations:
        return parametrizations.weight.original
    return layer.weight


@torch.no_grad()
def clip_weights(critic: nn.Module, clip_value: float) -> None:
    """WGAN: clip every critic parameter to [-c, c] after each update."""
    for parameter in critic.parameters():
        parameter.clamp_(-clip_value, clip_value)
