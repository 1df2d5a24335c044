"""Recording the canvas as an animated GIF, for slides.

While recording, a GUI timer grabs the widget ~10 times a second (`QWidget.grab`), scaled to at
most `MAX_SIDE` pixels, into a bounded list of frames (`MAX_FRAMES`: about a minute; memory stays
under ~200 MB). Stopping writes the GIF with imageio (atomically: a temporary file, then a
rename) and clears the frames. `RecordingIndicator` is the status-bar field that says a recording
is under way, and only then.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

log = logging.getLogger(__name__)

FPS = 10
MAX_SIDE = 480  # pixels of the longer side of a recorded frame
MAX_FRAMES = 600  # a minute at 10 fps; later frames are not kept


class RecordingError(ValueError):
    """The GIF could not be written."""


def widget_image(widget, max_side: int = MAX_SIDE) -> np.ndarray:
    """The widget as it looks now: (height, width, 3) uint8 RGB, longer side ≤ max_side."""
    image = widget.grab().toImage()
    if max(image.width(), image.height()) > max_side:
        image = image.scaled(max_side, max_side, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), np.uint8, count=stride * height)
    return data.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


def write_gif(frames: list[np.ndarray], path: str | Path, fps: float = FPS) -> Path:
    """An endlessly looping GIF of `frames` (same-sized RGB arrays)."""
    import imageio.v3 as iio

    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise RecordingError(f"{path}: recordings are saved as .gif")
    if not frames:
        raise RecordingError(f"{path}: nothing was recorded")
    height, width = frames[0].shape[:2]
    frames = [f for f in frames if f.shape[:2] == (height, width)]  # a resized window
    temporary = path.with_name(f".{path.name}.tmp.gif")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        iio.imwrite(temporary, np.stack(frames), duration=1000 / fps, loop=0)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise RecordingError(f"{path}: {error.strerror or error}") from None
    return path


class GifRecorder(QObject):
    """Grabs a widget (given by a callable, as the visible view may change) while recording."""

    recording_changed = Signal(bool)

    def __init__(self, widget_of, parent=None, fps: float = FPS):
        super().__init__(parent)
        self._widget_of = widget_of
        self.frames: list[np.ndarray] = []
        self.path: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(round(1000 / fps))
        self.timer.timeout.connect(self.grab)
        self.fps = fps

    @property
    def recording(self) -> bool:
        return self.timer.isActive()

    def start(self, path: str) -> None:
        self.path = str(path)
        self.frames = []
        self.grab()
        self.timer.start()
        self.recording_changed.emit(True)

    def grab(self) -> None:
        if len(self.frames) < MAX_FRAMES:
            self.frames.append(widget_image(self._widget_of()))

    def stop(self) -> Path:
        """Stop and write the GIF; raises RecordingError (the frames are dropped either way)."""
        self.timer.stop()
        self.recording_changed.emit(False)
        frames, self.frames = self.frames, []
        return write_gif(frames, self.path, self.fps)


class RecordingIndicator(QLabel):
    """'● Recording GIF: 12 frames' while `recorder` records; hidden as soon as it stops."""

    def __init__(self, recorder: GifRecorder, parent=None):
        super().__init__(parent)
        self.recorder = recorder
        self.setStyleSheet("color: #ff6b6b;")
        self.setToolTip("A GIF of the canvas is being recorded (Ctrl+G stops and saves it).")
        recorder.recording_changed.connect(self._on_recording_changed)
        recorder.timer.timeout.connect(self._count)
        self.hide()

    def _on_recording_changed(self, recording: bool) -> None:
        self._count()
        self.setVisible(recording)

    def _count(self) -> None:
        self.setText(f"● Recording GIF: {len(self.recorder.frames)} frames")
