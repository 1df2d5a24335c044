"""The stabiliser lessons show what their explanations claim, trained headless with their
settings (seed 0) as `test_lessons_teach.py` does for the others."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganlab.core.metrics import evaluate
from tests.app.lesson_training import lesson, trained

pytestmark = pytest.mark.slow  # about a thousand real iterations each


def _jitter(trainer, latent, averaged: bool, checks: int, every: int) -> float:
    """Mean distance the samples of fixed z move in `every` iterations, over `checks` steps."""
    before = trainer.sample(len(latent), latent=latent, averaged=averaged)
    moved = []
    for _ in range(checks):
        trainer.train(every)
        after = trainer.sample(len(latent), latent=latent, averaged=averaged)
        moved.append(float(np.linalg.norm(after - before, axis=1).mean()))
        before = after
    return float(np.mean(moved))


@pytest.mark.timeout(900)  # ~8 s of CPU on one thread
def test_the_averaged_generator_holds_still_on_the_ring_while_the_raw_one_swirls():
    """Lesson 16 promises that run B (θ_avg, β = 0.99) trains the same networks as run A and
    that the same noise moves several times less through B's average, with all 8 modes."""
    taught = lesson("16_")
    assert taught.config.training.generator_ema == 0 and taught.compare.training.generator_ema \
        == 0.99
    assert taught.compare.replaced("training.generator_ema", 0.0) == taught.config  # only β
    raw, averaged = trained(taught.config, 20), trained(taught.compare, 20)
    for a, b in zip(raw.generator.parameters(), averaged.generator.parameters(), strict=True):
        assert torch.equal(a, b)  # averaging changes what is shown, not how G trains
    averaged.train(780)  # iteration 800; then both of B's generators, checked every 50
    latent = averaged.latent_batch(500, torch.Generator().manual_seed(5))
    state = averaged.state_dict()
    jitter_raw = _jitter(averaged, latent, False, checks=4, every=50)
    averaged.load_state_dict(state)
    jitter_average = _jitter(averaged, latent, True, checks=4, every=50)
    assert jitter_average * 2.5 < jitter_raw, (jitter_average, jitter_raw)
    assert evaluate(averaged)["modes_covered"] == 8


@pytest.mark.timeout(900)  # ~10 s of CPU on one thread
def test_r2_keeps_the_generator_spread_where_the_unpenalised_run_shrinks_to_a_point():
    """Lesson 17 promises run A at most 1 of 25 modes and run B 10 or more, at 300 and 1,000."""
    taught = lesson("17_")
    assert taught.config.objective.r2_gamma == 0 and taught.compare.objective.r2_gamma == 1
    assert taught.config.objective.r1_gamma == taught.compare.objective.r1_gamma == 0
    plain, penalised = trained(taught.config, 0), trained(taught.compare, 0)
    for iterations in (300, 1_000):
        for trainer in (plain, penalised):
            trainer.train(iterations - trainer.iteration)
        assert evaluate(plain)["modes_covered"] <= 1, iterations
        assert evaluate(penalised)["modes_covered"] >= 10, iterations
