"""Painting a target, loading points, lessons, compare mode, slow motion and NaN recovery."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from ganlab.app.lessons import load_lessons
from ganlab.app.views.target_gallery import DRAW
from tests.app.conftest import trainer_of


def send_mouse(widget, kind, position: QPoint, buttons) -> None:
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else (
        Qt.MouseButton.NoButton)
    event = QMouseEvent(kind, QPointF(position), QPointF(widget.mapToGlobal(position)), button,
                        buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def test_painting_a_target_and_training_on_it(window, qtbot):
    window.gallery.choose(DRAW)
    canvas = window.panes[0].canvas
    assert window.painting.active and canvas._painting and window.painting_panel.isVisible()
    assert not window.session.running
    viewport = canvas.viewport()
    rect = canvas.plot.vb.sceneBoundingRect()
    centre = canvas.mapFromScene(rect.center())
    left = Qt.MouseButton.LeftButton
    send_mouse(viewport, QEvent.Type.MouseButtonPress, centre, left)
    for dx in range(0, 80, 8):  # a horizontal stroke to the right of the centre
        send_mouse(viewport, QEvent.Type.MouseMove, centre + QPoint(dx, 0), left)
    send_mouse(viewport, QEvent.Type.MouseButtonRelease, centre + QPoint(80, 0),
               Qt.MouseButton.NoButton)
    painted = window.painting.points.points
    assert len(painted) >= 50
    radius = window.painting_panel.radius()
    start_x, start_y = canvas.data_position(centre)
    end_x, _ = canvas.data_position(centre + QPoint(80, 0))
    assert painted[:, 0].min() >= start_x - radius - 1e-9
    assert painted[:, 0].max() <= end_x + radius + 1e-9
    assert np.abs(painted[:, 1] - start_y).max() <= radius + 1e-9
    assert len(canvas.painted.data) == len(painted)
    window.painting_panel.train_button.click()
    assert not window.painting.active and window.session.running
    qtbot.waitUntil(lambda: trainer_of(window).target.name == "custom", timeout=15_000)
    target = trainer_of(window).target
    np.testing.assert_allclose(np.sort(target.points[:, 0]), np.sort(painted[:, 0]), atol=1e-4)
    start = trainer_of(window).iteration
    qtbot.waitUntil(lambda: trainer_of(window).iteration > start + 10, timeout=10_000)
    assert window.session.last_frame.failure is None


def test_clear_and_cancel_painting(window, qtbot):
    window.gallery.choose("gaussian-1d")
    qtbot.waitUntil(lambda: window.panes[0].current_view is window.panes[0].line_view,
                    timeout=15_000)
    window.gallery.choose(DRAW)
    qtbot.wait(200)  # frames keep coming: the canvas must stay up while painting
    assert window.panes[0].current_view is window.panes[0].canvas
    window.painting.points.spray(0.0, 0.0, 0.1)
    window.painting.brush_at(0.5, 0.5)
    assert len(window.painting.points) > 0
    window.painting_panel.clear_button.click()
    assert len(window.painting.points) == 0 and not window.painting_panel.train_button.isEnabled()
    window.painting_panel.cancel_button.click()
    assert not window.painting.active and not window.painting_panel.isVisible()


def test_loading_points_from_files(window, qtbot, tmp_path):
    good = tmp_path / "points.csv"
    rng = np.random.default_rng(0)
    points = rng.normal(size=(300, 2)) * 0.3 + [2.0, -1.0]
    good.write_text("x,y\n" + "\n".join(f"{a},{b}" for a, b in points))
    assert window.load_points_file(str(good))
    qtbot.waitUntil(lambda: trainer_of(window).target.name == "custom", timeout=15_000)
    assert len(trainer_of(window).target.points) == 300
    broken = tmp_path / "broken.csv"
    broken.write_text("1,2\n3\n")
    assert not window.load_points_file(str(broken))
    assert "broken.csv: line 2" in window.last_error_box.text()
    assert window.session.configs[0].target.points_file == str(good)  # nothing changed


def test_every_lesson_sets_its_knobs(window, qtbot):
    lessons = load_lessons()
    assert len(lessons) >= 5
    titles = " ".join(lesson.title.lower() for lesson in lessons)
    for topic in ("mode collapse", "non-saturating", "disjoint", "critic steps", "log-linear"):
        assert topic in titles
    for lesson in lessons:
        window.apply_lesson(lesson)
        configs = window.session.configs
        assert configs[0].to_dict() == lesson.config.to_dict()
        panel = window.control_panels[0]
        assert panel.config().to_dict() == lesson.config.to_dict()
        assert panel.widget_for("objective.name").currentText() == lesson.config.objective.name
        assert window.lesson_box.isVisible() and lesson.title in window.lesson_text.text()
        if lesson.compare is not None:
            assert window.session.compare and window.settings_tabs.count() == 2
            assert configs[1].to_dict() == lesson.compare.to_dict()
            assert configs[1].target == configs[0].target
        else:
            assert not window.session.compare and window.settings_tabs.count() == 1
        for name, shown in lesson.layers.items():
            assert getattr(window.layers, name) == shown
            assert window.layer_boxes[name].isChecked() == shown
    last = lessons[-1]
    qtbot.waitUntil(lambda: trainer_of(window).config.to_dict() == last.config.to_dict(),
                    timeout=10_000)


def test_compare_mode_trains_two_runs_in_lockstep(window, qtbot):
    window.set_compare(True)
    assert window.session.compare and window.settings_tabs.count() == 2
    qtbot.waitUntil(lambda: len(window.session.last_frame.runs) == 2, timeout=15_000)
    configs = window.session.configs
    assert configs[0].objective.name == "non-saturating"
    assert configs[1].objective.name == "minimax"
    window.session.play()
    qtbot.waitUntil(lambda: window.session.last_frame.iteration >= 20, timeout=20_000)
    window.session.pause()
    qtbot.waitUntil(lambda: not window.session.last_frame.running, timeout=15_000)
    frame = window.session.last_frame
    a, b = (run.snapshot for run in frame.runs)
    assert a.iteration == b.iteration
    assert a.objective == "non-saturating" and b.objective == "minimax"
    np.testing.assert_array_equal(a.real, b.real)  # same target, same display samples
    assert window.panes[1].isVisible()
    window.presenter.charts.show_histories(window.presenter.histories[:2])
    x_b, _ = window.charts.curves[(1, "generator_loss")].getData()
    assert x_b is not None and len(x_b) >= 2
    # each run's equilibrium losses: both D losses meet at log 4 (one line), the generators'
    # differ (non-saturating: log 2, minimax: −log 2)
    lines = window.charts.reference_lines
    assert lines[(0, "discriminator")].isVisible() and not lines[(1, "discriminator")].isVisible()
    assert lines[(0, "discriminator")].value() == pytest.approx(np.log(4))
    assert lines[(0, "generator")].value() == pytest.approx(np.log(2))
    assert lines[(1, "generator")].isVisible()
    assert lines[(1, "generator")].value() == pytest.approx(-np.log(2))
    assert window.charts.labels["losses"].text_of(lines[(1, "generator")]) == "B: G −log 2"
    # an edit of run B reaches run B's trainer only
    window.control_panels[1].widget_for("training.critic_steps").setValue(4)
    qtbot.waitUntil(lambda: trainer_of(window, 1).config.training.critic_steps == 4,
                    timeout=15_000)
    assert trainer_of(window, 0).config.training.critic_steps == 1
    window.set_compare(False)
    qtbot.waitUntil(lambda: len(window.session.last_frame.runs) == 1, timeout=15_000)
    assert not window.panes[1].isVisible()


def test_slow_motion_shows_discriminator_and_generator_updates_apart(window, qtbot):
    phases = []
    window.session.frame_received.connect(lambda frame: phases.append(frame.phase))
    window.speed_control.set_speed(2.0)
    window.session.play()
    qtbot.waitUntil(lambda: {"discriminator", "generator"} <= set(phases), timeout=10_000)
    assert "both" not in phases[1:]
    qtbot.waitUntil(lambda: window.diagram.phase in ("discriminator", "generator"),
                    timeout=15_000)
    window.session.pause()
    iteration = window.session.last_frame.iteration
    assert iteration <= 6  # 2 iterations per second: no more than a few in a few seconds


@pytest.mark.parametrize("way_out", ["restore", "reset"])
def test_nan_pauses_with_an_explanation_and_a_way_out(window, qtbot, way_out):
    panel = window.control_panels[0]
    for role in ("generator", "discriminator"):
        panel.widget_for(f"{role}_optimizer.name").setCurrentText("sgd")
        panel.widget_for(f"{role}_optimizer.learning_rate").set_value_and_emit(1.0)  # the top
    window.session.play()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=15_000)
    frame = window.session.last_frame
    assert frame.failure is not None and "NaN or infinite" in frame.failure
    assert "learning rate" in window.banner.message.text()
    assert not window.session.running and not frame.running
    iteration = trainer_of(window).iteration
    qtbot.wait(300)
    assert trainer_of(window).iteration == iteration  # really paused
    if way_out == "restore":
        assert window.banner.restore_button.isEnabled()
        window.banner.restore_button.click()
        qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=15_000)
        for config in window.session.configs:
            assert config.generator_optimizer.learning_rate == pytest.approx(0.1)
        assert panel.widget_for("generator_optimizer.learning_rate").value() == (
            pytest.approx(0.1))
        assert trainer_of(window).config.discriminator_optimizer.learning_rate == (
            pytest.approx(0.1))
        assert trainer_of(window).iteration < iteration
    else:
        window.banner.reset_button.click()
        qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=15_000)
        assert trainer_of(window).iteration == 0
    assert trainer_of(window).parameters_are_finite()
    assert window.session.last_frame.failure is None
