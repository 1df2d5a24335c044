"""Training speed, from slow motion (half an iteration per second, D and G shown apart) to full.

At 3 iterations per second or slower the worker shows the discriminator's half of each
iteration and then the generator's half as separate frames, so the model overview lights the
two networks in turn.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget

#: iterations per second at each notch; None = as fast as the machine allows
SPEEDS: tuple[float | None, ...] = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 100.0, 300.0, None)


def describe_speed(speed: float | None) -> str:
    if speed is None:
        return "full speed"
    if speed <= 3:
        return f"{speed:g} it/s (slow motion)"
    return f"{speed:g} it/s"


class SpeedControl(QWidget):
    speed_changed = Signal(object)  # float iterations per second, or None for full speed

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        title = QLabel("Speed")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, len(SPEEDS) - 1)
        self.slider.setPageStep(1)
        self.slider.setFixedWidth(150)
        self.slider.setValue(len(SPEEDS) - 1)
        self.label = QLabel()
        self.label.setMinimumWidth(150)
        tip = ("Iterations per second, from slow motion (D's and G's updates shown one after "
               "the other) to full speed.")
        for widget in (title, self.slider, self.label):
            widget.setToolTip(tip)
        layout.addWidget(title)
        layout.addWidget(self.slider)
        layout.addWidget(self.label)
        self.slider.valueChanged.connect(self._on_moved)
        self._on_moved(self.slider.value(), emit=False)

    def speed(self) -> float | None:
        return SPEEDS[self.slider.value()]

    def set_speed(self, speed: float | None) -> None:
        self.slider.setValue(SPEEDS.index(speed))

    def _on_moved(self, index: int, emit: bool = True) -> None:
        self.label.setText(describe_speed(SPEEDS[index]))
        if emit:
            self.speed_changed.emit(SPEEDS[index])
