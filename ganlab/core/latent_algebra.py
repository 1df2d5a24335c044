"""Paths and sums in latent space, as numpy: linear and spherical interpolation, and latent
arithmetic a − b + c (Radford et al. 2016, §6; White 2016, "Sampling generative networks").

Why spherical: a Gaussian z in d dimensions has ‖z‖ ≈ √d almost surely (it lies on a thin
shell), so the straight line (1 − t) z0 + t z1 between two such points passes inside the shell,
through latents the generator almost never saw (its midpoint has norm ≈ √(d/2) for orthogonal
ends). `slerp` walks along the shell instead: the direction turns at a constant angular speed
on the great circle from z0 to z1, and the norm goes linearly from ‖z0‖ to ‖z1‖ (so it stays
constant for ends of equal norm).
"""

from __future__ import annotations

import numpy as np

PARALLEL_ANGLE = 1e-7  # radians: ends closer than this in direction are interpolated linearly


def latent_extent(distribution: str) -> float:
    """Half-width of the latent region drawn: ±1 for uniform z, ±2.5 for Gaussian z."""
    return 1.0 if distribution == "uniform" else 2.5


def lerp(start: np.ndarray, end: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(1 − t) z0 + t z1 for each t: shape (len(t), d)."""
    start, end, t = _vectors(start, end, t)
    return (1 - t)[:, None] * start + t[:, None] * end


def slerp(start: np.ndarray, end: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation, shape (len(t), d):

        z(t) = ((1 − t) ‖z0‖ + t ‖z1‖) · (cos(tΩ) u0 + sin(tΩ) v),

    with u0 = z0 / ‖z0‖, Ω = arccos(u0 · u1) the angle between the ends and v the unit vector
    orthogonal to u0 in the plane of u0 and u1. So z(0) = z0, z(1) = z1, the angle from z0 to
    z(t) is tΩ, and for ‖z0‖ = ‖z1‖ every z(t) has that norm. Antipodal ends (Ω = π) have no
    single plane: a fixed orthogonal direction is used. A zero end, ends in (almost) the same
    direction, or a 1-dimensional z have no circle to follow: the path is `lerp`'s."""
    start, end, t = _vectors(start, end, t)
    norm_start, norm_end = np.linalg.norm(start), np.linalg.norm(end)
    if start.size < 2 or norm_start == 0 or norm_end == 0:
        return lerp(start, end, t)
    u0, u1 = start / norm_start, end / norm_end
    cos_omega = float(np.clip(u0 @ u1, -1.0, 1.0))
    omega = float(np.arccos(cos_omega))
    if omega < PARALLEL_ANGLE:
        return lerp(start, end, t)
    v = u1 - cos_omega * u0
    if np.linalg.norm(v) < 1e-12:  # antipodal: any direction orthogonal to u0 will do
        v = np.zeros_like(u0)
        v[int(np.argmin(np.abs(u0)))] = 1.0
        v -= (v @ u0) * u0
    v /= np.linalg.norm(v)
    angle = t[:, None] * omega
    radius = ((1 - t) * norm_start + t * norm_end)[:, None]
    return radius * (np.cos(angle) * u0 + np.sin(angle) * v)


def latent_path(start: np.ndarray, end: np.ndarray, steps: int,
                spherical: bool = False) -> np.ndarray:
    """`steps` latents from z0 to z1 at t evenly spaced in [0, 1], by `slerp` or `lerp`."""
    t = np.linspace(0.0, 1.0, steps)
    return slerp(start, end, t) if spherical else lerp(start, end, t)


def latent_arithmetic(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """z_a − z_b + z_c: "a, without what b has, with what c has"."""
    a, b, c = (np.asarray(z, dtype=np.float64) for z in (a, b, c))
    if not a.shape == b.shape == c.shape or a.ndim != 1:
        raise ValueError(f"three latent vectors of one size expected, got {a.shape}, "
                         f"{b.shape}, {c.shape}")
    return a - b + c


def _vectors(start, end, t) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    start = np.asarray(start, dtype=np.float64)
    end = np.asarray(end, dtype=np.float64)
    if start.shape != end.shape or start.ndim != 1:
        raise ValueError(f"two latent vectors of one size expected, got {start.shape} and "
                         f"{end.shape}")
    return start, end, np.atleast_1d(np.asarray(t, dtype=np.float64))
