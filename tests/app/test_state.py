"""Qt-free pieces of the app: layers, heatmap levels, chart histories, lessons, painting."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ganlab.app.heatmap_scale import HeatmapScale
from ganlab.app.history import Series
from ganlab.app.layers import Layers
from ganlab.app.lessons import LessonError, app_defaults, load_lesson
from ganlab.app.painting import MAX_PAINTED_POINTS, PaintedPoints
from ganlab.app.views.charts import nice_ceiling, nice_range
from ganlab.app.views.status_line import headline_metrics
from ganlab.core.config import ConfigError
from ganlab.core.objectives import OBJECTIVES


def test_layers_ask_only_for_what_is_shown():
    request = Layers(discriminator=False, gradients=False, manifold=True).view_request()
    assert not request.critic and not request.gradients and request.manifold
    assert Layers().with_layer("gradients", True).gradients
    with pytest.raises(KeyError):
        Layers().with_layer("nonsense", True)


def test_heatmap_levels_are_fixed_for_probabilities_and_steady_for_critics():
    scale = HeatmapScale()
    field = np.linspace(-3, 3, 100)
    declared = {name: objective.heatmap_levels for name, objective in OBJECTIVES.items()}
    assert scale.levels(field, declared["minimax"]) == (0.0, 1.0)
    assert scale.levels(field, declared["lsgan"]) == (0.0, 1.0)
    assert scale.levels(field, declared["hinge"]) == (-2.0, 2.0)
    assert declared["wgan"] is None and declared["mmd"] is None  # adaptive
    low, high = scale.levels(field + 10, declared["wgan"])
    assert low < 10 < high and high - low == pytest.approx(2 * 2.88, rel=0.05)
    # a much smaller field shrinks the range only a few percent per frame
    low2, high2 = scale.levels(field * 0.01 + 10, declared["wgan"])
    assert (high2 - low2) == pytest.approx(0.97 * (high - low), rel=1e-6)


def test_series_grow_by_doubling_and_keep_non_finite_as_gaps():
    series = Series(capacity=2)
    for i in range(10):
        series.append(i, float(i) if i != 4 else math.inf)
    series.append(10, None)  # no value: nothing stored
    assert len(series) == 10 and series.x[-1] == 9
    assert math.isnan(series.y[4]) and series.last() == 9.0


def test_nice_ranges_snap_to_round_numbers():
    assert nice_ceiling(7) == 10 and nice_ceiling(101) == 200 and nice_ceiling(0.3) == 0.5
    low, high = nice_range([np.array([0.61, 1.38, 0.9])])
    assert low <= 0.61 and high >= 1.38 and low == pytest.approx(round(low, 6))
    assert nice_range([np.array([np.nan])]) == (0.0, 1.0)


def test_lessons_merge_partial_configs_and_reject_bad_ones(tmp_path):
    config = app_defaults().merged({"objective": {"name": "wgan-gp"}}).validate()
    assert config.objective.name == "wgan-gp"
    assert config.training.lr_schedule == "constant"  # the app's default stays
    with pytest.raises(ConfigError):
        app_defaults().merged({"objective": {"name": "nonsense"}}).validate()
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"title": "x", "explanation": "y",
                                "config": {"training": {"critic_steps": -1}}}))
    with pytest.raises(LessonError, match=r"bad\.json"):
        load_lesson(path)
    path.write_text("{not json")
    with pytest.raises(LessonError, match="cannot be read"):
        load_lesson(path)


def test_painting_sprays_inside_the_brush_and_is_capped():
    painted = PaintedPoints(seed=1)
    painted.spray(1.0, -1.0, 0.2, count=500)
    distances = np.hypot(painted.points[:, 0] - 1.0, painted.points[:, 1] + 1.0)
    assert len(painted) == 500 and distances.max() <= 0.2
    assert np.median(distances) == pytest.approx(0.2 / math.sqrt(2), rel=0.1)  # uniform area
    for _ in range(MAX_PAINTED_POINTS // 500 + 3):
        painted.spray(0.0, 0.0, 0.1, count=500)
    assert len(painted) == MAX_PAINTED_POINTS
    painted.clear()
    assert len(painted) == 0


def test_headline_metrics_text():
    text = headline_metrics({"modes_covered": 7, "total_modes": 8,
                             "high_quality_fraction": 0.645, "js": 0.1234, "w1": None})
    assert text == "modes 7/8 · HQ 64% · JS 0.123"
    assert headline_metrics(None) == ""


def test_an_image_lesson_starts_from_the_image_recipe(tmp_path):
    path = tmp_path / "digits.json"
    path.write_text('{"title": "t", "explanation": "e", "config": {"target": {"name": '
                    '"digits"}, "model": {"conditional": true}}}')
    lesson = load_lesson(path)
    assert lesson.config.model.latent_dim == 32 and lesson.config.model.conditional
    assert lesson.config.training.batch_size == 64
    assert lesson.config.generator_optimizer.learning_rate == 2e-4
    assert lesson.config.training.lr_schedule == "constant"  # the app's: no fixed budget
