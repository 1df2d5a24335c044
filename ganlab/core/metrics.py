"""Numbers that tell a good generator from a collapsed one (theory §5, §8).

- Mode metrics (PacGAN/VEEGAN protocol): a sample is high quality if it lies within 3σ of its
  nearest mode; a mode is covered if at least one high-quality sample is nearest to it; the
  reverse KL compares the histogram of high-quality samples over modes with the uniform one.
- JS and KL from every sample, on screen or not: exact log p_data, a nearest-neighbour estimate
  of log p_g, Monte Carlo over the real and the generated samples (`ganlab.core.divergences`).
  Natural logarithms: JS ≤ log 2 ≈ 0.693.
- Wasserstein-1: exact by optimal assignment between 500 generated points and 500 reference
  points (stratified over a mixture's components; in 1D by sorting all of them), reported with
  its floor (what a perfect generator reads) and its uncertainty (floor + 2 sd): read it as
  W1 ± uncertainty.
- Critic value gap s · (E_data[d] − E_g[d]) in data units: a Lipschitz critic's bound on W1.
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass

import numpy as np
import torch

from ganlab.core.divergences import MIN_SAMPLES, divergences
from ganlab.core.scipy_parts import distances as pair_distances
from ganlab.core.scipy_parts import optimal_assignment
from ganlab.core.targets import Target
from ganlab.core.targets.base import GaussianMixture

HIGH_QUALITY_STDS = 3.0
EVALUATION_SAMPLES = 2500  # the PacGAN protocol's sample count
W1_MAX_POINTS = 500  # exact assignment is O(n³): ~0.02-0.05 s at 500, ~0.15-0.8 s at 1,000
W1_FLOOR_SEEDS = 8  # perfect-generator draws behind the W1 floor (once per target)

_floor_lock = threading.Lock()  # the worker and the metrics thread may both fill the cache
#: floors of Gaussian mixtures by what they depend on (`_shared_floor_key`): every run of a
#: study in one process builds its own target object, and each would pay 8 assignments again
_shared_floors: dict[tuple, tuple[float, float]] = {}


@dataclass(frozen=True)
class ModeMetrics:
    modes_covered: int
    total_modes: int
    high_quality_fraction: float  # in [0, 1]
    reverse_kl: float  # KL(mode histogram of HQ samples || uniform); inf when no sample is HQ


def mode_metrics(
    samples: np.ndarray, modes: np.ndarray, mode_std: float, threshold: float = HIGH_QUALITY_STDS
) -> ModeMetrics:
    samples = np.asarray(samples, dtype=np.float64)
    distances = pair_distances(samples, np.asarray(modes, dtype=np.float64))  # (n, modes)
    nearest = distances.argmin(axis=1)
    high_quality = distances[np.arange(len(samples)), nearest] <= threshold * mode_std
    counts = np.bincount(nearest[high_quality], minlength=len(modes))
    total = counts.sum()
    if total == 0:
        reverse_kl = math.inf
    else:
        q = counts[counts > 0] / total
        reverse_kl = float(np.sum(q * np.log(q * len(modes))))
    return ModeMetrics(
        modes_covered=int((counts > 0).sum()),
        total_modes=len(modes),
        high_quality_fraction=float(high_quality.mean()) if len(samples) else 0.0,
        reverse_kl=reverse_kl,
    )


def sample_divergences(target: Target, fake: np.ndarray, real: np.ndarray) -> dict[str, float]:
    """JS and both KLs between the target and generated samples, every sample counted
    (nearest-neighbour Monte Carlo: see `ganlab.core.divergences`)."""
    return divergences(target, fake, real)


def wasserstein1(
    a: np.ndarray, b: np.ndarray, max_points: int = W1_MAX_POINTS, seed: int = 0
) -> float:
    """W1 between two samples: exact for equal sizes ≤ max_points (larger ones are subsampled)."""
    a = np.asarray(a, dtype=np.float64).reshape(len(a), -1)
    b = np.asarray(b, dtype=np.float64).reshape(len(b), -1)
    n = min(len(a), len(b), max_points)
    rng = np.random.default_rng(seed)
    a = a[rng.choice(len(a), n, replace=False)] if len(a) > n else a
    b = b[rng.choice(len(b), n, replace=False)] if len(b) > n else b
    if a.shape[1] == 1:
        return float(np.abs(np.sort(a[:, 0]) - np.sort(b[:, 0])).mean())
    cost = pair_distances(a, b)
    rows, cols = optimal_assignment(cost)
    return float(cost[rows, cols].mean())


def w1_reference(target: Target, real: np.ndarray, n: int = W1_MAX_POINTS) -> np.ndarray:
    """The real side of W1: for a Gaussian mixture a stratified draw (every component exactly
    n/K times, the remainder without replacement; fixed seed), which removes the real side's
    share of the multinomial noise in the component counts; otherwise n of the real samples."""
    if isinstance(target, GaussianMixture):
        rng = np.random.default_rng(7)
        count = len(target.centres)
        index = np.concatenate([np.tile(np.arange(count), n // count),
                                rng.choice(count, n % count, replace=False)])
        noise = rng.standard_normal((n, target.dim))
        return target.centres[index] + target.sigma * noise
    real = np.asarray(real, dtype=np.float64)
    return real[:n]


def w1_floor(target: Target, n: int = W1_MAX_POINTS,
             seeds: int = W1_FLOOR_SEEDS) -> tuple[float, float]:
    """What a perfect generator reads under `evaluate_samples`' protocol: the mean and the
    standard deviation over `seeds` fixed draws of W1(n target samples, the reference).

    The reported W1 of a generator g obeys |W1(ĝ_n, ref) − W1(g, p_data)| ≤ W1(ĝ_n, g)
    + W1(ref, p_data) (triangle inequality); for g near p_data the right side is distributed as
    this reading, so `evaluate_samples` reports W1 ± (mean + 2 sd) as its uncertainty.
    Cached on the target per n, and for a Gaussian mixture in this process too (another object
    of the same class, centres and σ reads the same floor)."""
    with _floor_lock:
        cache = target.__dict__.setdefault("_w1_floor_cache", {})
        key = _shared_floor_key(target, n, seeds)
        if n not in cache and key in _shared_floors:
            cache[n] = _shared_floors[key]
        if n not in cache:
            generator = torch.Generator().manual_seed(4242)
            values = []
            for _ in range(seeds):
                real = target.sample(n, generator).double().numpy()
                perfect = target.sample(n, generator).double().numpy()
                values.append(wasserstein1(w1_reference(target, real, n), perfect, n))
            cache[n] = (float(np.mean(values)), float(np.std(values, ddof=1)))
            if key is not None:
                _shared_floors[key] = cache[n]
        return cache[n]


def _shared_floor_key(target: Target, n: int, seeds: int) -> tuple | None:
    """What a mixture's floor depends on: its class (which samples it), centres and σ; None
    for other targets (their floor is cached on the target object only)."""
    if not isinstance(target, GaussianMixture):
        return None
    kind = type(target)
    return (kind.__module__, kind.__qualname__, target.centres.shape, target.centres.tobytes(),
            target.sigma, n, seeds)


@torch.no_grad()
def critic_value_gap(trainer, real: np.ndarray, fake: np.ndarray) -> float | None:
    """The critic's value gap in data units, s · (E_data[d] − E_g[d]), or None without a
    discriminator.

    The critic sees standardised points x_std = (x − shift)/s with one common scale s for every
    axis, so a critic 1-Lipschitz in x_std has E_data[d] − E_g[d] ≤ W1(x_std) = W1(x)/s; times s
    it is a lower bound on W1(p_data, p_g) in data units, tight when the critic is the optimal
    1-Lipschitz one. (With per-axis scales it would be only a bound; ganlab's are common.)
    Only a Lipschitz critic (WGAN, WGAN-GP) makes it a W1 estimate; for others it is a score.
    """
    if not trainer.objective.needs_discriminator or trainer.conditional:
        return None  # (a conditional critic scores (x, y) pairs, not samples)
    critic = trainer.data_critic

    def mean_output(points):
        return float(
            critic(torch.tensor(points, dtype=torch.float32, device=trainer.device)).mean()
        )

    scale = float(torch.as_tensor(trainer.scale).float().mean())
    return scale * (mean_output(real) - mean_output(fake))


def evaluate_samples(
    target: Target, fake: np.ndarray, real: np.ndarray, value_gap: float | None = None
) -> dict[str, float | int | None]:
    """Every metric from samples already drawn (no networks needed: runs on any thread)."""
    if target.data_kind == "images":
        from ganlab.core.image_metrics import image_metrics

        return {**image_metrics(target, fake), "value_gap": value_gap}
    result: dict[str, float | int | None] = {}
    if target.modes is not None:
        result.update(asdict(mode_metrics(fake, target.modes, target.mode_std)))
    if np.isfinite(fake).all():
        # too few samples for a k-th nearest neighbour: no divergence rather than a wrong one
        result.update(sample_divergences(target, fake, real) if len(fake) >= MIN_SAMPLES
                      else {"js": None, "kl_data_model": None, "kl_model_data": None})
        # exact assignment in 2D is O(n³): 500 points; sorting in 1D takes every sample
        n = min(len(fake), W1_MAX_POINTS) if target.dim > 1 else min(len(fake), len(real))
        result["w1"] = wasserstein1(w1_reference(target, real, n), fake, n)
        floor, spread = w1_floor(target, n)
        result["w1_floor"] = floor
        result["w1_uncertainty"] = floor + 2 * spread
    else:
        result.update({"js": None, "kl_data_model": None, "kl_model_data": None, "w1": None,
                       "w1_floor": None, "w1_uncertainty": None})
    result["value_gap"] = value_gap
    return result


def evaluation_size(target) -> int:
    """Samples drawn per evaluation: `EVALUATION_SAMPLES` points, fewer images."""
    if target.data_kind == "images":
        from ganlab.core.image_metrics import IMAGE_EVALUATION_SAMPLES

        return IMAGE_EVALUATION_SAMPLES
    return EVALUATION_SAMPLES


def evaluate(trainer, n: int | None = None) -> dict[str, float | int | None]:
    """Every metric for the trainer's current generator, on n fresh evaluation samples."""
    n = n if n is not None else evaluation_size(trainer.target)
    fake = trainer.sample(n)
    real = trainer.sample_real(n)
    gap = critic_value_gap(trainer, real, fake) if np.isfinite(fake).all() else None
    return {"iteration": trainer.iteration, **evaluate_samples(trainer.target, fake, real, gap)}
