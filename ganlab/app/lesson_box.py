"""The lesson's explanation above the run panes: a title, the text, a line saying what the keys
do now (it follows play and pause), and a button to hide it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout

if TYPE_CHECKING:
    from ganlab.app.lessons import Lesson

HINTS = {
    "ready": "Press Space to start.",
    "running": "Training — Space pauses, → steps once when paused.",
    "paused": "Paused — Space goes on, R starts the lesson's run again.",
}


class LessonBox(QFrame):
    """Hidden until a lesson is shown; `text` holds the explanation, `hint` the keys."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("lesson")
        self.setStyleSheet(
            "#lesson { background: #23324a; border: 1px solid #4a6fa5; border-radius: 6px; }")
        layout = QHBoxLayout(self)
        column = QVBoxLayout()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.hint = QLabel()
        self.hint.setStyleSheet("font-style: italic;")
        self.hint.setToolTip("What the keys do now.")
        column.addWidget(self.text)
        column.addWidget(self.hint)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Hide the lesson's explanation (the lesson's settings stay).")
        close.clicked.connect(self.hide)
        layout.addLayout(column, stretch=1)
        layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignTop)
        self.lesson: Lesson | None = None
        self._started = False
        self.hide()

    def show_lesson(self, lesson: Lesson) -> None:
        self.lesson = lesson
        self._started = False
        self.text.setText(f"<b>Lesson: {lesson.title}</b><br>{lesson.explanation}")
        self.hint.setText(HINTS["ready"])
        self.show()

    def set_running(self, running: bool) -> None:
        """Training started or paused: the hint says what Space does now."""
        if self.lesson is None:
            return
        self._started = self._started or running
        self.hint.setText(HINTS["running" if running else "paused" if self._started
                                else "ready"])

    def end_lesson(self) -> None:
        self.lesson = None
        self.hide()
