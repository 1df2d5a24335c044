"""What the views draw, as numpy arrays: fields on a grid over the view box (the generator's
curves are `generator_curves`', level sets `contours`').

Grid conventions (`grids`): `grid_axes(box, resolution)` gives the cell centres of each axis;
a 2D field has shape (resolution, resolution) indexed [ix, iy] (x first, as pyqtgraph's
ImageItem expects by default), a 1D field shape (resolution,). Every function takes data
coordinates.

Densities are compared at a common resolution h (a Gaussian kernel): the model side is a kernel
density estimate of generated samples, p_g * k_h; the data side is the exact target density
smoothed by the same kernel, p_data * k_h (closed form for Gaussian mixtures, a KDE of many
real samples otherwise). D*_h = p_data*k_h / (p_data*k_h + p_g*k_h) is then ½ everywhere when
p_g = p_data, as theory §2 says, and tends to the exact D* as h → 0.

D* is drawn from `DENSITY_SAMPLES` generated points whose z is a fixed scrambled Sobol
(quasi-random) batch, not the 512 display points: a low-discrepancy z gives each region of
latent space (each mode of a good generator) very nearly its exact share of the points, so a
perfect generator's D* stays within ±0.05 of ½ where it is shown. It is shown only where the
kernel estimate rests on enough points (`effective_count` ≥ `MIN_EFFECTIVE_COUNT`); elsewhere
it is NaN (not drawn).
"""

from __future__ import annotations

import math
import threading

import numpy as np
import torch

from ganlab.core.grids import (  # noqa: F401  (the grids are read from here too)
    KERNEL_CELLS,
    cell_volume,
    grid_axes,
    grid_points,
    kde_on_grid,
    kernel_bandwidth,
)
from ganlab.core.objectives import rbf_kernel_mixture
from ganlab.core.targets import Target, ViewBox
from ganlab.core.targets.base import GaussianMixture

REFERENCE_SAMPLES = 20_000  # real samples behind p_data * k_h for targets without a mixture form
DENSITY_SAMPLES = 4096  # generated points behind D* (a fixed quasi-random z batch)
MIN_EFFECTIVE_COUNT = 30.0  # D* is shown where the kernel estimate rests on this many points

_smoothed_density_lock = threading.Lock()  # the worker and the metrics thread share the cache


def quasi_random_latent(n: int, latent_dim: int, distribution: str,
                        seed: int = 99) -> torch.Tensor:
    """n fixed low-discrepancy z: a scrambled Sobol sequence u ∈ (0, 1)^d mapped to U[-1, 1]^d
    (2u − 1) or to N(0, I) (Φ⁻¹(u)), float32 of shape (n, latent_dim)."""
    engine = torch.quasirandom.SobolEngine(latent_dim, scramble=True, seed=seed)
    u = engine.draw(n, dtype=torch.float64).clamp(1e-7, 1 - 1e-7)
    if distribution == "uniform":
        return (2 * u - 1).float()
    if distribution == "gaussian":
        return (math.sqrt(2) * torch.erfinv(2 * u - 1)).float()
    raise ValueError(f"unknown latent distribution {distribution!r}")


def outside_counts(points: np.ndarray, box: ViewBox) -> np.ndarray:
    """How many points lie below, inside and above the box along each axis: an int array of
    shape (3,) * dim, [i, j] with i = 0 for x < low, 1 inside, 2 for x > high (likewise j for
    y); [1, 1] (or [1] in 1D) are the points on screen. Non-finite points are not counted."""
    points = np.asarray(points, dtype=np.float64)
    finite = np.isfinite(points).all(axis=1)
    points = points[finite]
    low, high = np.asarray(box.low), np.asarray(box.high)
    side = (points >= low).astype(int) + (points > high).astype(int)  # 0, 1, 2 per axis
    counts = np.zeros((3,) * len(box.low), dtype=int)
    np.add.at(counts, tuple(side.T), 1)
    return counts


def density_on_grid(target: Target, box: ViewBox, resolution: int) -> np.ndarray | None:
    """The exact target density at the cell centres, or None if the target has none."""
    values = target.density(grid_points(box, resolution))
    return None if values is None else values.reshape((resolution,) * target.dim)


def smoothed_target_density(
    target: Target, box: ViewBox, resolution: int, bandwidth
) -> np.ndarray:
    """p_data * k_h on the grid: exact for Gaussian mixtures, else a KDE of many samples.

    Cached on the target (it never changes), so asking again for the same grid is free. The
    cache is shared by threads: it is read and filled under a lock."""
    bandwidth = np.broadcast_to(np.asarray(bandwidth, dtype=np.float64), (target.dim,))
    key = (box, resolution, tuple(bandwidth.tolist()))
    with _smoothed_density_lock:
        cache = target.__dict__.setdefault("_smoothed_density_cache", {})
        if key not in cache:
            cache[key] = _smoothed_density(target, box, resolution, bandwidth)
            if len(cache) > 8:
                cache.pop(next(iter(cache)))
        return cache[key]


def _smoothed_density(target: Target, box: ViewBox, resolution: int,
                      bandwidth: np.ndarray) -> np.ndarray:
    if isinstance(target, GaussianMixture) and np.allclose(bandwidth, bandwidth[0]):
        widened = GaussianMixture(
            target.name, "", target.centres, np.hypot(target.sigma, bandwidth[0]), box
        )
        return density_on_grid(widened, box, resolution)
    rng = torch.Generator().manual_seed(2024)
    real = target.sample(REFERENCE_SAMPLES, rng).double().numpy()
    return kde_on_grid(real, box, resolution, bandwidth)


def effective_count(samples: np.ndarray, box: ViewBox, resolution: int, bandwidth,
                    density: np.ndarray | None = None) -> np.ndarray:
    """n_eff(x) = (Σ_i k(x − s_i))² / Σ_i k(x − s_i)² at the cell centres: how many samples
    the kernel estimate at x rests on (its relative standard error is about 1/√n_eff for
    independent samples)."""
    mean, second = kde_moments_on_grid(samples, box, resolution, bandwidth)
    return _effective_count(len(samples), mean if density is None else density, second)


def _effective_count(n: int, mean: np.ndarray, second: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(second > 0, n * mean**2 / np.where(second > 0, second, 1.0), 0.0)


def kde_moments_on_grid(samples: np.ndarray, box: ViewBox, resolution: int,
                        bandwidth) -> tuple[np.ndarray, np.ndarray]:
    """(1/n) Σ_i k(x − s_i) and (1/n) Σ_i k(x − s_i)² at the cell centres, in float32 (for
    drawing): per axis k_a = exp(−u²/2)/(√(2π) h_a) and k_a² = exp(−u²)/(2π h_a²), u = Δ/h_a
    (both cut to 0 beyond |u| = √40), each a product over axes, so each 2D sum is one
    (nx, n) @ (n, ny) matrix product."""
    samples = torch.as_tensor(np.asarray(samples), dtype=torch.float32)
    dim = samples.shape[1]
    bandwidth = np.broadcast_to(np.asarray(bandwidth, dtype=np.float64), (dim,))
    firsts, seconds = [], []
    for axis, centres in enumerate(grid_axes(box, resolution)):
        h = float(bandwidth[axis])
        u = (torch.as_tensor(centres, dtype=torch.float32)[:, None] - samples[None, :, axis]) / h
        square = u.square_()  # (cells, n)
        # both kernels are cut to 0 beyond |u| = √40 ≈ 6.3 (k below e^-20 of its peak, k² below
        # e^-40) and exp never sees an argument below -40: in float32, exp producing
        # subnormal numbers is ~10 times slower on a CPU, and subnormal products slow the
        # matrix product as well
        inside = (square <= 40.0).float()
        firsts.append(torch.exp((-0.5 * square).clamp_(min=-20.0)).mul_(inside)
                      / (math.sqrt(2 * math.pi) * h))
        seconds.append(torch.exp(square.neg_().clamp_(min=-40.0)).mul_(inside)
                       / (2 * math.pi * h * h))
    n = len(samples)
    if dim == 1:
        return (firsts[0].mean(dim=1).double().numpy(), seconds[0].mean(dim=1).double().numpy())
    mean = (firsts[0] @ firsts[1].T).double().numpy() / n
    second = (seconds[0] @ seconds[1].T).double().numpy() / n
    return mean, second


def optimal_discriminator_field(p_data: np.ndarray, samples: np.ndarray, box: ViewBox,
                                resolution: int, bandwidth,
                                min_count: float = MIN_EFFECTIVE_COUNT) -> np.ndarray:
    """D*_h on the grid from generated samples, NaN where the kernel estimate of p_g * k_h
    rests on fewer than `min_count` samples, unless the data would have put that many there
    and the generator put almost none (D* ≈ 1 is then certain)."""
    p_model, second = kde_moments_on_grid(samples, box, resolution, bandwidth)
    d_star = optimal_discriminator(p_data, p_model)
    count = _effective_count(len(samples), p_model, second)
    # far in the tails the float32 sums lose their last digits (second moments below ~1e-38):
    # there the count means nothing, and the estimate is negligible anyway
    count = np.where(p_model > 1e-8 * p_model.max(), count, 0.0)
    # where p_g = p_data would have put ≥ min_count points under the kernel (n_eff of a locally
    # flat density p is n p Π_a 2√π h_a) but the estimate is 20 times lower, D* > 0.95 is
    # certain: keep those cells (the data outweighs the generator there)
    bandwidth = np.broadcast_to(np.asarray(bandwidth, dtype=np.float64), (samples.shape[1],))
    expected = len(samples) * p_data * np.prod(2 * math.sqrt(math.pi) * bandwidth)
    data_dominates = (expected >= min_count) & (p_data > 20 * p_model)
    uncertain = (count < min_count) & ~data_dominates
    return np.where(uncertain, np.nan, d_star)


def optimal_discriminator(p_data: np.ndarray, p_model: np.ndarray) -> np.ndarray:
    """D* = p_data / (p_data + p_g) (theory §2); NaN where both densities are negligible."""
    total = p_data + p_model
    negligible = total <= 1e-9 * max(float(total.max()), 1e-300)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(negligible, np.nan, p_data / np.where(negligible, 1.0, total))


@torch.no_grad()
def critic_on_grid(trainer, box: ViewBox, resolution: int) -> np.ndarray | None:
    """What the discriminator says at each cell: D(x) = sigmoid(d(x)) for probability
    objectives, the raw d(x) for critics and least squares, the MMD witness
    E_data k(x, ·) - E_g k(x, ·) for MMD, and None for the sliced Wasserstein distance."""
    kind = trainer.objective.output_kind
    points = torch.tensor(grid_points(box, resolution), dtype=torch.float32, device=trainer.device)
    if kind == "none":
        if not trainer.objective.witness_function:
            return None
        values = _mmd_witness(trainer, points)
    else:
        values = trainer.data_critic(points)
        if kind == "probability":
            values = torch.sigmoid(values)
    return values.cpu().numpy().reshape((resolution,) * len(box.low))


WITNESS_SAMPLES = 256  # real and generated points behind the MMD witness


def _mmd_witness(trainer, points: torch.Tensor) -> torch.Tensor:
    # views draw from the evaluation stream: looking never changes how training goes on
    real = trainer.real_batch(WITNESS_SAMPLES, trainer.evaluation_rng)
    z = trainer.latent_batch(WITNESS_SAMPLES, trainer.evaluation_rng)
    fake = trainer.generator(z)
    x = (points - trainer.shift) / trainer.scale

    def mean_kernel(samples):
        return rbf_kernel_mixture(torch.cdist(x, samples).pow(2)).mean(dim=1)

    return mean_kernel(real) - mean_kernel(fake)


def generator_gradients(trainer, latent: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Generated points x_i = G(z_i) and ∂L_G/∂x_i for each (data coordinates).

    The loss is summed over samples so each row is that sample's own gradient; a sample moves
    along the negative gradient.
    """
    with torch.no_grad():
        points = trainer.data_generator(latent.to(trainer.device))
    x = points.clone().requires_grad_(True)
    objective = trainer.objective
    if objective.needs_discriminator:
        trainer.discriminator.requires_grad_(False)
        try:
            loss = objective.generator_loss(trainer.data_critic(x)) * len(x)
        finally:
            trainer.discriminator.requires_grad_(True)
    else:
        real = trainer.real_batch(len(x), trainer.evaluation_rng)
        fake = (x - trainer.shift) / trainer.scale
        loss = objective.distance(real, fake, trainer.evaluation_rng) * len(x)
    (grad,) = torch.autograd.grad(loss, x)
    return points.cpu().numpy(), grad.cpu().numpy()
