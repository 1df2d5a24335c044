"""The main window's docks: targets and painting (left), the model overview (left), settings
for run A and run B (right), the latent interpolation (right) and the charts (bottom). Like
`menus.py`, it keeps what others drive on the window (`window.gallery`, `window.charts`, ...)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QTabWidget, QVBoxLayout, QWidget

from ganlab.app.controls.control_panel import ControlPanel
from ganlab.app.timeline_control import TimelineControl
from ganlab.app.views.charts import Charts
from ganlab.app.views.latent_panel import LatentPanel
from ganlab.app.views.model_diagram import ModelDiagram
from ganlab.app.views.painting_panel import PaintingPanel
from ganlab.app.views.target_gallery import TargetGallery


def add_dock(window, title: str, widget: QWidget, area) -> QDockWidget:
    """A dock that can be moved and floated, not closed."""
    dock = QDockWidget(title, window)
    dock.setObjectName(title)
    dock.setWidget(widget)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
    window.addDockWidget(area, dock)
    return dock


def build_docks(window) -> None:
    """Every dock of `window`, with the settings panels of the session's first configuration."""
    left = QWidget()
    left_layout = QVBoxLayout(left)
    left_layout.setContentsMargins(0, 0, 0, 0)
    window.gallery = TargetGallery()
    window.painting_panel = PaintingPanel()
    window.painting_panel.hide()
    left_layout.addWidget(window.gallery, stretch=1)
    left_layout.addWidget(window.painting_panel)
    window.targets_dock = add_dock(window, "Targets", left, Qt.DockWidgetArea.LeftDockWidgetArea)
    window.targets_dock.setMinimumWidth(230)
    window.settings_tabs = QTabWidget()
    configs = window.session.configs
    window.control_panels = [ControlPanel(configs[0]),
                             ControlPanel(configs[0], shared_locked=True)]
    window.settings_tabs.addTab(window.control_panels[0], "Run A")
    window.settings_dock = add_dock(window, "Settings", window.settings_tabs,
                                    Qt.DockWidgetArea.RightDockWidgetArea)
    window.settings_dock.setMinimumWidth(330)
    window.diagram = ModelDiagram()
    window.model_dock = add_dock(window, "Model overview", window.diagram,
                                 Qt.DockWidgetArea.LeftDockWidgetArea)
    window.latent_panel = LatentPanel()
    window.latent_dock = add_dock(window, "Latent interpolation", window.latent_panel,
                                  Qt.DockWidgetArea.RightDockWidgetArea)
    window.charts = Charts()
    window.charts_dock = add_dock(window, "Charts", window.charts,
                                  Qt.DockWidgetArea.BottomDockWidgetArea)
    window.resizeDocks([window.charts_dock], [250], Qt.Orientation.Vertical)
    window.timeline = TimelineControl(window)  # the bar under the canvas
