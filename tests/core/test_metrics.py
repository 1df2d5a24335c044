import math

import numpy as np
import pytest
import torch
from scipy.integrate import quad
from scipy.stats import norm

from ganlab.core import fields
from ganlab.core.metrics import (
    critic_value_gap,
    evaluate,
    grid_divergences,
    mode_metrics,
    sample_divergences,
    wasserstein1,
)
from ganlab.core.targets import TARGETS, ViewBox
from ganlab.core.targets.base import GaussianMixture
from ganlab.core.trainer import Trainer

LINE = ViewBox((-12.0,), (12.0,))


def _gaussian_grid(mean, sd, resolution=20000):
    return fields.density_on_grid(GaussianMixture("g", "", [[mean]], sd, LINE), LINE, resolution)


def test_kl_between_gaussians_matches_closed_form():
    # KL(N(0, 1) || N(1, 2²)) = log(2/1) + (1 + 1)/(2·4) - ½
    result = grid_divergences(_gaussian_grid(0, 1), _gaussian_grid(1, 2))
    assert result["kl_data_model"] == pytest.approx(math.log(2) + 2 / 8 - 0.5, abs=1e-4)
    # KL(N(1, 0.8²) || N(0, 1)) = log(1/0.8) + (0.64 + 1)/2 - ½
    result = grid_divergences(_gaussian_grid(1, 0.8), _gaussian_grid(0, 1))
    assert result["kl_data_model"] == pytest.approx(math.log(1.25) + 1.64 / 2 - 0.5, abs=1e-4)
    # the density floor (1e-6 of the peak) caps log-ratios far in the tails: the reverse
    # KL(N(1, 2²) || N(0, 1)) = 1.307 comes out a little lower, and always finite
    floored = grid_divergences(_gaussian_grid(0, 1), _gaussian_grid(1, 2))["kl_model_data"]
    assert 1.1 < floored < math.log(1 / 2) + 5 / 2 - 0.5


def test_js_matches_fine_numerical_integration():
    p, q = norm(0, 1), norm(1.5, 0.7)

    def integrand(x):
        m = 0.5 * (p.pdf(x) + q.pdf(x))
        terms = 0.0
        for f in (p.pdf(x), q.pdf(x)):
            if f > 0:
                terms += 0.5 * f * math.log(f / m)
        return terms

    expected = quad(integrand, -12, 12, limit=400)[0]
    result = grid_divergences(_gaussian_grid(0, 1), _gaussian_grid(1.5, 0.7))
    assert result["js"] == pytest.approx(expected, abs=1e-4)
    same = grid_divergences(_gaussian_grid(0, 1), _gaussian_grid(0, 1))
    assert same["js"] == pytest.approx(0, abs=1e-12)
    # disjoint supports: JS = log 2, KL huge (floored, not infinite)
    apart = grid_divergences(_gaussian_grid(-8, 0.2), _gaussian_grid(8, 0.2))
    assert apart["js"] == pytest.approx(math.log(2), abs=1e-3)
    assert apart["kl_data_model"] > 10


def test_w1_of_shifted_segments_is_the_shift():
    rng = np.random.default_rng(0)
    y = rng.uniform(0, 1, 400)
    segment = np.stack([np.zeros_like(y), y], axis=1)
    for theta in (0.0, 0.25, 1.0):
        shifted = segment + np.array([theta, 0.0])
        assert wasserstein1(segment, shifted) == pytest.approx(theta, abs=1e-9)
    assert wasserstein1(y[:, None], y[:, None] + 0.3) == pytest.approx(0.3)


def test_mode_metrics_on_perfect_and_collapsed_samples():
    grid = TARGETS["grid25"]()
    perfect = grid.sample(2500, torch.Generator().manual_seed(0)).numpy()
    result = mode_metrics(perfect, grid.modes, grid.mode_std)
    assert result.modes_covered == 25 and result.total_modes == 25
    # in 2D, P(|x - μ| ≤ 3σ) = 1 - exp(-9/2) ≈ 0.989
    assert result.high_quality_fraction == pytest.approx(1 - math.exp(-4.5), abs=0.01)
    assert result.reverse_kl < 0.02
    collapsed = grid.modes[7] + 0.01 * np.random.default_rng(0).normal(size=(2500, 2))
    result = mode_metrics(collapsed, grid.modes, grid.mode_std)
    assert result.modes_covered == 1 and result.high_quality_fraction == 1.0
    assert result.reverse_kl == pytest.approx(math.log(25))
    far = np.full((100, 2), 100.0)
    result = mode_metrics(far, grid.modes, grid.mode_std)
    assert result.modes_covered == 0 and math.isinf(result.reverse_kl)


def test_sample_divergences_tell_perfect_from_collapsed():
    ring = TARGETS["ring8"]()
    perfect = ring.sample(2500, torch.Generator().manual_seed(1)).numpy()
    collapsed = ring.modes[[0, 1]][np.arange(2500) % 2] + 0.01 * np.random.default_rng(0).normal(
        size=(2500, 2)
    )
    good = sample_divergences(ring, perfect, ring.view_box)
    bad = sample_divergences(ring, collapsed, ring.view_box)
    assert good["js"] < 0.01
    assert bad["js"] > 0.25
    assert bad["kl_data_model"] > 1.0  # the data has mass where the model has none
    assert sample_divergences(ring, np.full((10, 2), 50.0), ring.view_box)["js"] == pytest.approx(
        math.log(2)
    )


def test_evaluate_and_value_gap(small_config):
    small_config.target.name = "ring8"
    trainer = Trainer(small_config)
    result = evaluate(trainer, n=500)
    assert result["total_modes"] == 8 and result["iteration"] == 0
    assert 0 <= result["js"] <= math.log(2) + 1e-9
    assert result["w1"] > 0
    real = trainer.sample_real(200)
    assert critic_value_gap(trainer, real, real) == pytest.approx(0.0, abs=1e-6)
    small_config.objective.name = "mmd"
    assert evaluate(Trainer(small_config), n=200)["value_gap"] is None
