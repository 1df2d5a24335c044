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
        # guards `_on_publish`: it is called under this lock, so that once `on_publish` is
        # replaced (say, by None at shutdown) no call of the old callback is running or starts
        self._callback_lock = threading.Lock()
        self._on_publish: Callable[[], None] | None = None

    @property
    def on_publish(self) -> Callable[[], None] | None:
        """Called (in the publishing thread) after each publish: the GUI uses it to take the
        frame at once instead of at its next poll. It must be quick and must not publish or set
        `on_publish` itself. Setting it waits for a call in progress to end."""
        with self._callback_lock:
            return self._on_publish

    @on_publish.setter
    def on_publish(self, callback: Callable[[], None] | None) -> None:
        with self._callback_lock:
            self._on_publish = callback

    def publish(self, frame: Frame) -> None:
        with self._lock:
            if self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self.published += 1
        with self._callback_lock:
            if self._on_publish is not None:
                self._on_publish()

    def take(self) -> Frame | None:
        """The newest unread frame, or None; the slot is empty afterwards."""
        with self._lock:
            frame, self._frame = self._frame, None
            return frame

    @property
    def consumed(self) -> bool:
        with self._lock:
            return self._frame is None
