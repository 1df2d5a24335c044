"""Small pictures of targets for the gallery: a 2D histogram of samples, or a 1D density curve."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QPolygonF

from ganlab.app import theme
from ganlab.core.targets import Target

THUMBNAIL_SIZE = 72
THUMBNAIL_SAMPLES = 4000


def target_thumbnail(target: Target, size: int = THUMBNAIL_SIZE) -> QPixmap:
    """The target's picture from `THUMBNAIL_SAMPLES` numpy samples (the window has no torch)."""
    samples = target.sample_numpy(THUMBNAIL_SAMPLES, np.random.default_rng(3))
    return points_thumbnail(samples, target.view_box.low, target.view_box.high, size)


def images_thumbnail(images: np.ndarray, size: int = THUMBNAIL_SIZE) -> QPixmap:
    """A 3×3 mosaic of (n ≥ 9, c, h, w) images in [0, 1], white on the dark background."""
    tiles = np.nan_to_num(images[:9]).clip(0, 1).mean(axis=1)  # gray (9, h, w)
    side = tiles.shape[-1]
    board = np.zeros((3 * side + 2, 3 * side + 2))
    for index, tile in enumerate(tiles):
        row, column = divmod(index, 3)
        board[row * (side + 1): row * (side + 1) + side,
              column * (side + 1): column * (side + 1) + side] = tile
    scale = max(1, size // board.shape[0])
    board = np.kron(board, np.ones((scale, scale)))
    background = np.array(QColor(theme.BACKGROUND).getRgb()[:3], dtype=float)
    rgb = background + board[..., None] * (255.0 - background)
    height, width = board.shape
    image = np.empty((height, width, 4), dtype=np.uint8)
    image[..., :3] = rgb.astype(np.uint8)
    image[..., 3] = 255
    qimage = QImage(image.data, width, height, 4 * width, QImage.Format.Format_RGBA8888)
    return QPixmap.fromImage(qimage.copy()).scaled(size, size)


def points_thumbnail(samples: np.ndarray, low, high, size: int = THUMBNAIL_SIZE) -> QPixmap:
    """Green-on-dark picture of 2D points, or a histogram outline of 1D points."""
    if samples.shape[1] == 1:
        return _line_thumbnail(samples[:, 0], low[0], high[0], size)
    counts, _, _ = np.histogram2d(samples[:, 0], samples[:, 1], bins=size,
                                  range=[[low[0], high[0]], [low[1], high[1]]])
    intensity = np.sqrt(counts / max(counts.max(), 1.0))  # sqrt: faint regions stay visible
    green = QColor(theme.REAL)
    background = np.array(QColor(theme.BACKGROUND).getRgb()[:3], dtype=float)
    colour = np.array(green.getRgb()[:3], dtype=float)
    rgb = background + intensity[..., None] * (colour - background)
    image = np.empty((size, size, 4), dtype=np.uint8)
    image[..., :3] = np.transpose(rgb, (1, 0, 2))[::-1]  # rows = y, top row = high y
    image[..., 3] = 255
    qimage = QImage(image.data, size, size, 4 * size, QImage.Format.Format_RGBA8888)
    return QPixmap.fromImage(qimage.copy())


def _line_thumbnail(values: np.ndarray, low: float, high: float, size: int) -> QPixmap:
    counts, _ = np.histogram(values, bins=36, range=(low, high))
    heights = counts / max(counts.max(), 1)
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(theme.BACKGROUND))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    xs = np.linspace(3, size - 3, len(heights))
    ys = size - 6 - heights * (size - 16)
    polygon = QPolygonF([QPointF(3, size - 6)] + [QPointF(x, y) for x, y in zip(xs, ys,
                        strict=True)] + [QPointF(size - 3, size - 6)])
    fill = QColor(theme.REAL)
    fill.setAlpha(90)
    painter.setBrush(fill)
    painter.setPen(QPen(QColor(theme.REAL), 1.5))
    painter.drawPolygon(polygon)
    painter.setPen(QPen(QColor(theme.MUTED), 1.0))
    painter.drawLine(2, size - 6, size - 2, size - 6)
    painter.end()
    return pixmap


def glyph_thumbnail(text: str, size: int = THUMBNAIL_SIZE) -> QPixmap:
    """A pictogram for the "draw your own" and "load points…" entries."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(theme.BACKGROUND))
    painter = QPainter(pixmap)
    painter.setPen(QColor(theme.REAL))
    font = painter.font()
    font.setPointSize(int(size * 0.38))
    painter.setFont(font)
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap
