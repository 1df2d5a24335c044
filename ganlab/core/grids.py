"""Grids over a view box, and kernel density estimates on them: numpy, for the engine's fields
and for the app's window (which draws 1D densities itself and never imports torch).

A 2D field has shape (resolution, resolution) indexed [ix, iy]; a 1D field, (resolution,).
"""

from __future__ import annotations

import numpy as np

from ganlab.core.targets.base import ViewBox

KERNEL_CELLS = 1.5  # default kernel bandwidth h, in grid cells of the field's resolution


def grid_axes(box: ViewBox, resolution: int) -> list[np.ndarray]:
    """Cell centres along each axis of the box."""
    return [
        low + (np.arange(resolution) + 0.5) * (high - low) / resolution
        for low, high in zip(box.low, box.high, strict=True)
    ]


def grid_points(box: ViewBox, resolution: int) -> np.ndarray:
    """All cell centres, shape (resolution**dim, dim), ordered so that reshape gives [ix, iy]."""
    axes = grid_axes(box, resolution)
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


def cell_volume(box: ViewBox, resolution: int) -> float:
    return float(np.prod([(h - lo) / resolution for lo, h in zip(box.low, box.high, strict=True)]))


def kernel_bandwidth(box: ViewBox, resolution: int, cells: float = KERNEL_CELLS) -> np.ndarray:
    """h per axis: `cells` grid cells."""
    return cells * (np.asarray(box.high) - np.asarray(box.low)) / resolution


def kde_on_grid(samples: np.ndarray, box: ViewBox, resolution: int, bandwidth) -> np.ndarray:
    """Gaussian KDE p̂(x) = (1/n) Σ_i Π_axes N(x_a; s_ia, h_a²) at the grid's cell centres.

    The kernel is a product over axes, so the 2D sum is one (nx, n) @ (n, ny) matrix product.
    """
    samples = np.asarray(samples, dtype=np.float64)
    bandwidth = np.broadcast_to(np.asarray(bandwidth, dtype=np.float64), (samples.shape[1],))
    factors = []
    for axis, centres in enumerate(grid_axes(box, resolution)):
        u = (centres[:, None] - samples[None, :, axis]) / bandwidth[axis]  # (cells, n)
        factors.append(np.exp(-0.5 * u * u) / (np.sqrt(2 * np.pi) * bandwidth[axis]))
    if len(factors) == 1:
        return factors[0].mean(axis=1)
    # the product through torch, on torch's thread setting: numpy's BLAS pool would wake
    # several threads for this ~1 ms product and can take 30 times longer next to training
    import torch

    product = torch.from_numpy(factors[0]) @ torch.from_numpy(factors[1]).T
    return product.numpy() / len(samples)
