"""The main window: it assembles the views and controls and wires them to a `TrainingSession`.

Layout: the target gallery (left), the run panes with their layer toggles (centre; two side by
side in compare mode), settings for run A / run B (right), the model overview and the latent
interpolation (right, below), the charts (bottom). Actions with shortcuts live in the File menu
(sessions, exports: `file_actions`; autosave: `autosave_control`), the Training menu and the
toolbar (`menus`); lessons in the Lessons menu. The docks are built by `window_docks`, the
travelling interpolation point is timed by `interpolation_animation`. Files dropped on the
window go to `file_actions`; the user's own images load through `image_loading`.
"""

from __future__ import annotations

import gc
import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QSplitter, QVBoxLayout, QWidget

from ganlab.app.app_theme import theme_app
from ganlab.app.autosave_control import AutosaveControl
from ganlab.app.file_actions import FileActions, dropped_file
from ganlab.app.frame_presenter import FramePresenter, RunPane
from ganlab.app.help_overlay import HelpOverlay
from ganlab.app.image_loading import connect_images
from ganlab.app.interpolation_animation import InterpolationAnimation
from ganlab.app.layer_toggles import LayerToggles
from ganlab.app.layers import Layers
from ganlab.app.lesson_box import LessonBox
from ganlab.app.lesson_flow import LessonFlow
from ganlab.app.lessons import Lesson, app_defaults, load_lessons
from ganlab.app.menus import build_menus
from ganlab.app.painting_mode import PaintingMode
from ganlab.app.recorder import RecordingIndicator
from ganlab.app.run_configs import MIN_RESTORED_LR
from ganlab.app.session import RESTORE_LR_FACTOR, TrainingSession
from ganlab.app.start_up_view import StartUpView
from ganlab.app.vae_beside_gan import mark_discriminator_layers
from ganlab.app.views.alert_banner import AlertBanner
from ganlab.app.views.status_line import StatusLine
from ganlab.app.window_docks import build_docks
from ganlab.core.autosave import Autosave
from ganlab.core.config import RunConfig, TargetConfig
from ganlab.core.data_store import DATA
from ganlab.core.targets import PointsFileError, load_points

log = logging.getLogger(__name__)

WORKER_START_DELAY_MS = 150  # let the window paint first: the worker's start-up is import-heavy


class MainWindow(QMainWindow):
    def __init__(self, config: RunConfig | None = None, *, start: bool = True,
                 worker_options: dict | None = None, autosave: Autosave | None = None,
                 training: str = "process"):
        super().__init__()
        self.setAcceptDrops(True)
        self.setWindowTitle("ganlab — GAN playground")
        self.resize(1600, 980)
        self.session = TrainingSession(config or app_defaults(), self, training=training,
                                       **(worker_options or {}))
        self.layers = Layers()
        self.lessons = load_lessons()
        self.file_actions = FileActions(self)
        self.autosave = autosave if autosave is not None else Autosave()
        self.autosave_control = AutosaveControl(self, self.autosave)
        self._build_central()
        build_docks(self)
        build_menus(self)
        self.status = StatusLine(self.statusBar())
        self.statusBar().addPermanentWidget(RecordingIndicator(self.file_actions.recorder))
        self.painting = PaintingMode(self.session, self.panes[0], self.painting_panel, self)
        self.painting.started.connect(self._on_painting_started)
        self.painting.stopped.connect(lambda: self.compare_action.setEnabled(True))
        self.presenter = FramePresenter(self.panes, self.charts, self.diagram, self.status,
                                        self.banner)
        self.presenter.on_model_families = lambda families: mark_discriminator_layers(
            self.layer_boxes, families)
        self.lesson_flow = LessonFlow(self)
        self.help_overlay = HelpOverlay(self)
        self.animation = InterpolationAnimation(
            self.presenter.move_travellers, shown=lambda: self.layers.interpolation,
            running=lambda: self.session.running)
        self._connect()
        self.file_actions.connect_views()
        self.image_loading = connect_images(self)  # and the layer toggles follow the data kind
        # the travelling point moves with each frame while frames arrive (one repaint, not
        # two), and on the session's refresh tick while paused
        self.session.timer.timeout.connect(self.animation.tick)
        self.apply_layers(self.layers)
        self._show_configs(self.session.configs)
        self.latent_panel.set_latent(self.session.configs[0].model.latent_dim,
                                     self.session.configs[0].model.latent_distribution)
        self.session.set_interpolation(*self.latent_panel.endpoints)
        self.statusBar().showMessage("Press Space to train, → to step once.", 10000)
        if start:  # the target is drawn at once; the training process starts after a paint
            self.start_up_view = StartUpView(self.session, self.panes[0], self)
            QTimer.singleShot(WORKER_START_DELAY_MS, self.session.start)
            if self.autosave_control.start():  # the last run crashed: offer its autosave
                QTimer.singleShot(2 * WORKER_START_DELAY_MS, self.autosave_control.offer_restore)

    # ---------------------------------------------------------------- building
    def _build_central(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        self.banner = AlertBanner()
        layout.addWidget(self.banner)
        self.lesson_box = LessonBox()
        self.lesson_text = self.lesson_box.text
        layout.addWidget(self.lesson_box)
        self.layer_toggles = LayerToggles(self.set_layer)
        self.layer_boxes = self.layer_toggles.boxes
        layout.addLayout(self.layer_toggles)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.panes = [RunPane(), RunPane()]
        for pane in self.panes:
            self.splitter.addWidget(pane)
        self.panes[1].hide()
        layout.addWidget(self.splitter, stretch=1)
        self.setCentralWidget(central)

    def _connect(self) -> None:
        session = self.session
        session.frame_received.connect(self.presenter.present)
        # after the presenter: a moving interpolation point rides on the frame's repaint
        session.frame_received.connect(self.animation.frame_shown)
        session.frame_received.connect(self._freeze_start_up_objects)
        session.running_changed.connect(self._on_running_changed)
        session.configs_changed.connect(self._show_configs)
        for index, panel in enumerate(self.control_panels):
            panel.config_edited.connect(lambda config, index=index: self._on_config_edited(
                index, config))
        self.speed_control.speed_changed.connect(session.set_speed)
        self.gallery.target_chosen.connect(self.choose_target)
        self.gallery.drawing_chosen.connect(self.painting.start)
        self.gallery.loading_chosen.connect(self.ask_for_points_file)
        self.painting.target_painted.connect(
            lambda target: self.lesson_flow.train_on(target, "your drawing"))
        self.painting.trained.connect(lambda: self.gallery.select(""))
        self.banner.restore_clicked.connect(session.restore_last_good)
        self.banner.reset_clicked.connect(self.reset_slower)
        self.banner.restart_clicked.connect(session.restart_training)
        session.training_stopped.connect(self.banner.show_stopped)
        session.training_restarted.connect(self._on_training_restarted)
        self.latent_panel.interpolation_changed.connect(session.set_interpolation)
        for pane in self.panes:
            pane.image_view_hooks.append(
                lambda view: view.latent_request_chosen.connect(session.request_latent_images))
        self.latent_panel.animation_toggled.connect(self.animation.set_animating)

    def reset_slower(self) -> None:
        """The NaN banner's reset: fresh networks with both learning rates of every run divided
        by 10 (the rates that blew up would blow up again), as the button says."""
        for index, config in enumerate(self.session.configs):
            for optimizer in (config.generator_optimizer, config.discriminator_optimizer):
                optimizer.learning_rate = max(optimizer.learning_rate * RESTORE_LR_FACTOR,
                                              MIN_RESTORED_LR)
            self.session.set_config(index, config)
        self.session.reset()

    def _on_training_restarted(self) -> None:
        """A new worker trains from iteration 0 (after a stop: the banner's button, reset,
        play, a step or opening a session)."""
        self.banner.hide()
        self.presenter.new_worker()

    # ---------------------------------------------------------------- settings
    def _on_config_edited(self, index: int, config: RunConfig) -> None:
        if index < len(self.session.configs):
            self.session.set_config(index, config)

    def _show_configs(self, configs: tuple[RunConfig, ...]) -> None:
        """Controls show the session's configurations (after a lesson, a restore, a target)."""
        for panel, config in zip(self.control_panels, configs, strict=False):
            panel.set_config(config)
        first = configs[0]
        self.latent_panel.set_latent(first.model.latent_dim, first.model.latent_distribution)
        self.diagram.set_objective(first.objective.name, first.training.critic_steps,
                                   first.training.generator_steps)
        if first.target.name != "custom":
            self.gallery.select(first.target.name)

    def set_layer(self, name: str, shown: bool) -> None:
        self.apply_layers(self.layers.with_layer(name, shown))

    def apply_layers(self, layers: Layers) -> None:
        """Show `layers`: the toggles, the panes, and the fields the worker computes."""
        self.layers = layers
        self.layer_toggles.show_layers(layers)
        for pane in self.panes:
            pane.canvas.set_layers(layers)
            pane.line_view.set_layers(layers)
        self.session.set_view(layers.view_request())

    def set_compare(self, enabled: bool) -> None:
        """Compare mode on: run B starts as run A with the other standard generator loss."""
        self.compare_action.setChecked(enabled)
        if enabled == self.session.compare:
            return
        if enabled:
            config_b = self.session.configs[0]
            config_b.objective.name = ("minimax" if config_b.objective.name == "non-saturating"
                                       else "non-saturating")
            self.session.set_compare(config_b)
            self.settings_tabs.addTab(self.control_panels[1], "Run B")
        else:
            self.session.set_compare(None)
            self.settings_tabs.removeTab(1)

    # ---------------------------------------------------------------- targets
    def choose_target(self, name: str) -> None:
        """A fresh run on the named target (see `lesson_flow`: a lesson on ends)."""
        self.lesson_flow.choose_target(name)

    def ask_for_points_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load points", "",
                                              "Points (*.csv *.txt *.npy);;All files (*)")
        if path:
            self.load_points_file(path)

    def load_points_file(self, path: str) -> bool:
        """Train on the points in `path`; a broken file gets a message and changes nothing."""
        try:
            points = load_points(path)
        except PointsFileError as error:
            self.show_error("Cannot use this points file", str(error))
            return False
        self.lesson_flow.train_on(TargetConfig(name="custom", data=DATA.put(points),
                                               points_file=str(path)),
                                  f"{len(points):,} points from {path}")
        self.gallery.select("")
        return True

    def show_error(self, title: str, message: str) -> None:
        self.statusBar().showMessage(message, 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok,
                          self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # not modal to the event loop: training and drawing go on
        self.last_error_box = box

    def _on_painting_started(self) -> None:
        self.compare_action.setEnabled(False)
        if self.session.compare:
            self.set_compare(False)

    # ---------------------------------------------------------------- lessons
    def apply_lesson(self, lesson: Lesson) -> None:
        """The lesson's settings, layers and speed, and its explanation (see `lesson_flow`)."""
        self.lesson_flow.start_lesson(lesson)

    # ---------------------------------------------------------------- running
    def _on_running_changed(self, running: bool) -> None:
        self.play_action.setText("Pause" if running else "Play")
        self.lesson_box.set_running(running)

    def _freeze_start_up_objects(self, _frame=None) -> None:
        """Once, at the first frame: move the ~400k objects of start-up (torch, Qt, pyqtgraph)
        out of the garbage collector's sight. A full collection scans every tracked object and
        took 50–200 ms, a visible stall of the GUI each time; after `gc.freeze` it scans only
        what was created since."""
        self.session.frame_received.disconnect(self._freeze_start_up_objects)
        gc.collect()
        gc.freeze()

    def dragEnterEvent(self, event):  # Qt's name
        if event.mimeData().hasUrls() and dropped_file(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event):  # Qt's name
        dropped = dropped_file(event.mimeData().urls()) if event.mimeData().hasUrls() else None
        if dropped:
            event.acceptProposedAction()
            self.file_actions.open_dropped(*dropped)

    def closeEvent(self, event):  # Qt's name
        self.hide()  # the window disappears at once; the worker gets up to 1.8 s to finish
        if self.file_actions.recorder.recording:
            self.file_actions.stop_recording()  # keep what was recorded
        self.autosave_control.save_on_exit()  # the worker saves before it stops
        self.session.shutdown(timeout=1.8)
        self.autosave_control.finish()
        super().closeEvent(event)


def build_window(config: RunConfig | None = None, **options) -> MainWindow:
    """A window with the app's theme (for tests and scripts that run their own event loop)."""
    theme_app()
    return MainWindow(config, **options)


__all__ = ["MainWindow", "build_window", "theme_app"]
