"""Iterations per second as the GUI shows it: iterations counted over windows of at least half a
second that hold at least two iterations (slow motion, 0.5 it/s: windows of ~4 s, so the figure
reads 0.5 rather than 0, 2, 0, ...), and zero once training has been idle for over a second.
Owns only the counting; the worker says when an iteration happened and when to look at the
clock."""

from __future__ import annotations

import time
from collections.abc import Callable

WINDOW_S = 0.5  # the rate is measured over at least this long
MIN_ITERATIONS = 2  # ... and holds at least this many iterations (or lasts MAX_WINDOW_S)
MAX_WINDOW_S = 5.0
IDLE_ZERO_S = 1.0  # idle for longer than this since the window began: the rate shows 0


class RateMeter:
    """Counts iterations and turns them into a rate when asked (`update`)."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter):
        self._clock = clock
        self._iterations = 0  # all iterations counted so far
        self._window = (clock(), 0)  # when the current window began, and the count then
        self.rate = 0.0  # iterations per second over the last full window

    def count(self, iterations: int = 1) -> None:
        self._iterations += iterations

    def update(self, idle: bool = False) -> float:
        """Close the window if it is at least `WINDOW_S` long and holds `MIN_ITERATIONS` (or is
        `MAX_WINDOW_S` long); when `idle`, drop a rate older than `IDLE_ZERO_S` to 0. Returns
        the rate."""
        now = self._clock()
        start, count = self._window
        counted, span = self._iterations - count, now - start
        if span >= WINDOW_S and (counted >= MIN_ITERATIONS or span >= MAX_WINDOW_S):
            self.rate = counted / span
            self._window = (now, self._iterations)
        if idle and self.rate and now - start > IDLE_ZERO_S:
            self.rate = 0.0
        return self.rate
