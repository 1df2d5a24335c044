"""Markers for generated points that lie outside the view: at the edge they left by, an arrow
and a count ("→ 312 of 512 off-screen"), drawn inside the view."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ganlab.app import theme
from ganlab.app.views.canvas_shapes import edge_position
from ganlab.core.targets import ViewBox

OFFSCREEN_ARROWS = {(0, 0): "↙", (1, 0): "↓", (2, 0): "↘", (0, 1): "←", (2, 1): "→",
                    (0, 2): "↖", (1, 2): "↑", (2, 2): "↗"}


class OffscreenMarks:
    """One hidden label per direction on `plot`; `labels` maps (i, j) to it (see
    `Snapshot.outside_counts` for i, j)."""

    def __init__(self, plot: pg.PlotItem):
        self.labels: dict[tuple[int, int], pg.TextItem] = {}
        for (i, j) in OFFSCREEN_ARROWS:
            # anchor: a left-edge label hangs right of its point, and so on
            label = pg.TextItem(color=theme.GENERATED, anchor=(i / 2, 1 - j / 2),
                                fill=theme.brush(theme.BACKGROUND, 210),
                                border=theme.pen(theme.GENERATED, 1.0, alpha=160))
            label.setZValue(20)
            label.setVisible(False)
            plot.addItem(label, ignoreBounds=True)
            self.labels[(i, j)] = label

    def show(self, counts: np.ndarray | None, box: ViewBox, shown: bool) -> None:
        """Counts of generated points by direction ((3, 3), or None); all hidden unless
        `shown`."""
        shown = counts is not None and counts.shape == (3, 3) and shown
        total = int(counts.sum()) if shown else 0
        for (i, j), label in self.labels.items():
            count = int(counts[i, j]) if shown else 0
            label.setVisible(count > 0)
            if not count:
                continue
            text = f"{OFFSCREEN_ARROWS[(i, j)]} {count} of {total} off-screen"
            if label.toPlainText() != text:
                label.setText(text)
            label.setPos(*edge_position(box, i, j))
