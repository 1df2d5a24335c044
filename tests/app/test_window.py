"""The main window: every view exists, training changes the plots, controls reach the trainer."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from ganlab.app.layers import layer_specs
from ganlab.core.targets import IMAGE_TARGETS, TARGETS
from tests.app.conftest import trainer_of


def fake_points(window, run: int = 0) -> np.ndarray:
    x, y = window.panes[run].canvas.layers["generated"].scatter.getData()
    return np.stack([x, y], axis=1)


def test_window_opens_with_every_view(window):
    assert window.panes[0].isVisible() and not window.panes[1].isVisible()
    assert window.panes[0].current_view is window.panes[0].canvas  # ring8 is 2D
    assert all(pane._image_view is None for pane in window.panes)  # built when first shown
    assert set(window.charts.plots) == {"losses", "divergences", "kl", "modes"}
    for dock in (window.targets_dock, window.settings_dock, window.model_dock,
                 window.latent_dock, window.charts_dock):
        assert dock.isVisible(), dock.windowTitle()
    assert window.gallery.count() == len(TARGETS) + len(IMAGE_TARGETS) + 3  # draw, points, images
    assert list(window.layer_boxes) == list(layer_specs())
    assert len(window.lessons) >= 5
    canvas = window.panes[0].canvas
    real, generated = canvas.layers["real"].scatter, canvas.layers["generated"].scatter
    assert len(real.data) == 512 and len(generated.data) == 512
    picture = canvas.layers["discriminator"].picture
    assert picture.heatmap.image is not None and picture.heatmap.image.shape == (64, 64)
    assert picture.colour_bar.levels() == (0.0, 1.0)  # D(x) of a probability objective


def test_every_control_has_a_one_sentence_tooltip(window):
    panel = window.control_panels[0]
    for path, (widget, _, _) in panel._bindings.items():
        tip = widget.toolTip()
        assert tip.endswith("."), path
        assert tip.count(". ") == 0, f"{path}: more than one sentence: {tip}"
    for action in (window.play_action, window.step_action, window.step_d_action,
                   window.step_g_action, window.reset_action, window.compare_action):
        assert action.toolTip() and action.shortcut().toString()
    for box in window.layer_boxes.values():
        assert box.toolTip().endswith(".")


def test_play_trains_and_the_plots_change(window, qtbot):
    before = fake_points(window).copy()
    window.session.play()
    qtbot.waitUntil(lambda: window.session.last_frame.iteration >= 40, timeout=20_000)
    qtbot.waitUntil(lambda: window.presenter.frames_presented > 5, timeout=15_000)
    after = fake_points(window)
    assert np.abs(after - before).mean() > 1e-3  # the generated points moved
    history = window.presenter.histories[0]
    assert len(history.series["discriminator_loss"]) >= 3
    losses_curve = window.charts.curves[(0, "discriminator_loss")]
    window.session.pause()
    qtbot.waitUntil(lambda: not window.session.last_frame.running, timeout=15_000)
    window.presenter.charts.show_histories(window.presenter.histories)
    assert len(losses_curve.getData()[0]) >= 3
    assert "iteration" in window.status.iteration.text()
    assert window.status.iteration.text() != "iteration 0"


def test_metrics_arrive_and_are_charted(window, qtbot):
    window.session.play()
    qtbot.waitUntil(lambda: len(window.presenter.histories[0].series["js"]) >= 1,
                    timeout=20_000)
    window.session.pause()
    js = window.presenter.histories[0].series["js"].last()
    assert 0.0 <= js <= np.log(2) + 1e-9
    qtbot.waitUntil(lambda: "modes" in window.status.metrics.text(), timeout=15_000)
    window.presenter.charts.show_histories(window.presenter.histories[:1])
    low, high = window.charts.plots["divergences"].viewRange()[1]
    assert low <= js and high >= np.log(2)  # JS is shown against its ceiling, log 2


def test_a_slider_change_reaches_the_trainer(window, qtbot):
    panel = window.control_panels[0]
    panel.widget_for("generator_optimizer.learning_rate").set_value_and_emit(3e-4)
    panel.widget_for("training.critic_steps").setValue(3)
    window.session.step(1)
    trainer = trainer_of(window)
    qtbot.waitUntil(lambda: trainer_of(window).config.training.critic_steps == 3, timeout=15_000)
    trainer = trainer_of(window)
    assert trainer.config.generator_optimizer.learning_rate == pytest.approx(3e-4)
    qtbot.waitUntil(lambda: window.session.last_frame.iteration >= 1, timeout=15_000)
    assert trainer.generator_optimizer.param_groups[0]["lr"] == pytest.approx(3e-4)
    assert window.session.last_frame.runs[0].snapshot.critic_updates == 3


def test_step_step_d_step_g_pause_and_reset(window, qtbot):
    session = window.session

    def snapshot():
        return session.last_frame.runs[0].snapshot

    session.step(1)
    qtbot.waitUntil(lambda: snapshot().iteration == 1, timeout=15_000)
    assert (snapshot().critic_updates, snapshot().generator_updates) == (1, 1)
    session.step_discriminator()
    qtbot.waitUntil(lambda: snapshot().critic_updates == 2, timeout=15_000)
    assert snapshot().generator_updates == 1
    session.step_generator()
    qtbot.waitUntil(lambda: snapshot().generator_updates == 2, timeout=15_000)
    assert snapshot().critic_updates == 2
    session.play()
    qtbot.waitUntil(lambda: snapshot().iteration > 10, timeout=10_000)
    session.pause()
    qtbot.waitUntil(lambda: not session.last_frame.running, timeout=15_000)
    paused_at = trainer_of(window).iteration
    qtbot.wait(400)
    assert trainer_of(window).iteration == paused_at
    epoch = session.last_frame.epoch
    session.reset()
    qtbot.waitUntil(lambda: session.last_frame.epoch == epoch + 1, timeout=15_000)
    assert snapshot().iteration == 0
    assert len(window.presenter.histories[0].series["discriminator_loss"]) == 0


def test_keyboard_shortcuts(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: window.session.last_frame.iteration == 1, timeout=15_000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.session.running
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.session.running
    epoch = window.session.last_frame.epoch
    qtbot.keyClick(window, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: window.session.last_frame.epoch == epoch + 1, timeout=15_000)


def test_switching_targets_while_training(window, qtbot):
    window.session.play()
    qtbot.waitUntil(lambda: window.session.last_frame.iteration > 5, timeout=10_000)
    for name, dim in (("grid25", 2), ("gaussian-1d", 1), ("spiral", 2)):
        window.gallery.choose(name)
        qtbot.waitUntil(lambda name=name: trainer_of(window).target.name == name, timeout=15_000)
        start = trainer_of(window).iteration
        qtbot.waitUntil(lambda start=start: trainer_of(window).iteration > start + 5,
                        timeout=10_000)
        qtbot.waitUntil(lambda dim=dim: window.session.last_frame.runs[0].snapshot.real.shape[1]
                        == dim, timeout=15_000)
        pane = window.panes[0]
        expected = pane.line_view if dim == 1 else pane.canvas
        qtbot.waitUntil(lambda pane=pane, expected=expected: pane.current_view is expected,
                        timeout=15_000)
    assert window.session.last_frame.failure is None
    assert window.session.running


def test_closing_while_training_hides_at_once_and_gives_the_worker_at_most_1_8_s(qtbot):
    """The close is bounded by design, not by the machine's speed (its wall time is measured
    by `benchmarks/close_time.py`): the window hides first, the worker is given 1.8 s to save
    and stop, and it does end."""
    from ganlab.app.main_window import build_window
    from tests.app.conftest import small_config

    window = build_window(small_config())
    qtbot.addWidget(window)
    window.show()
    window.session.play()
    # a training child starts first (spawn, torch import): as long as `process_window` allows it
    # on a crowded machine
    qtbot.waitUntil(lambda: window.session.last_frame is not None
                    and window.session.last_frame.iteration > 10, timeout=60_000)
    seen = []
    shutdown = window.session.shutdown

    def recorded_shutdown(timeout):
        seen.append((timeout, window.isVisible()))
        return shutdown(timeout=timeout)

    window.session.shutdown = recorded_shutdown
    window.close()
    assert seen == [(1.8, False)]  # hidden before the wait, and the wait bounded
    assert window.session.wait_for_worker(30.0)
