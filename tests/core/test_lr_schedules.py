"""The learning-rate schedules against their formulas (`core/lr_schedules.py`), and the trainers
and the command line using them."""

import itertools
import math

import pytest

from ganlab.cli import build_parser
from ganlab.cli_options import settings_from_args
from ganlab.core.batched_trainer import BatchedTrainer
from ganlab.core.config import ConfigError, RunConfig
from ganlab.core.lr_schedules import COSINE_FLOOR, LR_SCHEDULES, TAIL, schedule_factor
from ganlab.core.trainer import Trainer


def test_constant_is_one_everywhere():
    assert {schedule_factor("constant", t, 300) for t in range(0, 301, 7)} == {1.0}


@pytest.mark.parametrize("t", [0, 1, 50, 149, 150, 299, 300])
def test_cosine_decays_to_the_floor(t):
    expected = 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * t / 300))
    assert schedule_factor("cosine", t, 300) == pytest.approx(expected, abs=1e-12)
    assert COSINE_FLOOR == 0.05


@pytest.mark.parametrize(("t", "expected"), [
    (0, 1.0), (100, 1.0), (200, 1.0),  # the first two-thirds: the full rate
    (225, 0.5 * (1 + math.cos(math.pi / 4))),  # a quarter into the tail
    (250, 0.5), (275, 0.5 * (1 + math.cos(3 * math.pi / 4))),
    (300, 0.0), (450, 0.0),  # the end, and past it (clamped)
])
def test_cosine_tail_holds_then_anneals_to_zero(t, expected):
    assert pytest.approx(1 / 3) == TAIL
    assert schedule_factor("cosine-tail", t, 300) == pytest.approx(expected, abs=1e-12)


def test_every_schedule_is_non_increasing_and_constant_without_a_budget():
    for name in LR_SCHEDULES:
        factors = [schedule_factor(name, t, 900) for t in range(901)]
        assert all(a >= b for a, b in itertools.pairwise(factors)), name
        assert factors[0] == 1.0
        assert schedule_factor(name, 5000, 0) == 1.0  # the app's open-ended runs
    with pytest.raises(ValueError, match="unknown learning-rate schedule 'step'"):
        schedule_factor("step", 0, 10)


def test_the_setting_is_validated_and_a_cli_option():
    args = build_parser().parse_args(["train", "--lr-schedule", "cosine-tail"])
    assert settings_from_args(args, RunConfig) == {"training": {"lr_schedule": "cosine-tail"}}
    config = RunConfig()
    config.training.lr_schedule = "cosine-tail"
    assert config.validate().training.lr_schedule == "cosine-tail"
    assert RunConfig.from_json(config.to_json()).training.lr_schedule == "cosine-tail"
    config.training.lr_schedule = "linear"
    with pytest.raises(ConfigError, match="lr_schedule"):
        config.validate()


def test_trainers_follow_the_schedule(small_config):
    """The rate of the step at iteration t is base × f(t): Trainer and BatchedTrainer alike."""
    small_config.training.lr_schedule = "cosine-tail"
    small_config.training.iterations = 12
    small_config.generator_optimizer.learning_rate = 2e-3
    trainer = Trainer(small_config)
    for t in range(12):
        trainer.step()  # the step at iteration t uses f(t)
        expected = 2e-3 * schedule_factor("cosine-tail", t, 12)
        assert trainer.generator_optimizer.param_groups[0]["lr"] == pytest.approx(expected)
    batched = BatchedTrainer([small_config, small_config.replaced("training.seed", 1)])
    batched.train(9)  # the rates of its next step, at iteration 9:
    assert batched._rates_for("generator").tolist() == pytest.approx(
        [2e-3 * schedule_factor("cosine-tail", 9, 12)] * 2)
