"""Says when an image run's pictures lag its iteration counter by more than a frame's worth.

At full speed an image run's pictures are drawn on a helper thread from the weights copied at
the previous frame (`training.field_thread`), so a frame normally shows the pictures of the
iteration its predecessor had reached: `Snapshot.images_iteration` equals the previous frame's
iteration. When that thread gets little CPU (it runs only on an otherwise idle core) the same
pictures stay on screen for a few frames while the counter runs on. Then the generated grid's
caption says which iteration its pictures come from, and its tooltip why. The note stays at
least `HOLD_S` once shown, so a single late frame does not make the caption blink.
"""

from __future__ import annotations

import time

HOLD_S = 1.0  # a note shown stays at least this long
WHY = ("The counter runs ahead of these pictures: they are drawn on a helper thread from a "
       "copy of the networks, so that drawing them does not slow training. When the machine "
       "is busy that thread gets less time and the pictures lag behind the iteration counter "
       "(the real images and the charts are current).")


class PicturesLag:
    """Follows one view's frames: `note` gives the caption's note for each (or None)."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._previous: int | None = None  # the iteration of the previous frame seen
        self._until = float("-inf")  # the note shows until then at least

    def restart(self) -> None:
        self._previous = None
        self._until = float("-inf")

    def note(self, iteration: int | None, images_iteration: int | None) -> str | None:
        """"pictures from iteration N" when the frame's pictures (of `images_iteration`) are
        older than the previous frame's `iteration`, or were so less than `HOLD_S` ago."""
        previous, self._previous = self._previous, iteration
        if iteration is None or images_iteration is None:
            return None
        if previous is not None and images_iteration < previous <= iteration:
            self._until = self.clock() + HOLD_S
        elif previous is not None and previous > iteration:  # went back: rewind, new run
            self._until = float("-inf")
        if images_iteration >= iteration or self.clock() >= self._until:
            return None
        return f"pictures from iteration {images_iteration:,}"
