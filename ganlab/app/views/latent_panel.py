"""Latent interpolation: two points z0, z1 in latent space and the path G maps them to.

The small plot shows the first two latent coordinates; drag the two markers (start: square,
end: circle) or press "Random" for a fresh pair (other coordinates are drawn at random and held).
The data-space canvas draws G((1 - t) z0 + t z1) for t ∈ [0, 1] and animates a point along it;
`interpolation_changed` carries the new pair to the session.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ganlab.app import theme
from ganlab.core.latent_algebra import latent_extent


class LatentPanel(QWidget):
    interpolation_changed = Signal(object, object)  # z0, z1 as numpy arrays
    animation_toggled = Signal(bool)

    def __init__(self, parent=None, seed: int = 5):
        super().__init__(parent)
        self._rng = np.random.default_rng(seed)
        self._start = np.zeros(2)
        self._end = np.zeros(2)
        self._distribution: str | None = None  # set by set_latent below
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumSize(160, 140)
        theme.style_plot(self.plot.getPlotItem(), x_label="z₁", y_label="z₂")
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        self.segment = self.plot.plot(pen=theme.pen(theme.INTERPOLATION, 2.0, dashed=True))
        self.start_marker = pg.TargetItem(symbol="s", size=14, movable=True,
                                          pen=pg.mkPen("w", width=1.5),
                                          brush=theme.brush(theme.INTERPOLATION),
                                          label="z0", labelOpts={"color": theme.NEUTRAL_TEXT})
        self.end_marker = pg.TargetItem(symbol="o", size=14, movable=True,
                                        pen=pg.mkPen("w", width=1.5),
                                        brush=theme.brush(theme.INTERPOLATION),
                                        label="z1", labelOpts={"color": theme.NEUTRAL_TEXT})
        for marker in (self.start_marker, self.end_marker):
            self.plot.addItem(marker)
            marker.sigPositionChangeFinished.connect(self._on_marker_moved)
        layout.addWidget(self.plot, stretch=1)
        row = QHBoxLayout()
        self.random_button = QPushButton("Random z0, z1")
        self.random_button.setToolTip("Draw two new latent points z0 and z1 from p(z).")
        self.random_button.clicked.connect(self.randomise)
        self.animate_box = QCheckBox("Animate")
        self.animate_box.setChecked(True)
        self.animate_box.setToolTip(
            "Move a point along G((1−t)·z0 + t·z1), t from 0 to 1 and back."
        )
        self.animate_box.toggled.connect(self.animation_toggled)
        row.addWidget(self.random_button)
        row.addWidget(self.animate_box)
        layout.addLayout(row)
        self.set_latent(2, "gaussian")

    @property
    def endpoints(self) -> tuple[np.ndarray, np.ndarray]:
        return self._start.copy(), self._end.copy()

    def set_latent(self, latent_dim: int, distribution: str) -> None:
        """Adopt the run's latent space; draws a new pair when its size or kind changed."""
        if len(self._start) == latent_dim and distribution == self._distribution:
            return
        self._distribution = distribution
        self._start = np.zeros(latent_dim)
        self._end = np.zeros(latent_dim)
        extent = latent_extent(distribution)
        self.plot.setRange(xRange=(-extent, extent), yRange=(-extent, extent), padding=0.05)
        self.randomise()

    def randomise(self) -> None:
        dim = len(self._start)
        if self._distribution == "uniform":
            self._start, self._end = self._rng.uniform(-1, 1, (2, dim))
        else:
            self._start, self._end = self._rng.standard_normal((2, dim))
        if dim >= 2:  # make the pair visibly far apart in the plane shown
            self._end[:2] = -self._start[:2] if np.linalg.norm(self._start[:2]) > 0.5 else (
                self._end[:2])
        self._sync_markers()
        self.interpolation_changed.emit(*self.endpoints)

    def _sync_markers(self) -> None:
        for marker, point in ((self.start_marker, self._start), (self.end_marker, self._end)):
            marker.blockSignals(True)
            marker.setPos(point[0], point[1] if len(point) > 1 else 0.0)
            marker.blockSignals(False)
        self.segment.setData([self._start[0], self._end[0]],
                             [self._start[1] if len(self._start) > 1 else 0.0,
                              self._end[1] if len(self._end) > 1 else 0.0])

    def _on_marker_moved(self) -> None:
        for marker, point in ((self.start_marker, self._start), (self.end_marker, self._end)):
            position = marker.pos()
            point[0] = position.x()
            if len(point) > 1:
                point[1] = position.y()
        self._sync_markers()
        self.interpolation_changed.emit(*self.endpoints)
