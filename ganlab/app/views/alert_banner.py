"""A banner across the top of the canvas that explains why training paused, with a way out:
non-finite numbers (restore the last good state, or reset), or training that stopped — the
training process ended or its worker failed (restart it)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout


class AlertBanner(QFrame):
    restore_clicked = Signal()
    reset_clicked = Signal()
    restart_clicked = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("alert")
        self.setStyleSheet(
            "#alert { background: #5c1f24; border: 1px solid #ff6b6b; border-radius: 6px; }"
            "#alert QLabel { color: #ffe3e3; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        self.title = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        self.restore_button = QPushButton("Restore last good state, learning rates ÷ 10")
        self.restore_button.setToolTip(
            "Go back to the last state where everything was finite and divide both learning "
            "rates by 10."
        )
        self.reset_button = QPushButton("Reset networks, learning rates ÷ 10")
        self.reset_button.setToolTip(
            "Start again from freshly initialised networks with both learning rates divided "
            "by 10 (the rates that blew up would blow up again).")
        self.restart_button = QPushButton("Restart training")
        self.restart_button.setToolTip(
            "Start a new training process with the current settings, from iteration 0.")
        self.restore_button.clicked.connect(self.restore_clicked)
        self.reset_button.clicked.connect(self.reset_clicked)
        self.restart_button.clicked.connect(self.restart_clicked)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.restart_button)
        buttons.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.hide()

    def show_failure(self, message: str, can_restore: bool) -> None:
        self.title.setText("<b>Training paused: the numbers blew up</b>")
        self.restore_button.show()
        self.reset_button.show()
        self.restart_button.hide()
        self.message.setText(message)
        self.restore_button.setEnabled(can_restore)
        self.restore_button.setToolTip(
            "Go back to the last state where everything was finite and divide both learning "
            "rates by 10." if can_restore else "No finite state was saved yet: reset instead."
        )
        self.show()

    def show_stopped(self, message: str) -> None:
        """Training ended without being asked to; `message` says how (the process ended, the
        worker failed) and what the way out is."""
        self.title.setText("<b>Training stopped</b>")
        self.message.setText(message)
        self.restore_button.hide()
        self.reset_button.hide()
        self.restart_button.show()
        self.show()
