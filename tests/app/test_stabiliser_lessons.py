"""The stabiliser lessons show what their explanations claim, trained headless with their
settings (seed 0) as `test_lessons_teach.py` does for the others."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ganlab.core.fields import generator_gradients
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


@pytest.fixture(scope="module")
def collapsing_grid() -> dict[int, int]:
    """Run A of lessons 17 and 21 (the same run): modes covered at iterations 300 and 1,000
    (~3 s of CPU)."""
    taught = lesson("17_")
    assert taught.config == lesson("21_").config
    plain = trained(taught.config, 0)
    return {n: evaluate(_trained_to(plain, n))["modes_covered"] for n in (300, 1_000)}


def _trained_to(trainer, iteration: int):
    trainer.train(iteration - trainer.iteration)
    return trainer


@pytest.mark.timeout(900)  # ~4 s of CPU on one thread, besides run A
def test_r2_keeps_the_generator_spread_where_the_unpenalised_run_shrinks_to_a_point(
        collapsing_grid):
    """Lesson 17 promises run A at most 1 of 25 modes and run B 10 or more, at 300 and 1,000."""
    taught = lesson("17_")
    assert taught.config.objective.r2_gamma == 0 and taught.compare.objective.r2_gamma == 1
    assert taught.config.objective.r1_gamma == taught.compare.objective.r1_gamma == 0
    penalised = trained(taught.compare, 0)
    for iterations in (300, 1_000):
        assert collapsing_grid[iterations] <= 1, iterations
        assert evaluate(_trained_to(penalised, iterations))["modes_covered"] >= 10, iterations


@pytest.mark.timeout(900)  # ~3 s of CPU on one thread, besides run A
def test_lecam_keeps_the_generator_spread_and_d_at_log_4_where_the_plain_run_collapses(
        collapsing_grid):
    """Lesson 21 promises run A at most 1 of 25 modes and run B (LeCam, λ = 1) 7–10 (checked:
    5 or more), at 300 and 1,000, with D's loss near log 4."""
    taught = lesson("21_")
    assert taught.compare.replaced("objective.lecam_weight", 0.0) == taught.config  # only λ
    anchored = trained(taught.compare, 0)
    for iterations in (300, 1_000):
        assert collapsing_grid[iterations] <= 1, iterations
        _trained_to(anchored, iterations - 50).read_losses()
        _trained_to(anchored, iterations)
        d_loss = anchored.read_losses()[0]
        assert abs(d_loss - math.log(4)) < 0.05, (iterations, d_loss)
        assert evaluate(anchored)["modes_covered"] >= 5, iterations


def _mean_gradient(trainer) -> float:
    """Mean length of the arrows the gradients layer draws: ‖∂L_G/∂x‖ on 500 samples."""
    latent = trainer.latent_batch(500, torch.Generator().manual_seed(5))
    return float(np.linalg.norm(generator_gradients(trainer, latent)[1], axis=1).mean())


@pytest.fixture(scope="module")
def stuck_minimax_ring():
    """Run A of lessons 19 and 20 (the same run) at iteration 1,000: ~3 s of CPU."""
    taught = lesson("19_")
    assert taught.config == lesson("20_").config
    return _trained_with_d_loss(taught.config)


def _trained_with_d_loss(config, iterations: int = 1_000):
    """(trainer at `iterations`, its mean D loss over the last 50)."""
    trainer = trained(config, iterations - 50)
    trainer.read_losses()
    trainer.train(50)
    return trainer, trainer.read_losses()[0]


def _assert_stuck_off_the_canvas(trainer, d_loss: float) -> None:
    assert d_loss < 0.01  # D is certain
    metrics = evaluate(trainer)
    assert metrics["w1"] > 10 and metrics["modes_covered"] == 0, metrics  # off the canvas
    assert _mean_gradient(trainer) < 1e-3  # D(G(z)) ≈ 0: the minimax gradient is gone


@pytest.mark.timeout(900)  # ~3.5 s of CPU on one thread, besides run A
def test_instance_noise_keeps_the_gradient_where_the_saturated_run_is_stuck(stuck_minimax_ring):
    """Lesson 19 promises run A off the canvas with no gradient at 1,000, run B (σ₀ = 1 over
    3,000 iterations) within 0.6 of the ring (W1) with live arrows."""
    taught = lesson("19_")
    assert taught.config.objective.instance_noise == 0
    assert taught.compare.replaced("objective.instance_noise", 0.0) \
        .replaced("objective.instance_noise_iterations", 2000) == taught.config  # only σ₀, N
    _assert_stuck_off_the_canvas(*stuck_minimax_ring)
    noisy = trained(taught.compare, 1_000)
    assert evaluate(noisy)["w1"] < 0.6
    assert _mean_gradient(noisy) > 0.02


@pytest.mark.timeout(900)  # ~5 s of CPU on one thread, besides run A
def test_spectral_norm_keeps_the_gradient_where_the_saturated_run_is_stuck(stuck_minimax_ring):
    """Lesson 20 promises run A off the canvas with no gradient at 1,000, run B (spectral norm)
    within 0.5 of the ring (W1) with live arrows, D loss near log 4 and a mode or more."""
    taught = lesson("20_")
    assert taught.compare.replaced("objective.spectral_norm", False) == taught.config
    _assert_stuck_off_the_canvas(*stuck_minimax_ring)
    normalised, d_loss = _trained_with_d_loss(taught.compare)
    assert abs(d_loss - math.log(4)) < 0.1
    metrics = evaluate(normalised)
    assert metrics["w1"] < 0.5 and metrics["modes_covered"] >= 1, metrics
    assert _mean_gradient(normalised) > 0.03


@pytest.mark.timeout(900)  # ~3 s of CPU on one thread
def test_label_smoothing_settles_d_at_half_alpha_on_the_moved_reference_lines():
    """Lesson 22 promises D = ½ in run A and α/2 = 0.35 in run B on real and generated samples
    once G matches the data (iteration 800), each run's losses on its own reference lines."""
    from ganlab.core.equilibrium import finite_batch_equilibrium

    taught = lesson("22_")
    assert taught.compare.replaced("objective.real_label", 1.0) == taught.config  # only α
    for config, expected_d in ((taught.config, 0.5), (taught.compare, 0.35)):
        trainer = trained(config, 700)
        trainer.read_losses()
        trainer.train(100)
        losses = trainer.read_losses()
        with torch.no_grad():
            real = trainer.real_batch(2_000, torch.Generator().manual_seed(3))
            fake = trainer.generate(trainer.latent_batch(2_000, torch.Generator().manual_seed(4)),
                                    None)
            for batch in (real, fake):
                assert torch.sigmoid(trainer.discriminator(batch)).mean().item() == \
                    pytest.approx(expected_d, abs=0.02)
        reference = finite_batch_equilibrium(trainer.objective, None, 256,
                                             real_label=config.objective.real_label)
        assert losses == pytest.approx(reference, abs=0.02)
        assert evaluate(trainer)["w1"] < 0.15


@pytest.mark.timeout(900)  # ~6 s of CPU on one thread
def test_two_time_scale_rates_make_wgan_gp_learn_with_one_critic_step():
    """Lesson 23 promises, with k = 1 in both runs, run A (equal rates 1e-4) far from the ring
    with no mode and run B (the TTUR preset: D 4e-4) on it with most modes, at iteration 600."""
    from ganlab.core.stabiliser_settings import TWO_TIME_SCALE

    taught = lesson("23_")
    assert taught.config.training.critic_steps == taught.compare.training.critic_steps == 1
    assert taught.compare.merged(TWO_TIME_SCALE) == taught.compare  # B is the preset
    assert taught.compare.replaced("discriminator_optimizer.learning_rate", 1e-4) == \
        taught.config  # only D's rate differs
    equal, ttur = (evaluate(trained(config, 600)) for config in (taught.config, taught.compare))
    assert equal["w1"] > 1.5 and equal["modes_covered"] <= 1, equal
    assert ttur["w1"] < 0.5 and ttur["modes_covered"] >= 5, ttur


@pytest.mark.timeout(900)  # ~12 s of CPU on one thread
def test_rewinding_to_before_a_bad_change_and_branching_recovers_the_ring():
    """Lesson 24 promises 8/8 modes at iteration 800, a collapse within 100 iterations of
    setting G's learning rate to 0.03, an exact rewind to iteration 700 (with the settings in
    force there) and a new branch from it that is the run without the change, on the ring."""
    from ganlab.core.timeline import Timeline
    from tests.core.test_timeline import same, train, weights  # steps as the worker takes them

    taught = lesson("24_")
    trainer = trained(taught.config, 0)
    timeline = Timeline(trainer)
    train(trainer, timeline, 700)
    at_700 = weights(trainer)
    train(trainer, timeline, 100)
    assert evaluate(trainer)["modes_covered"] == 8
    broken = trainer.config.replaced("generator_optimizer.learning_rate", 0.03)
    trainer.apply_config(broken)
    timeline.settings_changed(trainer)
    train(trainer, timeline, 100)
    after = evaluate(trainer)
    assert after["modes_covered"] <= 1 and after["w1"] > 0.8, after
    timeline.seek(trainer, 0, 700)
    assert same(weights(trainer), at_700)
    assert trainer.config.generator_optimizer.learning_rate == \
        taught.config.generator_optimizer.learning_rate
    train(trainer, timeline, 300)
    assert timeline.branch == 1 and timeline.tree[1].fork == 700
    # the new branch is the run as if the change had never been made, bit for bit
    untouched = trained(taught.config, 1000)
    assert same(weights(trainer), weights(untouched))
    recovered = evaluate(trainer)  # back on the ring (its modes come and go at this stage)
    assert recovered["modes_covered"] >= 4 and recovered["w1"] < 0.3, recovered
