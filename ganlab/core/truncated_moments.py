"""E[1{d(x) < c}·φ(x)] for x ~ N(m, s²) and a quadratic d(x) = ψ1·x + ψ2·x², exactly.

The hinge loss's slopes are step functions of d, which quadrature integrates badly; the set
{x : d(x) < c} is one interval or the complement of one (roots of ψ2·x² + ψ1·x − c), so the
expectation is a difference of truncated-normal moments: with α, β the standardised ends,
P = Φ(β) − Φ(α), E[x·1] = m·P + s·(ϕ(α) − ϕ(β)) and
E[x²·1] = (m² + s²)·P + 2ms·(ϕ(α) − ϕ(β)) + s²·(αϕ(α) − βϕ(β)).
"""

from __future__ import annotations

import math

import numpy as np

_erf = np.frompyfunc(math.erf, 1, 1)  # exact to double precision; scipy is slow to import


def normal_cdf(t) -> np.ndarray:
    """Φ(t), ±inf included."""
    return 0.5 * (1.0 + np.asarray(_erf(np.asarray(t, dtype=float) / math.sqrt(2.0)),
                                   dtype=float))


def _density_terms(t):
    """ϕ(t) and t·ϕ(t), both 0 at t = ±inf."""
    finite = np.isfinite(t)
    t = np.where(finite, t, 0.0)
    pdf = np.where(finite, np.exp(-0.5 * t * t) / np.sqrt(2 * np.pi), 0.0)
    return pdf, t * pdf


def _interval_moments(mean, sd, low, high):
    """E[1{low < x < high}·(x, x²)] for x ~ N(mean, sd²), sd > 0; ends may be ±inf."""
    a, b = (low - mean) / sd, (high - mean) / sd
    pdf_a, a_pdf = _density_terms(a)
    pdf_b, b_pdf = _density_terms(b)
    mass = normal_cdf(b) - normal_cdf(a)
    first = mean * mass + sd * (pdf_a - pdf_b)
    second = (mean**2 + sd**2) * mass + 2 * mean * sd * (pdf_a - pdf_b) + sd**2 * (a_pdf - b_pdf)
    return mass, first, second


def below_moments(mean, sd, psi, level: float, degree: int) -> np.ndarray:
    """E[1{d(x) < level}·φ(x)], φ(x) = (x,) or (x, x²), x ~ N(mean, sd²) with sd > 0;
    psi (..., degree) → (..., degree)."""
    p1 = psi[..., 0]
    p2 = psi[..., 1] if degree == 2 else np.zeros_like(p1)
    inf = np.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = p1**2 + 4 * p2 * level
        root = np.sqrt(np.maximum(disc, 0.0))
        r1, r2 = (-p1 - root) / (2 * p2), (-p1 + root) / (2 * p2)
        lin = level / p1
    quadratic = p2 != 0
    low = np.where(quadratic, np.minimum(r1, r2), np.where(p1 > 0, -inf, lin))
    high = np.where(quadratic, np.maximum(r1, r2), np.where(p1 > 0, lin, inf))
    empty = np.where(quadratic, disc <= 0, p1 == 0)  # no roots: the interval is empty
    low, high = np.where(empty, 0.0, low), np.where(empty, 0.0, high)
    # inside the interval when ψ2 > 0 (or linear), outside it when ψ2 < 0 (or d ≡ 0 < level)
    outside = np.where(quadratic, p2 < 0, (p1 == 0) & (level > 0))
    mass, first, second = _interval_moments(mean, sd, low, high)
    total = (np.ones_like(mass), mean + 0 * mass, mean**2 + sd**2 + 0 * mass)
    parts = [np.where(outside, t - part, part) for t, part in zip(total, (mass, first, second),
                                                                   strict=True)]
    return np.stack(parts[1:1 + degree], axis=-1)
