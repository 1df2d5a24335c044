"""The target-distribution contract and the distribution families targets are made of.

A target draws seeded samples (`sample(n, generator)`, on the generator's device), exposes its
exact density where one exists (`density(x)` on numpy points, needed for the optimal
discriminator and divergences), and, for mixtures, its modes and σ (for the mode metrics).
`sample_numpy(n, rng)` draws from the same distribution with numpy, for pictures (the gallery's
thumbnails, the canvas before training starts) in a process without torch: the app's window
imports targets but never torch, which is imported only where torch samples are drawn.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class ViewBox:
    """The region of data space the views show: per-axis lower and upper bounds."""

    low: tuple[float, ...]
    high: tuple[float, ...]

    @property
    def dim(self) -> int:
        return len(self.low)


class Target(ABC):
    """A distribution to learn."""

    name: str
    description: str
    dim: int
    view_box: ViewBox
    #: centres of the mixture components the mode metrics count, shape (modes, dim), or None
    modes: np.ndarray | None = None
    #: standard deviation of each mode (isotropic), or None
    mode_std: float | None = None
    #: what a sample is: "points" (a vector of `dim` numbers) or "images" (see image_targets)
    data_kind: str = "points"
    #: classes of a labelled target (0: unlabelled) and their names
    num_classes: int = 0
    class_names: tuple[str, ...] = ()

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of one sample: (dim,) for points."""
        return (self.dim,)

    def training_scale(self, standardize: bool) -> tuple[np.ndarray, np.ndarray]:
        """(shift, scale) of the map x = shift + scale · network output: the `moments` when
        the run standardises its data, else the identity."""
        if standardize:
            return self.moments()
        return np.zeros(self.dim), np.ones(self.dim)

    @abstractmethod
    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """n samples, float32 of shape (n, dim), on the generator's device."""

    @abstractmethod
    def sample_numpy(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n samples of the same distribution drawn with numpy, shape (n, dim) (for pictures:
        the numbers differ from `sample`'s for any seed)."""

    def density(self, x: np.ndarray) -> np.ndarray | None:
        """Exact density p(x) at points x of shape (m, dim), or None if it has none."""
        return None

    @property
    def has_density(self) -> bool:
        return self.density(np.zeros((1, self.dim))) is not None

    def moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-axis mean and one common scale √(mean per-axis variance), floored at 1e-3, of a
        large fixed sample. One scale for every axis keeps shapes (and Lipschitz constraints)
        isotropic, and a flat target such as the segment does not collapse its thin axis."""
        if not hasattr(self, "_moments"):
            import torch

            generator = torch.Generator().manual_seed(12345)
            x = self.sample(100_000, generator).double().numpy()
            scale = max(float(np.sqrt(x.var(axis=0).mean())), 1e-3)
            self._moments = (x.mean(axis=0), np.full(self.dim, scale))
        return self._moments


def _uniform(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
    import torch

    return torch.rand(n, dim, generator=generator, device=generator.device)


class GaussianMixture(Target):
    """Equal-weight isotropic Gaussians: p(x) = (1/K) Σ_k N(x; μ_k, σ² I).

    Curves (spirals, moons, circles) are mixtures of many Gaussians placed densely along the
    curve, so their density is exact too; they set `count_modes=False`.
    """

    def __init__(self, name, description, centres, sigma, view_box, count_modes=True):
        self.name, self.description = name, description
        self.centres = np.asarray(centres, dtype=np.float64)
        self.dim = self.centres.shape[1]
        self.sigma = float(sigma)
        self.view_box = view_box
        if count_modes:
            self.modes, self.mode_std = self.centres, self.sigma
        self._centres_by_device: dict[torch.device, torch.Tensor] = {}

    def sample(self, n, generator):
        import torch

        device = generator.device
        if device not in self._centres_by_device:
            self._centres_by_device[device] = torch.tensor(
                self.centres, dtype=torch.float32, device=device
            )
        centres = self._centres_by_device[device]
        index = torch.randint(len(centres), (n,), generator=generator, device=device)
        noise = torch.randn(n, self.dim, generator=generator, device=device)
        return centres[index] + self.sigma * noise

    def sample_numpy(self, n, rng):
        index = rng.integers(len(self.centres), size=n)
        return self.centres[index] + self.sigma * rng.standard_normal((n, self.dim))

    def density(self, x):
        from ganlab.core.scipy_parts import distances  # here: the window (no densities) skips scipy

        x = np.asarray(x, dtype=np.float64)
        norm = (2 * math.pi * self.sigma**2) ** (-self.dim / 2) / len(self.centres)
        total = np.zeros(len(x))
        for start in range(0, len(self.centres), 256):  # bounded memory: (m, 256) at a time
            sq = distances(x, self.centres[start : start + 256], squared=True)
            total += np.exp(-0.5 * sq / self.sigma**2).sum(axis=1)
        return norm * total


class UniformBox(Target):
    """Uniform on an axis-aligned box: p(x) = 1 / volume inside, 0 outside."""

    def __init__(self, name, description, low, high, view_box):
        self.name, self.description = name, description
        self.low = np.asarray(low, dtype=np.float64)
        self.high = np.asarray(high, dtype=np.float64)
        self.dim = len(self.low)
        self.view_box = view_box

    def sample(self, n, generator):
        import torch

        low = torch.tensor(self.low, dtype=torch.float32, device=generator.device)
        span = torch.tensor(self.high - self.low, dtype=torch.float32, device=generator.device)
        return low + span * _uniform(n, self.dim, generator)

    def sample_numpy(self, n, rng):
        return self.low + (self.high - self.low) * rng.random((n, self.dim))

    def density(self, x):
        inside = np.all((x >= self.low) & (x <= self.high), axis=1)
        return inside / np.prod(self.high - self.low)


class Checkerboard(Target):
    """Uniform on the dark squares of a 4×4 board on [-2, 2]² (8 squares of area 1)."""

    def __init__(self):
        self.name = "checkerboard"
        self.description = "Uniform on the 8 dark squares of a 4×4 checkerboard on [-2, 2]²"
        self.dim = 2
        self.view_box = ViewBox((-2.5, -2.5), (2.5, 2.5))

    def sample(self, n, generator):
        import torch

        u = _uniform(n, 2, generator) * 4 - 2  # uniform on the board
        col = torch.floor(u[:, 0] + 2)
        row = torch.floor(u[:, 1] + 2)
        light = (col + row) % 2 == 1
        # pair columns 0↔1 and 2↔3: a light square moves to its dark neighbour in the same row
        step = torch.where(col % 2 == 0, 1.0, -1.0)
        u[:, 0] = torch.where(light, u[:, 0] + step, u[:, 0])
        return u

    def sample_numpy(self, n, rng):
        u = rng.random((n, 2)) * 4 - 2
        col, row = np.floor(u[:, 0] + 2), np.floor(u[:, 1] + 2)
        light = (col + row) % 2 == 1
        u[:, 0] = np.where(light, u[:, 0] + np.where(col % 2 == 0, 1.0, -1.0), u[:, 0])
        return u

    def density(self, x):
        inside = np.all(np.abs(x) <= 2, axis=1)
        dark = (np.floor(x[:, 0] + 2) + np.floor(x[:, 1] + 2)) % 2 == 0
        return (inside & dark) / 8.0


class VerticalSegment(Target):
    """Uniform on the segment {x = 0, y ∈ [0, 1]}: zero area, so no density (theory §5)."""

    def __init__(self):
        self.name = "segment"
        self.description = (
            "The segment x = 0, y ∈ [0, 1] of theory §5: JS is flat (log 2) until G lands on it"
        )
        self.dim = 2
        self.view_box = ViewBox((-1.5, -0.5), (1.5, 1.5))

    def sample(self, n, generator):
        import torch

        y = _uniform(n, 1, generator)
        return torch.cat([torch.zeros_like(y), y], dim=1)

    def sample_numpy(self, n, rng):
        return np.concatenate([np.zeros((n, 1)), rng.random((n, 1))], axis=1)


class Exponential1D(Target):
    """p(x) = rate · exp(-rate x) for x ≥ 0."""

    def __init__(self, rate: float = 1.0):
        self.name = "exponential"
        self.description = "Exponential with rate 1: p(x) = e^(-x) for x ≥ 0"
        self.dim = 1
        self.rate = rate
        self.view_box = ViewBox((-1.0,), (6.0,))

    def sample(self, n, generator):
        import torch

        u = _uniform(n, 1, generator)
        return -torch.log1p(-u) / self.rate

    def sample_numpy(self, n, rng):
        return rng.exponential(1 / self.rate, size=(n, 1))

    def density(self, x):
        x = x[:, 0]
        return np.where(x >= 0, self.rate * np.exp(-self.rate * np.maximum(x, 0)), 0.0)


class SquaredUniform1D(Target):
    """X = U² with U ~ Uniform[0, 1]: the pushforward of theory §1, p(x) = 1 / (2√x) on (0, 1]."""

    def __init__(self):
        self.name = "squared-uniform"
        self.description = "X = U², U ~ Uniform[0, 1]: density 1/(2√x) on (0, 1] (theory §1)"
        self.dim = 1
        self.view_box = ViewBox((-0.25,), (1.25,))

    def sample(self, n, generator):
        return _uniform(n, 1, generator) ** 2

    def sample_numpy(self, n, rng):
        return rng.random((n, 1)) ** 2

    def density(self, x):
        x = x[:, 0]
        inside = (x > 0) & (x <= 1)
        return np.where(inside, 0.5 / np.sqrt(np.where(inside, x, 1.0)), 0.0)
