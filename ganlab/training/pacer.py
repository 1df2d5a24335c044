"""Pacing: when the worker trains and when it publishes a frame.

At full speed the worker trains in bursts that end when a frame is due: the GUI has read the last
frame (or it is stale) and a frame interval has passed, or the interval is over anyway. At a
chosen rate it takes one step when the step is due; at or below `SPLIT_RATE` iterations/s each
iteration is shown in two halves (the critic's update, a frame, the generator's update, a frame).
A frame costs the training thread its snapshot (a few milliseconds for points, ~10-20 ms for a
grid of 16×16 images): frames come no more often than that cost (averaged over recent frames,
since point frames take turns computing different fields) / `MAX_FRAME_SHARE`, so drawing never
takes more than that share of the training time.
Frames come between whole steps, so a full-speed frame is wanted as soon as the time since the
last one, plus half a step (the running average of recent full-speed steps), reaches the
spacing: the frame goes out at the step boundary nearest its due time rather than at the first
one after it. With a 30 ms step and a 37 ms spacing that is a frame per step (~30 per second)
instead of one per two steps (~16 per second); averaged over frames the spacing still holds.
Owns the clock arithmetic only: it trains nothing and publishes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from ganlab.training.step import BOTH, DISCRIMINATOR_HALF, GENERATOR, Step

FRAME_INTERVAL_S = 1 / 27  # frames on average this far apart (~27 per second: the goal is
# ≥ 25; at 1 / 30 the points app drew 30.3 frames/s and trained at 0.63-0.73 of the bare loop)
STALE_FRAME_S = 0.25  # publish even if the GUI has not read the last frame after this long
SPLIT_RATE = 3.0  # at or below this many iterations/s, show D's and G's updates separately
MAX_RUNNING_WAIT_S = 0.05  # while running, look for news at least this often
MAX_FRAME_SHARE = 0.25  # frames take at most this share of the training thread's time
FRAME_COST_SMOOTHING = 0.25  # weight of the newest frame in the average frame cost
STEP_SMOOTHING = 0.25  # weight of the newest full-speed step in the average step time


class Pacer:
    """Steps and frames in time; `clock` is injectable for tests."""

    def __init__(self, frame_interval_s: float = FRAME_INTERVAL_S,
                 clock: Callable[[], float] = time.perf_counter):
        self.frame_interval_s = frame_interval_s
        self._clock = clock
        self._last_publish = 0.0
        self._spacing_s = frame_interval_s  # longer after costly frames
        self._frame_cost_s: float | None = None  # average over recent frames
        self._step_s = 0.0  # average time of recent full-speed steps
        self._next_due = 0.0  # at a chosen rate: when the next step is due
        self._half_done = False  # slow motion: D's half of the iteration is done

    def restart(self) -> None:
        """A run started again: slow motion begins with the critic's half."""
        self._half_done = False

    # ---------------------------------------------------------------- frames
    def frame_wanted(self, consumed: bool) -> bool:
        """A frame interval has passed, less half a step (see the module docstring), and the
        GUI has read the last frame (`consumed`) or it is stale."""
        elapsed = self._clock() - self._last_publish
        return elapsed + self._step_s / 2 >= self._spacing_s and (
            consumed or elapsed > STALE_FRAME_S)

    @property
    def step_s(self) -> float:
        """The average time of recent full-speed steps (0 before the first)."""
        return self._step_s

    @property
    def spacing_s(self) -> float:
        """The time from one frame to the next now in force: the interval, or longer after a
        costly frame."""
        return self._spacing_s

    def frame_published(self, started: float, cost_s: float = 0.0) -> None:
        """A frame begun at `started`, which took the training thread `cost_s` seconds to make,
        went out: frames start every interval, however long one took, unless making them
        would take more than `MAX_FRAME_SHARE` of the time."""
        self._last_publish = started
        average = self._frame_cost_s
        average = cost_s if average is None else (
            average + FRAME_COST_SMOOTHING * (cost_s - average))
        self._frame_cost_s = average
        self._spacing_s = max(self.frame_interval_s, average / MAX_FRAME_SHARE)

    # ---------------------------------------------------------------- steps
    def full_speed(self, consumed: Callable[[], bool]) -> Iterator[Step]:
        """Whole iterations until a frame is due: at least one, at most a frame interval's worth
        (`consumed` tells whether the GUI has read the last frame)."""
        deadline = self._clock() + self.frame_interval_s
        while True:
            started = self._clock()
            yield BOTH
            now = self._clock()
            self._step_s += STEP_SMOOTHING * (now - started - self._step_s) if self._step_s \
                else now - started
            if now >= deadline or self.frame_wanted(consumed()):
                return

    def due_step(self, rate: float) -> Step | None:
        """At `rate` iterations/s: the step due now, or None before its time."""
        now = self._clock()
        if now < self._next_due:
            return None
        period = 1.0 / rate
        if rate <= SPLIT_RATE:
            step = GENERATOR if self._half_done else DISCRIMINATOR_HALF
            self._half_done = not self._half_done
            self._next_due = max(self._next_due + period / 2, now)
            return step
        self._next_due = max(self._next_due + period, now)
        return BOTH

    def running_wait_s(self) -> float:
        """How long a running worker that trained nothing may wait for news."""
        return max(0.0, min(self._next_due - self._clock(), MAX_RUNNING_WAIT_S))
