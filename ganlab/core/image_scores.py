"""Image metric formulas on plain arrays: feature vectors and class predictions in, numbers out.

No torch here: the features and class probabilities come from `image_classifier` (a small CNN
trained on the dataset itself), so none of these values is comparable to Inception-based FID or
to published density/coverage numbers; they compare a generator with the real data under one
and the same extractor.

- `frechet_distance`: the FID formula between two feature sets, each fitted by a Gaussian.
- `class_histogram`, `classes_covered`, `kl_to_reference`, `mean_confidence`: what the
  classifier says about a set of generated images.
- `density_coverage`: Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for
  Generative Models", with k nearest neighbours of the real features.
"""

from __future__ import annotations

import numpy as np

from ganlab.core.scipy_parts import nearest, pairs_within

MIN_CLASS_FRACTION = 0.25  # a class is covered with ≥ this / num_classes of the samples
KL_SMOOTHING = 1e-6  # added to every reference class before normalising: KL stays finite


def _feature_matrix(features, name: str, min_rows: int) -> np.ndarray:
    array = np.asarray(features, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"{name} must be (samples, features), got shape {array.shape}")
    if array.shape[0] < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} samples, got {array.shape[0]}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite values")
    return array


def _symmetric_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Σ^½ of a symmetric positive semi-definite matrix, by eigen-decomposition."""
    eigenvalues, eigenvectors = np.linalg.eigh((matrix + matrix.T) / 2)
    roots = np.sqrt(np.clip(eigenvalues, 0.0, None))  # rounding makes tiny negatives
    return (eigenvectors * roots) @ eigenvectors.T


def frechet_distance(features_a, features_b) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (the FID formula).

        d² = ‖μa − μb‖² + Tr(Σa + Σb − 2 (Σa Σb)^½)

    with μ the mean and Σ the sample covariance (n − 1 in the denominator) of each (n, f) set.
    Tr((Σa Σb)^½) is computed as Σ √λ over the eigenvalues λ of the symmetric positive
    semi-definite Σa^½ Σb Σa^½, which has the same eigenvalues as Σa Σb; unlike a general
    matrix square root this never produces complex parts. The result is clipped at 0.
    """
    a = _feature_matrix(features_a, "features_a", 2)
    b = _feature_matrix(features_b, "features_b", 2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature sizes differ: {a.shape[1]} and {b.shape[1]}")
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a = np.atleast_2d(np.cov(a, rowvar=False))
    cov_b = np.atleast_2d(np.cov(b, rowvar=False))
    root_a = _symmetric_sqrt(cov_a)
    middle = root_a @ cov_b @ root_a
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)
    trace_root = np.sqrt(np.clip(eigenvalues, 0.0, None)).sum()
    distance = (np.sum((mean_a - mean_b) ** 2)
                + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_root)
    return float(max(distance, 0.0))


def class_histogram(predictions, num_classes: int) -> np.ndarray:
    """Fraction of samples assigned to each class, shape (num_classes,), summing to 1.

    `predictions` is either predicted labels (n,) of ints in [0, num_classes), or class
    probabilities (n, num_classes), in which case each sample counts for its most probable
    class (argmax), not for its probability mass.
    """
    array = np.asarray(predictions)
    if array.ndim == 2:
        if array.shape[1] != num_classes:
            raise ValueError(f"probabilities have {array.shape[1]} columns, "
                             f"expected {num_classes}")
        array = array.argmax(axis=1)
    if array.ndim != 1 or array.size == 0:
        raise ValueError("predictions must be non-empty labels (n,) or probabilities (n, k)")
    labels = array.astype(np.int64)
    if np.any(labels != array) or labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must be integers in [0, {num_classes})")
    return np.bincount(labels, minlength=num_classes) / labels.size


def classes_covered(histogram, min_fraction: float = MIN_CLASS_FRACTION) -> int:
    """How many classes receive at least `min_fraction / num_classes` of the samples.

    With the default 0.25, a class of ten counts as covered when ≥ 2.5% of the generated
    samples fall in it (a quarter of its share under a uniform generator): a class seen only a
    handful of times out of a thousand is a stray, not a mode the generator produces.
    """
    fractions = np.asarray(histogram, dtype=np.float64)
    if fractions.ndim != 1 or fractions.size == 0:
        raise ValueError("histogram must be a non-empty 1-D array")
    threshold = min_fraction / fractions.size
    return int(np.sum(fractions >= threshold - 1e-12))


def kl_to_reference(histogram, reference, smoothing: float = KL_SMOOTHING) -> float:
    """KL(p ‖ q) = Σ_c p_c log(p_c / q_c) in nats, p = `histogram`, q = `reference`.

    Both are normalised to sum to 1. Classes with p_c = 0 contribute 0 (0 log 0 = 0). The
    reference is smoothed, q ← (q + s) / (1 + K s) with s = `smoothing`, so that a class the
    reference lacks gives a large finite value (≤ log((1 + K s) / s)) instead of infinity.
    """
    p = np.asarray(histogram, dtype=np.float64)
    q = np.asarray(reference, dtype=np.float64)
    if p.shape != q.shape or p.ndim != 1 or p.size == 0:
        raise ValueError(f"histogram and reference must be 1-D of one size, got {p.shape}, "
                         f"{q.shape}")
    if np.any(p < 0) or np.any(q < 0) or p.sum() <= 0 or q.sum() <= 0:
        raise ValueError("histogram and reference must be non-negative with a positive sum")
    p = p / p.sum()
    q = (q / q.sum() + smoothing) / (1.0 + smoothing * q.size)
    present = p > 0
    return float(max(np.sum(p[present] * np.log(p[present] / q[present])), 0.0))


def mean_confidence(probabilities) -> float:
    """Mean over samples of the classifier's highest class probability, max_c p(c | x)."""
    array = np.asarray(probabilities, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError("probabilities must be a non-empty (samples, classes) array")
    return float(array.max(axis=1).mean())


def density_coverage(real_features, fake_features, k: int = 5) -> tuple[float, float]:
    """Density and coverage of fake samples against real ones (Naeem et al. 2020).

    r_i is the distance from real sample i to its k-th nearest *other* real sample, and
    B(x, r) = {y : ‖y − x‖ < r} (strict, as in the authors' reference code, so that fake = real
    gives density exactly 1 when no distances tie). With N real and M fake samples:

        density  = 1 / (k M) · Σ_j Σ_i 1[fake_j ∈ B(real_i, r_i)]
        coverage = 1 / N     · Σ_i 1[∃ j : fake_j ∈ B(real_i, r_i)]

    Density is about 1 when fakes are distributed like the reals (it can exceed 1 where fakes
    crowd dense real regions); coverage is the fraction of real neighbourhoods the fakes reach.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    real = _feature_matrix(real_features, "real_features", k + 1)
    fake = _feature_matrix(fake_features, "fake_features", 1)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"feature sizes differ: {real.shape[1]} and {fake.shape[1]}")
    # the nearest of k + 1 neighbours is the sample itself (or a duplicate, at distance 0 too)
    _, neighbours = nearest(real, real, k + 1)
    kth_other = neighbours[:, k]
    # distances are recomputed the same way for radii and for fakes, so a fake identical to a
    # real sample's k-th neighbour sits exactly on the radius and is excluded, as it should be
    radii = np.linalg.norm(real - real[kth_other], axis=1)
    # the tree proposes candidates in a slightly larger closed ball; the strict test decides
    real_index, fake_index, _ = pairs_within(fake, real, radii * (1 + 1e-9) + 1e-300)
    inside = np.linalg.norm(fake[fake_index] - real[real_index], axis=1) < radii[real_index]
    density = inside.sum() / (k * len(fake))
    coverage = np.unique(real_index[inside]).size / len(real)
    return float(density), float(coverage)
