"""The canvas's gradient layer: an arrow −∂L_G/∂x on every other generated sample, where the
generator's loss pushes it, at a steady scale (`canvas_shapes.ArrowScale`), and the median
gradient's size in the corner."""

from __future__ import annotations

import pyqtgraph as pg

from ganlab.app import theme
from ganlab.app.layers import LayerSpec
from ganlab.app.views.canvas_layer import Z_ARROW_TIPS, Z_ARROWS, CanvasLayer, CanvasParts
from ganlab.app.views.canvas_shapes import ArrowScale
from ganlab.app.views.moving_points import move_points
from ganlab.core.targets import ViewBox
from ganlab.training.frame import RunFrame


class Gradients(CanvasLayer):
    spec = LayerSpec(
        "gradients", "Gradients",
        "Arrows showing where each generated sample is pushed: the direction −∂L_G/∂x.",
        shown=False, asks=frozenset({"gradients"}))

    def attach(self, parts: CanvasParts) -> None:
        # thin many-segment lines: antialiasing costs more than it shows
        self.arrows = pg.PlotDataItem(pen=theme.pen(theme.GRADIENT, 1.2, alpha=200),
                                      connect="pairs", antialias=False)
        self.tips = pg.ScatterPlotItem(size=3, pen=None, brush=theme.brush(theme.GRADIENT))
        for z, item in ((Z_ARROWS, self.arrows), (Z_ARROW_TIPS, self.tips)):
            item.setZValue(z)
            parts.plot.addItem(item)
        self.stand_in = parts.legend.add_switchable(theme.pen(theme.GRADIENT, 2.0), "−∂L_G/∂x",
                                                    Z_ARROWS)
        self.view_box = parts.plot.vb
        self.note = pg.TextItem(color=theme.MUTED, anchor=(1, 1))
        self.note.setParentItem(self.view_box)
        self._scale = ArrowScale()

    def set_visible(self, shown: bool) -> None:
        for item in (self.arrows, self.tips, self.note):
            item.setVisible(shown)

    def show(self, run: RunFrame, box: ViewBox) -> None:
        # the note sits in the view's corner, in pixels
        self.note.setPos(self.view_box.width() - 6, self.view_box.height() - 4)
        snapshot = run.snapshot
        if snapshot.gradients is None:
            return
        arrows = self._scale.arrows(snapshot.fake, snapshot.gradients, box)
        if arrows is None:
            return
        self.arrows.setData(arrows.segments[:, 0], arrows.segments[:, 1])
        move_points(self.tips, arrows.tips)
        self.note.setText(f"median |∂L_G/∂x| = {arrows.median_norm:.2g}")

    def restart(self) -> None:
        self._scale = ArrowScale()

    def legend_entries(self, layers) -> tuple:
        return (self.stand_in,) if layers.gradients else ()
