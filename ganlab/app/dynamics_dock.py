"""The dynamics view's dock beside the run, its View-menu entry (Ctrl+Shift+D) and what a
lesson asks of it. The view follows run A's settings (`session.configs_changed`) while its
"follow the run's settings" box is ticked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget

from ganlab.app.views.dynamics_view import GAMES, DynamicsView
from ganlab.core.game_dynamics import lesson_settings

SHORTCUT = "Ctrl+Shift+D"


def view_menu(menu_bar):
    """The window's View menu (made here if no one made it yet)."""
    for action in menu_bar.actions():
        if action.menu() is not None and action.text().replace("&", "") == "View":
            return action.menu()
    return menu_bar.addMenu("&View")


def build_dynamics_view(window, menu_bar) -> None:
    """A hidden dock holding a `DynamicsView` (`window.dynamics`), tabbed with the settings,
    and a checkable View-menu action that shows it (`window.dynamics_action`)."""
    window.dynamics = DynamicsView()
    dock = QDockWidget("Dynamics (parameter space)", window)
    dock.setObjectName("Dynamics")
    dock.setWidget(window.dynamics)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.hide()
    window.dynamics_dock = dock
    action = dock.toggleViewAction()
    action.setText("Dynamics view")
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    tip = ("The Dirac-GAN and a Gaussian in parameter space: the gradient field of the run's "
           "objective, live trajectories and the equilibrium's eigenvalues.")
    action.setToolTip(f"{tip} ({SHORTCUT})")
    action.setStatusTip(tip)
    view_menu(menu_bar).addAction(action)
    window.dynamics_action = action
    panel, session = window.dynamics.panel, window.session
    session.configs_changed.connect(lambda configs: panel.follow_run(configs[0]))
    panel.follow_box.toggled.connect(lambda on: on and panel.follow_run(session.configs[0]))
    panel.follow_run(session.configs[0])


def show_dynamics_lesson(window, lesson: dict) -> None:
    """Open the dock with a lesson's game, settings and start point (follow unticked)."""
    game, settings, start = lesson_settings(lesson)
    view = window.dynamics
    view.panel.set_game(game)
    view.panel.set_settings(settings, follow=False)
    window.dynamics_dock.show()
    window.dynamics_dock.raise_()
    view.start(start if start is not None else GAMES[game][1])
