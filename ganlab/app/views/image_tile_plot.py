"""One mosaic of images drawn in a pyqtgraph ViewBox, the colours of discriminator scores, and
the captioned plots the image view is made of.

A `TilePlot` owns one `ImageItem` and redraws it with one `setImage` per frame from a reused
buffer (see `image_mosaic.py`); it maps scene positions to tile indices for clicks and hovering,
and draws named outlines (the selected tile, interpolation ends, the travelling step) as
rectangle items that are created once and moved. The ViewBox shows mosaic pixels with y
pointing down, so mosaic (x, y) is view (x, y).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QGraphicsRectItem

from ganlab.app import theme
from ganlab.app.views.image_mosaic import Mosaic, MosaicLayout, tile_mosaic

LABEL_MIN_CELL_PX = 26  # outline labels ("A", "−b") show on cells at least this wide on screen


def hex_rgb(colour: str) -> np.ndarray:
    """'#rrggbb' → (3,) float array."""
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def score_colours(scores: np.ndarray, levels: tuple[float, float]) -> np.ndarray:
    """(n,) scores → (n, 3) uint8 frame colours: `levels[0]` and below is the generated purple
    ("looks fake"), `levels[1]` and above the real green ("looks real"), linear in between
    (so each channel is monotonic in the score); non-finite scores are muted grey."""
    low, high = levels
    scores = np.asarray(scores, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        t = np.clip((scores - low) / max(high - low, 1e-12), 0.0, 1.0)
    fake, real = hex_rgb(theme.GENERATED), hex_rgb(theme.REAL)
    colours = fake + t[:, None] * (real - fake)
    colours[~np.isfinite(scores)] = hex_rgb(theme.MUTED)
    return np.rint(colours).astype(np.uint8)


class TilePlot:
    """A mosaic of images in `view_box`, updated in place."""

    def __init__(self, view_box: pg.ViewBox, min_tile: int = 32, frame: int = 2, gap: int = 2):
        self.view_box = view_box
        view_box.setAspectLocked(True)
        view_box.invertY(True)  # mosaic row 0 at the top
        view_box.setMouseEnabled(x=False, y=False)
        view_box.setMenuEnabled(False)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        view_box.addItem(self.image_item)
        self.min_tile, self.frame, self.gap = min_tile, frame, gap
        self.mosaic: Mosaic | None = None
        self._background = tuple(int(v) for v in hex_rgb(theme.BACKGROUND))
        self._outlines: dict[str, tuple[QGraphicsRectItem, pg.TextItem | None]] = {}
        self._outlined: dict[str, int | None] = {}
        view_box.sigResized.connect(self._show_fitting_labels)

    @property
    def layout(self) -> MosaicLayout | None:
        return self.mosaic.layout if self.mosaic is not None else None

    def show(self, images: np.ndarray, rows: int, columns: int,
             frame_colours: np.ndarray | None = None) -> bool:
        """Draw `images` (n, c, h, w) on rows × columns; True if the layout changed (then the
        view is refitted and outlines move to their tiles' new places)."""
        old = self.layout
        buffer = self.mosaic.rgba if self.mosaic is not None else None
        self.mosaic = tile_mosaic(images, rows, columns, frame_colours=frame_colours,
                                  background=self._background, min_tile=self.min_tile,
                                  frame=self.frame, gap=self.gap, out=buffer)
        # uint8 RGBA with levels None: drawn as it is, no scaling pass
        self.image_item.setImage(self.mosaic.rgba, autoLevels=False, levels=None)
        self.image_item.setVisible(True)
        changed = self.mosaic.layout != old
        if changed:
            height, width, _ = self.mosaic.layout.shape
            self.view_box.setRange(QRectF(0, 0, width, height), padding=0.01)
            for name, index in self._outlined.items():
                self._place_outline(name, index)
        return changed

    def clear(self) -> None:
        """Show nothing (keeps the buffer for the next `show`)."""
        self.image_item.setVisible(False)
        for name in self._outlined:
            self._place_outline(name, None)
        self._outlined = dict.fromkeys(self._outlined)

    def tile_at_scene(self, scene_pos: QPointF) -> int | None:
        """The tile under a scene position, or None."""
        if self.mosaic is None or not self.image_item.isVisible():
            return None
        if not self.view_box.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.view_box.mapSceneToView(scene_pos)
        return self.mosaic.tile_at(point.x(), point.y())

    def tile_scene_centre(self, index: int) -> QPointF:
        """The scene position of tile `index`'s centre (for tests and tooltips)."""
        x, y, w, h = self.layout.rect(index)
        return self.view_box.mapViewToScene(QPointF(x + w / 2, y + h / 2))

    def outline(self, name: str, index: int | None, colour: str, text: str = "",
                width: float = 2.5) -> None:
        """Outline tile `index` with a rectangle called `name` (None hides it)."""
        if name not in self._outlines:
            rect = QGraphicsRectItem()
            rect.setPen(theme.pen(colour, width))
            rect.setZValue(10)
            self.view_box.addItem(rect, ignoreBounds=True)
            label = None
            if text:
                label = pg.TextItem(text, color=colour, anchor=(0, 0),
                                    fill=theme.brush(theme.BACKGROUND, 200))
                label.setZValue(11)
                self.view_box.addItem(label, ignoreBounds=True)
            self._outlines[name] = (rect, label)
        if self._outlined.get(name, -1) == index and name in self._outlined:
            return
        self._outlined[name] = index
        self._place_outline(name, index)

    def outlined(self, name: str) -> int | None:
        return self._outlined.get(name)

    def _place_outline(self, name: str, index: int | None) -> None:
        rect, label = self._outlines[name]
        layout = self.layout
        shown = index is not None and layout is not None and index < layout.count
        rect.setVisible(shown)
        if label is not None:
            label.setVisible(shown)
        if not shown:
            return
        x, y, w, h = layout.rect(index)
        margin = self.frame + 0.5  # around the score frame, inside the gap
        rect.setRect(QRectF(x - margin, y - margin, w + 2 * margin, h + 2 * margin))
        if label is not None:
            label.setPos(x - margin, y - margin)
            label.setVisible(self.labels_fit())

    def on_screen_cell(self) -> tuple[float, float]:
        """The width and height of one cell in screen pixels (0 before the first layout)."""
        layout = self.layout
        pixel_width, pixel_height = self.view_box.viewPixelSize()
        if layout is None or not pixel_width or not pixel_height:
            return 0.0, 0.0
        return layout.cell_width / pixel_width, layout.cell_height / pixel_height

    def labels_fit(self) -> bool:
        """Whether outline labels fit on a tile: on tiny tiles they would cover the
        neighbours, so then only the rectangles show."""
        return self.on_screen_cell()[0] >= LABEL_MIN_CELL_PX

    def _show_fitting_labels(self, *_) -> None:
        for name, index in self._outlined.items():
            self._place_outline(name, index)


class Caption(pg.LabelItem):
    """A label that may be narrower than its text, so that long captions never widen the view
    (compare mode gives each run half the width): a text wider than the label is shown cut
    with "…" rather than running into its neighbour. `text` stays the full text."""

    def setText(self, text, **args):  # pyqtgraph's name
        self.shown = text
        super().setText(text, **args)
        self._elide()

    def updateMin(self):  # pyqtgraph's name
        super().updateMin()
        self.setMinimumWidth(0)
        self._sizeHint[Qt.SizeHint.MinimumSize] = (0, self._sizeHint[Qt.SizeHint.MinimumSize][1])

    def resizeEvent(self, event):  # Qt's name
        super().resizeEvent(event)
        if hasattr(self, "shown"):
            self._elide()

    def _elide(self) -> None:
        """Draw the text cut to the label's width (`shown`); `text` stays the full text."""
        width = self.size().width() - 4
        if width <= 0:
            return
        font = QFont(self.item.font())
        font.setPointSizeF(float(str(self.opts.get("size", "11pt")).removesuffix("pt")))
        full = self.text
        shown = QFontMetricsF(font).elidedText(full, Qt.TextElideMode.ElideRight, width)
        if shown != self.shown:
            self.shown = shown
            pg.LabelItem.setText(self, shown)  # styled as before; calls resizeEvent: no loop
            self.text = full


def captioned_plot(layout: pg.GraphicsLayout, row: int, col: int, title: str,
                   points: int = theme.BASE_POINT_SIZE) -> tuple[pg.PlotItem, Caption]:
    """A captioned plot for one mosaic: caption at (row, col) in `points`, the plot below."""
    caption = Caption(title, color=theme.NEUTRAL_TEXT, size=f"{points}pt")
    layout.addItem(caption, row=row, col=col)
    plot = layout.addPlot(row=row + 1, col=col)
    plot.hideButtons()
    plot.hideAxis("bottom")
    plot.hideAxis("left")
    axis = plot.getAxis("left")
    axis.setTickFont(theme.axis_font())
    axis.setTextPen(theme.NEUTRAL_TEXT)
    axis.setPen(theme.pen(theme.BACKGROUND, 1))
    axis.setStyle(tickLength=0)
    return plot, caption
