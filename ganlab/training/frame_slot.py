"""The worker → GUI channel: a latest-only slot holding at most one unread `Frame`.

The worker `publish`es; the GUI timer `take`s. A frame that was never read is replaced by the
next one (frames may be dropped, a backlog never grows). `consumed` lets the worker skip the work
of building a frame nobody has read yet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ganlab.training.frame import Frame


class FrameSlot:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: Frame | None = None
        self.published = 0  # frames handed in by the worker
        self.dropped = 0  # frames replaced before the GUI read them
        # called (in the publishing thread) after each publish: the GUI uses it to take the
        # frame at once instead of at its next poll
        self.on_publish: Callable[[], None] | None = None

    def publish(self, frame: Frame) -> None:
        with self._lock:
            if self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self.published += 1
        if self.on_publish is not None:
            self.on_publish()

    def take(self) -> Frame | None:
        """The newest unread frame, or None; the slot is empty afterwards."""
        with self._lock:
            frame, self._frame = self._frame, None
            return frame

    @property
    def consumed(self) -> bool:
        with self._lock:
            return self._frame is None
