"""The settings' fields under the mouse wheel and the Space key, and k or g at 0 (issue 16)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication


def turn_wheel(widget, notches: int) -> None:
    """A mouse wheel turned over the middle of `widget` (negative: towards the user)."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_panel_and_changes_a_field_only_when_it_has_focus(window, qtbot):
    panel = window.control_panels[0]
    spin = panel.widget_for("training.generator_steps")
    combo = panel.widget_for("objective.name")
    panel.verticalScrollBar().setValue(0)
    assert panel.verticalScrollBar().maximum() > 0  # the panel is taller than its dock
    for field in (spin, combo):
        before = field.value() if field is spin else field.currentText()
        turn_wheel(field, -3)
        assert (field.value() if field is spin else field.currentText()) == before
        assert not field.hasFocus()
    assert panel.verticalScrollBar().value() > 0  # the wheel scrolled the panel instead
    assert window.session.configs[0].training.generator_steps == 1
    window.activateWindow()
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=2_000)
    turn_wheel(spin, 2)  # a focused field: the wheel is its own
    assert spin.value() == 3
    assert window.session.configs[0].training.generator_steps == 3


def test_space_plays_and_pauses_while_a_settings_field_has_focus(window, qtbot):
    panel = window.control_panels[0]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    for path in ("training.batch_size", "generator_optimizer.learning_rate"):
        field = panel.widget_for(path)
        field = getattr(field, "edit", field)  # the learning rate's text box
        field.setFocus()
        qtbot.waitUntil(field.hasFocus, timeout=2_000)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
        assert window.session.running
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
        assert not window.session.running
    assert window.session.configs[0].training.batch_size == panel.config().training.batch_size
    assert " " not in panel.widget_for("generator_optimizer.learning_rate").edit.text()


def test_zero_generator_steps_is_named_and_explained(window):
    panel = window.control_panels[0]
    spin = panel.widget_for("training.generator_steps")
    assert spin.specialValueText() == "0: G frozen"
    assert panel.frozen_note.isHidden()
    spin.setValue(0)  # typed or stepped down on purpose
    assert window.session.configs[0].training.generator_steps == 0
    assert spin.text() == "0: G frozen"
    assert not panel.frozen_note.isHidden()
    assert "generator never trains" in panel.frozen_note.text()
    spin.setValue(1)
    assert panel.frozen_note.isHidden()
