"""The numbers of an image run, from generated images alone (no networks of the run needed).

With a labelled target, a small classifier trained once on the target's own images (cached in
the user data folder under the dataset's content hash: `image_classifier.classifier_for`)
gives the features and class predictions of `image_evaluation.evaluate_images`: a Fréchet
distance in its feature space with the real-vs-real floor, classes covered, the KL divergence
of the generated class histogram to the real one, mean confidence, density and coverage.
These values are not comparable with Inception-based FID. Unlabelled targets get no
classifier-based numbers: only the critic's value gap, where the objective has a critic.

A run evaluates itself every few seconds against the same real images, so the real side of the
evaluation (the reference's features, the perfect generator's values) is computed once per
dataset, sample size and seed and kept for the next evaluations (`REFERENCE_SIDES_KEPT`).
"""

from __future__ import annotations

import threading

import numpy as np

from ganlab.core.image_classifier import classifier_for
from ganlab.core.image_evaluation import ReferenceSide, reference_side, score_generated

IMAGE_EVALUATION_SAMPLES = 1000  # generated images per evaluation
REFERENCE_SIDES_KEPT = 4  # datasets (× sizes × seeds) whose real side is kept

_sides: dict[tuple, ReferenceSide] = {}
_sides_lock = threading.Lock()


def image_metrics(target, fake: np.ndarray, seed: int = 0) -> dict[str, float | int | None]:
    """Classifier-based metrics of `fake` (n, c, h, w) in [0, 1] against `target`'s images."""
    data = target.data
    if data.labels is None or not np.isfinite(fake).all():
        return {}
    extractor = classifier_for(data.images, data.labels, target.num_classes,
                               key=data.content_hash())
    side = _reference_side(data, extractor, len(fake), seed)
    result = score_generated(fake.astype(np.float32), side, extractor)
    return {key: (float(value) if isinstance(value, (float, np.floating)) else value)
            for key, value in result.items()}


def _reference_side(data, extractor, generated_count: int, seed: int) -> ReferenceSide:
    key = (data.content_hash(), generated_count, seed)
    with _sides_lock:
        side = _sides.get(key)
    if side is None:
        side = reference_side(data.images, extractor, generated_count=generated_count,
                              samples=IMAGE_EVALUATION_SAMPLES, seed=seed)
        with _sides_lock:
            while len(_sides) >= REFERENCE_SIDES_KEPT:
                _sides.pop(next(iter(_sides)))
            _sides[key] = side
    return side
