"""The "draw your own" mode: the first canvas takes brush strokes, then the points become the
target of every run.

While painting, training is paused, the canvas shows the painted points only and keeps the 2D
view whatever the current target is; "Train on drawing" hands the window a custom target of the
painted points (`target_painted`: a fresh run on it) and resumes training.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ganlab.app.painting import PAINT_BOX, PaintedPoints
from ganlab.core.config import TargetConfig
from ganlab.core.data_store import DATA


class PaintingMode(QObject):
    started = Signal()
    stopped = Signal()
    target_painted = Signal(object)  # the TargetConfig of the painted points, to train on
    trained = Signal()  # the painted points became the target

    def __init__(self, session, pane, panel, parent=None):
        super().__init__(parent)
        self.session = session
        self.pane = pane
        self.panel = panel
        self.points = PaintedPoints()
        self.active = False
        pane.canvas.brush_moved.connect(self.brush_at)
        panel.clear_clicked.connect(self.clear)
        panel.train_clicked.connect(self.train)
        panel.cancel_clicked.connect(self.stop)

    def start(self) -> None:
        self.session.pause()
        self.active = True
        self.started.emit()
        self.pane.hold_canvas = True
        self.pane.show_data("points", 2)
        self.pane.canvas.set_painting(True, PAINT_BOX)
        self._show()
        self.panel.show()

    def stop(self) -> None:
        if not self.active:
            return
        self.active = False
        self.pane.hold_canvas = False
        self.pane.canvas.set_painting(False)
        self.panel.hide()
        self.stopped.emit()

    def brush_at(self, x: float, y: float) -> None:
        if self.active:
            self.points.spray(x, y, self.panel.radius())
            self._show()

    def clear(self) -> None:
        self.points.clear()
        self._show()

    def train(self) -> None:
        if len(self.points) < 2:
            return
        points = self.points.points.round(4)
        self.stop()
        self.target_painted.emit(TargetConfig(name="custom", data=DATA.put(points)))
        self.trained.emit()
        self.session.play()

    def _show(self) -> None:
        self.pane.canvas.show_painted(self.points.points)
        self.panel.set_count(len(self.points))
