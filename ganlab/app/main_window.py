"""The main window: it assembles the views and controls and wires them to a `TrainingSession`.

Layout: the target gallery (left), the run panes with their layer toggles (centre; two side by
side in compare mode), settings for run A / run B (right), the model overview and the latent
interpolation (right, below), the charts (bottom). Actions with shortcuts live in the File menu
(sessions, exports: `file_actions`; autosave: `autosave_control`), the Training menu and the
toolbar; lessons in the Lessons menu. A session file dropped on the window is opened.
"""

from __future__ import annotations

import gc
import logging
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ganlab.app import theme
from ganlab.app.autosave_control import AutosaveControl
from ganlab.app.controls.control_panel import ControlPanel
from ganlab.app.file_actions import FileActions, session_path_of
from ganlab.app.frame_presenter import FramePresenter, RunPane
from ganlab.app.layers import LAYER_INFO, Layers
from ganlab.app.lessons import Lesson, app_defaults, load_lessons
from ganlab.app.menus import build_menus
from ganlab.app.painting_mode import PaintingMode
from ganlab.app.session import TrainingSession
from ganlab.app.views.alert_banner import AlertBanner
from ganlab.app.views.charts import Charts
from ganlab.app.views.latent_panel import LatentPanel
from ganlab.app.views.model_diagram import ModelDiagram
from ganlab.app.views.painting_panel import PaintingPanel
from ganlab.app.views.status_line import StatusLine
from ganlab.app.views.target_gallery import TargetGallery
from ganlab.core.autosave import Autosave
from ganlab.core.config import RunConfig, TargetConfig
from ganlab.core.targets import PointsFileError, load_points

log = logging.getLogger(__name__)

ANIMATION_PERIOD_S = 4.0  # the interpolation point goes from z0 to z1 and back in this time
ANIMATION_STEP_S = 1 / 30  # the travelling point moves at most 30 times a second
# while frames arrive at least this often, the point moves only with them: a move of its own
# would cost a whole extra repaint of the canvas (~10 ms of GUI time each)
FRAME_CARRIES_ANIMATION_S = 0.1
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
        self._build_docks()
        build_menus(self)
        self.status = StatusLine(self.statusBar())
        self.painting = PaintingMode(self.session, self.panes[0], self.painting_panel, self)
        self.painting.started.connect(self._on_painting_started)
        self.painting.stopped.connect(lambda: self.compare_action.setEnabled(True))
        self.presenter = FramePresenter(self.panes, self.charts, self.diagram, self.status,
                                        self.banner)
        self._connect()
        self.file_actions.connect_views()
        self._animation_clock = time.perf_counter()
        self._last_animation = 0.0
        self._last_frame_shown = 0.0
        self._animating = True
        # the travelling point moves with each frame while frames arrive (one repaint, not
        # two), and on the session's refresh tick while paused
        self.session.timer.timeout.connect(self._animate)
        self._apply_layers(self.layers)
        self._show_configs(self.session.configs)
        self.latent_panel.set_latent(self.session.configs[0].model.latent_dim,
                                     self.session.configs[0].model.latent_distribution)
        self.session.set_interpolation(*self.latent_panel.endpoints)
        self.statusBar().showMessage("Press Space to train, → to step once.", 10000)
        if start:
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
        self.lesson_box = QFrame()
        self.lesson_box.setObjectName("lesson")
        self.lesson_box.setStyleSheet(
            "#lesson { background: #23324a; border: 1px solid #4a6fa5; border-radius: 6px; }")
        lesson_layout = QHBoxLayout(self.lesson_box)
        self.lesson_text = QLabel()
        self.lesson_text.setWordWrap(True)
        self.lesson_text.setTextFormat(Qt.TextFormat.RichText)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Hide the lesson's explanation.")
        close.clicked.connect(self.lesson_box.hide)
        lesson_layout.addWidget(self.lesson_text, stretch=1)
        lesson_layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignTop)
        self.lesson_box.hide()
        layout.addWidget(self.lesson_box)
        toggles = QHBoxLayout()
        toggles.addWidget(QLabel("Show:"))
        self.layer_boxes: dict[str, QCheckBox] = {}
        for name, (label, tip) in LAYER_INFO.items():
            box = QCheckBox(label)
            box.setToolTip(tip)
            box.toggled.connect(lambda shown, name=name: self.set_layer(name, shown))
            self.layer_boxes[name] = box
            toggles.addWidget(box)
        toggles.addStretch(1)
        layout.addLayout(toggles)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.panes = [RunPane(), RunPane()]
        for pane in self.panes:
            self.splitter.addWidget(pane)
        self.panes[1].hide()
        layout.addWidget(self.splitter, stretch=1)
        self.setCentralWidget(central)

    def _dock(self, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.gallery = TargetGallery()
        self.painting_panel = PaintingPanel()
        self.painting_panel.hide()
        left_layout.addWidget(self.gallery, stretch=1)
        left_layout.addWidget(self.painting_panel)
        self.targets_dock = self._dock("Targets", left, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.targets_dock.setMinimumWidth(230)
        self.settings_tabs = QTabWidget()
        configs = self.session.configs
        self.control_panels = [ControlPanel(configs[0]),
                               ControlPanel(configs[0], shared_locked=True)]
        self.settings_tabs.addTab(self.control_panels[0], "Run A")
        self.settings_dock = self._dock("Settings", self.settings_tabs,
                                        Qt.DockWidgetArea.RightDockWidgetArea)
        self.settings_dock.setMinimumWidth(330)
        self.diagram = ModelDiagram()
        self.model_dock = self._dock("Model overview", self.diagram,
                                     Qt.DockWidgetArea.LeftDockWidgetArea)
        self.latent_panel = LatentPanel()
        self.latent_dock = self._dock("Latent interpolation", self.latent_panel,
                                      Qt.DockWidgetArea.RightDockWidgetArea)
        self.charts = Charts()
        self.charts_dock = self._dock("Charts", self.charts,
                                      Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.charts_dock], [250], Qt.Orientation.Vertical)

    def _connect(self) -> None:
        session = self.session
        session.frame_received.connect(self.presenter.present)
        # after the presenter: a moving interpolation point rides on the frame's repaint
        session.frame_received.connect(self._on_frame_shown)
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
        self.painting.trained.connect(lambda: self.gallery.select(""))
        self.banner.restore_clicked.connect(session.restore_last_good)
        self.banner.reset_clicked.connect(session.reset)
        self.banner.restart_clicked.connect(session.restart_training)
        session.training_stopped.connect(self.banner.show_stopped)
        session.training_restarted.connect(self._on_training_restarted)
        self.latent_panel.interpolation_changed.connect(session.set_interpolation)
        self.latent_panel.animation_toggled.connect(self._on_animation_toggled)

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
        self._apply_layers(self.layers.with_layer(name, shown))

    def _apply_layers(self, layers: Layers) -> None:
        self.layers = layers
        for name, box in self.layer_boxes.items():
            box.blockSignals(True)
            box.setChecked(getattr(layers, name))
            box.blockSignals(False)
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
        self.painting.stop()
        self.session.set_target(TargetConfig(name=name))

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
        self.session.set_target(TargetConfig(name="custom", points_file=str(path)))
        self.gallery.select("")
        self.statusBar().showMessage(f"Training on {len(points):,} points from {path}", 8000)
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
        self.painting.stop()
        self.session.pause()
        if (lesson.compare is not None) != self.session.compare:
            if lesson.compare is not None:
                self.settings_tabs.addTab(self.control_panels[1], "Run B")
            else:
                self.settings_tabs.removeTab(1)
        self.compare_action.setChecked(lesson.compare is not None)
        self.session.load(lesson.config, lesson.compare)
        self.session.reset()
        layers = self.layers
        for name, shown in lesson.layers.items():
            layers = layers.with_layer(name, shown)
        self._apply_layers(layers)
        self.speed_control.set_speed(lesson.speed)
        self.lesson_text.setText(f"<b>Lesson: {lesson.title}</b><br>{lesson.explanation}"
                                 "<br><i>Press Space to start.</i>")
        self.lesson_box.show()

    # ---------------------------------------------------------------- running
    def _on_running_changed(self, running: bool) -> None:
        self.play_action.setText("Pause" if running else "Play")

    def _freeze_start_up_objects(self, _frame=None) -> None:
        """Once, at the first frame: move the ~400k objects of start-up (torch, Qt, pyqtgraph)
        out of the garbage collector's sight. A full collection scans every tracked object and
        took 50–200 ms, a visible stall of the GUI each time; after `gc.freeze` it scans only
        what was created since."""
        self.session.frame_received.disconnect(self._freeze_start_up_objects)
        gc.collect()
        gc.freeze()

    def _on_animation_toggled(self, animate: bool) -> None:
        self._animating = animate

    def _animate(self) -> None:
        now = time.perf_counter()
        if not self._animating or not self.layers.interpolation or (
                now - self._last_animation < ANIMATION_STEP_S):
            return
        if self.session.running and now - self._last_frame_shown < FRAME_CARRIES_ANIMATION_S:
            return  # frames are arriving: move the point with them, in the same repaint
        self._move_travellers(now)

    def _on_frame_shown(self, _frame) -> None:
        now = time.perf_counter()
        self._last_frame_shown = now
        if self._animating and self.layers.interpolation:
            self._move_travellers(now)

    def _move_travellers(self, now: float) -> None:
        self._last_animation = now
        phase = ((time.perf_counter() - self._animation_clock) / ANIMATION_PERIOD_S) % 1.0
        t = 2 * phase if phase < 0.5 else 2 - 2 * phase  # there and back
        self.presenter.move_travellers(t)

    def dragEnterEvent(self, event):  # Qt's name
        if event.mimeData().hasUrls() and session_path_of(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event):  # Qt's name
        path = session_path_of(event.mimeData().urls()) if event.mimeData().hasUrls() else None
        if path:
            event.acceptProposedAction()
            self.file_actions.open(path)

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


GIL_SWITCH_INTERVAL_S = 0.001  # hand the GIL between the GUI and the worker every 1 ms


def theme_app() -> None:
    """Theme the running QApplication once, and shorten the GIL switch interval so the worker
    thread never waits long for Python while the GUI draws (the default is 5 ms)."""
    import sys

    from PySide6.QtWidgets import QApplication

    from ganlab.training.blas_threads import limit_blas_threads

    app = QApplication.instance()
    if app is not None and not getattr(app, "_ganlab_themed", False):
        theme.apply_theme(app)
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
        limit_blas_threads(1)
        app._ganlab_themed = True
