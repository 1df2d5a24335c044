"""Room in Qt's pixmap cache for the canvases' cached layers.

The data canvas keeps its slow-changing items (the D heatmap, the real samples, the density
contours, axes and legends) as pixmaps at device resolution (`QGraphicsItem`'s
DeviceCoordinateCache), blitted under the moving samples at every frame. Those pixmaps live in
`QPixmapCache`, whose default limit is 10 MiB: one canvas of 900×820 pixels already needs more
(the heatmap alone is ~2.4 MiB), so the pixmaps evicted one another and every item was painted
again at every frame: a repaint took ~28 ms of CPU instead of ~6 ms (`benchmarks/draw_cost.py`
notes). The limit is raised to hold every cached item of two canvases at the size of the largest
screen, with a floor for small or virtual screens.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QPixmapCache

MIN_LIMIT_KB = 64 * 1024
SCREENFULS = 6  # cached items × canvases, as fractions of a screen: ~4 per canvas at ~¾ screen
BYTES_PER_PIXEL = 4  # ARGB32


def needed_limit_kb(screen_pixels: float) -> int:
    """max(64 MiB, SCREENFULS screens of ARGB32 pixels) in KiB."""
    return max(MIN_LIMIT_KB, int(SCREENFULS * screen_pixels * BYTES_PER_PIXEL / 1024))


def size_pixmap_cache() -> int:
    """Raise `QPixmapCache`'s limit to `needed_limit_kb` of the largest screen (never lower
    it); returns the limit in KiB."""
    pixels = 0.0
    for screen in QGuiApplication.screens():
        size, ratio = screen.size(), screen.devicePixelRatio()
        pixels = max(pixels, size.width() * size.height() * ratio * ratio)
    limit = max(QPixmapCache.cacheLimit(), needed_limit_kb(pixels))
    QPixmapCache.setCacheLimit(limit)
    return limit
