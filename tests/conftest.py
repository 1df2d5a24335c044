"""Shared fixtures: small, fast configurations and one CPU thread for repeatable timings."""

import pytest
import torch

from ganlab.core.config import RunConfig

torch.set_num_threads(1)


@pytest.fixture
def small_config() -> RunConfig:
    """A tiny, fast run: 2×16 networks, batch 64, constant learning rate."""
    config = RunConfig()
    config.model.generator.hidden_layers = 2
    config.model.generator.width = 16
    config.model.discriminator.hidden_layers = 2
    config.model.discriminator.width = 16
    config.training.batch_size = 64
    config.training.lr_schedule = "constant"
    config.training.device = "cpu"
    return config
