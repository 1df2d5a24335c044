"""The two thread channels and the worker's lifecycle, without any window."""

from __future__ import annotations

import time

import numpy as np
import pytest

from ganlab.training.frame_slot import FrameSlot
from ganlab.training.pending_changes import MAX_QUEUED_STEPS, PendingChanges, ViewRequest
from ganlab.training.worker import TrainingWorker
from tests.training.conftest import small_config


def test_pending_changes_latest_configuration_wins_and_one_shots_clear():
    first, second = small_config("ring8"), small_config("grid25")
    pending = PendingChanges((first,))
    pending.set_configs((second,))
    pending.request_steps(3)
    pending.request_discriminator_step()
    pending.set_view(ViewRequest(critic=False))
    taken = pending.take()
    assert [c.target.name for c in taken.configs] == ["grid25"]
    assert (taken.steps, taken.discriminator_steps, taken.generator_steps) == (3, 1, 0)
    assert taken.view.critic is False and taken.refresh
    again = pending.take()
    assert again.configs is None and again.steps == 0 and not again.refresh
    assert again.view.critic is False  # state, not a one-shot
    assert not pending.has_news


def test_pending_steps_are_bounded_and_reset_cancels_them():
    pending = PendingChanges((small_config(),))
    for _ in range(MAX_QUEUED_STEPS + 50):
        pending.request_steps(1)
    pending.take()
    pending.request_steps(5)
    pending.request_reset()
    taken = pending.take()
    assert taken.reset and taken.steps == 0
    pending.request_steps(MAX_QUEUED_STEPS * 3)
    assert pending.take().steps == MAX_QUEUED_STEPS


def test_pending_wait_returns_at_once_when_something_was_asked():
    pending = PendingChanges((small_config(),))
    pending.take()
    pending.set_running(True)
    started = time.perf_counter()
    pending.wait(5.0)
    assert time.perf_counter() - started < 1.0


def test_frame_slot_keeps_only_the_newest_frame():
    slot = FrameSlot()
    assert slot.take() is None and slot.consumed
    slot.publish("first")
    slot.publish("second")
    assert not slot.consumed
    assert slot.take() == "second" and slot.take() is None
    assert (slot.published, slot.dropped) == (2, 1)


def test_worker_publishes_in_order_trains_and_stops_quickly():
    pending = PendingChanges((small_config(),))
    slot = FrameSlot()
    worker = TrainingWorker(pending, slot, metrics_interval_s=0.3)
    worker.start()
    try:
        frames = []
        pending.set_running(True)
        # a bound to fail rather than hang: a training thread's first optimizer imports
        # torch._dynamo (1.5 s of CPU, many times that on a crowded machine)
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            frame = slot.take()
            if frame is not None:
                frames.append(frame)
                if frame.iteration > 30 and any(run.metrics for f in frames for run in f.runs):
                    break
            time.sleep(0.02)
        sequences = [f.sequence for f in frames]
        assert sequences == sorted(set(sequences))
        iterations = [f.iteration for f in frames]
        assert iterations == sorted(iterations) and iterations[-1] > 30
        metrics = next(run.metrics for f in frames for run in f.runs if run.metrics)
        assert {"js", "w1", "modes_covered", "high_quality_fraction"} <= set(metrics)
        assert metrics["total_modes"] == 8
    finally:
        assert worker.stop(2.0)


def take_until(slot: FrameSlot, condition, timeout: float = 60.0):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        frame = slot.take()
        if frame is not None and condition(frame):
            return frame
        time.sleep(0.01)
    raise AssertionError("no such frame")


def test_pausing_publishes_a_paused_frame_and_the_last_metrics_follow():
    """Whatever the metrics thread is doing when the GUI pauses, a frame says "paused" (rate 0)
    at once, and metrics sampled before the pause still reach the GUI."""
    pending = PendingChanges((small_config(),))
    slot = FrameSlot()
    worker = TrainingWorker(pending, slot, metrics_interval_s=0.0)  # a job at every frame
    worker.start()
    try:
        pending.set_running(True)
        take_until(slot, lambda f: f.running and f.iteration > 20 and f.iterations_per_second)
        pending.set_running(False)
        paused = take_until(slot, lambda f: not f.running, timeout=5.0)
        assert paused.iterations_per_second == 0.0
        last = take_until(slot, lambda f: f.runs[0].metrics is not None
                          and f.runs[0].metrics["iteration"] == paused.iteration, timeout=10.0)
        assert not last.running
    finally:
        assert worker.stop(2.0)


def test_worker_reports_a_bad_setting_and_keeps_going():
    config = small_config()
    pending = PendingChanges((config,))
    slot = FrameSlot()
    worker = TrainingWorker(pending, slot)
    worker.start()
    try:
        deadline = time.perf_counter() + 10
        while slot.take() is None and time.perf_counter() < deadline:
            time.sleep(0.02)
        broken = config.copy()
        broken.target.name = "custom"
        broken.target.points_file = "/nonexistent/points.csv"
        pending.set_configs((broken,))
        pending.request_steps(2)
        deadline = time.perf_counter() + 10
        error_frame = None
        while time.perf_counter() < deadline:
            frame = slot.take()
            if frame is not None and frame.error:
                error_frame = frame
                break
            time.sleep(0.02)
        assert error_frame is not None and "no such file" in error_frame.error
        assert error_frame.runs[0].snapshot.iteration == 2  # the old target kept training
    finally:
        assert worker.stop(2.0)


def test_interpolation_path_follows_the_generator():
    pending = PendingChanges((small_config(),))
    slot = FrameSlot()
    worker = TrainingWorker(pending, slot)
    worker.start()
    try:
        from ganlab.training.pending_changes import Interpolation

        pending.set_interpolation(Interpolation(np.array([-1.0, 0.5]), np.array([1.0, -0.5])))
        deadline = time.perf_counter() + 10
        path = None
        while time.perf_counter() < deadline and path is None:
            frame = slot.take()
            if frame is not None:
                path = frame.runs[0].interpolation_path
            time.sleep(0.02)
        assert path is not None and path.shape == (64, 2)
        trainer = worker.runs[0].trainer
        import torch

        expected = trainer.sample(1, latent=torch.tensor([[-1.0, 0.5]]))
        np.testing.assert_allclose(path[0], expected[0], atol=1e-5)
    finally:
        assert worker.stop(2.0)


@pytest.mark.parametrize("count", [1, 2])
def test_worker_compare_runs_share_iterations(count):
    configs = tuple(small_config() for _ in range(count))
    pending = PendingChanges(configs)
    slot = FrameSlot()
    worker = TrainingWorker(pending, slot)
    worker.start()
    try:
        pending.request_steps(7)
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            frame = slot.take()
            if frame is not None and frame.iteration == 7:
                break
            time.sleep(0.02)
        assert len(frame.runs) == count
        assert {run.snapshot.iteration for run in frame.runs} == {7}
    finally:
        assert worker.stop(2.0)


def test_slow_motion_publishes_the_critics_and_the_generators_update_apart():
    """At 3 iterations/s or fewer each iteration is shown in two halves: a frame after the
    critic's update (phase "discriminator", not yet an iteration) and a frame after the
    generator's (phase "generator", which completes the iteration)."""
    config = small_config()
    config.training.critic_steps = config.training.generator_steps = 1
    pending = PendingChanges((config.validate(),))
    slot = FrameSlot()
    worker = TrainingWorker(pending, slot)
    worker.start()
    try:
        pending.set_speed(3.0)
        pending.set_running(True)
        critic_half = take_until(slot, lambda f: f.phase == "discriminator").runs[0].snapshot
        generator_half = take_until(slot, lambda f: f.phase == "generator").runs[0].snapshot
        assert critic_half.critic_updates == critic_half.iteration + 1
        assert critic_half.generator_updates == critic_half.iteration
        assert (generator_half.critic_updates == generator_half.generator_updates
                == generator_half.iteration > critic_half.iteration)
    finally:
        assert worker.stop(2.0)
