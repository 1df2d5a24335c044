"""Tools for the "draw your own" target: brush size, clear, train on the drawing, cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from superqt import QLabeledDoubleSlider


class PaintingPanel(QWidget):
    clear_clicked = Signal()
    train_clicked = Signal()
    cancel_clicked = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.hint = QLabel("Paint on the canvas with the left mouse button.")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        row = QHBoxLayout()
        row.addWidget(QLabel("Brush"))
        self.brush_size = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        self.brush_size.setRange(0.02, 0.6)
        self.brush_size.setValue(0.15)
        self.brush_size.setDecimals(2)
        self.brush_size.setToolTip("Radius of the brush, in data units: points are sprayed "
                                   "uniformly inside it.")
        row.addWidget(self.brush_size, stretch=1)
        layout.addLayout(row)
        buttons = QHBoxLayout()
        self.train_button = QPushButton("Train on drawing")
        self.train_button.setToolTip("Use the painted points as the target and keep training.")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove every painted point.")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Leave drawing mode without changing the target.")
        for button, signal in ((self.train_button, self.train_clicked),
                               (self.clear_button, self.clear_clicked),
                               (self.cancel_button, self.cancel_clicked)):
            button.clicked.connect(signal)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.count_label = QLabel("0 points")
        layout.addWidget(self.count_label)

    def radius(self) -> float:
        return float(self.brush_size.value())

    def set_count(self, count: int) -> None:
        self.count_label.setText(f"{count:,} points")
        self.train_button.setEnabled(count >= 2)
