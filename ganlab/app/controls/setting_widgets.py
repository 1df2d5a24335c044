"""One editing widget per declared setting, chosen from its declaration.

A boolean gets a check box; a closed set of choices (or a list of offered values) a combo box;
a log-scale number the `LogSlider`; a whole number a spin box (or, past a spin box's 32-bit
limit, a `WholeNumberEdit`); any other number a decimal spin box. Every widget accepts the
setting's whole declared range, so a value loaded from a session or a lesson shows as it is,
never clamped; the tooltip is the setting's one-line help.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget

from ganlab.app.controls.log_slider import LogSlider
from ganlab.core.settings import Leaf

SPIN_BOX_LIMIT = 2**31 - 1  # QSpinBox holds a C int


@dataclass(frozen=True)
class Binding:
    """A widget and how to read it, show a value in it and hear it change."""

    widget: QWidget
    getter: Callable[[], Any]
    setter: Callable[[Any], None]
    signal: Any  # a bound Qt signal that fires when the user changed the value


class WholeNumberEdit(QLineEdit):
    """A text box for a whole number too large for a spin box (a 64-bit seed)."""

    value_changed = Signal(object)  # the new int, after Enter or leaving the box

    def __init__(self, minimum: int, maximum: int, parent=None):
        super().__init__(parent)
        self._minimum, self._maximum, self._value = minimum, maximum, minimum
        digits = len(str(maximum))
        self.setValidator(QRegularExpressionValidator(rf"\d{{1,{digits}}}"))
        self.editingFinished.connect(self._on_edited)

    def minimum(self) -> int:
        return self._minimum

    def maximum(self) -> int:
        return self._maximum

    def value(self) -> int:
        return self._value

    def set_value(self, value: int) -> None:
        """Show `value` without emitting."""
        self._value = value
        self.setText(str(value))

    def _on_edited(self) -> None:
        value = int(self.text() or self._minimum)
        if value != self._value:
            self._value = value  # out of range: the panel's validation names the limits
            self.value_changed.emit(value)


def make_binding(item: Leaf) -> Binding:
    """The widget that edits `item`, set to its range, choices and help."""
    declared = item.setting
    if item.kind is bool:
        box = QCheckBox()
        binding = Binding(box, box.isChecked, box.setChecked, box.toggled)
    elif declared.choices is not None or declared.offered is not None:
        binding = _combo(item)
    elif declared.scale == "log":
        slider = LogSlider(declared.low, declared.high, item.default, span=declared.span)
        binding = Binding(slider, slider.value, slider.set_value, slider.value_changed)
    elif item.kind is int and declared.high > SPIN_BOX_LIMIT:
        edit = WholeNumberEdit(int(declared.low), int(declared.high))
        binding = Binding(edit, edit.value, edit.set_value, edit.value_changed)
    elif item.kind is int:
        spin = QSpinBox()
        spin.setRange(int(declared.low), int(declared.high))
        spin.setKeyboardTracking(False)
        binding = Binding(spin, spin.value, spin.setValue, spin.valueChanged)
    else:
        spin = QDoubleSpinBox()
        spin.setDecimals(declared.decimals)
        spin.setRange(declared.low, declared.high)
        spin.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        spin.setKeyboardTracking(False)
        binding = Binding(spin, spin.value, spin.setValue, spin.valueChanged)
    binding.widget.setToolTip(item.help)
    return binding


def _combo(item: Leaf) -> Binding:
    combo = QComboBox()
    declared = item.setting
    names = list(item.choices if declared.choices is not None else declared.offered())
    combo.addItems(names)
    for index, text in enumerate(names):
        description = item.choice_help().get(text)
        if description:
            combo.setItemData(index, description, Qt.ItemDataRole.ToolTipRole)

    def show(value: str) -> None:
        if combo.findText(value) < 0:  # offered lists are open: a session's device stays shown
            combo.addItem(value)
        combo.setCurrentText(value)

    return Binding(combo, combo.currentText, show, combo.currentTextChanged)
