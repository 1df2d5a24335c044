"""The GUI's run configurations without Qt: run B follows run A's target and seed; a restore
lowers every learning rate; callers get copies."""

from __future__ import annotations

import pytest

from ganlab.app.run_configs import MIN_RESTORED_LR, RunConfigs
from ganlab.core.config import RunConfig, TargetConfig


def test_run_b_shares_run_as_target_and_seed():
    configs = RunConfigs(RunConfig())
    assert not configs.compare
    other = RunConfig()
    other.target = TargetConfig(name="grid25")
    other.training.seed = 99
    other.objective.name = "minimax"
    configs.set_compare(other)
    assert configs.compare
    a, b = configs.copies()
    assert b.target == a.target and b.training.seed == a.training.seed
    assert b.objective.name == "minimax"
    changed = configs.copies()[0]
    changed.training.seed = 7
    configs.set(0, changed)
    assert [c.training.seed for c in configs.current] == [7, 7]
    configs.set_target(TargetConfig(name="ring8"))
    assert [c.target.name for c in configs.current] == ["ring8", "ring8"]
    configs.set_compare(None)
    assert len(configs.current) == 1


def test_copies_are_copies():
    configs = RunConfigs(RunConfig())
    copy = configs.copies()[0]
    copy.training.seed = 12345
    assert configs.current[0].training.seed != 12345


def test_a_restore_scales_every_learning_rate_but_never_to_zero():
    first = RunConfig()
    first.generator_optimizer.learning_rate = 1e-3
    first.discriminator_optimizer.learning_rate = 1e-6
    configs = RunConfigs(first)
    configs.scale_learning_rates(0.01)
    (config,) = configs.current
    assert config.generator_optimizer.learning_rate == pytest.approx(1e-5)
    assert config.discriminator_optimizer.learning_rate == MIN_RESTORED_LR
