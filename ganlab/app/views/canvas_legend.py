"""The data canvas's legend: fixed entries (real and generated samples, always listed) and
switchable ones that the layers add (density contours, D* = ½, gradient arrows), listed only
while their layer is shown. Contours have no legend sample of their own, so plain stand-in items
lend their pens. Switchable entries are listed in the order of their items' depth. A layer
may hold an entry back while it draws nothing for it (D* = ½ when there is no D to draw it
over), whatever the toggles say."""

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
        self._entries: set | None = None  # the stand-ins the toggles list (None: all)
        self._held_back: set = set()

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
        self._entries = set(entries)
        self._list()

    def hold_back(self, stand_in, held: bool) -> None:
        """Keep `stand_in` out of the legend (held) or let the toggles decide again."""
        (self._held_back.add if held else self._held_back.discard)(stand_in)
        self._list()

    def listed(self) -> list[str]:
        """The names the legend lists now, top to bottom."""
        return [label.text for _, label in self.legend.items]

    def _list(self) -> None:
        for _, _, stand_in, name in self._switchable:
            wanted = self._entries is None or stand_in in self._entries
            shown = wanted and stand_in not in self._held_back
            present = any(sample.item is stand_in for sample, _ in self.legend.items)
            if shown and not present:
                self.legend.addItem(stand_in, name)
            elif not shown and present:
                self.legend.removeItem(stand_in)
