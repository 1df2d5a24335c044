"""The dynamics view: opened from the View menu beside the run, following run A's settings
until the user edits one, a click starts a trajectory of the core's updates, the eigenvalues
are drawn and explained; the parameter-space lesson opens it and its numbers hold."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from ganlab.app.views.dynamics_view import DynamicsView, arrow_segments
from ganlab.core.dirac_dynamics import DIRAC
from ganlab.core.game_dynamics import GameSettings, trajectory
from ganlab.core.game_spectrum import equilibrium_spectrum
from tests.app.conftest import small_config
from tests.app.lesson_training import lesson


@pytest.fixture
def window(qtbot):
    """The real window and menus; no training needed (the view computes its own game)."""
    from ganlab.app.main_window import build_window

    main_window = build_window(small_config(), start=False, training="thread")
    qtbot.addWidget(main_window)
    main_window.show()
    yield main_window
    main_window.close()


def test_the_view_menu_opens_the_dock_which_follows_the_run_until_edited_and_the_lesson_too(
        window, qtbot):
    action = window.dynamics_action
    assert action.shortcut().toString() == "Ctrl+Shift+D"
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert action in view_menu.actions()
    assert window.dynamics_dock.isHidden()
    action.trigger()
    assert window.dynamics_dock.isVisible()
    run = window.session.configs[0]
    settings = window.dynamics.settings
    assert settings.generator_lr == run.generator_optimizer.learning_rate
    assert settings.objective == run.objective.name and settings.alternating
    assert settings.r1_gamma == run.objective.r1_gamma
    window.control_panels[0].edit("training.critic_steps", 3)
    assert window.dynamics.settings.critic_steps == 3  # followed
    window.dynamics.panel.lr_g.setValue(0.2)  # the user takes over
    assert not window.dynamics.panel.following()
    window.control_panels[0].edit("training.critic_steps", 4)
    assert window.dynamics.settings.critic_steps == 3
    assert window.dynamics.settings.generator_lr == pytest.approx(0.2)
    window.dynamics.panel.follow_box.setChecked(True)
    assert window.dynamics.settings.critic_steps == 4
    action.trigger()
    assert window.dynamics_dock.isHidden() and not window.dynamics.timer.isActive()
    _the_parameter_space_lesson_opens_the_view_and_its_numbers_hold(window)


def test_a_click_starts_the_cores_trajectory_there(qtbot):
    view = DynamicsView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    view.panel.set_settings(GameSettings("wgan", 0.1, 0.1))
    view.timer.stop()
    target = QPointF(-0.8, 0.6)
    scene = view.plane.getPlotItem().vb.mapViewToScene(target)
    pixel = view.plane.mapFromScene(scene)
    qtbot.mouseClick(view.plane.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pixel))
    view.timer.stop()
    start = view.trajectory[0]
    assert start == pytest.approx([-0.8, 0.6], abs=0.03)  # a pixel or two
    before = view.iterations  # a frame may have run between the click and the stop
    view.run_for(50)
    expected = trajectory(DIRAC, start, view.settings, before + 50)
    np.testing.assert_allclose(view.trajectory, expected)
    assert view.iterations == before + 50


def test_arrows_point_along_the_steps_with_the_longest_one_cell_long():
    points = np.array([[0.0, 0.0], [1.0, 1.0]])
    steps = np.array([[0.0, 2.0], [-0.5, 0.0]])
    segments = arrow_segments(points, steps, cell=0.2).reshape(2, 6, 2)  # per arrow: 3 pairs
    np.testing.assert_allclose(segments[:, 0], points)
    np.testing.assert_allclose(segments[0, 1], [0.0, 0.17])
    np.testing.assert_allclose(segments[1, 1], [1.0 - 0.17 * math.sqrt(0.25), 1.0])
    tiny = arrow_segments(points[:1], np.array([[0.0, 0.001]]), cell=0.2)  # under 2% of a cell
    np.testing.assert_allclose(tiny[1], [0.0, 0.17 * math.sqrt(0.001 / 0.004)])
    assert arrow_segments(points, np.zeros((2, 2)), 0.2).shape == (0, 2)


def test_the_eigenvalues_are_drawn_and_explained(qtbot):
    view = DynamicsView()
    qtbot.addWidget(view)
    assert len(view.eigen_points.getData()[0]) == 0  # nothing computed while hidden
    view.show()
    view.panel.set_settings(GameSettings("minimax", 0.1, 0.1))
    x, y = view.eigen_points.getData()
    assert sorted(x) == pytest.approx([0, 0], abs=1e-6)
    assert sorted(y) == pytest.approx([-0.5, 0.5], abs=1e-6)
    assert "spirals out" in view.spectrum_text.text() and "1.00125" in view.spectrum_text.text()
    view.panel.set_settings(GameSettings("minimax", 0.1, 0.1, alternating=True))
    assert "closed orbits" in view.spectrum_text.text()
    view.panel.set_settings(GameSettings("minimax", 0.1, 0.1, r1_gamma=0.5))
    assert "converges" in view.spectrum_text.text()
    view.panel.set_settings(GameSettings("wgan-gp"))
    assert "no Jacobian" in view.spectrum_text.text()
    assert len(view.eigen_points.getData()[0]) == 0


def _the_parameter_space_lesson_opens_the_view_and_its_numbers_hold(window):
    taught = lesson("15_")
    lessons_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Lessons")
    next(a for a in lessons_menu.actions() if a.text() == taught.title).trigger()  # 2 clicks
    assert window.dynamics_dock.isVisible() and not window.dynamics.panel.following()
    settings = window.dynamics.settings
    assert (settings.objective, settings.generator_lr, settings.alternating) == (
        "minimax", 0.1, False)
    assert list(window.dynamics.trajectory[0]) == [1.0, 1.0]
    text = taught.explanation

    def spectrum(**changes):
        return equilibrium_spectrum(DIRAC, GameSettings(**{**settings.__dict__, **changes}))

    base = spectrum()
    np.testing.assert_allclose(sorted(base.field.imag), [-0.5, 0.5], atol=1e-6)
    assert "±0.5i" in text and f"{base.radius:.5f}" == "1.00125" and "1.00125" in text
    assert spectrum(alternating=True).radius == pytest.approx(1.0, abs=1e-9)
    r1 = spectrum(r1_gamma=0.5).field
    np.testing.assert_allclose(sorted(r1.imag), [-0.433, 0.433], atol=1e-3)
    assert r1.real == pytest.approx([-0.25, -0.25]) and "−0.25 ± 0.43i" in text
    assert max(spectrum(instance_noise=0.7).field.real) < 0
    assert f"{spectrum(objective='wgan', critic_steps=5).radius:.4f}" == "1.0247"
    outward = trajectory(DIRAC, (1.0, 1.0), settings, 300)  # the curve the learner watches
    assert np.hypot(*outward[-1]) > 1.3 * math.sqrt(2)
    inward = trajectory(DIRAC, (1.0, 1.0), GameSettings(**{**settings.__dict__,
                                                             "r1_gamma": 0.5}), 300)
    assert np.hypot(*inward[-1]) < 0.01


def test_following_reads_the_runs_objective_rates_k_and_stabilisers():
    from ganlab.app.views.dynamics_panel import settings_from_run
    from ganlab.core.config import RunConfig

    run = RunConfig().merged({
        "objective": {"name": "hinge", "r1_gamma": 0.2, "r2_gamma": 0.3, "instance_noise": 0.4,
                      "lecam_weight": 0.5, "gradient_penalty_weight": 0.6},
        "generator_optimizer": {"learning_rate": 0.01},
        "discriminator_optimizer": {"learning_rate": 0.02},
        "training": {"critic_steps": 4}})
    followed = settings_from_run(run, GameSettings("wgan"))
    assert followed == GameSettings("hinge", 0.01, 0.02, 4, True, r1_gamma=0.2, r2_gamma=0.3,
                                    gradient_penalty_weight=0.6, lecam_weight=0.5,
                                    instance_noise=0.4)
    no_critic = run.merged({"objective": {"name": "mmd"}})
    assert settings_from_run(no_critic, GameSettings("wgan")).objective == "wgan"  # kept
