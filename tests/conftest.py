"""Shared fixtures: small, fast configurations and one CPU thread for repeatable timings."""

import os
import tempfile

import pytest
import torch

from ganlab.core.config import RunConfig

torch.set_num_threads(1)
# never the user's own data folder (autosaves, cached classifiers); one folder for the session,
# so a classifier trained by one test is found by the next
os.environ["GANLAB_DATA_DIR"] = tempfile.mkdtemp(prefix="ganlab-tests-")


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

