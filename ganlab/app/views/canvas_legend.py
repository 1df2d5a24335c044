"""The data canvas's legend: fixed entries (real and generated samples, always listed) and
switchable ones that the layers add (density contours, D* = ½, gradient arrows), listed only
while their layer is shown. Contours have no legend sample of their own, so plain stand-in items
lend their pens. Switchable entries are listed in the order of their items' depth."""

from __future__ import annotations

import pyqtgraph as pg

from ganlab.app import theme


class CanvasLegend:
    """A legend in the corner of `plot`'s view box."""

    def __init__(self, plot: pg.PlotItem):
        self.legend = pg.LegendItem(offset=(8, 8), labelTextColor=theme.NEUTRAL_TEXT,
                                    brush=theme.brush(theme.BACKGROUND, 190))
        self.legend.setParentItem(plot.vb)
        self._switchable: list[tuple[float, int, pg.GraphicsObject, str]] = []

    def add_fixed(self, item, name: str) -> None:
        """An entry listed whatever is shown (add these before any switchable one)."""
        self.legend.addItem(item, name)

    def add_switchable(self, pen, name: str, depth: float) -> pg.PlotDataItem:
        """A stand-in drawn with `pen`, listed (after the fixed entries, by `depth`) while a
        layer's `legend_entries` names it; listed from the start until the first `show`."""
        stand_in = pg.PlotDataItem(pen=pen)
        self._switchable.append((depth, len(self._switchable), stand_in, name))
        self._switchable.sort(key=lambda entry: entry[:2])
        self.legend.addItem(stand_in, name)
        return stand_in

    def show(self, visible: bool, entries: set) -> None:
        """The legend (hidden while painting) listing the stand-ins in `entries`."""
        self.legend.setVisible(visible)
        for _, _, stand_in, name in self._switchable:
            shown = stand_in in entries
            present = any(sample.item is stand_in for sample, _ in self.legend.items)
            if shown and not present:
                self.legend.addItem(stand_in, name)
            elif not shown and present:
                self.legend.removeItem(stand_in)
