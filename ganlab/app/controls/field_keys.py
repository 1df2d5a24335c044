"""The mouse wheel and the Space key over the settings' editing fields.

- The wheel changes a field (spin box, combo box, slider) only while that field has the keyboard
  focus (click it first). Over an unfocused field the wheel scrolls the panel, as it does
  everywhere else: scrolling through the settings never changes one silently.
- Space plays or pauses training wherever the focus is: no setting is typed with a space, so a
  focused field lets the window's Space shortcut through instead of swallowing the key.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QWidget,
)

WHEEL_FIELDS = (QAbstractSpinBox, QComboBox, QAbstractSlider)


class FieldGuard(QObject):
    """An event filter for the fields of one panel (see the module's docstring)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        kind = event.type()
        if kind == QEvent.Type.Wheel and isinstance(watched, WHEEL_FIELDS):
            if not watched.hasFocus():  # not the field's: the panel around it scrolls
                area = _scroll_area_around(watched)
                if area is not None:
                    QApplication.sendEvent(area.viewport(), event.clone())
                return True
        elif kind == QEvent.Type.ShortcutOverride and _is_plain_space(event):
            return True  # left unaccepted, so the window's shortcut (Space: play) fires
        return False


def _scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


def _is_plain_space(event: QEvent) -> bool:
    return (event.key() == Qt.Key.Key_Space
            and event.modifiers() == Qt.KeyboardModifier.NoModifier)


def guard_fields(root: QWidget) -> FieldGuard:
    """Guard every editing field under `root`; a wheel no longer gives a field the focus."""
    guard = FieldGuard(root)
    for widget in root.findChildren(QWidget):
        if isinstance(widget, WHEEL_FIELDS):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            widget.installEventFilter(guard)
        elif isinstance(widget, QLineEdit):
            widget.installEventFilter(guard)
    return guard
