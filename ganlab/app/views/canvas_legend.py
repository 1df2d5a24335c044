"""The data canvas's legend: real and generated samples always, and an entry for each line layer
(density contours, D* = ½, gradient arrows) only while that layer is shown. Contours have no
legend sample of their own, so plain stand-in items lend their pens."""

from __future__ import annotations

import pyqtgraph as pg

from ganlab.app import theme


class CanvasLegend:
    """A legend in the corner of `plot`'s view box."""

    def __init__(self, plot: pg.PlotItem, real, generated, density_pen, boundary_pen):
        self.legend = pg.LegendItem(offset=(8, 8), labelTextColor=theme.NEUTRAL_TEXT,
                                    brush=theme.brush(theme.BACKGROUND, 190))
        self.legend.setParentItem(plot.vb)
        self.legend.addItem(real, "real data")
        self.legend.addItem(generated, "generated G(z)")
        self._stand_ins = {
            "density": (pg.PlotDataItem(pen=density_pen), "p_data contours"),
            "boundary": (pg.PlotDataItem(pen=boundary_pen), "D* = ½"),
            "arrows": (pg.PlotDataItem(pen=theme.pen(theme.GRADIENT, 2.0)), "−∂L_G/∂x"),
        }
        for stand_in, name in self._stand_ins.values():
            self.legend.addItem(stand_in, name)

    def show(self, visible: bool, *, density: bool, boundary: bool, arrows: bool) -> None:
        """The legend (hidden while painting) with the entries of the layers shown."""
        self.legend.setVisible(visible)
        for key, shown in (("density", density), ("boundary", boundary), ("arrows", arrows)):
            stand_in, name = self._stand_ins[key]
            present = any(sample.item is stand_in for sample, _ in self.legend.items)
            if shown and not present:
                self.legend.addItem(stand_in, name)
            elif not shown and present:
                self.legend.removeItem(stand_in)
