"""Metrics against closed forms, fine numerical integration and brute force.

Tolerances come from running each estimator over 6 seeds (means and spreads are in the comments:
mean ± standard deviation over seeds, exact value after "exact").
"""

import math

import numpy as np
import pytest
import torch
from scipy.integrate import quad
from scipy.stats import norm

from ganlab.core.divergences import mixture_log_density, target_log_density
from ganlab.core.metrics import (
    critic_value_gap,
    evaluate,
    evaluate_samples,
    mode_metrics,
    sample_divergences,
    w1_floor,
    w1_reference,
    wasserstein1,
)
from ganlab.core.targets import TARGETS, ViewBox
from ganlab.core.targets.base import GaussianMixture
from ganlab.core.trainer import Trainer

RING = TARGETS["ring8"]()
N = 2500  # the evaluation protocol's sample count


def _ring_samples(width_factor: float, seed: int) -> np.ndarray:
    """A generator with ring8's modes at `width_factor` times their σ."""
    rng = np.random.default_rng(seed)
    index = rng.integers(len(RING.centres), size=N)
    return RING.centres[index] + RING.sigma * width_factor * rng.standard_normal((N, 2))


def _real(target, seed: int = 100) -> np.ndarray:
    return target.sample(N, torch.Generator().manual_seed(seed)).double().numpy()


def _js_radial(s1: float, s2: float) -> float:
    """JS between N(0, s1² I) and N(0, s2² I) in 2D, by integration over the radius."""
    def density(r, s):
        return math.exp(-r * r / (2 * s * s)) / (2 * math.pi * s * s)

    def integrand(r):
        p, q = density(r, s1), density(r, s2)
        m = 0.5 * (p + q)
        return 2 * math.pi * r * sum(0.5 * f * math.log(f / m) for f in (p, q) if f > 0)

    return quad(integrand, 0, 40 * max(s1, s2), limit=400, points=[s1, s2, 3 * s2])[0]


def _kl_isotropic_2d(s_p: float, s_q: float, shift: float = 0.0) -> float:
    """KL(N(0, s_p² I) ‖ N(μ, s_q² I)) in 2D with |μ| = shift."""
    return 2 * math.log(s_q / s_p) + (2 * s_p**2 + shift**2) / (2 * s_q**2) - 1


def _off_box_js(fraction: float) -> float:
    """JS between ring8 and (1 − f)·ring8 + f·δ(50, 0): disjoint parts, closed form."""
    q = 1 - fraction
    return 0.5 * math.log(2 / (1 + q)) + 0.5 * (fraction * math.log(2)
                                                + q * math.log(2 * q / (1 + q)))


@pytest.mark.parametrize(("fraction", "js_tol", "kl_tol"), [
    (0.5, 0.015, 0.12),  # JS 0.211 ± 0.004 (exact 0.216); KL 0.66 ± 0.04 (exact log 2)
    (0.9, 0.015, 0.15),  # JS 0.519 ± 0.002 (0.526); KL 2.25 ± 0.03 (log 10 = 2.30)
    (0.99, 0.04, 1.2),  # JS 0.643 ± 0.005 (0.665); KL 4.7 ± 0.4 (log 100 = 4.61): 25 samples
])
def test_samples_off_the_view_count(fraction, js_tol, kl_tol):
    fake = _ring_samples(1.0, seed=3)
    fake[: int(fraction * N)] = (50.0, 0.0)  # far outside the view box
    result = sample_divergences(RING, fake, _real(RING))
    assert result["js"] == pytest.approx(_off_box_js(fraction), abs=js_tol)
    assert result["kl_data_model"] == pytest.approx(-math.log(1 - fraction), abs=kl_tol)
    # the far samples sit where p_data ≈ exp(-49²/2σ²): KL(p_g‖p_data) is astronomically large
    assert result["kl_model_data"] > 1e6


def test_off_box_js_closed_form_matches_integration():
    # the closed form above, checked once against the definition with a point mass
    fraction = 0.9
    q = 1 - fraction
    js = 0.5 * (1 * math.log(1 / (0.5 * (1 + q)))) + 0.5 * (
        q * math.log(q / (0.5 * (1 + q))) + fraction * math.log(fraction / (0.5 * fraction)))
    assert js == pytest.approx(_off_box_js(fraction)) and js == pytest.approx(0.526, abs=1e-3)


@pytest.mark.parametrize(("factor", "kl_rel"), [
    # KL(p_data‖p_g) 0.673 ± 0.05 (exact 2 log 2 + 1/4 − 1 = 0.636), KL(p_g‖p_data) 1.65 ± 0.05
    # (1.614), JS 0.177 ± 0.005 (0.173 by integration)
    (2.0, 0.15),
    # 1.87 ± 0.08 (exact 1.835), 12.1 ± 0.3 (12.23), JS 0.422 ± 0.004 (0.420)
    (4.0, 0.12),
])
def test_modes_too_wide_on_ring8(factor, kl_rel):
    result = sample_divergences(RING, _ring_samples(factor, seed=1), _real(RING))
    assert result["kl_data_model"] == pytest.approx(_kl_isotropic_2d(1, factor), rel=kl_rel)
    assert result["kl_model_data"] == pytest.approx(_kl_isotropic_2d(factor, 1), rel=0.1)
    assert result["js"] == pytest.approx(_js_radial(1, factor), abs=0.015)


def test_two_gaussians_against_closed_form_kl():
    # data N((1, 1), 0.25² I) (the "gaussian" target), model shifted by a = √(3.74/8) along x:
    # KL = a²/(2·0.25²) = 3.74 both ways. Over 6 seeds at 2,500 samples: KL(p_data‖p_g)
    # 3.41 ± 0.16 (−9%: a nearest-neighbour ball in the model's tail holds more mass than its
    # centre sees), KL(p_g‖p_data) 3.76 ± 0.07
    target = TARGETS["gaussian"]()
    shift = math.sqrt(3.74 / 8)
    fake = np.array([1 + shift, 1.0]) + 0.25 * np.random.default_rng(2).standard_normal((N, 2))
    result = sample_divergences(target, fake, _real(target))
    assert result["kl_data_model"] == pytest.approx(3.74, rel=0.2)
    assert result["kl_model_data"] == pytest.approx(3.74, rel=0.06)


def test_js_in_1d_matches_fine_numerical_integration():
    p, q = norm(0, 1), norm(1.5, 0.7)

    def integrand(x):
        m = 0.5 * (p.pdf(x) + q.pdf(x))
        return sum(0.5 * f * math.log(f / m) for f in (p.pdf(x), q.pdf(x)) if f > 0)

    expected = quad(integrand, -12, 12, limit=400)[0]  # 0.207
    target = GaussianMixture("p", "", [[0.0]], 1.0, ViewBox((-4.0,), (4.0,)))
    fake = q.rvs(size=N, random_state=5)[:, None]
    result = sample_divergences(target, fake, _real(target))
    assert result["js"] == pytest.approx(expected, abs=0.015)


@pytest.mark.parametrize("name", ["ring8", "grid25", "square", "spiral", "exponential",
                                  "segment"])
def test_identical_distributions_are_near_zero(name):
    # over 6 seeds: JS ≤ 0.002 everywhere; |KL| ≤ 0.05 ± 0.03 (nearest-neighbour bias at the
    # modes' peaks on ring8/grid25)
    target = TARGETS[name]()
    result = sample_divergences(target, _real(target, seed=7), _real(target, seed=8))
    assert result["js"] < 0.01
    assert abs(result["kl_data_model"]) < 0.12
    assert abs(result["kl_model_data"]) < 0.12


def test_disjoint_and_collapsed_samples():
    far = np.full((N, 2), 50.0) + np.random.default_rng(0).standard_normal((N, 2))
    assert sample_divergences(RING, far, _real(RING))["js"] == pytest.approx(math.log(2),
                                                                             abs=1e-6)
    collapsed = RING.centres[np.arange(N) % 2] + 0.01 * np.random.default_rng(0).standard_normal(
        (N, 2))
    result = sample_divergences(RING, collapsed, _real(RING))
    # two of eight modes: KL(p_g‖p_data) = log 4 exactly. The data's six other modes are far
    # from every sample: KL(p_data‖p_g) is large, how large depends on p_g's tail there, which
    # no sample shows (the nearest-neighbour estimate says 10). JS = ½(¾ log 2 + ¼ log ⅖)
    # + ½ log ⁸⁄₅ ≈ 0.38
    assert result["kl_model_data"] == pytest.approx(math.log(4), abs=0.1)
    assert result["kl_data_model"] > 5
    assert result["js"] == pytest.approx(0.5 * (0.75 * math.log(2) + 0.25 * math.log(2 / 5))
                                         + 0.5 * math.log(8 / 5), abs=0.02)


def test_log_density_is_exact_and_finite_far_away():
    points = np.array([[1.0, 0.0], [0.97, 0.02], [50.0, 0.0]])  # density() underflows at 50
    exact = np.log(RING.density(points[:2]))
    assert np.allclose(mixture_log_density(RING, points[:2]), exact)
    far = mixture_log_density(RING, points[2:])[0]
    # only the mode at (1, 0) counts, with weight ⅛
    assert far == pytest.approx(-0.5 * 49**2 / 0.01**2 - math.log(8 * 2 * math.pi * 1e-4),
                                rel=1e-12)
    spiral = TARGETS["spiral"]()  # 720 centres: the nearby-centre sum against the full one
    x = _real(spiral)[:300] + np.array([0.0, 0.3])
    assert np.allclose(target_log_density(spiral, x), np.log(spiral.density(x)), atol=1e-6)


def test_w1_of_shifted_segments_is_the_shift():
    rng = np.random.default_rng(0)
    y = rng.uniform(0, 1, 400)
    segment = np.stack([np.zeros_like(y), y], axis=1)
    for theta in (0.0, 0.25, 1.0):
        shifted = segment + np.array([theta, 0.0])
        assert wasserstein1(segment, shifted) == pytest.approx(theta, abs=1e-9)
    assert wasserstein1(y[:, None], y[:, None] + 0.3) == pytest.approx(0.3)


def test_w1_of_a_missing_grid25_mode_lies_within_its_uncertainty():
    # a generator missing the corner mode (−4, −4): each of the 24 others holds 1/24 instead
    # of 1/25 and sends the surplus 1/600 straight to the missing mode, so the exact
    # W1 = Σ_i |μ_i − μ_missing| / 600 = 0.2645 (the modes' equal shape moves for free).
    grid = TARGETS["grid25"]()
    missing = 0
    exact = np.linalg.norm(grid.centres - grid.centres[missing], axis=1).sum() / 600
    assert exact == pytest.approx(0.2645, abs=1e-4)
    floor, spread = w1_floor(grid)  # 0.26 ± 0.06: 500 points cannot resolve a 1/25 mode
    assert 0.2 < floor < 0.35 and 0.02 < spread < 0.1
    rng = np.random.default_rng(0)
    others = np.delete(grid.centres, missing, axis=0)
    for _ in range(3):
        fake = others[rng.integers(24, size=500)] + 0.05 * rng.standard_normal((500, 2))
        value = wasserstein1(w1_reference(grid, fake), fake)  # 0.40 ± 0.07 over 8 seeds
        assert abs(value - exact) <= floor + 2 * spread
    perfect = grid.sample(500, torch.Generator().manual_seed(9)).double().numpy()
    assert wasserstein1(w1_reference(grid, perfect), perfect) <= floor + 2 * spread


def test_another_object_of_the_same_mixture_reads_the_floor_without_computing_it(
        monkeypatch):
    import ganlab.core.metrics as metrics

    first = w1_floor(TARGETS["grid25"](), n=60)  # (a small n: this test's own cache entry)
    monkeypatch.setattr(metrics, "wasserstein1", lambda *a, **k: pytest.fail("recomputed"))
    assert w1_floor(TARGETS["grid25"](), n=60) == first  # a new target object: shared
    monkeypatch.undo()
    grid = TARGETS["grid25"]()  # the same centres with another σ is another floor
    wider = GaussianMixture("grid25", "wider", grid.centres, 2 * grid.sigma, grid.view_box)
    assert w1_floor(wider, n=60)[0] > first[0]


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


def test_evaluate_samples_reports_w1_with_its_floor():
    fake = _ring_samples(1.0, seed=4)
    result = evaluate_samples(RING, fake, _real(RING))
    assert result["modes_covered"] == 8 and result["js"] < 0.01
    assert result["w1"] <= result["w1_uncertainty"] < 0.1  # ring8 resolves well at 500
    bad = fake.copy()
    bad[0] = np.nan
    assert evaluate_samples(RING, bad, _real(RING))["w1_floor"] is None


def test_evaluate_and_value_gap_in_data_units(small_config):
    small_config.target.name = "ring8"
    trainer = Trainer(small_config)
    result = evaluate(trainer, n=500)
    assert result["total_modes"] == 8 and result["iteration"] == 0
    assert 0 <= result["js"] <= math.log(2) + 1e-9
    assert result["w1"] > 0
    real = trainer.sample_real(200)
    assert critic_value_gap(trainer, real, real) == pytest.approx(0.0, abs=1e-6)
    # a linear critic d = wᵀ x_std + b with |w| = 1 (1-Lipschitz in standardised units): the
    # gap between points shifted by δ in data units is s · wᵀ(δ/s) = wᵀδ, in data units
    small_config.model.discriminator.hidden_layers = 0
    small_config.objective.name = "wgan"
    trainer = Trainer(small_config)
    layer = trainer.discriminator.body[-1]
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[1.0, 0.0]]))
        layer.bias.zero_()
    shifted = real + np.array([0.3, 0.0], dtype=np.float32)
    assert critic_value_gap(trainer, shifted, real) == pytest.approx(0.3, rel=1e-4)
    small_config.objective.name = "mmd"
    assert evaluate(Trainer(small_config), n=200)["value_gap"] is None
