"""When to sample metrics: at most every `interval_s`, only if the runs trained since the last
sample, and only when the GUI shows metrics (and no run failed). Owns the timing; the evaluation
itself runs on the metrics thread (`metrics_thread.py`).

Drawing the evaluation samples happens on the training thread and is the part training waits
for: a few milliseconds for points, but a tenth of a second or more for 1,000 images. So the
interval stretches to keep that cost at most `MAX_TRAINING_SHARE` of the training time: a
sample that took s seconds is followed by the next one no sooner than s / MAX_TRAINING_SHARE."""

from __future__ import annotations

import time
from collections.abc import Callable

IDLE_WAIT_S = 0.5  # a paused worker looks for news at least this often
MAX_TRAINING_SHARE = 0.05  # drawing metrics samples takes at most this share of training time


class MetricsSchedule:
    """The metrics clock of one worker; `clock` is injectable for tests."""

    def __init__(self, interval_s: float, clock: Callable[[], float] = time.perf_counter):
        self.interval_s = interval_s
        self._clock = clock
        self._last_sample = -1e9
        self._trained = True  # trained (or restarted) since the last sample
        self._interval_s = interval_s  # stretched when sampling is costly

    def start(self) -> None:
        """The worker begins: its first frame comes fast, metrics one interval later."""
        self._last_sample = self._clock()

    def trained(self) -> None:
        """Something changed what metrics would say (a step, a restart, a new target)."""
        self._trained = True

    def due(self, wanted: bool, now: float | None = None) -> bool:
        """A sample is due (now, or at `now`), given that metrics are `wanted`: shown, with runs
        that may be sampled."""
        now = self._clock() if now is None else now
        return wanted and self._trained and now - self._last_sample >= self._interval_s

    def idle_wait_s(self, wanted: bool) -> float:
        """How long a paused worker may wait before a due sample needs a frame."""
        if wanted and self._trained:
            remaining = self._last_sample + self._interval_s - self._clock()
            return max(0.0, min(remaining, IDLE_WAIT_S))
        return IDLE_WAIT_S

    @property
    def current_interval_s(self) -> float:
        """The interval now in force: `interval_s`, or longer after a costly sample."""
        return self._interval_s

    def sampled(self, cost_s: float = 0.0) -> None:
        """A sample, which took the training thread `cost_s` seconds to draw, was handed to the
        metrics thread."""
        self._last_sample = self._clock()
        self._trained = False
        self._interval_s = max(self.interval_s, cost_s / MAX_TRAINING_SHARE)
