"""What the learner sees when moving between targets and lessons, and what the screen says
meanwhile: a fresh run per target, a lesson that ends when left, the lesson's key hint, the
recording indicator, the NaN banner's reset, and the F1 overlay (issue 16)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ganlab.app.lessons import load_lessons
from ganlab.app.recorder import RecordingIndicator
from ganlab.app.views.status_line import per_second
from tests.app.conftest import trainer_of


def lesson(prefix: str):
    return next(item for item in load_lessons() if item.source.startswith(prefix))


def played_to(window, qtbot, iterations: int) -> None:
    window.session.play()
    qtbot.waitUntil(lambda: window.session.last_frame.iteration >= iterations, timeout=30_000)


def test_another_target_of_the_same_kind_is_a_fresh_run_with_the_users_settings(window, qtbot):
    window.control_panels[0].edit("training.batch_size", 48)  # the user's own setting
    played_to(window, qtbot, 40)
    epoch = window.session.last_frame.epoch
    old_generator = trainer_of(window).generator
    window.gallery.choose("grid25")
    qtbot.waitUntil(lambda: window.session.last_frame.epoch > epoch
                    and window.session.last_frame.runs[0].config.target.name == "grid25",
                    timeout=30_000)
    window.session.pause()
    assert window.session.last_frame.iteration < 40  # from iteration 0, not 40 and counting
    losses = window.presenter.histories[0].series["discriminator_loss"].x
    assert len(losses) == 0 or losses.min() < 40  # the charts start again, no old points
    assert trainer_of(window).generator is not old_generator  # fresh networks
    assert window.session.configs[0].training.batch_size == 48
    message = window.statusBar().currentMessage()
    assert "grid25: a fresh run from iteration 0" in message and "settings kept" in message


def test_leaving_a_lesson_ends_it_and_gives_the_users_settings_back(window, qtbot):
    own = window.session.configs[0]
    pushforward = lesson("07_")  # latent 1, uniform, a 1D target
    window.apply_lesson(pushforward)
    assert window.session.configs[0].model.latent_distribution == "uniform"
    assert not window.lesson_box.isHidden()
    window.gallery.choose("gaussian-1d")  # same kind (points), another target
    assert window.lesson_box.isHidden() and not window.lesson_flow.active
    config = window.session.configs[0]
    assert config.target.name == "gaussian-1d"
    assert (config.model.latent_dim, config.model.latent_distribution) == (
        own.model.latent_dim, own.model.latent_distribution)
    assert config.objective == own.objective
    assert "the lesson ended; your own settings are back" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: trainer_of(window).config.model.latent_distribution == "gaussian"
                    and trainer_of(window).target.name == "gaussian-1d", timeout=30_000)
    compare = lesson("06_")  # a lesson with run B: compare mode ends with the lesson
    window.apply_lesson(compare)
    assert window.session.compare and window.settings_tabs.count() == 2
    window.gallery.choose("ring8")
    assert not window.session.compare and window.settings_tabs.count() == 1
    assert not window.compare_action.isChecked()


def test_the_lesson_box_says_what_space_does_now(window, qtbot):
    window.apply_lesson(lesson("01_"))
    hint = window.lesson_box.hint
    assert hint.text() == "Press Space to start."
    window.play_action.trigger()
    assert window.session.running
    assert "Press Space to start" not in hint.text() and "Space pauses" in hint.text()
    window.play_action.trigger()
    assert hint.text().startswith("Paused")


def test_the_recording_indicator_shows_only_while_recording(window, qtbot, tmp_path):
    indicator = window.statusBar().findChild(RecordingIndicator)
    assert indicator is not None and indicator.isHidden()
    window.file_actions.start_recording(str(tmp_path / "run.gif"))
    assert not indicator.isHidden() and "Recording GIF" in indicator.text()
    qtbot.waitUntil(lambda: len(window.file_actions.recorder.frames) >= 3, timeout=10_000)
    assert window.file_actions.stop_recording()
    assert indicator.isHidden()
    assert "Recording" not in window.statusBar().currentMessage()
    assert window.statusBar().currentMessage().startswith("Saved a recording of")
    assert (tmp_path / "run.gif").stat().st_size > 0


def test_slow_motion_rates_read_with_a_decimal():
    assert [per_second(value) for value in (0.0, 0.5, 2.04, 9.96, 27.4, 1250.0)] == [
        "0.0", "0.5", "2.0", "10.0", "27", "1,250"]


def test_reset_after_a_nan_divides_the_learning_rates_and_trains_on(window, qtbot):
    panel = window.control_panels[0]
    for role in ("generator", "discriminator"):
        panel.widget_for(f"{role}_optimizer.name").setCurrentText("sgd")
        panel.widget_for(f"{role}_optimizer.learning_rate").set_value_and_emit(1.0)
    window.session.play()
    qtbot.waitUntil(window.banner.isVisible, timeout=30_000)
    assert "÷ 10" in window.banner.reset_button.text()
    qtbot.mouseClick(window.banner.reset_button, Qt.MouseButton.LeftButton)
    for config in window.session.configs:
        assert config.generator_optimizer.learning_rate == pytest.approx(0.1)
        assert config.discriminator_optimizer.learning_rate == pytest.approx(0.1)
    assert panel.widget_for("generator_optimizer.learning_rate").value() == pytest.approx(0.1)
    qtbot.waitUntil(lambda: not window.banner.isVisible()
                    and trainer_of(window).config.generator_optimizer.learning_rate
                    == pytest.approx(0.1), timeout=30_000)
    start = window.session.last_frame.iteration
    assert start < 20  # fresh networks
    window.session.play()
    qtbot.waitUntil(lambda: window.session.last_frame.iteration > start + 100, timeout=60_000)
    window.session.pause()
    assert window.session.last_frame.failure is None and not window.banner.isVisible()
    assert trainer_of(window).parameters_are_finite()


def test_f1_names_what_is_on_screen_and_hides_again(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    window.set_layer("gradients", True)
    window.set_layer("density", False)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    overlay = window.help_overlay
    assert overlay.isVisible() and overlay.geometry() == window.rect()
    sections = overlay.sections()
    names = {heading: [name for name, _ in items] for heading, items in sections.items()}
    assert names["Views"] == ["2D canvas"]
    assert "Gradients" in names["Layers shown"] and "Density" not in names["Layers shown"]
    assert {"Losses", "Jensen–Shannon and Wasserstein-1"} <= set(names["Charts"])
    assert {"Play", "Step", "Reset", "Speed", "Settings", "Targets"} <= set(names["Controls"])
    assert all(meaning for items in sections.values() for _, meaning in items)
    text = overlay.text.text()
    assert "Gradients" in text and "−∂L_G/∂x" in text and "Losses" in text
    qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    assert not overlay.isVisible()
    window.apply_lesson(lesson("07_"))  # a 1D lesson: the 1D view, and the lesson box
    qtbot.waitUntil(lambda: window.panes[0].current_view is window.panes[0].line_view,
                    timeout=30_000)
    window.help_overlay.action.trigger()
    names = {heading: [name for name, _ in items]
             for heading, items in overlay.sections().items()}
    assert names["Views"] == ["1D view"] and "Lesson" in names["Controls"]
    window.help_overlay.action.trigger()  # F1 again
    assert not overlay.isVisible()
