"""Pacing without a thread: frames at most every interval (sooner only if never), full-speed
bursts that end when a frame is due, a chosen rate, slow motion in halves."""

from __future__ import annotations

from itertools import islice

import numpy as np
import pytest

from ganlab.training import step as steps
from ganlab.training.pacer import MAX_FRAME_SHARE, MAX_RUNNING_WAIT_S, STALE_FRAME_S, Pacer
from tests.training.fake_clock import FakeClock

INTERVAL = 1 / 30


def test_a_frame_is_wanted_once_the_interval_passed_and_the_gui_read_the_last():
    clock = FakeClock()
    pacer = Pacer(INTERVAL, clock)
    pacer.frame_published(clock.now)
    clock.advance(INTERVAL / 2)
    assert not pacer.frame_wanted(consumed=True)
    clock.advance(INTERVAL)
    assert pacer.frame_wanted(consumed=True)
    assert not pacer.frame_wanted(consumed=False)  # the GUI is still busy with the last one


def test_a_stale_frame_is_replaced_even_if_the_gui_did_not_read_it():
    clock = FakeClock()
    pacer = Pacer(INTERVAL, clock)
    pacer.frame_published(clock.now)
    clock.advance(STALE_FRAME_S * 1.01)
    assert pacer.frame_wanted(consumed=False)


def test_frames_are_timed_from_when_they_started():
    clock = FakeClock()
    pacer = Pacer(INTERVAL, clock)
    started = clock.now
    clock.advance(INTERVAL * 0.9)  # a slow frame
    pacer.frame_published(started)
    clock.advance(INTERVAL * 0.2)
    assert pacer.frame_wanted(consumed=True)


def test_costly_frames_come_less_often_so_drawing_keeps_its_share_of_training_time():
    clock = FakeClock()
    pacer = Pacer(INTERVAL, clock)
    pacer.frame_published(clock.now, cost_s=0.025)  # a grid of 16×16 images: 25 ms
    assert pacer.spacing_s == 0.025 / MAX_FRAME_SHARE  # 0.1 s: 10 frames/s, 25% of the time
    clock.advance(0.099)
    assert not pacer.frame_wanted(consumed=True)
    clock.advance(0.002)
    assert pacer.frame_wanted(consumed=True)
    for _ in range(30):  # points: cheap frames, the average cost falls and the interval rules
        pacer.frame_published(clock.now, cost_s=0.002)
    assert pacer.spacing_s == INTERVAL
    clock.advance(INTERVAL * 1.01)
    assert pacer.frame_wanted(consumed=True)


def test_the_frame_cost_is_averaged_over_frames_that_take_turns():
    clock = FakeClock()
    pacer = Pacer(INTERVAL, clock)
    for turn in range(40):  # one costly field group (D*: 10 ms) in every four frames
        pacer.frame_published(clock.now, cost_s=0.010 if turn % 4 == 0 else 0.002)
        assert pacer.spacing_s < 0.025 / MAX_FRAME_SHARE
    assert pacer.spacing_s == INTERVAL  # ~4 ms on average: 30 frames/s stay


def test_a_full_speed_burst_takes_whole_iterations_until_the_frame_interval_is_over():
    clock = FakeClock()
    pacer = Pacer(INTERVAL, clock)
    pacer.frame_published(clock.now)
    taken = []
    for step in pacer.full_speed(lambda: False):
        taken.append(step)
        clock.advance(INTERVAL * 0.3)
    assert taken == [steps.BOTH] * 4  # the 4th step ran past the interval: the burst ends


def test_a_full_speed_burst_ends_early_when_a_frame_is_wanted():
    clock = FakeClock()
    pacer = Pacer(INTERVAL, clock)
    pacer.frame_published(clock.now - 2 * INTERVAL)  # a frame is due already
    assert list(islice(pacer.full_speed(lambda: True), 5)) == [steps.BOTH]  # at least one step
    assert list(islice(pacer.full_speed(lambda: False), 5)) == [steps.BOTH] * 5  # GUI busy


def test_at_a_chosen_rate_a_step_comes_when_it_is_due():
    clock = FakeClock(0.0)
    pacer = Pacer(INTERVAL, clock)
    assert pacer.due_step(10.0) == steps.BOTH
    assert pacer.due_step(10.0) is None
    assert 0.0 < pacer.running_wait_s() <= MAX_RUNNING_WAIT_S
    clock.advance(0.1)
    assert pacer.due_step(10.0) == steps.BOTH
    assert pacer.due_step(10.0) is None


def test_a_late_step_brings_at_most_one_step_of_catching_up():
    clock = FakeClock(0.0)
    pacer = Pacer(INTERVAL, clock)
    assert pacer.due_step(10.0) == steps.BOTH
    clock.advance(5.0)  # 50 steps behind
    assert pacer.due_step(10.0) == steps.BOTH
    assert pacer.due_step(10.0) == steps.BOTH  # the schedule starts again from now
    assert pacer.due_step(10.0) is None


def test_slow_motion_alternates_the_critics_half_and_the_generators_half():
    clock = FakeClock(0.0)
    pacer = Pacer(INTERVAL, clock)
    taken = []
    for _ in range(4):
        taken.append(pacer.due_step(1.0))
        assert pacer.due_step(1.0) is None  # the next half is half a period away
        clock.advance(0.5)
    assert taken == [steps.DISCRIMINATOR_HALF, steps.GENERATOR] * 2
    assert not steps.DISCRIMINATOR_HALF.completes_iteration
    assert steps.GENERATOR.completes_iteration


def test_a_restart_begins_slow_motion_with_the_critics_half():
    clock = FakeClock(0.0)
    pacer = Pacer(INTERVAL, clock)
    assert pacer.due_step(1.0) == steps.DISCRIMINATOR_HALF
    pacer.restart()
    clock.advance(0.5)
    assert pacer.due_step(1.0) == steps.DISCRIMINATOR_HALF


def _frames_at_full_speed(step_s: float, cost_s: float, frames: int) -> tuple[list, list]:
    """The worker's full-speed loop on a fake clock: a burst of steps of `step_s`, then a frame
    whose snapshot takes `cost_s`; (steps in each burst, start time of each frame)."""
    clock = FakeClock(0.0)
    pacer = Pacer(INTERVAL, clock)
    bursts, starts = [], []
    for _ in range(frames):
        taken = 0
        for _ in pacer.full_speed(lambda: True):
            clock.advance(step_s)
            taken += 1
        bursts.append(taken)
        assert pacer.frame_wanted(consumed=True)  # what the worker asks before publishing
        starts.append(clock.now)
        clock.advance(cost_s)
        pacer.frame_published(starts[-1], cost_s)
    return bursts, starts


def test_a_step_nearly_as_long_as_the_interval_gets_a_frame_after_every_step():
    # a 16×16 DCGAN step of 30 ms and a 5 ms snapshot: waiting for the first step boundary
    # after the 33 ms interval would publish after every second step (65 ms: 15 frames/s)
    bursts, starts = _frames_at_full_speed(0.030, 0.005, 40)
    assert bursts[1:] == [1] * 39
    spacing = (starts[-1] - starts[1]) / (len(starts) - 2)
    assert spacing == pytest.approx(0.035)  # 28.6 frames/s, a snapshot's 14% of the time


def test_short_steps_still_keep_frames_at_the_interval_on_average():
    # 8×8 images: 8 ms steps, 3 ms snapshots: frames at the step boundary nearest the interval
    _, starts = _frames_at_full_speed(0.008, 0.003, 60)
    spacings = np.diff(starts[1:])
    assert spacings.min() >= INTERVAL - 0.008 / 2
    assert spacings.mean() == pytest.approx(0.035)  # 3 ms + 4 steps: the first ≥ 29.3 ms


def test_costly_frames_keep_their_share_when_a_frame_comes_every_step():
    # a 9 ms snapshot: spacing 36 ms; 30 ms steps give 39 ms per frame, 23% of the time
    bursts, starts = _frames_at_full_speed(0.030, 0.009, 30)
    assert bursts[1:] == [1] * 29
    share = 0.009 / np.diff(starts[1:]).mean()
    assert share <= MAX_FRAME_SHARE
