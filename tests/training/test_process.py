"""The worker in a child process: the same channels, across the process boundary."""

from __future__ import annotations

import time

import numpy as np
import pytest

from ganlab.core.config import TargetConfig
from ganlab.core.data_store import DATA
from ganlab.core.session_file import load_session
from ganlab.training.file_commands import SaveSession
from ganlab.training.frame import complete_configs, without_unchanged_configs
from ganlab.training.messages import (
    AddData,
    RunFileCommand,
    SetConfigs,
    SetRunning,
    Step,
)
from ganlab.training.process import ChangesSender, TrainingProcess
from tests.training.conftest import small_config, wait_for

START_UP_S = 60  # spawning Python and importing torch takes seconds on a busy 2-core machine


@pytest.fixture
def training():
    process = TrainingProcess((small_config(),), metrics_interval_s=0.3)
    process.start()
    yield process
    process.stop(5.0)
    process.join(10.0)
    assert not process.is_alive()


def next_frame(process: TrainingProcess, timeout: float = START_UP_S):
    return wait_for(process.slot.take, timeout, "a frame")


def test_frames_come_back_training_advances_and_settings_reach_the_child(training):
    """One child for what does not need a fresh one: the first frame (and which configuration
    crosses the pipe), training, new settings, metrics."""
    first = next_frame(training)
    assert first.runs[0].snapshot.iteration == 0
    _assert_a_frame_carries_a_configuration_only_when_it_changed(first)
    training.pending.send(SetRunning(True))
    frame = wait_for(lambda: (f := training.slot.take()) and f.iteration > 50 and f, 30,
                     "training to advance")
    assert frame.runs[0].snapshot.fake.shape == (512, 2)
    config = small_config()
    config.objective.name = "lsgan"
    config.discriminator_optimizer.learning_rate = 3e-4
    training.pending.send(SetConfigs((config,)))
    changed = wait_for(lambda: (f := training.slot.take()) and f.runs[0].config.objective.name
                       == "lsgan" and f, 30, "the new objective")
    assert changed.runs[0].config.discriminator_optimizer.learning_rate == pytest.approx(3e-4)
    assert changed.runs[0].snapshot.objective == "lsgan"
    metrics = wait_for(lambda: (f := training.slot.take()) and f.runs[0].metrics, 30, "metrics")
    assert 0 <= metrics["modes_covered"] <= 8


def test_a_file_command_runs_in_the_child_and_a_frame_is_sent_only_when_the_gui_took_the_last(
        training, tmp_path):
    """One child: a save's result comes back (paused, after 25 steps), then, training, no new
    frame is published while the last one waits in the slot."""
    next_frame(training)
    training.pending.send(Step(25))
    wait_for(lambda: (f := training.slot.take()) and f.iteration == 25, 30, "25 steps")
    path = tmp_path / "run.ganlab"
    training.pending.send(RunFileCommand(SaveSession(str(path), history=[{"iteration": 25}])))
    result = wait_for(lambda: training.results.take_all(), 30, "the save's result")[0]
    assert result.ok and result.iteration == 25
    assert load_session(path).trainer.iteration == 25

    training.pending.send(SetRunning(True))
    wait_for(lambda: (f := training.slot.take()) and f.iteration > 25, 30, "training")
    published = training.slot.published
    wait_for(lambda: training.slot.published > published, 30, "a frame waiting in the slot")
    published = training.slot.published
    time.sleep(1.0)  # training goes on, but nobody takes the frame waiting in the slot
    assert training.slot.published == published
    assert training.slot.take() is not None
    wait_for(lambda: training.slot.published > published, 10, "the next frame")


def test_stopping_runs_the_last_file_commands_first(tmp_path):
    process = TrainingProcess((small_config(),))
    process.start()
    next_frame(process)
    process.pending.send(Step(5))
    wait_for(lambda: (f := process.slot.take()) and f.iteration == 5, 30, "5 steps")
    path = tmp_path / "on-exit.ganlab"
    process.pending.send(RunFileCommand(SaveSession(str(path))))
    assert process.stop(30.0)
    assert load_session(path).trainer.iteration == 5
    assert [r.ok for r in process.results.take_all()] == [True]
    assert process.failure is None and process.process.exitcode == 0


def test_a_child_that_dies_is_reported_and_the_gui_side_ends(training):
    next_frame(training)
    training.process.kill()
    wait_for(lambda: training.failure, 10, "the failure")
    assert "ended unexpectedly (exit code -9)" in training.failure
    wait_for(lambda: not training.is_alive(), 10, "the receiving thread to end")
    training.pending.send(SetRunning(True))  # sending to a dead child is harmless


def test_the_child_stops_by_itself_when_the_gui_side_disappears(training):
    next_frame(training)
    training.pending.send(SetRunning(True))
    training._commands.close()  # what the GUI process dying looks like from the child
    training.process.join(15.0)
    assert training.process.exitcode == 0


def test_a_child_still_starting_up_is_terminated_rather_than_awaited():
    process = TrainingProcess((small_config(),))
    process.start()
    assert process.stop(5.0)
    assert process.process.exitcode == -15  # SIGTERM: it had no trainer, nothing to save
    assert process.failure is None


def painted_config(points: np.ndarray):
    config = small_config()
    config.target = TargetConfig(name="custom", data=DATA.put(points))
    return config.validate()


def test_data_crosses_once_before_the_first_configuration_that_needs_it():
    sent = []
    points = np.random.default_rng(1).normal(size=(300, 2))
    config = painted_config(points)
    sender = ChangesSender(sent.append, set())
    sender.send(SetConfigs((config,)))
    config.generator_optimizer.learning_rate = 2e-4
    sender.send(SetConfigs((config, config)))
    assert [type(m).__name__ for m in sent] == ["AddData", "SetConfigs", "SetConfigs"]
    added = sent[0]
    assert isinstance(added, AddData) and added.reference == config.target.data
    np.testing.assert_array_equal(added.array, points)


def _assert_a_frame_carries_a_configuration_only_when_it_changed(first) -> None:
    sent, received = {}, {}
    on_pipe = without_unchanged_configs(first, sent)
    assert on_pipe.runs[0].config == first.runs[0].config
    again = without_unchanged_configs(first, sent)
    assert again.runs[0].config is None
    complete_configs(on_pipe, received)
    assert complete_configs(again, received).runs[0].config == first.runs[0].config


def test_painted_points_train_in_the_child_and_frames_stay_small():
    points = np.random.default_rng(2).normal(loc=(3.0, -2.0), scale=0.2, size=(20000, 2))
    config = painted_config(points.round(4))
    process = TrainingProcess((config,), metrics_interval_s=0.3)
    process.start()
    try:
        frame = next_frame(process)
        assert frame.runs[0].config.target.data == config.target.data
        np.testing.assert_allclose(frame.runs[0].snapshot.real.mean(axis=0), (3.0, -2.0),
                                   atol=0.05)
        process.pending.send(SetRunning(True))
        sizes = []
        for _ in range(5):
            wait_for(process.slot.take, 30, "a frame")
            sizes.append(process.last_frame_bytes)
        # 20,000 points in the configuration would be ~400 KB a frame
        assert max(sizes) < 120_000
        moved = painted_config(points + np.array([-6.0, 4.0]))
        process.pending.send(SetConfigs((moved,)))
        shifted = wait_for(lambda: (f := process.slot.take()) and f.runs[0].config.target.data
                           == moved.target.data and f, 30, "the new points")
        np.testing.assert_allclose(shifted.runs[0].snapshot.real.mean(axis=0), (-3.0, 2.0),
                                   atol=0.05)
    finally:
        process.stop(5.0)
        process.join(10.0)


def test_requests_sent_before_the_child_starts_wait_for_it_and_never_block_the_gui():
    points = np.random.default_rng(3).normal(loc=(-1.0, 2.0), scale=0.1, size=(20000, 2))
    process = TrainingProcess((small_config(),))
    # ~320 KB: more than a pipe holds; before the sending thread, this call never returned
    process.pending.send(SetConfigs((painted_config(points),)))
    process.start()
    try:
        frame = wait_for(lambda: (f := process.slot.take()) and f.runs[0].config.target.data
                         and f, START_UP_S, "a frame on the painted points")
        np.testing.assert_allclose(frame.runs[0].snapshot.real.mean(axis=0), (-1.0, 2.0),
                                   atol=0.05)
    finally:
        process.stop(5.0)
        process.join(10.0)
