"""Gradient dynamics of tiny GANs whose players are a few numbers (Mescheder et al. 2018).

A *game* here is a generator of one dimension, x_f = m + s·z with z ~ N(0, 1) (the Dirac-GAN:
s ≡ 0, a point mass at m = θ), against data x_r = m* + s*·z, and a discriminator that is linear
in its parameters ψ: d(x) = ψ·φ(x) with φ(x) = x (degree 1) or (x, x²) (degree 2). The state
is one vector [generator parameters…, ψ…]. Every objective of `LOSSES` is, per sample,

    L_D = E a(d(x_r)) + E b(d(x_f))  (+ regularisers),    L_G = E g(d(x_f)),

with the scalar a, b, g of theory §2–§6 (logits for minimax/non-saturating, raw outputs for
the others). Regularisers of D, all formulas on the samples D sees:
  R1 (γ1/2)·E d'(x_r)², R2 (γ2/2)·E d'(x_f)², WGAN-GP λ·E(|d'(x̂)| − 1)² with
  x̂ = αx_r + (1 − α)x_f, LeCam λ_LC·(E(d(x_r) − α_F)² + E(d(x_f) − α_R)²) with the anchors
  α_R = E d(x_r), α_F = E d(x_f) taken at the current state and held fixed (the limit of
  Tseng et al.'s moving averages), and instance noise: both inputs get + σ_n·ε, ε ~ N(0, 1).
Expectations over z (and ε, folded in: x ~ N(m, s² + σ_n²)) use Gauss–Hermite quadrature with
`NODES` nodes, exact for polynomials up to degree 2·NODES − 1; the hinge's steps and WGAN-GP's
|d'| are integrated exactly in x (Gaussian CDFs), WGAN-GP over α by Gauss–Legendre.

One iteration (`iterate`) is k gradient-descent steps of D at learning rate h_D, then one of G
at h_G against the new ψ (alternating) or the old ψ (simultaneous) — plain gradient steps, not
the run's optimizer. numpy only: the app's window process computes this itself.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ganlab.core.truncated_moments import below_moments, normal_cdf

NODES = 128  # Gauss–Hermite nodes over z
ALPHA_NODES = 16  # Gauss–Legendre nodes over α of WGAN-GP's interpolates


def _sigmoid(t):
    return 0.5 * (1.0 + np.tanh(0.5 * t))  # stable for every t


def _ones(t):
    return np.ones_like(t)


#: objective → (a', b', g'), the derivatives of the per-sample losses above
LOSSES = {
    "minimax": (lambda t: -_sigmoid(-t), _sigmoid, lambda t: -_sigmoid(t)),
    "non-saturating": (lambda t: -_sigmoid(-t), _sigmoid, lambda t: -_sigmoid(-t)),
    "wgan": (lambda t: -_ones(t), _ones, lambda t: -_ones(t)),
    "wgan-gp": (lambda t: -_ones(t), _ones, lambda t: -_ones(t)),
    "lsgan": (lambda t: t - 1.0, lambda t: t, lambda t: t - 1.0),
    "hinge": (lambda t: -(t < 1.0).astype(float), lambda t: (t > -1.0).astype(float),
              lambda t: -_ones(t)),
}
OBJECTIVE_FORMULAS = {
    "minimax": "L_D = softplus(−d(x_r)) + softplus(d(x_f)),  L_G = −softplus(d(x_f))",
    "non-saturating": "L_D = softplus(−d(x_r)) + softplus(d(x_f)),  L_G = softplus(−d(x_f))",
    "wgan": "L_D = d(x_f) − d(x_r),  L_G = −d(x_f)   (no weight clipping here)",
    "wgan-gp": "L_D = d(x_f) − d(x_r) + λ(|d'(x̂)| − 1)²,  L_G = −d(x_f)",
    "lsgan": "L_D = ½(d(x_r) − 1)² + ½d(x_f)²,  L_G = ½(d(x_f) − 1)²",
    "hinge": "L_D = relu(1 − d(x_r)) + relu(1 + d(x_f)),  L_G = −d(x_f)",
}


@dataclass(frozen=True)
class GameSettings:
    """How both players learn: objective, step sizes, k, the order of updates, regularisers."""

    objective: str = "minimax"  # a key of LOSSES
    generator_lr: float = 0.1  # h_G of G's gradient step
    discriminator_lr: float = 0.1  # h_D of each of D's gradient steps
    critic_steps: int = 1  # k: D steps per iteration
    alternating: bool = False  # G steps against the updated ψ (else the old one)
    r1_gamma: float = 0.0  # γ1 of R1 on real samples
    r2_gamma: float = 0.0  # γ2 of R2 on generated samples
    gradient_penalty_weight: float = 0.1  # λ of WGAN-GP (used only by that objective)
    lecam_weight: float = 0.0  # λ_LC of LeCam
    instance_noise: float = 0.0  # σ_n added to both of D's inputs

    def __post_init__(self) -> None:
        if self.objective not in LOSSES:
            raise ValueError(f"unknown objective {self.objective!r}; known: {', '.join(LOSSES)}")


@dataclass(frozen=True)
class Game:
    """One tiny GAN: which generator, which data, which discriminator features."""

    name: str
    degree: int  # 1: d = ψ·x; 2: d = ψ1·x + ψ2·x²
    learns_spread: bool  # generator parameters (m,) or (m, s)
    data_mean: float = 0.0
    data_spread: float = 0.0
    labels: tuple[str, ...] = ("θ", "ψ")  # one per state entry

    @property
    def generator_size(self) -> int:
        return 2 if self.learns_spread else 1

    @property
    def size(self) -> int:
        return self.generator_size + self.degree

    def equilibrium(self) -> np.ndarray:
        """p_g = p_data and ψ = 0 (d ≡ 0), the candidate equilibrium of every objective."""
        state = np.zeros(self.size)
        state[0] = self.data_mean
        if self.learns_spread:
            state[1] = self.data_spread
        return state


LESSON_GAMES = ("dirac", "gaussian")


def lesson_settings(data: dict) -> tuple[str, GameSettings, tuple[float, ...] | None]:
    """A lesson's `dynamics` block: {"game": "dirac" | "gaussian", "start": [...], and any
    `GameSettings` field}; ValueError names what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("dynamics must be a JSON object")
    values = dict(data)
    game = values.pop("game", "dirac")
    start = values.pop("start", None)
    if game not in LESSON_GAMES:
        raise ValueError(f"dynamics.game must be one of {', '.join(LESSON_GAMES)}")
    try:
        settings = GameSettings(**values)
    except TypeError as error:
        raise ValueError(f"dynamics: {error}") from None
    if start is not None:
        start = tuple(float(value) for value in start)
    return game, settings, start


@functools.cache
def _quadrature() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gauss–Hermite nodes and weights over z ~ N(0, 1), Gauss–Legendre over α ∈ [0, 1];
    computed on first use, not when the window imports this module."""
    z, w = np.polynomial.hermite_e.hermegauss(NODES)  # weight exp(−z²/2)
    alpha, alpha_w = np.polynomial.legendre.leggauss(ALPHA_NODES)
    return z, w / w.sum(), 0.5 * (alpha + 1.0), 0.5 * alpha_w


def _features(x: np.ndarray, degree: int) -> np.ndarray:
    """φ(x): (..., Q) → (..., Q, degree)."""
    return np.stack([x, x * x][:degree], axis=-1)


def _feature_slopes(x: np.ndarray, degree: int) -> np.ndarray:
    """φ'(x), so that d'(x) = ψ·φ'(x) and ∂d'(x)/∂ψ = φ'(x)."""
    return np.stack([np.ones_like(x), 2.0 * x][:degree], axis=-1)


def _mean(values: np.ndarray) -> np.ndarray:
    """E over the quadrature nodes (the last axis of `values`; one node: a point mass)."""
    return values @ _quadrature()[1] if values.shape[-1] == NODES else values[..., 0]


def _mean_times(scalars: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """E[scalar·vector]: (..., Q) and (..., Q, P) → (..., P)."""
    if scalars.shape[-1] == 1:  # a point mass
        return scalars * vectors[..., 0, :]
    return np.matmul((scalars * _quadrature()[1])[..., None, :], vectors)[..., 0, :]


class _Samples(NamedTuple):
    """The quadrature samples of one batch of states (leading axes ...)."""

    real: np.ndarray  # x_r at the nodes, (..., Q)
    fake: np.ndarray  # x_f at the nodes, (..., Q)
    fake_slopes: np.ndarray  # ∂x_f/∂(generator parameters), (..., Q, G)
    real_mean: float
    real_sd: float
    fake_mean: np.ndarray  # (...)
    fake_sd: np.ndarray  # (...)


def _samples(game: Game, state: np.ndarray, noise: float) -> _Samples:
    mean = state[..., 0]
    spread = state[..., 1] if game.learns_spread else np.zeros_like(mean)
    fake_sd = np.sqrt(spread**2 + noise**2)
    real_sd = float(np.hypot(game.data_spread, noise))
    point_masses = real_sd == 0 and not game.learns_spread and noise == 0
    z = np.zeros(1) if point_masses else _quadrature()[0]
    fake = mean[..., None] + fake_sd[..., None] * z
    real = np.broadcast_to(game.data_mean + real_sd * z, fake.shape)
    slopes = [np.ones_like(fake)]
    if game.learns_spread:  # x_f = m + √(s² + σ_n²)·z: ∂x_f/∂s = s/√(s² + σ_n²)·z
        ratio = np.divide(spread, fake_sd, out=np.zeros_like(spread), where=fake_sd > 0)
        slopes.append(ratio[..., None] * z)
    return _Samples(real, fake, np.stack(slopes, axis=-1), game.data_mean, real_sd, mean,
                    fake_sd)


def _split(game: Game, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return state[..., :game.generator_size], state[..., game.generator_size:]


def _d(psi: np.ndarray, features: np.ndarray) -> np.ndarray:
    """ψ·φ at every node: (..., Q, P) and (..., P) → (..., Q)."""
    return np.matmul(features, psi[..., None])[..., 0]


def discriminator_gradient(game: Game, state: np.ndarray, settings: GameSettings) -> np.ndarray:
    """∂L_D/∂ψ at each state (..., size) → (..., degree), regularisers included."""
    a_slope, b_slope, _ = LOSSES[settings.objective]
    s = _samples(game, state, settings.instance_noise)
    _, psi = _split(game, state)
    phi_r, phi_f = _features(s.real, game.degree), _features(s.fake, game.degree)
    d_r, d_f = _d(psi, phi_r), _d(psi, phi_f)
    if settings.objective == "hinge":
        grad = _hinge_gradient(game, s, psi, phi_r, phi_f, d_r, d_f)
    else:
        grad = _mean_times(a_slope(d_r), phi_r) + _mean_times(b_slope(d_f), phi_f)
    if settings.r1_gamma or settings.r2_gamma:
        for gamma, x in ((settings.r1_gamma, s.real), (settings.r2_gamma, s.fake)):
            slopes = _feature_slopes(x, game.degree)
            grad = grad + gamma * _mean_times(_d(psi, slopes), slopes)
    if settings.lecam_weight:
        anchor_real, anchor_fake = _mean(d_r)[..., None], _mean(d_f)[..., None]
        grad = grad + 2.0 * settings.lecam_weight * (
            _mean_times(d_r - anchor_fake, phi_r) + _mean_times(d_f - anchor_real, phi_f))
    if settings.objective == "wgan-gp":
        grad = grad + settings.gradient_penalty_weight * _penalty_gradient(game, s, psi)
    return grad


def _hinge_gradient(game, s: _Samples, psi, phi_r, phi_f, d_r, d_f) -> np.ndarray:
    """−E[1{d(x_r) < 1}·φ(x_r)] + E[1{d(x_f) > −1}·φ(x_f)], in closed form where a spread is
    positive (`truncated_moments`), by quadrature for a point mass (exact there)."""
    a_slope, b_slope, _ = LOSSES["hinge"]
    real = _mean_times(a_slope(d_r), phi_r)
    fake = _mean_times(b_slope(d_f), phi_f)
    if s.real_sd > 0:
        real = -below_moments(np.full(psi.shape[:-1], s.real_mean), s.real_sd, psi, 1.0,
                              game.degree)
    spread = s.fake_sd > 0
    if np.any(spread):
        sd = np.where(spread, s.fake_sd, 1.0)
        mean = s.fake_mean
        every = np.stack([mean, mean**2 + sd**2][:game.degree], axis=-1)
        exact = every - below_moments(mean, sd, psi, -1.0, game.degree)
        fake = np.where(spread[..., None], exact, fake)
    return real + fake


def _penalty_gradient(game: Game, s: _Samples, psi: np.ndarray) -> np.ndarray:
    """∂/∂ψ E(|d'(x̂)| − 1)² = 2·E[(u − sign u)·φ'(x̂)], u = d'(x̂) = ψ1 + 2ψ2·x̂, exactly: x̂
    given α is N(αm* + (1 − α)m, α²s*² + (1 − α)²s²), and sign u flips once, at x̂ = −ψ1/(2ψ2),
    so its moments are Gaussian CDFs (no quadrature across the kink)."""
    a = psi[..., 0]
    b = 2.0 * psi[..., 1] if game.degree == 2 else np.zeros_like(a)
    grad = np.zeros(psi.shape)
    _, _, alphas, alpha_weights = _quadrature()
    for alpha, weight in zip(alphas, alpha_weights, strict=True):
        mean = alpha * s.real_mean + (1.0 - alpha) * s.fake_mean
        sd = np.sqrt((alpha * s.real_sd) ** 2 + ((1.0 - alpha) * s.fake_sd) ** 2)
        second = mean**2 + sd**2  # E x̂²
        flat = (b == 0) | (sd == 0)  # sign u is constant: sign(a + b·m)
        safe_b, safe_sd = np.where(flat, 1.0, b), np.where(flat, 1.0, sd)
        t = (-a / safe_b - mean) / safe_sd  # the kink, standardised
        upper = 1.0 - 2.0 * normal_cdf(t)  # P(x̂ > kink) − P(x̂ < kink)
        density = np.exp(-0.5 * t * t) / np.sqrt(2.0 * np.pi)
        constant = np.sign(a + b * mean)
        sign_mean = np.where(flat, constant, np.sign(safe_b) * upper)
        sign_x = np.where(flat, constant * mean,
                          np.sign(safe_b) * (mean * upper + 2.0 * sd * density))
        parts = [a + b * mean - sign_mean]  # E[u − sign u]
        if game.degree == 2:  # E[(u − sign u)·2x̂]
            parts.append(2.0 * (a * mean + b * second - sign_x))
        grad = grad + weight * 2.0 * np.stack(parts, axis=-1)
    return grad


def generator_gradient(game: Game, state: np.ndarray, settings: GameSettings) -> np.ndarray:
    """∂L_G/∂(generator parameters) at each state (..., size) → (..., G)."""
    _, _, g_slope = LOSSES[settings.objective]
    s = _samples(game, state, settings.instance_noise)
    _, psi = _split(game, state)
    d_f = _d(psi, _features(s.fake, game.degree))
    slope_x = _d(psi, _feature_slopes(s.fake, game.degree))  # d'(x_f)
    return _mean_times(g_slope(d_f) * slope_x, s.fake_slopes)


def gradient_field(game: Game, state: np.ndarray, settings: GameSettings) -> np.ndarray:
    """v = −(∂L_G/∂gen, ∂L_D/∂ψ): the continuous-time dynamics (both players descend)."""
    return -np.concatenate([generator_gradient(game, state, settings),
                            discriminator_gradient(game, state, settings)], axis=-1)


def iterate(game: Game, state: np.ndarray, settings: GameSettings) -> np.ndarray:
    """One iteration: k steps ψ ← ψ − h_D ∂L_D/∂ψ, then gen ← gen − h_G ∂L_G/∂gen at the new ψ
    (alternating) or the old ψ (simultaneous). Works on a batch of states (..., size)."""
    state = np.asarray(state, dtype=float)
    generator, _ = _split(game, state)
    new_state = state.copy()
    for _ in range(settings.critic_steps):
        new_state[..., game.generator_size:] -= settings.discriminator_lr * (
            discriminator_gradient(game, new_state, settings))
    against = new_state if settings.alternating else state
    new_state[..., :game.generator_size] = generator - settings.generator_lr * (
        generator_gradient(game, against, settings))
    return new_state


def trajectory(game: Game, start, settings: GameSettings, iterations: int) -> np.ndarray:
    """The states after 0, 1, …, `iterations` iterations from `start`: (iterations + 1, size).
    Stops early (shorter result) if a state stops being finite."""
    states = np.empty((iterations + 1, game.size))
    states[0] = start
    for i in range(iterations):
        states[i + 1] = iterate(game, states[i], settings)
        if not np.all(np.isfinite(states[i + 1])) or np.abs(states[i + 1]).max() > 1e6:
            return states[:i + 1]
    return states
