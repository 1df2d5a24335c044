"""Generated images against a labelled dataset, through the dataset's own classifier.

`evaluate_images` glues `image_classifier` (features, class probabilities) to `image_scores`
(the formulas). Every distance comes with the value a perfect generator would get at the same
sample sizes (real images not in the reference, in place of the generated ones), because these
numbers depend on sample size and on the extractor and mean little alone.

Everything on the real side (the reference features and class histogram, the perfect
generator's values) depends only on the data, the sizes and the seed: `reference_side` computes
it once and `score_generated` scores any number of generated sets against it, which is what a
run evaluating itself every few seconds does (`image_metrics` keeps the side per dataset).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganlab.core.image_classifier import FeatureExtractor
from ganlab.core.image_scores import (
    class_histogram,
    classes_covered,
    density_coverage,
    frechet_distance,
    kl_to_reference,
    mean_confidence,
)

SAMPLES = 1000  # generated images, and real reference images, used at most
NEIGHBOURS = 5  # k of density and coverage (Naeem et al. 2020)


def _subsample(images: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    if len(images) <= count:
        return images
    return images[np.sort(rng.choice(len(images), count, replace=False))]


@dataclass(frozen=True)
class ReferenceSide:
    """The real side of an evaluation: what does not depend on the generated images."""

    features: np.ndarray  # of the reference R
    histogram: np.ndarray  # R's predicted classes
    perfect: dict[str, float]  # the "_real" values: P scored against R
    count: int  # generated images compared (P was cut to this size)
    k: int
    seed: int


def reference_side(real_reference, extractor: FeatureExtractor, real_heldout=None,
                   generated_count: int = SAMPLES, samples: int = SAMPLES,
                   k: int = NEIGHBOURS, seed: int = 0) -> ReferenceSide:
    """R and P as `evaluate_images` describes them, for `generated_count` generated images."""
    rng = np.random.default_rng(seed)
    real_reference = np.asarray(real_reference, dtype=np.float32)
    if real_heldout is None:
        shuffled = real_reference[rng.permutation(len(real_reference))]
        half = len(shuffled) // 2
        reference, perfect = shuffled[:half], shuffled[half:]
    else:
        reference, perfect = real_reference, np.asarray(real_heldout, dtype=np.float32)
    reference = _subsample(reference, samples, rng)
    count = min(generated_count, len(perfect), samples)
    if count < 2 or len(reference) <= k:
        raise ValueError(f"too few images to evaluate: {generated_count} generated, "
                         f"{len(reference)} reference and {len(perfect)} held-out real")
    features = extractor.features(reference)
    histogram = class_histogram(extractor.probabilities(reference), extractor.num_classes)
    perfect_scores = _scores(_subsample(perfect, count, rng), features, histogram, extractor, k)
    return ReferenceSide(features, histogram,
                         {f"{name}_real": value for name, value in perfect_scores.items()},
                         count, k, seed)


def score_generated(generated, side: ReferenceSide, extractor: FeatureExtractor
                    ) -> dict[str, float]:
    """`generated` (cut to `side.count` images) against the real side: `evaluate_images`'s
    numbers."""
    generated = np.asarray(generated, dtype=np.float32)
    if len(generated) < side.count:
        raise ValueError(f"{len(generated)} generated images, the real side was prepared for "
                         f"{side.count}")
    rng = np.random.default_rng([side.seed, 1])  # a stream of its own: P's draws stay put
    generated = _subsample(generated, side.count, rng)
    return {"samples_generated": float(side.count),
            "samples_reference": float(len(side.features)),
            **_scores(generated, side.features, side.histogram, extractor, side.k),
            **side.perfect}


def _scores(images, reference_features, reference_histogram, extractor, k) -> dict[str, float]:
    features = extractor.features(images)
    probabilities = extractor.probabilities(images)
    histogram = class_histogram(probabilities, extractor.num_classes)
    density, coverage = density_coverage(reference_features, features, k=k)
    return {"frechet_distance": frechet_distance(features, reference_features),
            "classes_covered": float(classes_covered(histogram)),
            "class_kl": kl_to_reference(histogram, reference_histogram),
            "mean_confidence": mean_confidence(probabilities),
            "density": density, "coverage": coverage}


def evaluate_images(generated, real_reference, extractor: FeatureExtractor,
                    real_heldout=None, samples: int = SAMPLES, k: int = NEIGHBOURS,
                    seed: int = 0) -> dict[str, float]:
    """Metrics of `generated` images against real ones, all (n, c, h, w) float32 in [0, 1].

    The reference R is up to `samples` images of `real_reference`; the perfect-generator stand-in
    P is `real_heldout` if given, else R is split into two disjoint halves and P is the second.
    Generated images G and P are cut to one size n = min(len(G), len(P), samples), so that the
    "_real" values are what a generator sampling fresh real images would score here.

    - frechet_distance: FD(features G, features R); frechet_distance_real: FD(P, R)
    - density, coverage: Naeem et al. with k neighbours, reals R, fakes G; *_real: fakes P
    - classes_covered: classes with ≥ 1/(4·classes) of G's predicted labels
    - class_kl: KL(histogram of G's predicted labels ‖ histogram of R's predicted labels), nats
      (predicted, not true, labels on both sides, so a classifier's bias cancels)
    - mean_confidence: mean top class probability over G; mean_confidence_real: over P
    Subsamples are drawn with `seed`, so a call is repeatable. On digits with ~450 images a
    side, FD(P, R) ranged 7.8-16.3 over random splits: at such sizes, compare with the "_real"
    value and average over seeds. Coverage also depends on the sizes: a perfect generator gets
    ≈ 1 − 2^−k with as many fakes as reals (0.97 at k = 5), ~0.88 with half as many.
    """
    side = reference_side(real_reference, extractor, real_heldout, len(generated), samples, k,
                          seed)
    return score_generated(generated, side, extractor)
