"""What a non-finite frame means, and when to keep a good state.

A frame in which any run shows a non-finite loss, sample or weight pauses training: the first
such frame sets `failure` (the text the GUI shows, see `failure_text.py`) and `failed_runs`, and
they stay until a restore or a restart clears them. While every run is finite, a good state is
kept at most every `checkpoint_interval_s`. The weights themselves are checked in full only on
some frames (`field_schedule.full_check_due`); the losses and samples show a NaN weight anyway.
Owns the decision only; the runs take and restore the states (`run.py`).
"""

from __future__ import annotations

import logging

from ganlab.training.failure_text import failure_message

log = logging.getLogger(__name__)

CHECKPOINT_INTERVAL_S = 2.0  # how often a finite state is kept for "restore last good"


class DivergenceGuard:
    """The failure state of the runs and the checkpoint clock."""

    def __init__(self, checkpoint_interval_s: float = CHECKPOINT_INTERVAL_S):
        self.checkpoint_interval_s = checkpoint_interval_s
        self.failure: str | None = None  # why training is paused, while it is
        self.failed_runs: tuple[int, ...] = ()
        self._last_checkpoint = -1e9

    @property
    def failed(self) -> bool:
        return self.failure is not None

    def clear(self) -> None:
        """A restore or a restart: the runs are finite again."""
        self.failure, self.failed_runs = None, ()

    def observe(self, run_frames: list, failed: list[int], now: float) -> bool:
        """A frame was taken at `now` in which the runs at `failed` are not finite; True if every
        run is finite and a good state is due (the caller keeps one)."""
        if failed:
            if self.failure is None:
                self.failure = failure_message(run_frames, failed)
                self.failed_runs = tuple(failed)
                log.warning("training paused: %s", self.failure)
            return False
        if now - self._last_checkpoint >= self.checkpoint_interval_s:
            self._last_checkpoint = now
            return True
        return False
