"""The travelling point of the latent interpolation: where it is on the path from z0 to z1 and
back, and when it moves. While frames arrive it moves only with them (a move of its own would
cost a whole extra repaint of the canvas, ~10 ms of GUI time); while paused, on a tick."""

from __future__ import annotations

import time
from collections.abc import Callable

ANIMATION_PERIOD_S = 4.0  # the interpolation point goes from z0 to z1 and back in this time
ANIMATION_STEP_S = 1 / 30  # the travelling point moves at most 30 times a second
# while frames arrive at least this often, the point moves only with them
FRAME_CARRIES_ANIMATION_S = 0.1


class InterpolationAnimation:
    """Calls `move(t)` (t in [0, 1]) when the point should move; `shown()` says whether the
    interpolation layer is on and `running()` whether training runs; `clock` is injectable for
    tests."""

    def __init__(self, move: Callable[[float], None], shown: Callable[[], bool],
                 running: Callable[[], bool], clock: Callable[[], float] = time.perf_counter):
        self._move = move
        self._shown = shown
        self._running = running
        self._clock = clock
        self._started = clock()
        self._last_move = 0.0
        self._last_frame_shown = 0.0
        self.animating = True  # the user's play/pause of the animation

    def set_animating(self, animate: bool) -> None:
        self.animating = animate

    def tick(self) -> None:
        """The refresh tick: move, unless frames are carrying the point or it moved just now."""
        now = self._clock()
        if not self.animating or not self._shown() or now - self._last_move < ANIMATION_STEP_S:
            return
        if self._running() and now - self._last_frame_shown < FRAME_CARRIES_ANIMATION_S:
            return  # frames are arriving: move the point with them, in the same repaint
        self._step(now)

    def frame_shown(self, _frame=None) -> None:
        """A frame was drawn: the point moves with it."""
        now = self._clock()
        self._last_frame_shown = now
        if self.animating and self._shown():
            self._step(now)

    def _step(self, now: float) -> None:
        self._last_move = now
        phase = ((self._clock() - self._started) / ANIMATION_PERIOD_S) % 1.0
        self._move(2 * phase if phase < 0.5 else 2 - 2 * phase)  # there and back
