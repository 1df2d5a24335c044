"""The iterations-per-second figure, on a clock moved by hand."""

from __future__ import annotations

import pytest

from ganlab.training.rate_meter import RateMeter
from tests.training.fake_clock import FakeClock


def test_the_rate_is_iterations_over_a_window_of_at_least_half_a_second():
    clock = FakeClock()
    meter = RateMeter(clock)
    meter.count(10)
    clock.advance(0.25)
    assert meter.update() == 0.0  # the window is too short to say
    meter.count(10)
    clock.advance(0.25)
    assert meter.update() == pytest.approx(40.0)
    meter.count(30)
    clock.advance(1.0)
    assert meter.update() == pytest.approx(30.0)  # a new window began at the last update


def test_an_idle_worker_shows_zero_after_a_second():
    clock = FakeClock()
    meter = RateMeter(clock)
    meter.count(50)
    clock.advance(0.5)
    assert meter.update(idle=True) == pytest.approx(100.0)  # just paused: the last rate stays
    clock.advance(0.4)
    assert meter.update(idle=True) == pytest.approx(100.0)
    clock.advance(0.7)
    assert meter.update(idle=True) == 0.0


def test_slow_motion_reads_its_rate_not_zero():
    """At 0.5 it/s a half-second window holds no iteration or one: the window waits for two.
    The worker reads the rate at each frame: after D's half, and after G's (the iteration)."""
    clock = FakeClock()
    meter = RateMeter(clock)
    readings = []
    for _ in range(8):
        clock.advance(1.0)
        readings.append(meter.update())  # D's half shown
        clock.advance(1.0)
        meter.count()
        readings.append(meter.update())  # G's half: one more iteration
    assert readings[:3] == [0.0, 0.0, 0.0]  # nothing to say yet
    assert readings[3:] == [pytest.approx(0.5)] * (len(readings) - 3)
