"""When metrics are sampled, on a clock moved by hand."""

from __future__ import annotations

import pytest

from ganlab.training.metrics_schedule import IDLE_WAIT_S, MAX_TRAINING_SHARE, MetricsSchedule
from tests.training.fake_clock import FakeClock


def test_metrics_come_one_interval_after_the_start_then_only_after_training():
    clock = FakeClock()
    schedule = MetricsSchedule(2.0, clock)
    schedule.start()
    assert not schedule.due(wanted=True)
    clock.advance(2.0)
    assert schedule.due(wanted=True)
    assert not schedule.due(wanted=False)  # not shown, no runs, or a run failed
    schedule.sampled()
    clock.advance(5.0)
    assert not schedule.due(wanted=True)  # nothing trained since
    schedule.trained()
    assert schedule.due(wanted=True)


def test_due_at_a_given_time():
    clock = FakeClock()
    schedule = MetricsSchedule(2.0, clock)
    schedule.start()
    assert schedule.due(wanted=True, now=clock.now + 2.0)
    assert not schedule.due(wanted=True, now=clock.now + 1.0)


def test_a_paused_worker_wakes_when_the_next_sample_is_due():
    clock = FakeClock()
    schedule = MetricsSchedule(2.0, clock)
    schedule.start()
    clock.advance(1.8)
    assert schedule.idle_wait_s(wanted=True) == pytest.approx(0.2)
    assert schedule.idle_wait_s(wanted=False) == IDLE_WAIT_S
    clock.advance(1.0)
    assert schedule.idle_wait_s(wanted=True) == 0.0
    schedule.sampled()
    assert schedule.idle_wait_s(wanted=True) == IDLE_WAIT_S  # nothing new to sample


def test_a_costly_sample_stretches_the_interval_to_keep_training_share_small():
    clock = FakeClock()
    schedule = MetricsSchedule(2.0, clock)
    schedule.start()
    clock.advance(2.0)
    schedule.sampled(cost_s=0.25)  # 1,000 images took the training thread 0.25 s
    assert schedule.current_interval_s == pytest.approx(0.25 / MAX_TRAINING_SHARE)  # 5 s
    schedule.trained()
    clock.advance(4.9)
    assert not schedule.due(wanted=True)
    clock.advance(0.1)
    assert schedule.due(wanted=True)
    schedule.sampled(cost_s=0.01)  # cheap again (points): back to the base interval
    schedule.trained()
    assert schedule.current_interval_s == 2.0
    clock.advance(2.0)
    assert schedule.due(wanted=True)
