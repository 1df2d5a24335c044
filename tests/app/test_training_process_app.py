"""The app's own set-up: training in a child process that may die without taking the app."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.app.conftest import small_config


def test_a_dead_training_process_is_explained_and_restarted_with_the_same_settings(qtbot):
    from ganlab.app.main_window import build_window

    config = small_config()
    config.objective.name = "hinge"
    window = build_window(config)
    qtbot.addWidget(window)
    window.show()
    window.session.play()
    qtbot.waitUntil(lambda: window.session.last_frame is not None
                    and window.session.last_frame.iteration > 20, timeout=60_000)
    window.session.set_speed(50.0)
    old = window.session.worker
    old.process.kill()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=15_000)
    assert window.banner.title.text() == "<b>Training stopped</b>"
    assert "training process ended" in window.banner.message.text()
    assert "exit code -9" in window.banner.message.text()
    assert window.banner.restart_button.isVisible()
    assert not window.banner.restore_button.isVisible()
    assert not window.session.running  # paused: the play button says "Play" again
    qtbot.mouseClick(window.banner.restart_button, Qt.MouseButton.LeftButton)
    assert window.session.worker is not old
    qtbot.waitUntil(lambda: window.session.last_frame.iteration == 0, timeout=60_000)
    assert not window.banner.isVisible()
    history = window.presenter.histories[0]
    assert history.last_iteration <= 0  # the old run's chart history is gone
    assert window.session.last_frame.runs[0].config.objective.name == "hinge"
    window.session.play()
    qtbot.waitUntil(lambda: window.session.last_frame.iteration > 5, timeout=30_000)
    window.close()  # the worker gets 1.8 s to stop, then the app waits for it on the way out
    assert window.session.wait_for_worker(30.0)
