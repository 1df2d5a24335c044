"""The row under the image grids: a selected generated image beside its nearest training image
(the memorisation check), the latent interpolation path from A to B with its travelling step,
and latent arithmetic a − b + c = G(z_a − z_b + z_c). Each is a captioned `TilePlot`; the
captions say what is shown (straight or slerp, the class a conditional run draws in)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ganlab.app import theme
from ganlab.app.views.image_arrangement import class_name
from ganlab.app.views.image_tile_plot import Caption, TilePlot, captioned_plot, hex_rgb

NEAREST_HINT = "Click: nearest real"
PATH_HINT = "Shift+click 2: A → B"
ARITHMETIC_HINT = "Ctrl+click 3: a − b + c"
CAPTION_POINTS = theme.BASE_POINT_SIZE - 1  # three captions share one line
ARITHMETIC_COLOUR = theme.GENERATOR
ARITHMETIC_MARKS = ("a", "−b", "+c", "=")


class DetailRow:
    """The three captioned plots of the row, in `layout` (a pyqtgraph GraphicsLayout)."""

    def __init__(self, layout: pg.GraphicsLayout):
        self.nearest_plot, self.nearest_caption = captioned_plot(layout, 0, 0, NEAREST_HINT,
                                                                 CAPTION_POINTS)
        self.path_plot, self.path_caption = captioned_plot(layout, 0, 1, PATH_HINT,
                                                           CAPTION_POINTS)
        self.arithmetic_plot, self.arithmetic_caption = captioned_plot(
            layout, 0, 2, ARITHMETIC_HINT, CAPTION_POINTS)
        for column, stretch in enumerate((2, 4, 3)):  # 2, 10 and 4 images
            layout.layout.setColumnStretchFactor(column, stretch)
        self.nearest = TilePlot(self.nearest_plot.vb, min_tile=64, frame=3, gap=8)
        self.path = TilePlot(self.path_plot.vb)
        self.arithmetic = TilePlot(self.arithmetic_plot.vb, gap=8)
        self.path_steps = 0

    def show_nearest(self, snapshot, index: int | None, names: tuple[str, ...]) -> None:
        """Generated image `index` of `snapshot` beside its nearest training image."""
        if snapshot is None or index is None:
            self.nearest.clear()
            _caption(self.nearest_caption, NEAREST_HINT)
            return
        nearest = getattr(snapshot, "nearest_real", None)
        distances = getattr(snapshot, "nearest_distance", None)
        colours = np.array([hex_rgb(theme.GENERATED), hex_rgb(theme.REAL)], dtype=np.uint8)
        if nearest is None:
            self.nearest.show(snapshot.fake[index:index + 1], 1, 1, colours[:1])
            _caption(self.nearest_caption, f"Image {index}: no nearest image in this frame")
            return
        pair = np.stack([snapshot.fake[index], nearest[index]])
        self.nearest.show(pair, 1, 2, colours)
        distance = float(distances[index]) if distances is not None else float("nan")
        text = "nearest real"
        labels = getattr(snapshot, "nearest_labels", None)
        if labels is not None:
            text += f" ({class_name(int(labels[index]), names)})"
        _caption(self.nearest_caption, f"{text}: distance "
                 + (f"{distance:.2f}" if np.isfinite(distance) else "—"))

    def show_path(self, path: np.ndarray | None, request, names: tuple[str, ...]) -> None:
        """The interpolation row; `request` is the view's last `Interpolation` (or None)."""
        if path is None or path.ndim != 4 or not len(path):
            self.path_steps = 0
            self.path.clear()
            _caption(self.path_caption, PATH_HINT)
            return
        self.path_steps = len(path)
        self.path.show(path, 1, len(path))
        how = "slerp" if request is not None and request.spherical else "straight"
        text = f"A → B, {how}"
        if request is not None and request.label is not None:
            text += f", class {class_name(request.label, names)}"
        _caption(self.path_caption, text)

    def move_traveller(self, t: float) -> None:
        """Outline the interpolation step nearest fraction t ∈ [0, 1] of the path."""
        if self.path_steps:
            step = round(min(max(t, 0.0), 1.0) * (self.path_steps - 1))
            self.path.outline("traveller", step, theme.INTERPOLATION)

    def show_arithmetic(self, images: np.ndarray | None, request,
                        names: tuple[str, ...]) -> None:
        """G(z_a), G(z_b), G(z_c) and G(z_a − z_b + z_c), marked a, −b, +c, =."""
        if images is None or images.ndim != 4 or len(images) != 4:
            self.arithmetic.clear()
            _caption(self.arithmetic_caption, ARITHMETIC_HINT)
            return
        self.arithmetic.show(images, 1, 4)
        for index, mark in enumerate(ARITHMETIC_MARKS):
            self.arithmetic.outline(f"term {index}", index, ARITHMETIC_COLOUR, text=mark,
                                    width=1.0)
        text = "G(z_a − z_b + z_c)"
        arithmetic = request.arithmetic if request is not None else None
        if arithmetic is not None and arithmetic.labels is not None:
            text += f", class {class_name(arithmetic.labels[2], names)}"
        _caption(self.arithmetic_caption, text)


def _caption(caption: Caption, text: str) -> None:
    if caption.text != text:
        caption.setText(text)
