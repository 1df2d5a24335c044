"""Generator and discriminator networks, the latent sampler, and data-space wrappers.

Networks work in *standardised* coordinates (data minus its mean, divided by its std) when the
run standardises; `DataSpaceGenerator` and `DataSpaceCritic` put the affine map around them so
that everything outside the trainer (views, metrics, exported generators) sees data coordinates.
"""

from __future__ import annotations

import torch
from torch import nn

from ganlab.core.config import ModelConfig, NetworkConfig

ACTIVATION_LAYERS = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "softplus": nn.Softplus,
}


def mlp(in_dim: int, out_dim: int, config: NetworkConfig) -> nn.Sequential:
    """in_dim → [Linear(width) → activation] × hidden_layers → Linear(out_dim)."""
    layers: list[nn.Module] = []
    width = in_dim
    for _ in range(config.hidden_layers):
        layers += [nn.Linear(width, config.width), ACTIVATION_LAYERS[config.activation]()]
        width = config.width
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


class Discriminator(nn.Module):
    """x (batch, dim) → logit d(x) (batch,). D(x) = sigmoid(d(x)) where it is a probability."""

    def __init__(self, data_dim: int, config: NetworkConfig):
        super().__init__()
        self.body = mlp(data_dim, 1, config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x).squeeze(-1)


def build_generator(data_dim: int, model: ModelConfig) -> nn.Sequential:
    """z (batch, latent_dim) → x (batch, data_dim)."""
    return mlp(model.latent_dim, data_dim, model.generator)


def build_discriminator(data_dim: int, model: ModelConfig) -> Discriminator:
    return Discriminator(data_dim, model.discriminator)


def sample_latent(
    n: int, latent_dim: int, distribution: str, generator: torch.Generator
) -> torch.Tensor:
    """z ~ N(0, I) ("gaussian") or U[-1, 1]^d ("uniform"), shape (n, latent_dim)."""
    device = generator.device
    if distribution == "gaussian":
        return torch.randn(n, latent_dim, generator=generator, device=device)
    if distribution == "uniform":
        return torch.rand(n, latent_dim, generator=generator, device=device) * 2 - 1
    raise ValueError(f"unknown latent distribution {distribution!r}")


class DataSpaceGenerator(nn.Module):
    """G in data coordinates: x = shift + scale · G_std(z)."""

    def __init__(self, network: nn.Module, shift: torch.Tensor, scale: torch.Tensor):
        super().__init__()
        self.network = network
        self.register_buffer("shift", shift.detach().clone())
        self.register_buffer("scale", scale.detach().clone())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.shift + self.scale * self.network(z)


class DataSpaceCritic(nn.Module):
    """d in data coordinates: d(x) = d_std((x - shift) / scale)."""

    def __init__(self, network: nn.Module, shift: torch.Tensor, scale: torch.Tensor):
        super().__init__()
        self.network = network
        self.register_buffer("shift", shift.detach().clone())
        self.register_buffer("scale", scale.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network((x - self.shift) / self.scale)
