"""Autosave from the app: every `interval_s` of training time and on exit; after a crash, the
next start offers the autosave back.

Training time is measured on the GUI side, once a second, as the wall time during which the
session was running without a failure (a NaN state is never autosaved). The save itself is a
file command run by the worker, like "Save session"; a failed autosave is logged, not shown.
One autosave is in flight at a time: the next waits for the answer to the last, which always
comes (the session answers every command, with a failure if training stopped); an answer that
takes longer than `ANSWER_TIMEOUT_S` is given up on, so autosave can never stop for good.
A session holds GAN runs only: while the run saved (run A) is a VAE, nothing is sent (it could
only fail) and the status bar says once that autosave waits for a GAN run.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from ganlab.core.autosave import Autosave
from ganlab.training.file_commands import FileResult, SaveSession

log = logging.getLogger(__name__)

TICK_MS = 1000  # how often training time is counted
ANSWER_TIMEOUT_S = 120.0  # an autosave unanswered this long no longer blocks the next one
VAE_NOT_AUTOSAVED = ("Autosave is off while the run is a VAE: sessions hold GAN runs only. It "
                     "starts again when the run is a GAN.")


def ask_to_restore(parent, saved_at: float | None) -> bool:
    """The question at start-up (a function, so tests can answer it)."""
    when = (f" from {datetime.fromtimestamp(saved_at):%Y-%m-%d %H:%M}" if saved_at else "")
    answer = QMessageBox.question(
        parent, "Restore the last session?",
        f"ganlab did not close properly last time. Restore the session autosaved{when}?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes


class AutosaveControl(QObject):
    def __init__(self, window, autosave: Autosave, tick_ms: int = TICK_MS):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.autosave = autosave
        self.saves = 0  # autosaves written by this window
        self._saving = False
        self._saving_since = 0.0  # time.monotonic() of the save in flight
        self._last_tick = time.monotonic()
        self._told_vae = False  # VAE_NOT_AUTOSAVED shown for the present VAE spell
        self.timer = QTimer(self)
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(self.tick)
        self.session.file_command_finished.connect(self._on_result)

    def start(self) -> bool:
        """Mark this run as started; True if the previous one crashed and left an autosave."""
        try:
            crashed = self.autosave.start()
        except OSError as error:  # an unwritable data folder: run without autosave
            log.warning("autosave is off: %s", error)
            return False
        self._last_tick = time.monotonic()
        self.timer.start()
        return crashed

    def tick(self) -> None:
        now = time.monotonic()
        elapsed, self._last_tick = now - self._last_tick, now
        frame = self.session.last_frame
        if self._saving and now - self._saving_since > ANSWER_TIMEOUT_S:
            log.warning("the autosave sent %.0f s ago was not answered; going on without it",
                        now - self._saving_since)
            self._saving = False
        if not self.session.running or frame is None or frame.failure is not None:
            return
        if self._saved_run_is_a_vae():
            return
        if self.autosave.add_training_time(elapsed) and not self._saving:
            self.save_now()

    def _saved_run_is_a_vae(self) -> bool:
        """Whether run A (the run a session saves) is a VAE; says so once per VAE spell."""
        is_vae = self.session.configs[0].model.family == "vae"
        if is_vae and not self._told_vae:
            log.info("%s", VAE_NOT_AUTOSAVED)
            self.window.statusBar().showMessage(VAE_NOT_AUTOSAVED, 10000)
        self._told_vae = is_vae
        return is_vae

    def save_now(self) -> None:
        self._saving = True
        self._saving_since = time.monotonic()
        self.autosave.restart_interval()  # the save runs in the training process
        command = self.window.file_actions.save_command(str(self.autosave.path),
                                                        autosave=self.autosave)
        self.session.request_file_command(command)

    def save_on_exit(self) -> None:
        """Queue a last autosave (the worker runs it before it stops), if anything trained."""
        frame = self.session.last_frame
        if (self.timer.isActive() and frame is not None and frame.iteration > 0
                and frame.failure is None and not self._saved_run_is_a_vae()):
            self.save_now()

    def finish(self) -> None:
        """A clean exit: nothing is offered at the next start."""
        if self.timer.isActive():
            self.timer.stop()
            self.autosave.finish()

    def offer_restore(self, answer: bool | None = None) -> bool:
        """Ask (or take `answer`); yes opens the autosave, no discards it."""
        if answer is None:
            answer = ask_to_restore(self.window, self.autosave.saved_at())
        if answer:
            self.window.file_actions.open(str(self.autosave.path))
        else:
            self.autosave.discard()
        return answer

    def _on_result(self, result: FileResult) -> None:
        command = result.command
        # the command came back from the training process: a copy, so compare the files
        if (isinstance(command, SaveSession) and command.autosave is not None
                and Path(command.path) == Path(self.autosave.path)):
            self._saving = False
            if result.ok:
                self.saves += 1
                log.info("%s", result.message)
