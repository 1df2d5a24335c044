"""The parameter-space games: closed-form gradients against torch autograd of the losses
written out here, trajectories against hand iteration, eigenvalues against Mescheder et al.
(2018)'s closed forms for the Dirac-GAN."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ganlab.core.dirac_dynamics import DIRAC
from ganlab.core.game_dynamics import (
    LOSSES,
    GameSettings,
    discriminator_gradient,
    generator_gradient,
    iterate,
    lesson_settings,
    trajectory,
)
from ganlab.core.game_spectrum import equilibrium_spectrum
from ganlab.core.gaussian_dynamics import GAUSSIAN
from ganlab.core.truncated_moments import below_moments

LOSS_FUNCTIONS = {  # (a, b, g) per sample: L_D = E a(d(x_r)) + E b(d(x_f)), L_G = E g(d(x_f))
    "minimax": (lambda t: F.softplus(-t), F.softplus, lambda t: -F.softplus(t)),
    "non-saturating": (lambda t: F.softplus(-t), F.softplus, lambda t: F.softplus(-t)),
    "wgan": (lambda t: -t, lambda t: t, lambda t: -t),
    "wgan-gp": (lambda t: -t, lambda t: t, lambda t: -t),
    "lsgan": (lambda t: 0.5 * (t - 1) ** 2, lambda t: 0.5 * t**2, lambda t: 0.5 * (t - 1) ** 2),
    "hinge": (lambda t: F.relu(1 - t), lambda t: F.relu(1 + t), lambda t: -t),
}


def _nodes():
    """A fine grid over z ~ N(0, 1) (not the module's quadrature): kinks cost only ~1e-4."""
    z = torch.linspace(-9, 9, 20_001, dtype=torch.float64)
    w = torch.exp(-z**2 / 2)
    return z, w / w.sum()


def _autograd(game, state, s: GameSettings):
    """∂L_D/∂ψ and ∂L_G/∂gen by autograd (WGAN-GP's kink in |d'| integrated on a fine grid)."""
    z, w = _nodes()
    state = torch.tensor(state, dtype=torch.float64, requires_grad=True)
    gen, psi = state[:game.generator_size], state[game.generator_size:]
    mean = gen[0]
    spread = gen[1] if game.learns_spread else torch.zeros((), dtype=torch.float64)
    a, b, g = LOSS_FUNCTIONS[s.objective]

    def d(x):
        return sum(psi[p] * x ** (p + 1) for p in range(game.degree))

    def slope(x):  # d'(x) by autograd, kept in the graph
        x = x.detach().requires_grad_(True) if not x.requires_grad else x
        return torch.autograd.grad(d(x).sum(), x, create_graph=True)[0]

    real = game.data_mean + math.hypot(game.data_spread, s.instance_noise) * z
    fake = mean + torch.sqrt(spread**2 + s.instance_noise**2) * z
    d_r, d_f = d(real), d(fake)
    loss_d = (w * a(d_r)).sum() + (w * b(d_f)).sum()
    loss_d = loss_d + s.r1_gamma / 2 * (w * slope(real) ** 2).sum()
    loss_d = loss_d + s.r2_gamma / 2 * (w * slope(fake.detach()) ** 2).sum()
    anchor_real, anchor_fake = (w * d_r).sum().detach(), (w * d_f).sum().detach()
    loss_d = loss_d + s.lecam_weight * ((w * (d_r - anchor_fake) ** 2).sum()
                                        + (w * (d_f - anchor_real) ** 2).sum())
    if s.objective == "wgan-gp":  # x̂ = αx_r + (1 − α)x_f: over x̂ | α on a fine grid
        alphas, alpha_w = np.polynomial.legendre.leggauss(16)
        real_sd = math.hypot(game.data_spread, s.instance_noise)
        fake_sd = torch.sqrt(spread**2 + s.instance_noise**2).detach()
        grid, density = z, w
        for alpha, weight in zip((alphas + 1) / 2, alpha_w / 2, strict=True):
            centre = alpha * game.data_mean + (1 - alpha) * mean.detach()
            sd = torch.sqrt((alpha * real_sd) ** 2 + ((1 - alpha) * fake_sd) ** 2)
            penalty = (slope(centre + sd * grid).abs() - 1) ** 2
            loss_d = loss_d + s.gradient_penalty_weight * weight * (density * penalty).sum()
    loss_g = (w * g(d(fake))).sum()
    (grad_d,) = torch.autograd.grad(loss_d, state, retain_graph=True)
    (grad_g,) = torch.autograd.grad(loss_g, state)
    return (grad_g[:game.generator_size].numpy(), grad_d[game.generator_size:].numpy())


REGULARISED = [{}, {"r1_gamma": 0.7}, {"r2_gamma": 0.4}, {"instance_noise": 0.6},
               {"lecam_weight": 0.5}, {"r1_gamma": 0.3, "instance_noise": 0.3, "lecam_weight": 1}]


@pytest.mark.parametrize("objective", list(LOSSES))
@pytest.mark.parametrize("game", [DIRAC, GAUSSIAN], ids=["dirac", "gaussian"])
def test_closed_form_gradients_match_autograd(objective, game):
    rng = np.random.default_rng(3)
    for extra in REGULARISED:
        settings = GameSettings(objective=objective, gradient_penalty_weight=0.8, **extra)
        for _ in range(3):
            state = rng.normal(0, 0.8, game.size)
            if game.learns_spread:
                state[1] = rng.uniform(0.3, 1.8)
            expected_g, expected_d = _autograd(game, state, settings)
            kinked = objective in ("wgan-gp", "hinge")  # the grid's O(h) error at a step
            tolerance = 2e-3 if kinked else 1e-4  # 128 Gauss–Hermite nodes against the grid
            np.testing.assert_allclose(generator_gradient(game, state, settings), expected_g,
                                       atol=1e-6, rtol=1e-4)
            np.testing.assert_allclose(discriminator_gradient(game, state, settings),
                                       expected_d, atol=tolerance, rtol=tolerance)


def test_gradients_of_a_batch_of_states_are_those_of_each_state():
    settings = GameSettings(objective="non-saturating", r1_gamma=0.2, instance_noise=0.3)
    states = np.random.default_rng(0).normal(0.5, 0.5, (4, 3, GAUSSIAN.size))
    batch = iterate(GAUSSIAN, states, settings)
    for index in np.ndindex(4, 3):
        np.testing.assert_allclose(batch[index], iterate(GAUSSIAN, states[index], settings))


def _wgan_by_hand(theta, psi, h, steps, k=1, alternating=False, gamma=0.0):
    """WGAN on the Dirac-GAN: ∂L_D/∂ψ = θ + γψ, ∂L_G/∂θ = −ψ."""
    path = [(theta, psi)]
    for _ in range(steps):
        new_psi = psi
        for _ in range(k):
            new_psi = new_psi - h * (theta + gamma * new_psi)
        theta = theta + h * (new_psi if alternating else psi)
        psi = new_psi
        path.append((theta, psi))
    return np.array(path)


@pytest.mark.parametrize(("k", "alternating", "gamma"),
                         [(1, False, 0.0), (1, True, 0.0), (3, True, 0.0), (2, False, 0.5)])
def test_trajectories_are_the_discrete_updates_iterated_by_hand(k, alternating, gamma):
    settings = GameSettings(objective="wgan", generator_lr=0.1, discriminator_lr=0.1,
                            critic_steps=k, alternating=alternating, r1_gamma=gamma)
    np.testing.assert_allclose(trajectory(DIRAC, (1.0, 0.5), settings, 60),
                               _wgan_by_hand(1.0, 0.5, 0.1, 60, k, alternating, gamma),
                               atol=1e-12)


def test_minimax_trajectory_matches_the_sigmoid_updates():
    theta, psi, h = 0.8, -0.6, 0.2
    states = trajectory(DIRAC, (theta, psi), GameSettings(generator_lr=h, discriminator_lr=h), 40)
    for state in states[1:]:
        slope = 1 / (1 + math.exp(-psi * theta))  # σ(ψθ)
        theta, psi = theta + h * psi * slope, psi - h * theta * slope
        assert state == pytest.approx([theta, psi], abs=1e-12)


def test_simultaneous_steps_spiral_out_and_alternating_steps_circle():
    h = 0.1
    start = np.array([1.0, 0.0])
    simultaneous = trajectory(DIRAC, start, GameSettings("wgan", h, h), 600)
    radius = np.hypot(*simultaneous.T)
    np.testing.assert_allclose(radius, (1 + h * h) ** (np.arange(601) / 2), rtol=1e-10)
    alternating = trajectory(DIRAC, start, GameSettings("wgan", h, h, alternating=True), 2000)
    radius = np.hypot(*alternating.T)  # 2000 iterations: 32 turns of period 2π/h
    assert radius.max() < 1.06 and radius.min() > 0.94  # a closed orbit, no drift
    assert abs(radius[-300:].max() - radius[:300].max()) < 1e-3


def test_regularisers_make_the_dirac_gan_converge():
    for extra in ({"r1_gamma": 0.5}, {"r2_gamma": 0.5}, {"instance_noise": 0.7}):
        states = trajectory(DIRAC, (1.0, 1.0), GameSettings(**extra), 600)
        assert np.abs(states[-1]).max() < 2e-2, extra
    unregularised = trajectory(DIRAC, (1.0, 1.0), GameSettings(), 600)
    assert np.hypot(*unregularised[-1]) > np.hypot(1.0, 1.0)


def _roots(trace: float, determinant: float) -> np.ndarray:
    """The eigenvalues of a 2×2 matrix: λ² − trace·λ + determinant = 0."""
    return np.sort_complex(np.roots([1.0, -trace, determinant]).astype(complex))


@pytest.mark.parametrize(("objective", "slope"), [("minimax", 0.5), ("non-saturating", 0.5),
                                                   ("wgan", 1.0), ("hinge", 1.0)])
@pytest.mark.parametrize("gamma", [0.0, 0.3, 1.0, 4.0])
def test_dirac_eigenvalues_are_the_papers(objective, slope, gamma):
    """J = [[0, f'(0)], [−f'(0), −γ]]: λ = ±i·f'(0) without R1, (−γ ± √(γ² − 4f'(0)²))/2 with."""
    spectrum = equilibrium_spectrum(DIRAC, GameSettings(objective, r1_gamma=gamma))
    assert spectrum.stationary and spectrum.differentiable
    np.testing.assert_allclose(np.sort_complex(spectrum.field), _roots(-gamma, slope**2),
                               atol=1e-6)
    if gamma > 0:
        assert max(spectrum.field.real) < 0


def test_instance_noise_damps_the_minimax_dirac_gan():
    """J = [[0, f'(0)], [−f'(0), 2f''(0)σ²]] with f''(0) = −¼ for the logistic loss."""
    sigma = 0.6
    spectrum = equilibrium_spectrum(DIRAC, GameSettings("minimax", instance_noise=sigma))
    np.testing.assert_allclose(np.sort_complex(spectrum.field),
                               _roots(-sigma**2 / 2, 0.25), atol=1e-6)


@pytest.mark.parametrize("k", [1, 2, 5])
def test_critic_steps_change_the_spiral(k):
    """WGAN, h_G = h_D = h: simultaneous updates J = [[1, h], [−kh, 1]] grow ×√(1 + kh²) per
    iteration; alternating ones [[1 − kh², h], [−kh, 1]] have determinant 1 (circles)."""
    h = 0.1
    simultaneous = equilibrium_spectrum(DIRAC, GameSettings("wgan", h, h, critic_steps=k))
    assert simultaneous.radius == pytest.approx(math.sqrt(1 + k * h * h), abs=1e-7)
    alternating = equilibrium_spectrum(DIRAC, GameSettings("wgan", h, h, critic_steps=k,
                                                           alternating=True))
    assert alternating.radius == pytest.approx(1.0, abs=1e-7)
    np.testing.assert_allclose(np.sort_complex(alternating.update), _roots(2 - k * h * h, 1.0),
                               atol=1e-7)


def test_what_has_no_linearisation_says_so():
    assert not equilibrium_spectrum(DIRAC, GameSettings("wgan-gp")).differentiable
    assert not equilibrium_spectrum(GAUSSIAN, GameSettings("lsgan")).stationary
    assert equilibrium_spectrum(GAUSSIAN, GameSettings("minimax")).stationary


def test_the_gaussian_game_rests_at_the_data_and_wgan_circles_there():
    """At (μ, σ) = (0, 1), ψ = 0 nothing moves; WGAN's field there has λ = ±i, ±2i (the mean
    and the spread oscillate at their own frequencies)."""
    for objective in ("minimax", "non-saturating", "wgan", "hinge"):
        rest = GAUSSIAN.equilibrium()
        np.testing.assert_allclose(iterate(GAUSSIAN, rest, GameSettings(objective)), rest,
                                   atol=1e-12)
    spectrum = equilibrium_spectrum(GAUSSIAN, GameSettings("wgan"))
    np.testing.assert_allclose(np.sort(spectrum.field.imag), [-2, -1, 1, 2], atol=1e-6)
    np.testing.assert_allclose(spectrum.field.real, 0, atol=1e-6)


def test_lesson_settings_are_checked():
    game, settings, start = lesson_settings({"game": "gaussian", "objective": "wgan",
                                             "start": [1, 0.5, 0, 0]})
    assert (game, settings.objective, start) == ("gaussian", "wgan", (1.0, 0.5, 0.0, 0.0))
    for bad in ({"game": "moon"}, {"objective": "mmd"}, {"learning_rate": 1}, []):
        with pytest.raises(ValueError):
            lesson_settings(bad)


def test_truncated_moments_match_brute_force_integration():
    rng = np.random.default_rng(0)
    z = np.linspace(-12, 12, 400_001)
    weights = np.exp(-z**2 / 2)
    weights /= weights.sum()
    cases = [(0.3, 1.2, np.array([0.7, 0.0]), 1.0),  # linear d
             (-0.2, 0.8, np.zeros(2), -1.0), (0.1, 0.5, np.zeros(2), 1.0),  # d ≡ 0
             *((rng.normal(), rng.uniform(0.2, 2), rng.normal(0, 1, 2), level)
               for level in (1.0, -1.0) for _ in range(4))]
    for mean, sd, psi, level in cases:
        x = mean + sd * z
        inside = (psi[0] * x + psi[1] * x**2 < level) * weights
        expected = [(inside * x).sum(), (inside * x**2).sum()]
        got = below_moments(np.array(mean), np.array(sd), psi, level, 2)
        np.testing.assert_allclose(got, expected, atol=1e-4)
