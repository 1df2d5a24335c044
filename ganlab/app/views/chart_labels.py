"""Labels of a chart's reference lines, in a margin right of the plot, never over the curves.

A chart's horizontal reference lines (an objective's equilibrium losses, JS's ceiling, W1's
floor, an image metric's real-vs-real value) sit where the curves converge, so labels drawn on
the lines hid the curves and, in a chart a hundred pixels high, each other. Here each label
stands in a column beside the view box, level with its line, in the line's colour, joined to
it by a short leader; labels that would touch are pushed apart vertically (the leaders show
which line each belongs to). The column is as wide as its longest label and absent when no
line is shown. An optional caption (rotated, like an axis label) says what the values are.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsSimpleTextItem

from ganlab.app import theme

LEADER = 8.0  # pixels of leader between the view box's edge and a label
GAP = 1.0  # pixels kept between two labels


def spread(centres: list[float], heights: list[float], top: float, bottom: float,
           gap: float = GAP) -> list[float]:
    """Top edges for labels wanted at `centres` (sorted top-down) so that no two overlap and
    all stay within [top, bottom] when they fit: each moves as little as this greedy sweep
    (down, then back up from the bottom edge) allows."""
    tops: list[float] = []
    for centre, height in zip(centres, heights, strict=True):
        wanted = max(centre - height / 2, top)
        tops.append(wanted if not tops else max(wanted, tops[-1] + heights[len(tops) - 1] + gap))
    limit = bottom
    for index in range(len(tops) - 1, -1, -1):
        tops[index] = max(min(tops[index], limit - heights[index]), top)
        limit = tops[index] - gap
    return tops


class ReferenceLabels(pg.GraphicsWidget):
    """The label column of one plot; `set_label(line, text)` shows or hides a line's label."""

    def __init__(self, plot: pg.PlotItem, caption: str = ""):
        super().__init__()
        self.plot = plot
        self.font = theme.axis_font()
        self._entries: dict[pg.InfiniteLine, tuple[QGraphicsSimpleTextItem,
                                                   QGraphicsLineItem]] = {}
        # read top to bottom, like the label of a right-hand axis
        self._caption = QGraphicsSimpleTextItem(self)
        self._caption.setFont(self.font)
        self._caption.setBrush(QColor(theme.MUTED))
        self._caption.setRotation(90)
        self._caption_text = caption
        plot.layout.addItem(self, 2, 3)  # right of the right axis' cell, level with the view
        # the title may use the whole width, axis and column too (a title's width is its
        # plot's minimum: a title wider than the plot would push the charts over each other)
        plot.layout.removeItem(plot.titleLabel)
        plot.layout.addItem(plot.titleLabel, 0, 0, 1, 4)
        plot.vb.sigYRangeChanged.connect(self.place)
        plot.vb.sigResized.connect(self.place)
        self.geometryChanged.connect(self.place)
        self._fit_width()

    def text_of(self, line: pg.InfiniteLine) -> str | None:
        """The label shown for `line`, None when it has none."""
        entry = self._entries.get(line)
        return entry[0].text() if entry and entry[0].isVisibleTo(self) else None

    def label_rects(self) -> list[QRectF]:
        """The shown labels' rectangles in scene coordinates (to check they never overlap)."""
        return [text.mapRectToScene(text.boundingRect())
                for text, _ in self._entries.values() if text.isVisibleTo(self)]

    def set_caption(self, caption: str) -> None:
        if caption != self._caption_text:
            self._caption_text = caption
            self._fit_width()

    def set_label(self, line: pg.InfiniteLine, text: str | None, colour: str) -> None:
        """Label `line` with `text` in `colour` (None: no label, e.g. for a hidden line)."""
        if line not in self._entries:
            label = QGraphicsSimpleTextItem(self)
            label.setFont(self.font)
            leader = QGraphicsLineItem(self)
            self._entries[line] = (label, leader)
        label, leader = self._entries[line]
        shown = text is not None
        changed = shown != label.isVisibleTo(self)
        if shown and (label.text() != text or label.brush().color() != QColor(colour)):
            label.setText(text)
            label.setBrush(QColor(colour))
            leader.setPen(QPen(QColor(colour), 1.0))
            changed = True
        label.setVisible(shown)
        leader.setVisible(shown)
        if changed:
            self._fit_width()

    def _fit_width(self) -> None:
        texts = [label.boundingRect().width() for label, _ in self._entries.values()
                 if label.isVisibleTo(self)]
        caption = self._caption_text if texts else ""
        if self._caption.text() != caption:
            self._caption.setText(caption)
        self._caption.setVisible(bool(caption))
        caption_width = self._caption.boundingRect().height() + 2 if caption else 0.0
        width = (LEADER + 2 + max(texts) + 2 + caption_width) if texts else 0.0
        if self.maximumWidth() != width or self.minimumWidth() != width:
            self.setMinimumWidth(width)
            self.setMaximumWidth(width)
        self.setVisible(bool(texts))
        self.place()

    def place(self, *_) -> None:
        """Put each label level with its line, spread so that none touches another."""
        shown = [(line, label, leader) for line, (label, leader) in self._entries.items()
                 if label.isVisibleTo(self)]
        if not shown:
            return
        vb = self.plot.vb
        wanted = []
        for line, label, leader in shown:
            y = self.mapFromScene(vb.mapViewToScene(QPointF(0.0, line.value()))).y()
            wanted.append((y, line, label, leader))
        wanted.sort(key=lambda entry: entry[0])
        box = self.mapRectFromScene(vb.sceneBoundingRect())
        heights = [label.boundingRect().height() for _, _, label, _ in wanted]
        tops = spread([entry[0] for entry in wanted], heights, box.top(), box.bottom())
        for (y, _, label, leader), top, height in zip(wanted, tops, heights, strict=True):
            label.setPos(LEADER + 2, top)
            leader.setLine(0.0, y, LEADER, top + height / 2)
        if self._caption.isVisibleTo(self):  # rotated: its height runs along x, its width along y
            length = self._caption.boundingRect().width()
            self._caption.setPos(self.size().width(), box.center().y() - length / 2)


__all__ = ["ReferenceLabels", "spread"]
