"""Markers for generated points that lie outside the view: at the edge they left by, an arrow
and a count ("→ 312 of 512 off-screen"), drawn inside the view.

Labels that share an edge (the three along the bottom, the three along the top) or the middle
row (left and right) would overlap in a narrow view, such as compare mode at 1366×768: each
sits a label's height (`STEP_PX`) further inside than its neighbour, so no two share a line.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ganlab.app import theme
from ganlab.app.views.canvas_shapes import edge_position
from ganlab.core.targets import ViewBox

STEP_PX = 26  # the vertical step between labels of one edge or row: a label's height and a gap
FALLBACK_STEP = 0.09  # of the view's height, before the view has a size in pixels
OFFSCREEN_ARROWS = {(0, 0): "↙", (1, 0): "↓", (2, 0): "↘", (0, 1): "←", (2, 1): "→",
                    (0, 2): "↖", (1, 2): "↑", (2, 2): "↗"}


class OffscreenMarks:
    """One hidden label per direction on `plot`; `labels` maps (i, j) to it (see
    `Snapshot.outside_counts` for i, j)."""

    def __init__(self, plot: pg.PlotItem):
        self._plot = plot
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
        step = self._step(box)
        for (i, j), label in self.labels.items():
            count = int(counts[i, j]) if shown else 0
            label.setVisible(count > 0)
            if not count:
                continue
            text = f"{OFFSCREEN_ARROWS[(i, j)]} {count} of {total} off-screen"
            if label.toPlainText() != text:
                label.setText(text)
            label.setPos(*staggered_position(box, i, j, step))

    def _step(self, box: ViewBox) -> float:
        """`STEP_PX` in data units (the view's scale), or a share of the box before layout."""
        pixel = self._plot.getViewBox().viewPixelSize()[1]
        if np.isfinite(pixel) and pixel > 0:
            return STEP_PX * pixel
        return FALLBACK_STEP * (box.high[1] - box.low[1])


def staggered_position(box: ViewBox, i: int, j: int, step: float) -> tuple[float, float]:
    """Where the label for direction (i, j) hangs: at its edge, moved inside by i steps along
    the bottom and top edges (left corner on the edge, then the middle, then the right corner),
    and, in the middle row, the left label above the centre and the right one below it."""
    x, y = edge_position(box, i, j)
    if j == 0:
        y += i * step
    elif j == 2:
        y -= i * step
    else:
        y += step / 2 if i == 0 else -step / 2
    return x, y
