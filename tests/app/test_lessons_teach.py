"""The lessons show what their explanations claim: trained headless with the lesson's settings
(seed 0), the numbers the charts would show tell the lesson's story."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganlab.app.lessons import load_lessons
from ganlab.core.metrics import evaluate
from ganlab.core.trainer import Trainer

pytestmark = pytest.mark.slow  # hundreds of real training iterations: ~20 s on a quiet core

LOG_2 = float(np.log(2))


def lesson(prefix: str):
    return next(item for item in load_lessons() if item.source.startswith(prefix))


def trained(config, iterations: int) -> Trainer:
    torch.set_num_threads(1)
    trainer = Trainer(config)
    trainer.train(iterations)
    return trainer


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
