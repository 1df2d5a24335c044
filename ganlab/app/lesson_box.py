"""The lesson's explanation above the run panes: a title, the text, and a button to hide it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton

if TYPE_CHECKING:
    from ganlab.app.lessons import Lesson


class LessonBox(QFrame):
    """Hidden until a lesson is shown; `text` holds the explanation."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("lesson")
        self.setStyleSheet(
            "#lesson { background: #23324a; border: 1px solid #4a6fa5; border-radius: 6px; }")
        layout = QHBoxLayout(self)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Hide the lesson's explanation.")
        close.clicked.connect(self.hide)
        layout.addWidget(self.text, stretch=1)
        layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_lesson(self, lesson: Lesson) -> None:
        self.text.setText(f"<b>Lesson: {lesson.title}</b><br>{lesson.explanation}"
                          "<br><i>Press Space to start.</i>")
        self.show()
