"""The named targets: 2D mixtures and shapes, and 1D densities.

`ring8` and `grid25` follow the PacGAN benchmark exactly so results compare with its table.
Shapes drawn along curves are dense Gaussian mixtures (see `GaussianMixture`), so every target
here except the segment has an exact density.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ganlab.core.targets.base import (
    Checkerboard,
    Exponential1D,
    GaussianMixture,
    SquaredUniform1D,
    Target,
    UniformBox,
    VerticalSegment,
    ViewBox,
)

CURVE_POINTS = 720  # Gaussians per curve-shaped target: dense enough to look continuous


def _square(half: float) -> ViewBox:
    return ViewBox((-half, -half), (half, half))


def _circle(count: int, radius: float) -> np.ndarray:
    angle = 2 * math.pi * np.arange(count) / count
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def ring8() -> Target:
    return GaussianMixture(
        "ring8", "8 Gaussians on a circle of radius 1, σ = 0.01 (PacGAN's ring)",
        _circle(8, 1.0), 0.01, _square(1.5),
    )


def grid25() -> Target:
    axis = np.arange(-4.0, 5.0, 2.0)
    centres = np.array([(x, y) for x in axis for y in axis])
    return GaussianMixture(
        "grid25", "25 Gaussians on the grid {-4, -2, 0, 2, 4}², σ = 0.05 (PacGAN's grid)",
        centres, 0.05, _square(5.5),
    )


def ring8_wide() -> Target:
    scale = 1 / math.sqrt(2)
    return GaussianMixture(
        "ring8-wide", "8 Gaussians on a circle of radius 2/√2, σ = 0.02/√2 (WGAN-GP's toy ring)",
        _circle(8, 2 * scale), 0.02 * scale, _square(2.0),
    )


def spiral() -> Target:
    t = np.linspace(0.0, 1.0, CURVE_POINTS // 2)
    radius = 0.25 + 1.75 * t
    angle = 3 * math.pi * t
    arm = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return GaussianMixture(
        "spiral", "Two interleaved spiral arms, σ = 0.05",
        np.concatenate([arm, -arm]), 0.05, _square(2.5), count_modes=False,
    )


def swiss_roll() -> Target:
    t = np.linspace(1.5 * math.pi, 4.5 * math.pi, CURVE_POINTS)
    centres = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / 7.0
    return GaussianMixture(
        "swiss-roll", "The 2D swiss roll (t cos t, t sin t)/7 for t ∈ [1.5π, 4.5π], σ = 0.04",
        centres, 0.04, _square(2.5), count_modes=False,
    )


def two_moons() -> Target:
    t = np.linspace(0.0, math.pi, CURVE_POINTS // 2)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    centres = np.concatenate([upper, lower]) - np.array([0.5, 0.25])
    return GaussianMixture(
        "two-moons", "Two interleaving half circles, σ = 0.05",
        centres, 0.05, ViewBox((-2.0, -1.5), (2.0, 1.5)), count_modes=False,
    )


def circles() -> Target:
    centres = np.concatenate([_circle(CURVE_POINTS // 2, 1.0), _circle(CURVE_POINTS // 2, 0.5)])
    return GaussianMixture(
        "circles", "Two concentric circles of radius 1 and 0.5, σ = 0.03",
        centres, 0.03, _square(1.5), count_modes=False,
    )


def gaussian_2d() -> Target:
    return GaussianMixture(
        "gaussian", "A single Gaussian N((1, 1), 0.25² I): the easiest target",
        [[1.0, 1.0]], 0.25, _square(2.5),
    )


def square() -> Target:
    return UniformBox(
        "square", "Uniform on the square [-1, 1]²", (-1.0, -1.0), (1.0, 1.0), _square(1.5)
    )


def gaussian_1d() -> Target:
    return GaussianMixture(
        "gaussian-1d", "A Gaussian N(1, 0.5²) on the line", [[1.0]], 0.5, ViewBox((-2.0,), (4.0,))
    )


def bimodal_1d() -> Target:
    return GaussianMixture(
        "bimodal-1d", "Equal mixture of N(-2, 0.5²) and N(2, 0.5²) on the line",
        [[-2.0], [2.0]], 0.5, ViewBox((-4.5,), (4.5,)),
    )


def uniform_1d() -> Target:
    return UniformBox(
        "uniform-1d", "Uniform on [-1, 1]", (-1.0,), (1.0,), ViewBox((-1.75,), (1.75,))
    )


#: name → factory; factories build a fresh target (targets cache tensors per device)
TARGETS: dict[str, Callable[[], Target]] = {
    "ring8": ring8,
    "grid25": grid25,
    "ring8-wide": ring8_wide,
    "spiral": spiral,
    "swiss-roll": swiss_roll,
    "two-moons": two_moons,
    "circles": circles,
    "checkerboard": Checkerboard,
    "segment": VerticalSegment,
    "gaussian": gaussian_2d,
    "square": square,
    "gaussian-1d": gaussian_1d,
    "bimodal-1d": bimodal_1d,
    "uniform-1d": uniform_1d,
    "exponential": Exponential1D,
    "squared-uniform": SquaredUniform1D,
}
