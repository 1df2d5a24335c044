"""Image metric formulas against closed forms and brute force, on small made-up arrays."""

import math

import numpy as np
import pytest
from scipy.linalg import sqrtm

from ganlab.core.image_scores import (
    class_histogram,
    classes_covered,
    density_coverage,
    frechet_distance,
    kl_to_reference,
    mean_confidence,
)


def _whitened(rng, n, dim):
    """n samples with mean exactly 0 and sample covariance exactly the identity."""
    x = rng.normal(size=(n, dim))
    x -= x.mean(axis=0)
    root = np.linalg.cholesky(np.cov(x, rowvar=False))
    return x @ np.linalg.inv(root).T


def test_frechet_distance_matches_the_closed_form_for_diagonal_gaussians():
    rng = np.random.default_rng(0)
    white = _whitened(rng, 500, 4)
    mean_a, mean_b = np.array([0.0, 1.0, 2.0, -1.0]), np.array([1.0, 1.0, 0.0, 0.0])
    sd_a, sd_b = np.array([1.0, 2.0, 0.5, 3.0]), np.array([2.0, 2.0, 1.5, 1.0])
    a = mean_a + white * sd_a
    b = mean_b + _whitened(rng, 400, 4) * sd_b
    # diagonal covariances: d² = ‖μa − μb‖² + Σ (σa − σb)²
    exact = np.sum((mean_a - mean_b) ** 2) + np.sum((sd_a - sd_b) ** 2)
    assert exact == pytest.approx(6.0 + 6.0)
    assert frechet_distance(a, b) == pytest.approx(exact, rel=1e-9)
    assert frechet_distance(b, a) == pytest.approx(exact, rel=1e-9)


def test_frechet_distance_agrees_with_the_general_matrix_square_root():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6))
    b = rng.normal(size=(200, 6)) @ rng.normal(size=(6, 6)) + 0.5
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = sqrtm(cov_a @ cov_b).real
    expected = (np.sum((a.mean(0) - b.mean(0)) ** 2)
                + np.trace(cov_a + cov_b - 2 * root))
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-8)


def test_frechet_distance_of_a_set_with_itself_is_zero_even_when_singular():
    rng = np.random.default_rng(2)
    # 10 features spanning only 3 directions, and a dead (constant) feature: Σ is singular
    a = np.concatenate([rng.normal(size=(50, 3)) @ rng.normal(size=(3, 10)),
                        np.zeros((50, 1))], axis=1)
    # zero eigenvalues come out as ±1e-13 and their square roots as ~3e-7: hence abs=1e-5
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-5)
    assert frechet_distance(a, a + 2.0) == pytest.approx(4.0 * 11, abs=1e-5)


def test_frechet_distance_rejects_mismatched_or_broken_features():
    with pytest.raises(ValueError, match="feature sizes"):
        frechet_distance(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="NaN"):
        frechet_distance(np.full((5, 2), np.nan), np.zeros((5, 2)))


def test_class_histogram_from_labels_and_from_probabilities():
    assert class_histogram(np.array([0, 0, 2, 3]), 4).tolist() == [0.5, 0.0, 0.25, 0.25]
    probabilities = np.array([[0.1, 0.9, 0.0], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1]])
    assert class_histogram(probabilities, 3).tolist() == pytest.approx([1 / 3, 2 / 3, 0.0])
    assert class_histogram(np.full(7, 4), 5).tolist() == [0, 0, 0, 0, 1.0]
    with pytest.raises(ValueError, match="integers"):
        class_histogram(np.array([0, 5]), 5)
    with pytest.raises(ValueError, match="non-empty"):
        class_histogram(np.array([], dtype=np.int64), 5)
    with pytest.raises(ValueError, match="columns"):
        class_histogram(probabilities, 4)


def test_classes_covered_counts_classes_above_a_quarter_of_their_uniform_share():
    assert classes_covered(np.full(10, 0.1)) == 10
    assert classes_covered(np.eye(10)[3]) == 1
    # threshold 0.25 / 10 = 0.025: exactly at it counts, just below does not
    histogram = np.array([0.025, 0.0249, *([(1 - 0.0499) / 8] * 8)])
    assert classes_covered(histogram) == 9
    assert classes_covered(histogram, min_fraction=1.0) == 8


def test_kl_to_reference_edge_cases():
    uniform = np.full(10, 0.1)
    assert kl_to_reference(uniform, uniform) == pytest.approx(0.0, abs=1e-12)
    # one class only, against uniform: log 10 (up to the 1e-6 smoothing)
    assert kl_to_reference(np.eye(10)[0], uniform) == pytest.approx(math.log(10), rel=1e-4)
    # empty classes in the histogram contribute nothing: p = (½, ½, 0, 0) → log 2
    assert kl_to_reference([0.5, 0.5, 0, 0], [0.25] * 4) == pytest.approx(math.log(2), rel=1e-4)
    # a class missing from the reference: large but finite, log((1 + K s) / s) at most
    missing = kl_to_reference([0.0, 1.0], [1.0, 0.0])
    assert math.isfinite(missing)
    assert missing == pytest.approx(math.log((1 + 2e-6) / 1e-6), rel=1e-6)
    # counts are normalised like fractions
    assert kl_to_reference([2, 2], [10, 30]) == pytest.approx(
        0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75), rel=1e-4)
    with pytest.raises(ValueError, match="one size"):
        kl_to_reference([1.0], [0.5, 0.5])


def test_mean_confidence_is_the_mean_top_probability():
    assert mean_confidence(np.array([[0.9, 0.1], [0.4, 0.6]])) == pytest.approx(0.75)
    assert mean_confidence(np.full((3, 4), 0.25)) == pytest.approx(0.25)


def _brute_force_density_coverage(real, fake, k):
    real_to_real = np.linalg.norm(real[:, None] - real[None], axis=2)
    np.fill_diagonal(real_to_real, np.inf)
    radii = np.sort(real_to_real, axis=1)[:, k - 1]
    inside = np.linalg.norm(fake[None] - real[:, None], axis=2) < radii[:, None]  # (N, M)
    return inside.sum() / (k * len(fake)), inside.any(axis=1).mean()


@pytest.mark.parametrize(("seed", "n_real", "n_fake", "k", "shift"),
                         [(0, 30, 40, 5, 0.0), (1, 25, 10, 3, 0.7), (2, 50, 50, 1, 0.3),
                          (3, 12, 60, 5, 2.0)])
def test_density_coverage_matches_brute_force(seed, n_real, n_fake, k, shift):
    rng = np.random.default_rng(seed)
    real = rng.normal(size=(n_real, 3))
    fake = rng.normal(size=(n_fake, 3)) * 1.3 + shift
    density, coverage = density_coverage(real, fake, k=k)
    expected_density, expected_coverage = _brute_force_density_coverage(real, fake, k)
    assert density == pytest.approx(expected_density, abs=1e-12)
    assert coverage == pytest.approx(expected_coverage, abs=1e-12)
    assert coverage > 0


def test_density_coverage_special_cases():
    rng = np.random.default_rng(4)
    real = rng.normal(size=(200, 8))
    # fakes identical to the reals: every ball holds its own centre and its k − 1 nearest others
    assert density_coverage(real, real.copy(), k=5) == (1.0, 1.0)
    # fakes far away reach no real neighbourhood
    assert density_coverage(real, real + 100.0, k=5) == (0.0, 0.0)
    # one fake on one real sample: that sample is covered, and only it (and its close friends)
    density, coverage = density_coverage(real, real[:1], k=5)
    assert 1 / 200 <= coverage <= 6 / 200
    assert density == pytest.approx(200 * coverage / 5)
    with pytest.raises(ValueError, match="at least 6"):
        density_coverage(real[:5], real, k=5)
