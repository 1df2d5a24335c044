"""The canvas's raw-generator layer: with a weight average on (G weight average β, theory §6),
the generated points are drawn from the average θ_avg; this layer adds the raw generator's
points G_θ(z) for the same fixed z as hollow purple rings, so a learner sees the raw samples
swirl while the averaged ones hold still. Without an average it draws nothing (the frame
carries `raw_fake` only when one exists)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ganlab.app import theme
from ganlab.app.layers import LayerSpec
from ganlab.app.views.canvas_layer import Z_GENERATED, CanvasLayer, CanvasParts
from ganlab.app.views.moving_points import move_points
from ganlab.core.targets import ViewBox
from ganlab.training.frame import RunFrame

RAW_LABEL = "raw G(z) (no averaging)"


class RawGeneratedSamples(CanvasLayer):
    spec = LayerSpec(
        "raw_generated", "Raw G",
        "With a weight average on (G weight average β): the raw generator's samples G_θ(z) for "
        "the same z as hollow rings, beside the filled samples of the average θ_avg.",
        shown=False)

    def attach(self, parts: CanvasParts) -> None:
        self.scatter = pg.ScatterPlotItem(size=8, pen=pg.mkPen(theme.GENERATED, width=1.4),
                                          brush=pg.mkBrush(None), name="raw generator")
        self.scatter.setZValue(Z_GENERATED + 0.5)
        parts.plot.addItem(self.scatter)
        self.stand_in = parts.legend.add_switchable(None, RAW_LABEL, Z_GENERATED + 0.5)
        # the legend draws a hollow ring, as the canvas does (from the stand-in's scatter)
        self.stand_in.setSymbol("o")
        self.stand_in.scatter.setPen(pg.mkPen(theme.GENERATED, width=1.4))
        self.stand_in.scatter.setBrush(pg.mkBrush(0, 0, 0, 0))
        self.stand_in.scatter.setSize(8)
        self.legend = parts.legend
        self._has_raw: bool | None = None  # whether the last frame carried raw samples

    def set_visible(self, shown: bool) -> None:
        self.scatter.setVisible(shown)

    def show(self, run: RunFrame, box: ViewBox) -> None:
        raw = run.snapshot.raw_fake
        if self._has_raw != (raw is not None):  # listed only on a canvas that draws it
            self._has_raw = raw is not None
            self.legend.hold_back(self.stand_in, not self._has_raw)
        if raw is None:
            if len(self.scatter.data):  # (setData of nothing at every frame cost ~0.2 ms)
                self.scatter.setData(pos=np.empty((0, 2)))
        elif raw.shape[1] == 2 and np.isfinite(raw).all():
            move_points(self.scatter, raw)

    def legend_entries(self, layers) -> tuple:
        return (self.stand_in,) if layers.raw_generated else ()
