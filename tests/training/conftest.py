"""Fixtures for the training side: small fast runs, a private data folder, no thread left."""

from __future__ import annotations

import threading
import time

import pytest

from ganlab.core.config import NetworkConfig, RunConfig

TRAINING_THREAD_PREFIX = "ganlab-"
THREAD_END_WAIT_S = 30.0


@pytest.fixture(autouse=True)
def private_data_folder(monkeypatch, tmp_path):
    """Autosaves and crash markers go to a temporary folder, never the user's data folder."""
    folder = tmp_path / "ganlab-data"
    monkeypatch.setenv("GANLAB_DATA_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def no_thread_left_running():
    """Fail any test that leaves a worker, metrics or bridge thread alive."""
    before = {t.ident for t in threading.enumerate()}
    yield
    leftover = [
        t for t in threading.enumerate()
        if t.ident not in before and t.name.startswith(TRAINING_THREAD_PREFIX) and t.is_alive()
    ]
    # A thread that was told to stop must end, however long that takes on a loaded machine
    # (the metrics thread runs at low priority and finishes the evaluation it began): wait for
    # the end, bounded only to fail rather than hang. Not a timing assertion.
    for thread in leftover:
        thread.join(THREAD_END_WAIT_S)
    alive = [t.name for t in leftover if t.is_alive()]
    assert not alive, f"threads left running: {alive}"


def small_config(target: str = "ring8") -> RunConfig:
    """A run that trains fast on two slow cores: small networks, small batches, the app's
    constant learning rate."""
    config = RunConfig()
    config.training.lr_schedule = "constant"
    config.target.name = target
    config.model.generator = NetworkConfig(hidden_layers=2, width=32, activation="relu")
    config.model.discriminator = NetworkConfig(hidden_layers=2, width=32,
                                               activation="leaky_relu")
    config.training.batch_size = 64
    config.training.device = "cpu"
    return config.validate()


def wait_for(condition, timeout: float = 30.0, what: str = "the condition"):
    """The first truthy value of `condition()`, polled every 10 ms; fails after `timeout` s."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")
