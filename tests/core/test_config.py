import json

import numpy as np
import pytest

from ganlab.core.config import ConfigError, RunConfig
from ganlab.core.data_store import DATA


def test_round_trip_through_json_keeps_every_field():
    config = RunConfig()
    config.target.name = "ring8"
    config.model.generator.width = 7
    config.objective.name = "wgan-gp"
    config.discriminator_optimizer.learning_rate = 3e-4
    config.training.critic_steps = 5
    loaded = RunConfig.from_json(config.to_json())
    assert loaded == config
    assert loaded.to_dict() == json.loads(config.to_json())


def test_partial_dict_fills_defaults():
    loaded = RunConfig.from_dict({"training": {"critic_steps": 3}})
    assert loaded.training.critic_steps == 3
    assert loaded.training.batch_size == RunConfig().training.batch_size
    assert loaded.model == RunConfig().model


def test_integer_given_for_float_is_accepted():
    loaded = RunConfig.from_dict({"generator_optimizer": {"learning_rate": 1}})
    assert loaded.generator_optimizer.learning_rate == 1.0
    assert isinstance(loaded.generator_optimizer.learning_rate, float)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"trainng": {}}, "unknown setting: trainng"),
        ({"training": {"k": 3}}, "unknown setting in training: k"),
        ({"training": {"critic_steps": "3"}}, "training.critic_steps must be int"),
        ({"training": {"critic_steps": 2.5}}, "training.critic_steps must be int"),
        ({"model": 3}, "model must be an object"),
        ({"training": {"seed": None}}, "training.seed may not be null"),
    ],
)
def test_bad_dicts_name_the_field(data, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig.from_dict(data)


def test_bad_json_text():
    with pytest.raises(ConfigError, match="not valid JSON"):
        RunConfig.from_json("{nope")
    with pytest.raises(ConfigError, match="must be a JSON object"):
        RunConfig.from_json("[1, 2]")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("training.batch_size", 0, "training.batch_size = 0"),
        ("training.critic_steps", -1, "training.critic_steps = -1"),
        ("generator_optimizer.learning_rate", float("nan"), "learning_rate = nan"),
        ("generator_optimizer.learning_rate", 1e9, "a number from 1e-06 to 10"),
        ("discriminator_optimizer.beta1", 1.0, "a number from 0 to 0.9999"),
        ("objective.name", "gan", "objective.name = 'gan'"),
        ("target.name", "moon", "target.name = 'moon'"),
        ("model.latent_dim", 0, "model.latent_dim = 0"),
        ("model.generator.activation", "swish", "activation = 'swish'"),
        ("objective.r1_gamma", -0.1, "r1_gamma = -0.1"),
        ("training.lr_schedule", "step", "lr_schedule = 'step'"),
    ],
)
def test_validate_rejects_absurd_values(path, value, message):
    config = RunConfig()
    *parents, name = path.split(".")
    obj = config
    for parent in parents:
        obj = getattr(obj, parent)
    setattr(obj, name, value)
    with pytest.raises(ConfigError, match=message):
        config.validate()


def test_custom_target_needs_points():
    config = RunConfig()
    config.target.name = "custom"
    with pytest.raises(ConfigError, match="custom"):
        config.validate()
    config.target.data = DATA.put(np.array([[0.0, 0.0], [1.0, 1.0]]))
    assert config.validate() is config
    config.target.data = "[[0.0, 0.0], [1.0, 1.0]]"  # the points themselves: not a reference
    with pytest.raises(ConfigError, match=r"target\.data must be a content reference"):
        config.validate()


def test_copy_is_independent():
    config = RunConfig()
    copy = config.copy()
    copy.model.generator.width = 3
    assert config.model.generator.width != 3
