"""The main window's menus (File, Training, View, Lessons), its toolbar and its shortcuts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from ganlab.app.controls.speed_control import SpeedControl
from ganlab.app.dynamics_dock import build_dynamics_view
from ganlab.app.study_view import ask_study_folder
from ganlab.app.vae_beside_gan import start_vae_beside_gan


def add_action(window, menu, text: str, shortcut: str, tip: str, slot, checkable=False):
    """A menu entry with a window-wide shortcut, its tooltip and status tip."""
    action = QAction(text, window)
    action.setShortcut(QKeySequence(shortcut))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setToolTip(f"{tip} ({shortcut})")
    action.setStatusTip(tip)
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


def build_menus(window) -> None:
    """File, Training and Lessons menus, and the training toolbar with the speed control; the
    actions a test or a lesson drives are kept on the window (`window.play_action`, ...)."""
    menus = window.menuBar()
    file_menu = menus.addMenu("&File")
    window.file_actions.build_menu(file_menu)
    add_action(window, file_menu, "Load points…", "Ctrl+L",
            "Train on points from a CSV or .npy file.", window.ask_for_points_file)
    add_action(window, file_menu, "Load image folder…", "Ctrl+I", "Train on a folder of "
               "PNG/JPEG images (labels from sub-folder names).",
               lambda: window.image_loading.ask_folder())
    add_action(window, file_menu, "Load image file…", "Ctrl+Shift+I", "Train on the images of "
               "an MNIST IDX file or a .npz/.npy array.", lambda: window.image_loading.ask_file())
    add_action(window, file_menu, "Open study folder…", "Ctrl+Shift+O", "Show a study's plots "
               "and runs (ganlab study); a double-click opens a run as a session.",
               lambda: ask_study_folder(window))
    add_action(window, file_menu, "Quit", "Ctrl+Q", "Close ganlab.", window.close)
    training = menus.addMenu("&Training")
    session = window.session
    window.play_action = add_action(window, training, "Play", "Space",
                                 "Start or pause training.", session.toggle_running)
    window.step_action = add_action(window, training, "Step", "Right",
                                 "Run one iteration: k critic steps, then g generator steps.",
                                 lambda: session.step(1))
    window.step_d_action = add_action(window, training, "Step D", "D",
                                   "Run only the discriminator's part of one iteration.",
                                   session.step_discriminator)
    window.step_g_action = add_action(window, training, "Step G", "G",
                                   "Run only the generator's part of one iteration.",
                                   session.step_generator)
    window.reset_action = add_action(window, training, "Reset", "R",
                                  "Start again from freshly initialised networks (same "
                                  "settings and seed).", session.reset)
    training.addSeparator()
    window.compare_action = add_action(window, training, "Compare", "C",
                                    "Train a second configuration on the same target and seed, "
                                    "side by side.", window.set_compare, checkable=True)
    window.vae_action = add_action(window, training, "VAE beside the GAN", "V",
                                   "Compare mode with run B a VAE whose decoder is run A's "
                                   "generator network: it covers every mode but blurs.",
                                   lambda: start_vae_beside_gan(window))
    build_dynamics_view(window, menus)
    lessons_menu = menus.addMenu("&Lessons")
    for lesson in window.lessons:
        action = QAction(lesson.title, window)
        action.setToolTip(lesson.explanation)
        action.triggered.connect(lambda _=False, lesson=lesson: window.apply_lesson(lesson))
        lessons_menu.addAction(action)
    lessons_menu.setToolTipsVisible(True)
    toolbar = window.addToolBar("Training")
    toolbar.setObjectName("training toolbar")
    toolbar.setMovable(False)
    for action in (window.play_action, window.step_action, window.step_d_action,
                   window.step_g_action, window.reset_action):
        toolbar.addAction(action)
    toolbar.addSeparator()
    window.speed_control = SpeedControl()
    toolbar.addWidget(window.speed_control)
    toolbar.addSeparator()
    toolbar.addAction(window.compare_action)
