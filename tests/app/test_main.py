"""The entry point: `run_app` opens the window, runs the loop, and returns when it closes."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ganlab.app.main import run_app
from ganlab.app.main_window import MainWindow


def test_run_app_opens_the_window_and_exits_cleanly(qtbot):
    """The app's own set-up: training in a child process, whose first frame comes (within
    seconds on a quiet machine; up to a minute is allowed, as in the other process tests, for a
    loaded one); then the window closes while it trains."""
    seen = {}
    started = time.perf_counter()

    def close_once_training():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)
                   and w.isVisible()]
        assert len(windows) == 1
        window = windows[0]
        if window.session.last_frame is None and time.perf_counter() - started < 60:
            window.session.play()
            QTimer.singleShot(100, close_once_training)
            return
        seen["frame"] = window.session.last_frame is not None
        seen["visible"] = window.isVisible()
        seen["window"] = window
        window.close()

    QTimer.singleShot(500, close_once_training)
    started = time.perf_counter()
    code = run_app([])
    assert code == 0
    assert seen["visible"] and seen["frame"]
    assert not seen["window"].session.worker.is_alive()
    seen["window"].deleteLater()


def test_closing_during_start_up_leaves_no_thread(qtbot):
    from ganlab.app.main_window import build_window
    from tests.app.conftest import small_config

    window = build_window(small_config())
    qtbot.addWidget(window)
    window.show()
    qtbot.wait(200)  # the worker has just started and is still setting up
    window.close()
    assert window.session.wait_for_worker(30.0)
    qtbot.wait(300)  # the delayed start must not start anything after the close
    assert not window.session.worker.is_alive()
