"""Autosave from the app: after an interval of training, on exit, and restore after a crash."""

from __future__ import annotations

import json
import subprocess
import sys

from ganlab.app import autosave_control
from ganlab.core.autosave import Autosave
from ganlab.core.session_file import Session, load_session
from ganlab.core.trainer import Trainer
from tests.app.conftest import small_config

START_UP_MS = 60_000  # spawning the training process and importing torch, on a busy machine


def open_window(qtbot, autosave: Autosave, training: str = "process"):
    from ganlab.app.main_window import build_window

    window = build_window(small_config(), worker_options={"metrics_interval_s": 0.5},
                          autosave=autosave, training=training)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.session.last_frame is not None, timeout=START_UP_MS)
    return window


def close(window) -> None:
    """Close and wait for the worker to end (the save on exit is its last act)."""
    window.close()
    assert window.session.wait_for_worker(30.0)


def test_autosave_after_training_time_and_on_exit(qtbot, private_data_folder):
    """In the app's own set-up: the saves run in the training process."""
    autosave = Autosave(interval_s=0.4)
    assert autosave.folder == private_data_folder  # never the user's real data folder
    window = open_window(qtbot, autosave)
    control = window.autosave_control
    control.timer.setInterval(50)
    assert autosave.marker.exists()
    window.session.set_speed(200.0)
    window.session.play()
    qtbot.waitUntil(lambda: control.saves >= 1, timeout=15_000)
    assert load_session(autosave.path).trainer.iteration > 0
    window.session.pause()
    qtbot.waitUntil(lambda: not window.session.last_frame.running, timeout=15_000)
    iteration = window.session.last_frame.iteration
    close(window)
    assert load_session(autosave.path).trainer.iteration >= iteration  # saved on exit
    assert not autosave.marker.exists()  # a clean exit: nothing offered next time
    assert Autosave().start() is False


def crashed_autosave(iterations: int) -> Autosave:
    """An autosave left by a process that died without a clean exit."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    trainer = Trainer(small_config())
    trainer.train(iterations)
    crashed = Autosave()
    crashed.start()
    crashed.save(Session(trainer))
    crashed.marker.write_text(json.dumps({"pid": int(dead.stdout)}))
    return Autosave()


def test_restore_offered_after_a_crash(qtbot, monkeypatch):
    asked = []
    monkeypatch.setattr(autosave_control, "ask_to_restore",
                        lambda parent, saved_at: asked.append(saved_at) or True)
    window = open_window(qtbot, crashed_autosave(7))
    qtbot.waitUntil(lambda: bool(asked), timeout=15_000)
    qtbot.waitUntil(lambda: window.session.last_frame.iteration == 7, timeout=15_000)
    assert asked[0] is not None
    assert window.file_actions.path is None  # Ctrl+S asks where: not over the autosave
    close(window)


def test_declined_restore_discards_the_autosave(qtbot, monkeypatch):
    monkeypatch.setattr(autosave_control, "ask_to_restore", lambda parent, saved_at: False)
    autosave = crashed_autosave(3)
    window = open_window(qtbot, autosave)
    qtbot.waitUntil(lambda: not autosave.path.exists(), timeout=15_000)
    assert window.session.last_frame.iteration == 0
    close(window)


def test_autosave_goes_on_after_an_answer_that_never_came(qtbot, monkeypatch):
    """One lost answer must not stop autosave for the session: after ANSWER_TIMEOUT_S the next
    autosave is sent."""
    autosave = Autosave(interval_s=0.3)
    window = open_window(qtbot, autosave)
    control = window.autosave_control
    control.timer.setInterval(50)
    session = window.session
    sent = []
    real_request = session.request_file_command
    monkeypatch.setattr(session, "request_file_command", sent.append)  # never answered
    control.save_now()
    assert control._saving and len(sent) == 1
    monkeypatch.setattr(session, "request_file_command", real_request)
    monkeypatch.setattr(autosave_control, "ANSWER_TIMEOUT_S", 0.5)
    session.set_speed(200.0)
    session.play()
    qtbot.waitUntil(lambda: control.saves >= 1, timeout=30_000)
    assert load_session(autosave.path).trainer.iteration > 0
    session.pause()
    close(window)
