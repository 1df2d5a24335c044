"""A run's image metrics compute the real side once and score only the generated images after."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab.core import image_metrics
from ganlab.core.image_classifier import classifier_for
from ganlab.core.image_evaluation import evaluate_images, reference_side, score_generated
from ganlab.core.targets.image_targets import image_target


@pytest.fixture(scope="module")
def digits8():
    target = image_target("digits", 8)
    data = target.data
    extractor = classifier_for(data.images, data.labels, target.num_classes,
                               key=data.content_hash())
    return target, extractor


def _fakes(target, count: int, seed: int) -> np.ndarray:
    """Real digits with noise: a generator that is good but not perfect."""
    rng = np.random.default_rng(seed)
    images = target.data.images[rng.choice(len(target.data.images), count)]
    return np.clip(images + rng.normal(0, 0.15, images.shape), 0, 1).astype(np.float32)


def test_scoring_against_a_prepared_side_equals_the_whole_evaluation(digits8):
    target, extractor = digits8
    fakes = _fakes(target, 700, seed=1)
    side = reference_side(target.data.images, extractor, generated_count=len(fakes))
    assert side.count == 700  # min(generated, the held-out half of 1,797, 1,000)
    whole = evaluate_images(fakes, target.data.images, extractor)
    assert score_generated(fakes, side, extractor) == whole
    assert whole["frechet_distance_real"] < whole["frechet_distance"]  # noise costs something
    with pytest.raises(ValueError, match="prepared for 700"):
        score_generated(fakes[:500], side, extractor)


def test_a_run_evaluating_itself_again_extracts_features_of_the_fakes_only(digits8, monkeypatch):
    target, extractor = digits8
    image_metrics._sides.clear()
    seen: list[int] = []
    features = type(extractor).features

    def counting(self, images):
        seen.append(len(images))
        return features(self, images)

    monkeypatch.setattr(type(extractor), "features", counting)
    first_fakes, second_fakes = _fakes(target, 1000, seed=2), _fakes(target, 1000, seed=3)
    first = image_metrics.image_metrics(target, first_fakes)
    first_calls = list(seen)
    seen.clear()
    second = image_metrics.image_metrics(target, second_fakes)
    # first: the reference (898 of the 1,797: the other 899 stand for perfection), the
    # perfect side, then the fakes cut to its size; after that only the fakes
    assert first_calls == [898, 899, 899]
    assert seen == [899]
    # the real side is the same, the generated side is scored afresh
    assert second["frechet_distance_real"] == first["frechet_distance_real"]
    assert second["coverage_real"] == first["coverage_real"]
    assert second["frechet_distance"] != first["frechet_distance"]
    assert image_metrics.image_metrics(target, first_fakes) == first
