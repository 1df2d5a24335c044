"""The settings' declarations: one per field, and validation, paper values and merging read
them (no Qt)."""

from __future__ import annotations

import math
import re

import pytest

from ganlab.core.config import ConfigError, RunConfig
from ganlab.core.objectives import OBJECTIVES
from ganlab.core.settings import leaf, leaves, nest, paper_values
from tests.extended_config import ExtendedRunConfig

NUMERIC = [item for item in leaves(RunConfig) if item.kind in (int, float)]


def test_every_field_but_the_data_is_a_declared_setting():
    paths = {item.path for item in leaves(RunConfig)}
    data = RunConfig().to_dict()

    def flat(d, prefix=""):
        for key, value in d.items():
            if isinstance(value, dict):
                yield from flat(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}"

    # references to data, and the class names that come with a labelled folder
    assert set(flat(data)) - paths == {"target.data", "target.labels", "target.class_names"}
    for item in leaves(RunConfig):
        assert item.help.endswith(".") and ". " not in item.help, item.path
        assert item.default == RunConfig().value_at(item.path)
    assert leaf(RunConfig, "model.discriminator.activation").default == "leaky_relu"
    assert leaf(RunConfig, "discriminator_optimizer.learning_rate").cli == "--d-lr"
    assert leaf(RunConfig, "training.critic_steps").setting.short == "-k"


@pytest.mark.parametrize("item", NUMERIC, ids=lambda item: item.path)
def test_validation_accepts_each_range_end_and_rejects_beyond(item):
    low, high = item.setting.low, item.setting.high
    assert low < high and math.isfinite(high)
    for value in (low, high):
        value = item.kind(value)
        assert RunConfig().replaced(item.path, value).validate().value_at(item.path) == value
    step = 1 if item.kind is int else max(abs(high) * 1e-6, 1e-9)
    for value in (low - step if item.kind is int else low * (1 - 1e-3) - 1e-12, high + step):
        config = RunConfig().replaced(item.path, item.kind(value))
        span = f"{low} to {high}" if item.kind is int else f"{low:g} to {high:g}"
        pattern = rf"{re.escape(item.path)} = .*from {re.escape(span)}"
        with pytest.raises(ConfigError, match=pattern):
            config.validate()


def test_the_issue_example_latent_100_is_valid_and_129_is_not():
    assert RunConfig().replaced("model.latent_dim", 100).validate().model.latent_dim == 100
    with pytest.raises(ConfigError, match=r"model.latent_dim = 129 .* from 1 to 128"):
        RunConfig().replaced("model.latent_dim", 129).validate()


def test_paper_values_of_wgan_are_what_its_paper_used():
    config = RunConfig().merged(paper_values(RunConfig, OBJECTIVES["wgan"].paper))
    for role in ("generator_optimizer", "discriminator_optimizer"):
        opt = getattr(config, role)
        assert (opt.name, opt.learning_rate, opt.beta1, opt.beta2, opt.momentum) == (
            "rmsprop", 5e-5, 0.0, 0.999, 0.0)
    assert config.training.critic_steps == 5 and config.training.batch_size == 64
    assert config.training.lr_schedule == "constant" and config.objective.r1_gamma == 0.0
    assert config.objective.clip_value == 0.01
    # WGAN's paper names no gradient penalty: the setting keeps its value
    assert config.objective.gradient_penalty_weight == RunConfig().objective.gradient_penalty_weight


def test_hinge_paper_gives_each_network_its_own_rate():
    config = RunConfig().merged(paper_values(RunConfig, OBJECTIVES["hinge"].paper))
    assert config.generator_optimizer.learning_rate == 1e-4
    assert config.discriminator_optimizer.learning_rate == 4e-4


def test_merged_and_replaced_copy_and_check_types():
    base = RunConfig()
    changed = base.replaced("model.generator.width", 7)
    assert changed.model.generator.width == 7 and base.model.generator.width == 128
    assert nest("a.b.c", 1) == {"a": {"b": {"c": 1}}}
    merged = base.merged({"model": {"discriminator": {"hidden_layers": 0}}})
    assert merged.model.discriminator.hidden_layers == 0
    assert merged.model.discriminator.width == base.model.discriminator.width
    with pytest.raises(ConfigError, match=r"unknown setting in model.generator: depth"):
        base.replaced("model.generator.depth", 3)
    with pytest.raises(ConfigError, match=r"training.critic_steps must be int"):
        base.replaced("training.critic_steps", 2.5)


def test_a_setting_added_in_a_subclass_is_validated_and_saved():
    item = leaf(ExtendedRunConfig, "training.warmup_iterations")
    assert (item.default, item.cli, item.group) == (250, "--warmup-iterations", "Training")
    config = ExtendedRunConfig().replaced("training.warmup_iterations", 40)
    assert isinstance(config, ExtendedRunConfig)
    assert ExtendedRunConfig.from_json(config.to_json()) == config
    with pytest.raises(ConfigError, match=r"training.warmup_iterations = 5001"):
        config.replaced("training.warmup_iterations", 5001).validate()
