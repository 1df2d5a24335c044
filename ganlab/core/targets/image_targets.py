"""Image targets: the empirical distribution of a set of small (optionally labelled) images.

An `ImageTarget` holds one `ImageData` (values in [0, 1], shape (n, c, h, w)) and draws seeded
batches of images — with their labels, `sample_labelled`, for conditional training — on the
generator's device. Its data kind is "images": the trainer builds image networks for it, maps
[0, 1] to the networks' [−1, 1] (tanh) range, and the views show grids instead of a plane.

The named image targets (`IMAGE_TARGETS`) are made in code or ship with an installed package:
scikit-learn's handwritten digits at 8, 16 or 32 pixels and the synthetic families of
`ganlab.core.images.synthetic` at any side from 8 to 64. Nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ganlab.core.images import DIGIT_RESOLUTIONS, SYNTHETIC_FAMILIES, ImageData, digits, synthetic
from ganlab.core.targets.base import Target, ViewBox

if TYPE_CHECKING:  # imported where torch samples are drawn: the app's window runs without it
    import torch

SYNTHETIC_IMAGES = 4000  # images drawn for a synthetic family (fixed seed: the same every run)
SYNTHETIC_SEED = 0

#: name → (one-line description, ImageData for a side in pixels)
IMAGE_TARGETS: dict[str, tuple[str, Callable[[int], ImageData]]] = {
    "digits": ("scikit-learn's 1,797 handwritten digits, 10 classes (8, 16 or 32 pixels)",
               lambda side: digits(_digit_side(side))),
    **{
        name: (f"{description} (made in code, {SYNTHETIC_IMAGES:,} images)",
               lambda side, name=name: synthetic(name, side, SYNTHETIC_IMAGES, SYNTHETIC_SEED))
        for name, description in SYNTHETIC_FAMILIES.items()
    },
}


def _digit_side(side: int) -> int:
    if side not in DIGIT_RESOLUTIONS:
        allowed = ", ".join(map(str, DIGIT_RESOLUTIONS))
        raise ValueError(f"the digits come at {allowed} pixels, not {side}")
    return side


def image_target(name: str, side: int) -> ImageTarget:
    """The named image target at `side` × `side` pixels."""
    _, make = IMAGE_TARGETS[name]
    return ImageTarget(make(side), name=name)


class ImageTarget(Target):
    """Uniform over a fixed set of images (and, when labelled, their labels)."""

    data_kind = "images"

    def __init__(self, data: ImageData, name: str | None = None):
        self.data = data
        self.name = name or data.name
        self.description = data.description
        self.dim = int(np.prod(data.shape))
        self.num_classes = data.num_classes if data.labelled else 0
        self.class_names = tuple(data.class_names)
        self.view_box = ViewBox((0.0,), (1.0,))  # the range of a pixel
        self._by_device: dict[torch.device, tuple[torch.Tensor, torch.Tensor | None]] = {}

    @property
    def shape(self) -> tuple[int, int, int]:
        """(channels, height, width)."""
        return self.data.shape

    def __len__(self) -> int:
        return len(self.data.images)

    def _tensors(self, device: torch.device) -> tuple[torch.Tensor, torch.Tensor | None]:
        import torch

        if device not in self._by_device:
            images = torch.from_numpy(np.array(self.data.images)).to(device)
            labels = None
            if self.data.labels is not None:
                labels = torch.from_numpy(np.array(self.data.labels)).to(device)
            self._by_device[device] = (images, labels)
        return self._by_device[device]

    def sample_labelled(self, n: int, generator: torch.Generator
                        ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """n images (n, c, h, w) in [0, 1] drawn with replacement, and their labels (or None)."""
        import torch

        images, labels = self._tensors(generator.device)
        index = torch.randint(len(images), (n,), generator=generator, device=generator.device)
        return images[index], (labels[index] if labels is not None else None)

    def sample(self, n, generator):
        import torch

        images, _ = self._tensors(generator.device)  # the same draw as sample_labelled's
        return images[torch.randint(len(images), (n,), generator=generator,
                                    device=generator.device)]

    def sample_labels(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """n labels drawn from the data's own label frequencies (for generated batches)."""
        import torch

        _, labels = self._tensors(generator.device)
        if labels is None:
            raise ValueError(f"{self.name} has no labels")
        index = torch.randint(len(labels), (n,), generator=generator, device=generator.device)
        return labels[index]

    def sample_numpy(self, n, rng):
        return np.asarray(self.data.images)[rng.integers(len(self), size=n)]

    def training_scale(self, standardize: bool) -> tuple[np.ndarray, np.ndarray]:
        """Pixels map [0, 1] ↔ the networks' tanh range [−1, 1] whatever `standardize` says:
        x = 0.5 + 0.5 · network output."""
        return np.full(1, 0.5), np.full(1, 0.5)
