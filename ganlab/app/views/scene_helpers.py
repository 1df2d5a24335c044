"""Qt helpers for the data canvas's scene: painting rarely-changing items once into pixmaps, and
placing a grid-sampled field (i, j) at the data coordinates of its cells."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QTransform
from PySide6.QtWidgets import QGraphicsItem

from ganlab.core.targets import ViewBox


def cache_static_items(view: pg.GraphicsLayoutWidget) -> None:
    """Axes, titles and legends rarely change: paint them once into pixmaps (text is slow)."""
    for item in view.scene().items():
        if isinstance(item, (pg.AxisItem, pg.LabelItem, pg.LegendItem)) or (
            item.parentItem() is not None and isinstance(item.parentItem(), pg.LegendItem)
        ):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def grid_transform(box: ViewBox, resolution: int) -> QTransform:
    """Maps grid indices (i, j) to the data coordinates of cell centres."""
    dx = (box.high[0] - box.low[0]) / resolution
    dy = (box.high[1] - box.low[1]) / resolution
    transform = QTransform()
    transform.translate(box.low[0] + 0.5 * dx, box.low[1] + 0.5 * dy)
    transform.scale(dx, dy)
    return transform
