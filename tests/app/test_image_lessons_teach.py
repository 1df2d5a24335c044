"""The image lessons show what their explanations claim, at the iterations a minute of the app
reaches on two CPU cores (both runs of compare mode train in turn, one torch thread): trained
headless with the lesson's settings (seed 0), the numbers the charts show tell the story."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab.core.metrics import evaluate
from tests.app.lesson_training import lesson, trained

# thousands of small MLP iterations and a classifier per test: ~1 min on a quiet core, far
# more on a shared one
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

#: iterations of each run that a minute of the app reaches with these lessons (2 quiet cores)
WGAN_GP_MINUTE = 600
MODE_COLLAPSE_MINUTE = 1000


def test_wgan_gp_learns_digits_where_the_saturating_loss_stays_grey():
    taught = lesson("11_")
    assert taught.config.objective.name == "minimax" and taught.compare.objective.name == "wgan-gp"
    assert taught.config.training.critic_steps == taught.compare.training.critic_steps == 5
    saturating = trained(taught.config, WGAN_GP_MINUTE)
    wgan_gp = trained(taught.compare, WGAN_GP_MINUTE)
    a, b = evaluate(saturating), evaluate(wgan_gp)
    assert a["classes_covered"] <= 1 and b["classes_covered"] >= 6
    assert b["frechet_distance"] < a["frechet_distance"] / 2
    grey = saturating.sample(256)
    assert abs(float(grey.mean()) - 0.5) < 0.1 and float(grey.std()) < 0.15  # grey static


def test_mode_collapse_one_picture_for_every_z_against_the_r1_penalty():
    taught = lesson("10_")
    collapsed = trained(taught.config, MODE_COLLAPSE_MINUTE)
    penalised = trained(taught.compare, MODE_COLLAPSE_MINUTE)
    a, b = evaluate(collapsed), evaluate(penalised)
    assert a["classes_covered"] <= 2 and b["classes_covered"] >= 7
    spread_a = float(collapsed.sample(256).std(axis=0).mean())  # how much G(z) varies with z
    spread_b = float(penalised.sample(256).std(axis=0).mean())
    assert spread_a < spread_b / 2
    assert np.isfinite(a["frechet_distance"]) and b["frechet_distance"] < a["frechet_distance"] / 3
