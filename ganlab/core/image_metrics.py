"""The numbers of an image run, from generated images alone (no networks of the run needed).

With a labelled target, a small classifier trained once on the target's own images (cached in
the user data folder under the dataset's content hash: `image_classifier.classifier_for`)
gives the features and class predictions of `image_evaluation.evaluate_images`: a Fréchet
distance in its feature space with the real-vs-real floor, classes covered, the KL divergence
of the generated class histogram to the real one, mean confidence, density and coverage.
These values are not comparable with Inception-based FID. Unlabelled targets get no
classifier-based numbers: only the critic's value gap, where the objective has a critic.
"""

from __future__ import annotations

import numpy as np

from ganlab.core.image_classifier import classifier_for
from ganlab.core.image_evaluation import evaluate_images

IMAGE_EVALUATION_SAMPLES = 1000  # generated images per evaluation


def image_metrics(target, fake: np.ndarray, seed: int = 0) -> dict[str, float | int | None]:
    """Classifier-based metrics of `fake` (n, c, h, w) in [0, 1] against `target`'s images."""
    data = target.data
    if data.labels is None or not np.isfinite(fake).all():
        return {}
    extractor = classifier_for(data.images, data.labels, target.num_classes,
                               key=data.content_hash())
    result = evaluate_images(fake.astype(np.float32), data.images, extractor,
                             samples=IMAGE_EVALUATION_SAMPLES, seed=seed)
    return {key: (float(value) if isinstance(value, (float, np.floating)) else value)
            for key, value in result.items()}
