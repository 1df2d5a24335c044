"""Autosave while run A is a VAE: a session holds GAN runs only, so nothing is sent (each minute
it used to fail and log a warning); it says so once and starts again when the run is a GAN."""

from __future__ import annotations

import logging

from ganlab.app.autosave_control import VAE_NOT_AUTOSAVED
from ganlab.core.autosave import Autosave
from ganlab.core.session_file import load_session
from tests.app.test_autosave_app import close, open_window


def test_a_vae_run_is_not_autosaved_and_a_gan_run_is_again(qtbot, private_data_folder,
                                                          caplog):
    autosave = Autosave(interval_s=0.2)
    window = open_window(qtbot, autosave, training="thread")
    control = window.autosave_control
    control.timer.setInterval(50)
    shown = []
    window.statusBar().messageChanged.connect(shown.append)
    assert window.control_panels[0].edit("model.family", "vae")
    qtbot.waitUntil(lambda: window.presenter.model_families == ("vae",), timeout=20_000)
    window.session.set_speed(200.0)
    with caplog.at_level(logging.INFO, logger="ganlab.app"):
        window.session.play()
        qtbot.waitUntil(lambda: window.session.last_frame.iteration >= 50, timeout=20_000)
        qtbot.wait(600)  # three autosave intervals of training
        assert control.saves == 0 and not control._saving
        assert shown.count(VAE_NOT_AUTOSAVED) == 1  # once, not at every tick
        assert not [r for r in caplog.records if "autosave failed" in r.getMessage()]
        assert window.control_panels[0].edit("model.family", "gan")
        qtbot.waitUntil(lambda: control.saves >= 1, timeout=20_000)
    assert load_session(autosave.path).trainer.model_family == "gan"
    close(window)
