"""Pictures of views: a pyqtgraph widget's whole scene as PNG or SVG (GUI thread only).

PNG goes through pyqtgraph's ImageExporter. SVG is rendered by Qt's own QSvgGenerator:
pyqtgraph 0.14's SVGExporter fails on the path data Qt 6 writes (a ValueError while it
rewrites `<path d=...>` coordinates).
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

PICTURE_SUFFIXES = (".png", ".svg")


class PictureError(ValueError):
    """A picture could not be written (a wrong suffix, an unwritable folder)."""


def save_picture(widget, path: str | Path) -> Path:
    """Write the scene of `widget` (a pyqtgraph GraphicsView) as PNG or SVG, by the suffix."""
    import pyqtgraph.exporters as exporters

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PICTURE_SUFFIXES:
        raise PictureError(f"{path}: pictures are saved as .png or .svg")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".png":
            exporters.ImageExporter(widget.scene()).export(str(path))
        else:
            _save_svg(widget, path)
    except OSError as error:
        raise PictureError(f"{path}: {error.strerror or error}") from None
    if not path.exists() or path.stat().st_size == 0:
        raise PictureError(f"{path}: the picture could not be written")
    return path


def _save_svg(widget, path: Path) -> None:
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    size = widget.size()
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(size.width(), size.height()))
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setTitle("ganlab")
    painter = QPainter(generator)
    try:
        widget.render(painter)
    finally:
        painter.end()
