"""The "what am I looking at?" overlay (F1): the name and one-line meaning of every layer, chart
and control that is on screen now, laid over the window until F1, Esc or a click closes it.

It reads the window as it is when opened: the run view shown (2D canvas, 1D view, image grids),
the layers switched on (their toggles' tooltips), the charts of the current kind of data, the
docks and toolbar controls in sight, and the status-bar fields. Nothing here changes a setting.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QScrollArea, QVBoxLayout

from ganlab.app.layers import layer_specs
from ganlab.app.menus import add_action
from ganlab.app.views.chart_specs import TITLES

VIEWS = {
    "canvas": ("2D canvas", "real samples (green) and generated ones (purple) in data space, "
               "with the layers below drawn over them."),
    "line_view": ("1D view", "densities along one axis: p_data, the generator's density "
                  "estimate, D(x) and D*(x) as curves."),
    "image_view": ("Image grids", "real images beside generated ones for fixed z, and a "
                   "latent path between two picks."),
}
CHARTS = {
    "losses": "D's and G's losses per iteration; the dotted lines are their values at the "
              "equilibrium p_g = p_data.",
    "divergences": "how far p_g is from p_data: JS from histograms (at most log 2) and "
                   "Wasserstein-1 (0 when they match, beside its floor for finite samples).",
    "kl": "KL(p_data‖p_g) punishes missing modes, KL(p_g‖p_data) samples where no data is.",
    "modes": "modes with at least one sample within 3σ, and the share of samples that close "
             "(PacGAN's protocol).",
    "elbo": "a VAE run's evidence lower bound per point (nats, standardised data): E_q log "
            "p(x|z) minus KL(q(z|x) ‖ p(z)); training raises it.",
    "frechet": "Fréchet distance between classifier features of real and generated images.",
    "classes": "how many classes the generated images are classified into.",
    "class_kl": "KL between the generated images' class histogram and the real one.",
    "coverage": "coverage and density: how much of the real data the samples reach, and how "
                "tightly.",
}
DOCKS = {
    "Targets": "the distributions to learn; click one for a fresh run on it, or draw your own.",
    "Settings": "every knob of run A (and run B in compare mode): objective, k and g, "
                "optimizers, networks.",
    "Model overview": "G and D as boxes; the network being updated lights up.",
    "Latent interpolation": "two latent points z0, z1 and the path between them, drawn in "
                            "the run view.",
    "Charts": "the numbers over iterations, charted below.",
}


class HelpOverlay(QFrame):
    """Lies over `window` while shown; `sections()` is what it lists, by heading."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.setObjectName("help")
        self.setStyleSheet("#help { background: rgba(12, 16, 24, 225); }"
                           "#help QLabel { color: #e8edf5; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setStyleSheet("background: transparent; border: none;")
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll.setWidget(self.text)
        layout.addWidget(scroll)
        self.hide()
        menu = window.menuBar().addMenu("&Help")
        self.action = add_action(window, menu, "What am I looking at?", "F1",
                                 "Name and explain every layer, chart and control on screen.",
                                 self.toggle)
        window.installEventFilter(self)  # follow the window's size

    def toggle(self) -> None:
        if self.isVisible():
            self.hide()
        else:
            self.open()

    def open(self) -> None:
        self.text.setText(self._html())
        self.setGeometry(self.window.rect())
        self.raise_()
        self.show()
        self.setFocus()

    def sections(self) -> dict[str, list[tuple[str, str]]]:
        """Heading → [(name, meaning)] for what is visible now."""
        window = self.window
        pane = window.panes[0]
        view = next(name for name in VIEWS if getattr(pane, name) is pane.current_view)
        views = [VIEWS[view]]
        layers = []
        if view != "image_view":
            shown = window.layers
            layers = [(spec.label, spec.tooltip) for name, spec in layer_specs().items()
                      if getattr(shown, name, False)]
        charts = []
        if window.charts.isVisible():
            plots = window.charts.plots
            charts = [(TITLES[chart], CHARTS[chart]) for chart, plot in plots.items()
                      if plot in window.charts.ci.items]
        controls = [(action.text().replace("&", ""), action.statusTip())
                    for action in (window.play_action, window.step_action, window.step_d_action,
                                   window.step_g_action, window.reset_action,
                                   window.compare_action)]
        controls.append(("Speed", window.speed_control.toolTip()
                         or "iterations per second, from slow motion to full speed."))
        for dock in window.findChildren(QDockWidget):
            if dock.isVisible() and dock.windowTitle() in DOCKS:
                controls.append((dock.windowTitle(), DOCKS[dock.windowTitle()]))
        status = window.status
        for label, name in ((status.iteration, "Iteration"), (status.speed, "it/s"),
                            (status.fps, "fps"), (status.metrics, "Metrics")):
            if label.isVisible():
                controls.append((name, label.toolTip()))
        if window.lesson_box.isVisible():
            controls.append(("Lesson", "the lesson's explanation; choosing a target ends it."))
        return {"Views": views, "Layers shown": layers, "Charts": charts, "Controls": controls}

    def _html(self) -> str:
        parts = ["<h2>What am I looking at?</h2><p><i>F1, Esc or a click closes this.</i></p>"]
        for heading, items in self.sections().items():
            if not items:
                continue
            rows = "".join(f"<li><b>{html.escape(name)}</b>: {html.escape(meaning)}</li>"
                           for name, meaning in items)
            parts.append(f"<h3>{heading}</h3><ul>{rows}</ul>")
        return "".join(parts)

    def mousePressEvent(self, event):  # Qt's name
        self.hide()

    def keyPressEvent(self, event):  # Qt's name
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_F1):
            self.hide()
        else:
            super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.window.rect())
        return False
