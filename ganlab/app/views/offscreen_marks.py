"""Markers for generated points that lie outside the view: at the edge they left by, an arrow
and a count ("→ 312 of 512 off-screen"), drawn inside the view.

While the samples move, a label's count changes at almost every frame (~27 a second): its text
is written at most every `TEXT_INTERVAL_S` while it stays shown (as the status bar's counters),
and each label is kept as a pixmap between changes, so an unchanged label is blitted instead of
laid out and drawn again at every repaint of the canvas (~1 ms of the window's CPU per frame
with four labels shown). A label that appears gets its text at once.

Labels that share an edge (the three along the bottom, the three along the top) or the middle
row (left and right) would overlap in a narrow view, such as compare mode at 1366×768: each
sits a label's height (`STEP_PX`) further inside than its neighbour, so no two share a line.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

from ganlab.app import theme
from ganlab.app.views.canvas_shapes import edge_position
from ganlab.core.targets import ViewBox

STEP_PX = 26  # the vertical step between labels of one edge or row: a label's height and a gap
TEXT_INTERVAL_S = 0.25  # a shown label's count changes at most four times a second
FALLBACK_STEP = 0.09  # of the view's height, before the view has a size in pixels
OFFSCREEN_ARROWS = {(0, 0): "↙", (1, 0): "↓", (2, 0): "↘", (0, 1): "←", (2, 1): "→",
                    (0, 2): "↖", (1, 2): "↑", (2, 2): "↗"}


class OffscreenMarks:
    """One hidden label per direction on `plot`; `labels` maps (i, j) to it (see
    `Snapshot.outside_counts` for i, j); `clock` is injectable for tests."""

    def __init__(self, plot: pg.PlotItem, clock: Callable[[], float] = time.perf_counter):
        self._plot = plot
        self._clock = clock
        self._written: dict[tuple[int, int], float] = {}  # when each label's text was set
        self.labels: dict[tuple[int, int], pg.TextItem] = {}
        for (i, j) in OFFSCREEN_ARROWS:
            # anchor: a left-edge label hangs right of its point, and so on
            label = pg.TextItem(color=theme.GENERATED, anchor=(i / 2, 1 - j / 2),
                                fill=theme.brush(theme.BACKGROUND, 210),
                                border=theme.pen(theme.GENERATED, 1.0, alpha=160))
            label.setZValue(20)
            for item in (label, label.textItem):  # its box, and its text (a child item)
                item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            label.setVisible(False)
            plot.addItem(label, ignoreBounds=True)
            self.labels[(i, j)] = label

    def show(self, counts: np.ndarray | None, box: ViewBox, shown: bool) -> None:
        """Counts of generated points by direction ((3, 3), or None); all hidden unless
        `shown`."""
        shown = counts is not None and counts.shape == (3, 3) and shown
        total = int(counts.sum()) if shown else 0
        step = self._step(box)
        now = self._clock()
        for (i, j), label in self.labels.items():
            count = int(counts[i, j]) if shown else 0
            appears = count > 0 and not label.isVisible()
            label.setVisible(count > 0)
            if not count:
                continue
            text = f"{OFFSCREEN_ARROWS[(i, j)]} {count} of {total} off-screen"
            due = appears or now - self._written.get((i, j), -np.inf) >= TEXT_INTERVAL_S
            if due and label.toPlainText() != text:
                label.setText(text)
                self._written[(i, j)] = now
            position = staggered_position(box, i, j, step)
            if (label.pos().x(), label.pos().y()) != position:
                label.setPos(*position)

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
