"""JS and KL between a target and generated samples, by Monte Carlo over both sample sets.

Every sample counts, wherever it lies (there is no grid and no view box), and the resolution
follows the samples: the generated density is a k-nearest-neighbour estimate, whose radius is
small where the samples are dense and large where they are sparse.

- log p_data: exact where the target has a density (a Gaussian mixture in log-sum-exp form, so
  a point far outside every mode still has a finite log density). A target without a density
  (given points, the zero-area segment) is compared at a stated resolution σ instead (1.5 cells
  of a 128-cell grid over its view box, 0.029 for the segment): p_data * k_σ is an equal-weight
  Gaussian mixture on up to `REFERENCE_POINTS` of its points, p_g * k_σ the Gaussian KDE of the
  generated samples at the same σ, and the divergences are those between the two smoothed
  densities, by Monte Carlo at jittered samples of each (every sample counts, on screen or
  not). Without it the segment's JS would be log 2 for any generator of positive width.
- log p̂_g(x) = ψ(k) − log m − log V_d − d log r_k(x) (Kozachenko–Leonenko): r_k(x) is the
  distance from x to its k-th nearest of the m generated samples (leaving x itself out when x
  is one of them), V_d the volume of the unit ball. m V_d r_k^d p_g(x) is close to Gamma(k, 1),
  so log p̂_g is unbiased for log p_g up to the density's variation inside the ball, with
  variance ψ'(k): 1.64 at k = 1 (used for KL), 0.22 at k = 5 (used for JS).
- KL(p_data‖p_g) ≈ mean over real x of log p_data(x) − log p̂_g(x);
  KL(p_g‖p_data) ≈ mean over generated x of log p̂_g(x) − log p_data(x). Both are linear in
  log p̂_g, so its noise only adds variance.
- JS = ½ E_data[log 2p/(p+q)] + ½ E_g[log 2q/(p+q)] (p = p_data, q = p_g), each term a function
  of w = p/(p+q). It is concave in log q with second derivative −w(1−w), so plugging in log p̂_g
  biases it by −½ ψ'(k) w(1−w) per sample (−ψ'(k)/8 ≈ −0.028 when p = q); that delta-method
  term is added back. Natural logarithms: JS ≤ log 2.

A generated point mass (many identical samples) has r_k = 0, floored at float32 resolution: its
log p̂_g is huge, so JS counts those samples as disjoint (log 2) and KL(p_g‖p_data) is huge (a
true point mass has KL(p_g‖p_data) = ∞). KL is +∞ where the target's density is exactly 0 at a
generated sample (outside a uniform square).
"""

from __future__ import annotations

import math
import threading

import numpy as np
import torch

from ganlab.core.scipy_parts import digamma_int, nearest, pairs_within, trigamma_int
from ganlab.core.targets import Target
from ganlab.core.targets.base import GaussianMixture

JS_NEIGHBOURS = 5  # k for JS: a small Var(log q̂) = ψ'(k) keeps its delta correction accurate
KL_NEIGHBOURS = 1  # k for KL: linear in log q̂ (no variance bias); the smallest ball, least
#                    bias where p_g varies fast (a generator's tail under the data)
REFERENCE_POINTS = 1000  # points behind the reference density of a target without one
SMOOTHING_CELLS, SMOOTHING_GRID = 1.5, 128  # its σ: 1.5 cells of a 128-cell grid over the view
DENSE_CENTRES = 64  # mixtures with more centres (curves) sum only the nearby ones
CUTOFF_SIGMAS = 8.0
NEAR_SIGMAS = 5.0
MIN_SAMPLES = 2 * JS_NEIGHBOURS  # fewer generated samples than this give no divergence at all
SMOOTHED_POINTS = 1000  # samples per side for targets without a density (a dense KDE)
_POINT_CHUNK = 1024  # points per block of a mixture's density: (1024, centres) at a time

_reference_lock = threading.Lock()  # the worker and the metrics thread both ask for these


def mixture_log_density(mixture: GaussianMixture, x: np.ndarray) -> np.ndarray:
    """log p(x) of an equal-weight isotropic mixture, by log-sum-exp (finite everywhere).

    With more than DENSE_CENTRES centres (the curve-shaped targets) a point's sum runs over the
    centres within CUTOFF_SIGMAS σ (a k-d tree) when its nearest centre is within NEAR_SIGMAS σ:
    each centre left out then weighs at most exp(−(8² − 5²)/2) ≈ 3e-9 of the nearest, so the
    log density is off by less than K · 3e-9 (2e-6 for 720 centres). Other points (far from
    every centre) take the full sum."""
    x = np.asarray(x, dtype=np.float64)
    centres, sigma = mixture.centres, mixture.sigma
    count, dim = centres.shape
    if count <= DENSE_CENTRES:
        return gaussian_kde_log_density(centres, sigma, x)
    rows, _, pair_distances = pairs_within(centres, x, CUTOFF_SIGMAS * sigma)
    weights = np.exp(-0.5 * (pair_distances / sigma) ** 2)
    total = np.bincount(rows, weights=weights, minlength=len(x))
    nearest_weight = np.zeros(len(x))
    np.maximum.at(nearest_weight, rows, weights)
    far = nearest_weight < math.exp(-0.5 * NEAR_SIGMAS**2)
    result = np.empty(len(x))
    result[~far] = (np.log(total[~far]) - 0.5 * dim * math.log(2 * math.pi * sigma**2)
                    - math.log(count))
    if far.any():
        result[far] = gaussian_kde_log_density(centres, sigma, x[far])
    return result


def gaussian_kde_log_density(centres: np.ndarray, sigma: float, x: np.ndarray,
                             leave_one_out: bool = False) -> np.ndarray:
    """log (1/K) Σ_j N(x_i; c_j, σ² I) by log-sum-exp in float64 (through torch, on torch's
    thread setting). leave_one_out: x are the centres themselves and x_i skips c_i."""
    centres_t = torch.from_numpy(np.ascontiguousarray(centres, dtype=np.float64))
    x_t = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float64))
    count, dim = centres_t.shape
    total = torch.empty(len(x_t), dtype=torch.float64)
    for start in range(0, len(x_t), _POINT_CHUNK):
        block = x_t[start : start + _POINT_CHUNK]
        exponent = torch.cdist(block, centres_t).square_().mul_(-0.5 / sigma**2)
        if leave_one_out:
            rows = torch.arange(len(block))
            exponent[rows, rows + start] = -math.inf
        total[start : start + _POINT_CHUNK] = torch.logsumexp(exponent, dim=1)
    others = count - 1 if leave_one_out else count
    return (total.numpy() - 0.5 * dim * math.log(2 * math.pi * sigma**2) - math.log(others))


def reference_density(target: Target) -> GaussianMixture | None:
    """The Gaussian mixture that stands for a target without a density (None if it has one):
    p_data * k_σ, centres up to REFERENCE_POINTS of the target's points (its distinct given
    points, or a fixed draw), σ = SMOOTHING_CELLS cells of a SMOOTHING_GRID-cell grid over the
    view box (averaged over the axes): the resolution the app draws at. Cached on the target."""
    if isinstance(target, GaussianMixture) or target.has_density:
        return None
    with _reference_lock:
        cached = target.__dict__.get("_reference_density")
        if cached is None:
            points = getattr(target, "points", None)
            rng = np.random.default_rng(2024)
            if points is None:
                generator = torch.Generator().manual_seed(2024)
                points = target.sample(REFERENCE_POINTS, generator).double().numpy()
            points = np.unique(np.asarray(points, dtype=np.float64), axis=0)
            if len(points) > REFERENCE_POINTS:
                points = points[rng.choice(len(points), REFERENCE_POINTS, replace=False)]
            widths = np.asarray(target.view_box.high) - np.asarray(target.view_box.low)
            sigma = SMOOTHING_CELLS * float(widths.mean()) / SMOOTHING_GRID
            cached = GaussianMixture(target.name, "reference density", points, sigma,
                                     target.view_box, count_modes=False)
            target.__dict__["_reference_density"] = cached
        return cached


def target_log_density(target: Target, x: np.ndarray) -> np.ndarray:
    """log p_data(x): exact where the target has a density, else that of `reference_density`
    (−∞ where the density is exactly 0, e.g. outside a uniform square)."""
    if isinstance(target, GaussianMixture):
        return mixture_log_density(target, x)
    reference = reference_density(target)
    if reference is not None:
        return mixture_log_density(reference, x)
    with np.errstate(divide="ignore"):
        return np.log(target.density(np.asarray(x, dtype=np.float64)))


def knn_log_densities(samples: np.ndarray, points: np.ndarray | None,
                      ks: tuple[int, ...]) -> list[np.ndarray]:
    """log p̂(x) = ψ(k) − log m − log V_d − d log r_k(x) from m samples, for each k in `ks`
    from one k-d tree query, at `points`, or at the samples themselves leaving each one out
    (points=None, then m → m − 1)."""
    samples = np.asarray(samples, dtype=np.float64)
    m, dim = samples.shape
    leave_one_out = points is None
    others = m - 1 if leave_one_out else m
    ks = tuple(min(k, others) for k in ks)
    query = samples if leave_one_out else np.asarray(points, dtype=np.float64)
    ranks = [k + 1 if leave_one_out else k for k in ks]  # the nearest of a sample is itself
    found, _ = nearest(samples, query, max(ranks))
    distances = found[:, [rank - 1 for rank in ranks]]
    # distances below float32 resolution are not resolved (samples arrive as float32): a
    # repeated value gets a radius of a few ulps, not 0 (a true point mass still gets a huge
    # log density, hence JS ≈ log 2 and a huge KL(p_g‖p_data) for it)
    resolution = 4 * np.finfo(np.float32).eps * (1.0 + np.abs(query).max(axis=1))
    log_unit_ball = 0.5 * dim * math.log(math.pi) - math.lgamma(0.5 * dim + 1)
    result = []
    for column, k in enumerate(ks):
        radius = np.maximum(distances[:, column], resolution)
        result.append(digamma_int(k) - math.log(others) - log_unit_ball - dim * np.log(radius))
    return result


def divergences(target: Target, fake: np.ndarray, real: np.ndarray) -> dict[str, float]:
    """JS(p_data‖p_g), KL(p_data‖p_g) and KL(p_g‖p_data) from real and generated samples
    (formulas in the module docstring)."""
    fake = np.asarray(fake, dtype=np.float64)
    real = np.asarray(real, dtype=np.float64)
    reference = reference_density(target)
    if reference is not None:
        return _smoothed_divergences(reference, fake, real)
    log_p = target_log_density(target, np.concatenate([real, fake]))
    log_p_real, log_p_fake = log_p[: len(real)], log_p[len(real) :]
    ks = (JS_NEIGHBOURS, KL_NEIGHBOURS)
    js_real, kl_real = knn_log_densities(fake, real, ks)
    js_fake, kl_fake = knn_log_densities(fake, None, ks)
    js = _js_from_log_densities(log_p_real, js_real, log_p_fake, js_fake,
                                trigamma_int(JS_NEIGHBOURS))
    return {"js": js, **_kl_from_log_densities(log_p_real, kl_real, log_p_fake, kl_fake)}


def _smoothed_divergences(reference: GaussianMixture, fake: np.ndarray,
                          real: np.ndarray) -> dict[str, float]:
    """Divergences between p_data * k_σ (the reference mixture) and p_g * k_σ (the Gaussian KDE
    of the generated samples at the same σ), at jittered samples x + σε of each: the KDE of the
    other generated samples is an unbiased estimate of p_g * k_σ there, so no correction."""
    sigma = reference.sigma
    rng = np.random.default_rng(11)
    fake = fake[rng.choice(len(fake), SMOOTHED_POINTS, replace=False)] if len(
        fake) > SMOOTHED_POINTS else fake
    real = real[rng.choice(len(real), SMOOTHED_POINTS, replace=False)] if len(
        real) > SMOOTHED_POINTS else real
    real_jittered = real + sigma * rng.standard_normal(real.shape)
    fake_jittered = fake + sigma * rng.standard_normal(fake.shape)
    log_p_real = mixture_log_density(reference, real_jittered)
    log_p_fake = mixture_log_density(reference, fake_jittered)
    log_q_real = gaussian_kde_log_density(fake, sigma, real_jittered)
    log_q_fake = gaussian_kde_log_density(fake, sigma, fake_jittered, leave_one_out=True)
    js = _js_from_log_densities(log_p_real, log_q_real, log_p_fake, log_q_fake, 0.0)
    return {"js": js, **_kl_from_log_densities(log_p_real, log_q_real, log_p_fake, log_q_fake)}


def _js_from_log_densities(log_p_real, log_q_real, log_p_fake, log_q_fake,
                           log_q_variance: float) -> float:
    with np.errstate(invalid="ignore"):
        # log 2p/(p+q) = log 2 − softplus(log q − log p); log 2q/(p+q) = log 2 − softplus(−·)
        gap_real = log_q_real - log_p_real
        gap_fake = log_q_fake - log_p_fake
        real_terms = math.log(2) - np.logaddexp(0.0, np.nan_to_num(gap_real, nan=np.inf))
        fake_terms = math.log(2) - np.logaddexp(0.0, -np.nan_to_num(gap_fake, nan=np.inf))
    # + ½ Var(log q̂) w(1 − w), w = p/(p+q): the delta-method correction (module docstring)
    correction = 0.5 * log_q_variance * 0.5 * (
        _w_one_minus_w(gap_real).mean() + _w_one_minus_w(gap_fake).mean()
    )
    js = 0.5 * real_terms.mean() + 0.5 * fake_terms.mean() + correction
    return float(min(max(js, 0.0), math.log(2)))


def _kl_from_log_densities(log_p_real, log_q_real, log_p_fake, log_q_fake) -> dict[str, float]:
    with np.errstate(invalid="ignore"):
        kl_data_model = float(np.mean(log_p_real - log_q_real))
        kl_model_data = float(np.mean(log_q_fake - log_p_fake))
    return {"kl_data_model": _finite_or_inf(kl_data_model),
            "kl_model_data": _finite_or_inf(kl_model_data)}


def _w_one_minus_w(log_q_minus_log_p: np.ndarray) -> np.ndarray:
    """w(1 − w) for w = p/(p+q) = sigmoid(log p − log q); 0 where one side is infinite."""
    t = np.nan_to_num(log_q_minus_log_p, nan=np.inf)
    w = 1.0 / (1.0 + np.exp(np.clip(t, -700, 700)))
    return w * (1.0 - w)


def _finite_or_inf(value: float) -> float:
    """NaN arises only from ∞ − ∞ (a point mass where the target density is 0): KL is ∞."""
    return math.inf if math.isnan(value) else value
