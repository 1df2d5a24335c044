"""The lessons show what their explanations claim: trained headless with the lesson's settings
(seed 0), the numbers the charts would show tell the lesson's story."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab.core.metrics import evaluate
from tests.app.lesson_training import lesson, trained

pytestmark = pytest.mark.slow  # hundreds of real training iterations: ~20 s on a quiet core

LOG_2 = float(np.log(2))
#: iterations the app (training process) reached 60 s after Space on each lesson, measured here
#: on 2 shared cores: lesson 1 5,557 (load average ~18) and 20,212 (load ~7); lesson 6 277
#: (load ~23) and 4,271 (load ~6). The tests check the lessons' promises at those counts (seed
#: 0, the lessons' own); seeds 0-2 were checked headless to 12,000 (lesson 1) and 3,000
#: (lesson 6) iterations.
SIXTY_SECONDS = {"01_": (5_500, 20_000), "06_": (300, 4_300)}


def test_disjoint_supports_minimax_is_stuck_beside_the_segment_while_wgan_gp_is_on_it():
    taught = lesson("03_")
    minimax = trained(taught.config, 450)
    wgan_gp = trained(taught.compare, 300)
    a, b = evaluate(minimax), evaluate(wgan_gp)
    assert a["js"] > 0.8 * LOG_2  # near the ceiling: supports (almost) disjoint
    assert b["js"] < 0.2
    distance_a = float(np.abs(minimax.sample(1000)[:, 0]).mean())  # from the line x = 0
    distance_b = float(np.abs(wgan_gp.sample(1000)[:, 0]).mean())
    assert distance_a > 0.1 and distance_b < 0.05
    assert b["w1"] < a["w1"] / 2


def test_five_critic_steps_make_wgan_gp_learn_where_one_does_not():
    taught = lesson("04_")
    one, five = (evaluate(trained(config, 150))
                 for config in (taught.config, taught.compare))
    assert taught.config.training.critic_steps == 1 and taught.compare.training.critic_steps == 5
    assert one["w1"] > 1.0 and five["w1"] < 0.6
    assert five["modes_covered"] >= 5 > one["modes_covered"]


@pytest.mark.timeout(900)  # ~60 s on a quiet 2-core machine; minutes when it is shared
def test_mode_collapse_keeps_one_clump_for_the_first_minute():
    """Lesson 1 promises at most 1 of 8 modes covered and most samples nearest one mode."""
    taught = lesson("01_")
    trainer = trained(taught.config, 0)
    for iterations in SIXTY_SECONDS["01_"]:
        trainer.train(iterations - trainer.iteration)
        metrics = evaluate(trainer)
        assert metrics["total_modes"] == 8 and metrics["modes_covered"] <= 1, iterations
        samples = trainer.sample(2000)
        modes = trainer.target.modes
        nearest = np.linalg.norm(samples[:, None] - modes[None], axis=2).argmin(axis=1)
        assert np.bincount(nearest, minlength=8).max() / len(samples) > 0.8, iterations


@pytest.mark.timeout(900)  # ~20 s on a quiet 2-core machine; minutes when it is shared
def test_r1_keeps_the_generator_spread_where_the_unpenalised_run_shrinks_to_a_point():
    """Lesson 6 promises run A at most 2 of 25 modes and run B 8 or more, at the iterations
    60 s reached here (loaded and quiet), and at 1,000 (the text's own figure)."""
    taught = lesson("06_")
    assert taught.config.objective.r1_gamma == 0 and taught.compare.objective.r1_gamma == 1
    plain, penalised = trained(taught.config, 0), trained(taught.compare, 0)
    low, high = SIXTY_SECONDS["06_"]
    for iterations in (low, 1_000, high):
        for trainer in (plain, penalised):
            trainer.train(iterations - trainer.iteration)
        a, b = evaluate(plain), evaluate(penalised)
        assert a["modes_covered"] <= 2, iterations
        assert b["modes_covered"] >= 8, iterations
        spread_a = float(plain.sample(1000).std(axis=0).mean())
        spread_b = float(penalised.sample(1000).std(axis=0).mean())
        assert spread_b > 4 * spread_a  # a point against a cloud over the grid
