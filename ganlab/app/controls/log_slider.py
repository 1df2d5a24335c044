"""A log-scale slider for learning rates: the slider moves log10(value), a box shows the value.

Built on superqt's float slider; `value_changed` fires when the user lets go of the handle (or
types a value and presses Enter), so dragging does not flood the worker with settings. The box
accepts the whole range [minimum, maximum]; the handle may move over a narrower practical `span`
(a value beyond it is shown in the box as it is, with the handle at the span's end).
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget
from superqt import QDoubleSlider


class LogSlider(QWidget):
    value_changed = Signal(float)

    def __init__(self, minimum: float = 1e-6, maximum: float = 1.0, value: float = 1e-3,
                 parent=None, span: tuple[float, float] | None = None):
        super().__init__(parent)
        self._minimum, self._maximum = minimum, maximum
        low, high = span or (minimum, maximum)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.slider = QDoubleSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(math.log10(low), math.log10(high))
        self.slider.setSingleStep(0.05)
        self.edit = QLineEdit()
        self.edit.setFixedWidth(76)
        validator = QDoubleValidator(minimum, maximum, 10)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.edit.setValidator(validator)
        layout.addWidget(self.slider, stretch=1)
        layout.addWidget(self.edit)
        self._value = value
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.slider.sliderReleased.connect(self._emit)
        self.slider.setTracking(True)
        self.edit.editingFinished.connect(self._on_text_entered)
        self.set_value(value)

    def value(self) -> float:
        return self._value

    def minimum(self) -> float:
        return self._minimum

    def maximum(self) -> float:
        return self._maximum

    def set_value(self, value: float) -> None:
        """Show `value` without emitting (used when a lesson or a restore sets it)."""
        value = min(max(value, self._minimum), self._maximum)
        self._value = value
        self.slider.blockSignals(True)
        self.slider.setValue(math.log10(value))
        self.slider.blockSignals(False)
        self.edit.setText(f"{value:.2g}")

    def set_value_and_emit(self, value: float) -> None:
        self.set_value(value)
        self._emit()

    def setToolTip(self, text: str) -> None:  # Qt's name: the parts share the tooltip
        super().setToolTip(text)
        self.slider.setToolTip(text)
        self.edit.setToolTip(text)

    def _on_slider_moved(self, exponent: float) -> None:
        self._value = 10.0 ** exponent
        self.edit.setText(f"{self._value:.2g}")
        if not self.slider.isSliderDown():  # keyboard or wheel: no release will follow
            self._emit()

    def _on_text_entered(self) -> None:
        try:
            value = float(self.edit.text())
        except ValueError:
            self.set_value(self._value)
            return
        if value != self._value:
            self.set_value_and_emit(value)

    def _emit(self) -> None:
        self.value_changed.emit(self._value)
