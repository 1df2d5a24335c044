"""Generator and discriminator networks, the latent sampler, and data-space wrappers.

Networks work in *standardised* coordinates (data minus its mean, divided by its std) when the
run standardises; `DataSpaceGenerator` and `DataSpaceCritic` put the affine map around them so
that everything outside the trainer (views, metrics, exported generators) sees data coordinates.
"""

from __future__ import annotations

import torch
from torch import nn

from ganlab.core.activations import ACTIVATION_LAYERS
from ganlab.core.config import ConfigError, ModelConfig, NetworkConfig


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


def build_networks(target, model: ModelConfig) -> tuple[nn.Module, nn.Module, str, int]:
    """(generator, discriminator, architecture, classes) for a target's kind of data.

    Points get MLPs; images a DCGAN (or image MLPs with `architecture="mlp"`), see
    `image_nets`. A conditional model (classes > 0) takes labels: `G(z, y)`, `D(x, y)`.
    A setting the data cannot have (DCGAN on points, a conditional model on unlabelled
    data) raises ConfigError."""
    architecture = model.architecture
    if model.conditional and target.num_classes == 0:
        raise ConfigError(f"model.conditional needs a labelled target; {target.name} has no "
                          "labels")
    classes = target.num_classes if model.conditional else 0
    if target.data_kind == "points":
        if architecture == "dcgan":
            raise ConfigError("model.architecture dcgan is for images; points use mlp")
        if classes:
            raise ConfigError("model.conditional is for labelled images")
        return (build_generator(target.dim, model), build_discriminator(target.dim, model),
                "mlp", 0)
    from ganlab.core.image_nets import build_image_discriminator, build_image_generator

    architecture = "dcgan" if architecture == "auto" else architecture
    g, d = model.generator, model.discriminator
    generator = build_image_generator(
        model.latent_dim, target.shape, architecture, g.width, classes, g.hidden_layers,
        g.activation)
    discriminator = build_image_discriminator(
        target.shape, architecture, d.width, classes, model.conditioning, d.hidden_layers,
        d.activation)
    return generator, discriminator, architecture, classes


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

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        out = self.network(z) if labels is None else self.network(z, labels)
        return self.shift + self.scale * out


class DataSpaceCritic(nn.Module):
    """d in data coordinates: d(x) = d_std((x - shift) / scale)."""

    def __init__(self, network: nn.Module, shift: torch.Tensor, scale: torch.Tensor):
        super().__init__()
        self.network = network
        self.register_buffer("shift", shift.detach().clone())
        self.register_buffer("scale", scale.detach().clone())

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        x = (x - self.shift) / self.scale
        return self.network(x) if labels is None else self.network(x, labels)
