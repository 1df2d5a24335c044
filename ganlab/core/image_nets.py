"""Generators and discriminators for small images (theory §7), unconditional or conditional.

Images are (n, channels, height, width) tensors in [-1, 1], with channels ∈ {1, 3} and square
sizes 8, 16, 32 or 64. Two architectures:

- "dcgan" (Radford et al. 2016). G: [z ; e(y)] → Linear → (width·2^(k-1), 4, 4) → BN → ReLU,
  then k transposed convolutions (kernel 4, stride 2, padding 1) that double the size and halve
  the channels, BN + ReLU after each but the last, which maps to the image channels; tanh.
  k = log2(size / 4), so the last hidden layer has ``width`` channels. D mirrors it: strided
  convolutions (kernel 4, stride 2, padding 1) from ``width`` channels, doubling, down to 4×4,
  LeakyReLU(0.2), then flatten → one logit. Weights start N(0, 0.02) (``init_dcgan_weights``).
- "mlp": flatten → ``hidden_layers`` × (Linear(width) → activation) → out; G reshapes its
  output to (c, h, w) after a tanh. Torch's default initialisation.

The DCGAN layers that touch the image itself (G's last transposed convolution, to 1 or 3
channels, and D's first convolution, from them) are `ImageConvTranspose2d` / `ImageConv2d`:
the same parameters and outputs as `nn.ConvTranspose2d` / `nn.Conv2d`, computed on the CPU as
one matrix product and a col2im (`F.fold`) / an im2col (`F.unfold`) and one matrix product,
which oneDNN's kernels for so few channels are not: 2-4× faster there (measured, one thread).

The discriminator has *no batch norm*, in either architecture, so a caller may forward real and
fake samples as one batch: each sample's logit depends on that sample alone.

Conditioning (``num_classes > 0``) is described in ``ganlab.core.conditioning``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.core.activations import ACTIVATION_LAYERS
from ganlab.core.conditioning import (
    CONDITIONINGS,
    LabelChannel,
    OneHotInput,
    ProjectionHead,
    check_labels,
)

ARCHITECTURES = ("dcgan", "mlp")
IMAGE_SIZES = (8, 16, 32, 64)
IMAGE_CHANNELS = (1, 3)



# ---------------------------------------------------------------------------- validation
def _check_shape(shape: tuple[int, int, int]) -> tuple[int, int, int]:
    try:
        channels, height, width = (int(s) for s in shape)
    except (TypeError, ValueError):
        raise ValueError(f"image shape must be (channels, height, width), got {shape!r}") from None
    if channels not in IMAGE_CHANNELS:
        raise ValueError(f"image channels must be one of {IMAGE_CHANNELS}, got {channels}")
    if height != width or height not in IMAGE_SIZES:
        raise ValueError(
            f"images must be square with size in {IMAGE_SIZES}, got {height}×{width}"
        )
    return channels, height, width


def _check_options(architecture: str, width: int, num_classes: int, hidden_layers: int,
                   activation: str) -> None:
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}")
    if activation not in ACTIVATION_LAYERS:
        raise ValueError(
            f"activation must be one of {tuple(ACTIVATION_LAYERS)}, got {activation!r}")
    if width < 1 or num_classes < 0 or hidden_layers < 0:
        raise ValueError(
            f"need width ≥ 1, num_classes ≥ 0, hidden_layers ≥ 0; "
            f"got {width}, {num_classes}, {hidden_layers}"
        )


def _upsamplings(size: int) -> int:
    """k with 4·2^k = size: the number of ×2 steps between 4×4 and the image."""
    return round(math.log2(size // 4))


# ---------------------------------------------------------------------------- image layers
def _as_matrix_product(x: torch.Tensor) -> bool:
    """Whether to compute a layer as a matrix product: on the CPU, not while exporting."""
    return x.device.type == "cpu" and not (torch.onnx.is_in_onnx_export()
                                           or torch.jit.is_tracing()
                                           or torch.compiler.is_compiling())


class ImageConvTranspose2d(nn.ConvTranspose2d):
    """`nn.ConvTranspose2d` (no output padding, dilation 1, one group) computed as
    y = fold(Wᵀ x) + b: W (c_in, c_out·k·k) maps each input pixel's channels to its k×k patch of
    the output, and `F.fold` adds the overlapping patches (col2im) at stride s, padding p."""

    def forward(self, x: torch.Tensor, output_size=None) -> torch.Tensor:
        if output_size is not None or not _as_matrix_product(x):
            return super().forward(x, output_size)
        (k, _), (s, _), (p, _) = self.kernel_size, self.stride, self.padding
        h, w = x.shape[-2:]
        columns = torch.matmul(self.weight.flatten(1).t(), x.flatten(2))  # (n, c_out·k·k, h·w)
        size = ((h - 1) * s - 2 * p + k, (w - 1) * s - 2 * p + k)
        y = F.fold(columns, size, k, padding=p, stride=s)
        return y if self.bias is None else y + self.bias.view(1, -1, 1, 1)


class ImageConv2d(nn.Conv2d):
    """`nn.Conv2d` (dilation 1, one group, zero padding) computed as y = W unfold(x) + b:
    `F.unfold` lays each k×k patch of x's c_in channels out as a column (im2col), W is
    (c_out, c_in·k·k)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not _as_matrix_product(x):
            return super().forward(x)
        (k, _), (s, _), (p, _) = self.kernel_size, self.stride, self.padding
        n, _, h, w = x.shape
        columns = F.unfold(x, k, padding=p, stride=s)  # (n, c_in·k·k, h_out·w_out)
        y = torch.matmul(self.weight.flatten(1), columns)
        if self.bias is not None:
            y = y + self.bias.view(1, -1, 1)
        return y.view(n, self.out_channels, (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1)


# ---------------------------------------------------------------------------- bodies
def _dcgan_generator_body(in_dim: int, shape: tuple[int, int, int], width: int,
                          activation: str) -> nn.Sequential:
    channels, size, _ = shape
    k = _upsamplings(size)
    hidden = width * 2 ** (k - 1)  # channels at 4×4, halved at each upsampling
    act = ACTIVATION_LAYERS[activation]
    layers: list[nn.Module] = [
        nn.Linear(in_dim, hidden * 4 * 4, bias=False),  # BN follows: a bias would cancel
        nn.Unflatten(1, (hidden, 4, 4)),
        nn.BatchNorm2d(hidden),
        act(),
    ]
    for _ in range(k - 1):
        layers += [
            nn.ConvTranspose2d(hidden, hidden // 2, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(hidden // 2),
            act(),
        ]
        hidden //= 2
    layers += [ImageConvTranspose2d(hidden, channels, 4, stride=2, padding=1), nn.Tanh()]
    return nn.Sequential(*layers)


def _dcgan_features(in_channels: int, size: int, width: int, activation: str
                    ) -> tuple[nn.Sequential, int]:
    """(n, in_channels, size, size) → φ (n, F): strided convolutions down to 4×4, flattened."""
    act = ACTIVATION_LAYERS[activation]
    layers: list[nn.Module] = []
    channels, hidden = in_channels, width
    for index in range(_upsamplings(size)):
        conv = ImageConv2d if index == 0 else nn.Conv2d  # the first sees the image itself
        layers += [conv(channels, hidden, 4, stride=2, padding=1), act()]
        channels, hidden = hidden, hidden * 2
    layers.append(nn.Flatten())
    return nn.Sequential(*layers), channels * 4 * 4


def _mlp_layers(in_dim: int, width: int, hidden_layers: int, activation: str
                ) -> tuple[list[nn.Module], int]:
    layers: list[nn.Module] = []
    for _ in range(hidden_layers):
        layers += [nn.Linear(in_dim, width), ACTIVATION_LAYERS[activation]()]
        in_dim = width
    return layers, in_dim


# ---------------------------------------------------------------------------- networks
class ImageGenerator(nn.Module):
    """G(z, y): z (n, latent_dim) [+ labels (n,)] → images (n, c, h, w) in [-1, 1]."""

    def __init__(self, latent_dim: int, shape: tuple[int, int, int], architecture: str,
                 num_classes: int, body: nn.Module):
        super().__init__()
        self.latent_dim, self.shape = latent_dim, shape
        self.architecture, self.num_classes = architecture, num_classes
        # e(y): concatenated to z, same size (a learned "second latent" per class)
        self.label_embedding = nn.Embedding(num_classes, latent_dim) if num_classes else None
        self.body = body

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        check_labels(labels, z.shape[0], self.num_classes)
        if self.label_embedding is not None:
            z = torch.cat([z, self.label_embedding(labels.long())], dim=1)
        return self.body(z)


class ImageDiscriminator(nn.Module):
    """d(x, y): images (n, c, h, w) [+ labels (n,)] → logits (n,). No batch norm (see module)."""

    def __init__(self, shape: tuple[int, int, int], architecture: str, num_classes: int,
                 conditioning: str, label_input: nn.Module | None, features: nn.Module,
                 feature_dim: int):
        super().__init__()
        self.shape, self.architecture = shape, architecture
        self.num_classes, self.conditioning = num_classes, conditioning
        self.label_input = label_input  # "concat": (x, y) → the input features sees
        self.features = features  # φ
        projected = num_classes if conditioning == "projection" else 0
        self.head = ProjectionHead(feature_dim, projected)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        check_labels(labels, x.shape[0], self.num_classes)
        if self.label_input is not None:
            x = self.label_input(x, labels)
        return self.head(self.features(x), labels)


# ---------------------------------------------------------------------------- builders
def build_image_generator(latent_dim: int, shape: tuple[int, int, int],
                          architecture: str = "dcgan", width: int = 64, num_classes: int = 0,
                          hidden_layers: int = 2, activation: str = "relu") -> ImageGenerator:
    """G: forward(z (n, latent_dim), labels (n,) int | None) → (n, c, h, w) in [-1, 1].

    ``width``: channels of the last hidden feature map ("dcgan") or units per hidden layer
    ("mlp"). ``hidden_layers`` applies to "mlp" only; DCGAN depth follows the image size.
    ``activation`` is the hidden non-linearity (DCGAN's rule: ReLU in G). ``num_classes`` 0
    means unconditional (labels must be None); otherwise labels are required. Raises
    ValueError for a shape or option outside the allowed values, naming them.
    """
    shape = _check_shape(shape)
    _check_options(architecture, width, num_classes, hidden_layers, activation)
    if latent_dim < 1:
        raise ValueError(f"latent_dim must be ≥ 1, got {latent_dim}")
    in_dim = latent_dim * (2 if num_classes else 1)
    if architecture == "dcgan":
        body = _dcgan_generator_body(in_dim, shape, width, activation)
    else:
        layers, last = _mlp_layers(in_dim, width, hidden_layers, activation)
        body = nn.Sequential(*layers, nn.Linear(last, math.prod(shape)), nn.Tanh(),
                             nn.Unflatten(1, shape))
    generator = ImageGenerator(latent_dim, shape, architecture, num_classes, body)
    if architecture == "dcgan":
        init_dcgan_weights(generator)
    return generator


def build_image_discriminator(shape: tuple[int, int, int], architecture: str = "dcgan",
                              width: int = 64, num_classes: int = 0, conditioning: str = "concat",
                              hidden_layers: int = 2, activation: str = "leaky_relu"
                              ) -> ImageDiscriminator:
    """D: forward(x (n, c, h, w), labels (n,) int | None) → logits (n,).

    ``width``: channels of the first convolution, doubled at each halving ("dcgan"), or units
    per hidden layer ("mlp"; ``hidden_layers`` applies to "mlp" only). ``activation``: the
    hidden non-linearity (DCGAN's rule: LeakyReLU(0.2) in D). ``conditioning`` ("concat" or
    "projection") matters only when ``num_classes > 0``. No batch norm: real and fake samples
    may share one forward. Raises ValueError for values outside the allowed ones.
    """
    shape = _check_shape(shape)
    _check_options(architecture, width, num_classes, hidden_layers, activation)
    if conditioning not in CONDITIONINGS:
        raise ValueError(f"conditioning must be one of {CONDITIONINGS}, got {conditioning!r}")
    channels, size, _ = shape
    concat = num_classes > 0 and conditioning == "concat"
    if architecture == "dcgan":
        label_input = LabelChannel(num_classes, size, size) if concat else None
        features, feature_dim = _dcgan_features(channels + int(concat), size, width, activation)
    else:
        label_input = OneHotInput(num_classes) if concat else None
        in_dim = channels * size * size + (num_classes if concat else 0)
        layers, feature_dim = _mlp_layers(in_dim, width, hidden_layers, activation)
        features = nn.Sequential(nn.Flatten(), *layers)  # Flatten: a no-op after OneHotInput
    discriminator = ImageDiscriminator(shape, architecture, num_classes, conditioning,
                                       label_input, features, feature_dim)
    if architecture == "dcgan":
        init_dcgan_weights(discriminator)
    return discriminator


@torch.no_grad()
def init_dcgan_weights(module: nn.Module) -> None:
    """DCGAN init: conv, transposed-conv and linear weights ~ N(0, 0.02), their biases 0;
    batch-norm scale ~ N(1, 0.02), shift 0. Embeddings are left as they are."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
