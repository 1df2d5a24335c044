"""How class labels enter the image networks (conditional GANs, theory §7).

- Generator (Mirza & Osindero 2014): a learned embedding e(y) ∈ R^latent_dim is concatenated
  to z, so G(z, y) = body([z ; e(y)]).
- Discriminator, "concat": y joins the input, d(x, y) = body([x ; m(y)]). For convolutions m(y)
  is a learned embedding shaped as one extra h×w input channel; for fully connected bodies it is
  one_hot(y) appended to the flattened image (the first layer's weights embed it).
- Discriminator, "projection" (Miyato & Koyama 2018): with features φ(x) ∈ R^F,
  d(x, y) = ψ(φ(x)) + ⟨v(y), φ(x)⟩, ψ linear, v(y) a learned class embedding.

Labels are integer tensors (used as int64) of shape (n,) with values in [0, num_classes).
"""

from __future__ import annotations

import math

import torch
from torch import nn

CONDITIONINGS = ("concat", "projection")


def _is_traced() -> bool:
    """True while exporting or compiling: data-dependent checks must stay out of the graph."""
    return (
        torch.jit.is_tracing()
        or torch.compiler.is_compiling()
        or torch.compiler.is_exporting()
        or torch.onnx.is_in_onnx_export()
    )


def check_labels(labels: torch.Tensor | None, n: int, num_classes: int) -> None:
    """Raise ValueError unless ``labels`` fit a network with ``num_classes`` (0: unconditional).

    Presence and dtype are always checked; shape too, except while tracing or exporting. The
    value range is checked for CPU tensors only: on an accelerator it would cost a device sync
    per forward; there an out-of-range label fails inside the embedding instead.
    """
    if num_classes == 0:
        if labels is not None:
            raise ValueError("this network is unconditional (num_classes=0): pass labels=None")
        return
    if labels is None:
        raise ValueError(
            f"this network is conditional on {num_classes} classes: pass labels of shape (n,)"
        )
    if labels.dtype not in (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8):
        raise ValueError(f"labels must be an integer tensor, got dtype {labels.dtype}")
    if _is_traced():  # the checks below would be baked into the graph as constants
        return
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got {tuple(labels.shape)}")
    if labels.device.type == "cpu" and n > 0:
        low, high = int(labels.min()), int(labels.max())
        if low < 0 or high >= num_classes:
            raise ValueError(
                f"labels must lie in [0, {num_classes}), got values in [{low}, {high}]"
            )


class LabelChannel(nn.Module):
    """(x (n, c, h, w), y (n,)) → (n, c + 1, h, w): a learned h×w map per class, stacked on x."""

    def __init__(self, num_classes: int, height: int, width: int):
        super().__init__()
        self.height, self.width = height, width
        self.embedding = nn.Embedding(num_classes, height * width)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        label_map = self.embedding(labels.long()).view(-1, 1, self.height, self.width)
        return torch.cat([x, label_map], dim=1)


class OneHotInput(nn.Module):
    """(x (n, ...), y (n,)) → (n, prod(...) + num_classes): flattened x with one_hot(y) appended.

    For a fully connected first layer this is as expressive as any learned label embedding
    (the layer's weights on the one-hot *are* a per-class embedding) and costs num_classes
    inputs instead of h·w.
    """

    def __init__(self, num_classes: int):
        super().__init__()
        self.num_classes = num_classes

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        one_hot = nn.functional.one_hot(labels.long(), self.num_classes).to(x.dtype)
        return torch.cat([x.flatten(1), one_hot], dim=1)


class ProjectionHead(nn.Module):
    """Features φ (n, F) and labels → logits (n,): ψ(φ) + ⟨v(y), φ⟩ (Miyato & Koyama 2018).

    With ``num_classes == 0`` only ψ(φ) is used. v starts uniform in ±1/√F, the same scale as
    ψ's weights, so neither term dominates at initialisation.
    """

    def __init__(self, features: int, num_classes: int):
        super().__init__()
        self.linear = nn.Linear(features, 1)  # ψ
        self.class_embedding = nn.Embedding(num_classes, features) if num_classes else None  # v
        if self.class_embedding is not None:
            bound = 1 / math.sqrt(features)
            nn.init.uniform_(self.class_embedding.weight, -bound, bound)

    def forward(self, features: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        logits = self.linear(features).squeeze(-1)
        if self.class_embedding is not None and labels is not None:
            logits = logits + (self.class_embedding(labels.long()) * features).sum(dim=-1)
        return logits
