"""Colours, pens and fonts shared by every view, so real and generated look the same everywhere.

Real data is green and generated data is purple in every plot, thumbnail and legend. Heatmaps of
the discriminator use one diverging colour map whose ends are the same two hues: D(x) = 1
("looks real") is green, D(x) = 0 ("looks generated") is purple, ½ is a neutral dark grey.
Run B of compare mode draws its curves dashed in the same colours as run A.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

REAL = "#3ddc84"  # real samples, p_data
GENERATED = "#c77dff"  # generated samples, p_g
DISCRIMINATOR = "#ffb347"  # D loss, the discriminator box of the diagram
GENERATOR = "#5ec8ff"  # G loss, the generator box of the diagram
GRADIENT = "#ffe066"  # generator gradient arrows
DENSITY = "#f0f0f0"  # target density curve (1D)
DENSITY_CONTOUR = "#9fb3c8"  # target density contours (2D): a quiet blue-grey
BOUNDARY = "#ffffff"  # D* = ½
INTERPOLATION = "#ff6b6b"  # latent interpolation path and its travelling point
NEUTRAL_TEXT = "#d8d8d8"
BACKGROUND = "#1b1d23"
PANEL = "#23262e"
MUTED = "#8a8f98"

#: extra series of the charts
JS_COLOUR = "#ff8fab"
KL_COLOUR = "#9ad1d4"
W1_COLOUR = "#f6bd60"
MODES_COLOUR = REAL
HIGH_QUALITY_COLOUR = "#a0c4ff"

BASE_POINT_SIZE = 11  # application font, in points: readable on a projector


def heatmap_colormap() -> pg.ColorMap:
    """Purple (0: looks generated) → dark grey (½) → green (1: looks real)."""
    positions = np.array([0.0, 0.5, 1.0])
    colours = [
        QColor("#5a2a86"),  # a darker purple than the points, so points stay visible
        QColor("#2a2c33"),
        QColor("#1f6b45"),
    ]
    return pg.ColorMap(positions, colours)


def density_colormap() -> pg.ColorMap:
    """Dark → light grey, for the target density when shown alone."""
    return pg.ColorMap(np.array([0.0, 1.0]), [QColor("#1b1d23"), QColor("#e0e0e0")])


def pen(colour: str, width: float = 2.0, dashed: bool = False, alpha: int = 255) -> object:
    """A cosmetic pen of `width` pixels; dashed for run B of compare mode."""
    qcolour = QColor(colour)
    qcolour.setAlpha(alpha)
    result = pg.mkPen(qcolour, width=width)
    if dashed:
        result.setStyle(Qt.PenStyle.DashLine)
    return result


def brush(colour: str, alpha: int = 255) -> object:
    qcolour = QColor(colour)
    qcolour.setAlpha(alpha)
    return pg.mkBrush(qcolour)


def apply_theme(app: QApplication) -> None:
    """Dark Fusion palette, a readable base font, and pyqtgraph defaults to match."""
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: PANEL,
        QPalette.ColorRole.WindowText: NEUTRAL_TEXT,
        QPalette.ColorRole.Base: BACKGROUND,
        QPalette.ColorRole.AlternateBase: PANEL,
        QPalette.ColorRole.ToolTipBase: "#30343d",
        QPalette.ColorRole.ToolTipText: "#f0f0f0",
        QPalette.ColorRole.Text: NEUTRAL_TEXT,
        QPalette.ColorRole.Button: "#2d313a",
        QPalette.ColorRole.ButtonText: NEUTRAL_TEXT,
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: "#4a6fa5",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: MUTED,
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(MUTED))
    app.setPalette(palette)
    font = QFont(app.font())
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    pg.setConfigOptions(antialias=True, background=BACKGROUND, foreground=NEUTRAL_TEXT)


def axis_font() -> QFont:
    font = QFont()
    font.setPointSize(BASE_POINT_SIZE - 1)
    return font


def style_plot(plot_item: pg.PlotItem, title: str = "", x_label: str = "",
               y_label: str = "") -> None:
    """Readable axes and title for one plot."""
    if title:
        plot_item.setTitle(title, color=NEUTRAL_TEXT, size=f"{BASE_POINT_SIZE + 1}pt")
    for name, label in (("bottom", x_label), ("left", y_label)):
        axis = plot_item.getAxis(name)
        axis.setTickFont(axis_font())
        axis.setTextPen(NEUTRAL_TEXT)
        if label:
            axis.setLabel(label, color=NEUTRAL_TEXT, **{"font-size": f"{BASE_POINT_SIZE}pt"})
    plot_item.showGrid(x=True, y=True, alpha=0.15)
