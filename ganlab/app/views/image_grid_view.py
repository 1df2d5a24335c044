"""The view of image targets: generated images beside real ones, scored by the discriminator.

Top left, G of the fixed latent batch (so frame-to-frame change is training, not resampling);
for conditional runs one row per class, named at the row's left. Top right, real images (by
class too when labelled). Each tile's frame is D's score on it: real green ("looks real") to
generated purple ("looks fake") over the snapshot's `heatmap_levels`, or levels adapted to the
shown scores when those are None. Below: the selected generated tile beside its nearest training
image and their distance (the memorisation check), and the latent interpolation path, whose
step nearest the app's travelling t is outlined.

Clicking a generated tile selects it. Shift-clicking two (or clicking with "Pick ends" on)
emits `interpolation_chosen(z_start, z_end)` with their latent rows; the view never changes
the run itself. Each grid is one `ImageItem` redrawn with one `setImage` per frame.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ganlab.app import theme
from ganlab.app.heatmap_scale import HeatmapScale
from ganlab.app.views.image_arrangement import arrange_generated, arrange_real, class_name
from ganlab.app.views.image_tile_plot import TilePlot, hex_rgb, score_colours
from ganlab.training.frame import RunFrame

REAL_LIMIT = 64  # real tiles shown beside an unconditional grid, at most
NEAREST_HINT = "Click an image: its nearest real one"
PATH_HINT = "Shift+click two images: interpolate"


class Caption(pg.LabelItem):
    """A label that may be narrower than its text (the text then overflows its column), so
    that long captions never widen the view: compare mode gives each run half the width."""

    def updateMin(self):  # pyqtgraph's name
        super().updateMin()
        self.setMinimumWidth(0)
        self._sizeHint[Qt.SizeHint.MinimumSize] = (0, self._sizeHint[Qt.SizeHint.MinimumSize][1])


def _grid_plot(layout: pg.GraphicsLayout, row: int, col: int,
               title: str) -> tuple[pg.PlotItem, Caption]:
    """A captioned plot for one mosaic: caption at (row, col), the plot below it."""
    caption = Caption(title, color=theme.NEUTRAL_TEXT, size=f"{theme.BASE_POINT_SIZE}pt")
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


class ImageGridView(QWidget):
    """One run's view of image data."""

    interpolation_chosen = Signal(object, object)  # z_start, z_end: (latent_dim,) arrays

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(320, 300)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(theme.BACKGROUND)
        self.title = Caption("", color=theme.NEUTRAL_TEXT,
                             size=f"{theme.BASE_POINT_SIZE + 1}pt")
        self.graphics.addItem(self.title, row=0, col=0, colspan=2)
        self.generated_plot, _ = _grid_plot(self.graphics.ci, 1, 0, "Generated G(z), fixed z")
        self.real_plot, _ = _grid_plot(self.graphics.ci, 1, 1, "Real data")
        bottom = self.graphics.addLayout(row=3, col=0, colspan=2)
        self.nearest_plot, self.nearest_caption = _grid_plot(bottom, 0, 0, NEAREST_HINT)
        self.path_plot, self.path_caption = _grid_plot(bottom, 0, 1, PATH_HINT)
        bottom.layout.setColumnStretchFactor(0, 1)
        bottom.layout.setColumnStretchFactor(1, 1)
        self.graphics.ci.layout.setRowStretchFactor(2, 4)
        self.graphics.ci.layout.setRowStretchFactor(3, 1)
        self.generated = TilePlot(self.generated_plot.vb)
        self.real = TilePlot(self.real_plot.vb)
        self.nearest = TilePlot(self.nearest_plot.vb, min_tile=64, frame=3, gap=8)
        self.path = TilePlot(self.path_plot.vb)
        self.readout = QLabel("")
        self.readout.setStyleSheet(f"color: {theme.NEUTRAL_TEXT};")
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.pick_ends = QPushButton("Pick ends")
        self.pick_ends.setCheckable(True)
        self.pick_ends.setToolTip("While on, clicks choose the two ends of a latent "
                                  "interpolation (as Shift+click does)")
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 0, 6, 2)
        bar.addWidget(self.readout, 1)
        bar.addWidget(self.pick_ends)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.graphics, 1)
        column.addLayout(bar)
        self.graphics.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._scale = HeatmapScale()
        self._snapshot = None
        self._real_indices = np.zeros(0, dtype=np.int64)
        self._row_labels: tuple[str, ...] = ()
        self._selected: int | None = None
        self._ends: list[int] = []
        self._hovered: tuple[str, int] | None = None
        self._path_steps = 0
        self._title = None

    # ---------------------------------------------------------------- the common view surface
    def set_title(self, text: str) -> None:
        if text != self._title:
            self._title = text
            self.title.setText(text)

    def restart(self) -> None:
        """Forget the adaptive score levels (the networks restarted)."""
        self._scale.reset()

    def show_run(self, run: RunFrame) -> None:
        """Draw one frame's snapshot of an image target; other kinds of data are ignored."""
        snapshot = run.snapshot
        if getattr(snapshot, "data_kind", "points") != "images" or snapshot.fake.ndim != 4:
            return
        self._snapshot = snapshot
        fake_scores = getattr(snapshot, "fake_scores", None)
        real_scores = getattr(snapshot, "real_scores", None)
        shown = [s for s in (fake_scores, real_scores) if s is not None]
        levels = self._scale.levels(np.concatenate(shown), snapshot.heatmap_levels) \
            if shown else None
        grid = arrange_generated(len(snapshot.fake), getattr(snapshot, "fake_labels", None),
                                 tuple(getattr(snapshot, "class_names", ()) or ()))
        colours = score_colours(fake_scores, levels) if fake_scores is not None else None
        self.generated.show(snapshot.fake, grid.rows, grid.columns, colours)
        self._show_row_labels(grid)
        indices, real_grid = arrange_real(len(snapshot.real),
                                          getattr(snapshot, "real_labels", None), grid,
                                          max(REAL_LIMIT, len(snapshot.fake)))
        self._real_indices = indices
        colours = score_colours(real_scores[indices], levels) \
            if real_scores is not None and len(real_scores) == len(snapshot.real) else None
        self.real.show(snapshot.real[indices], real_grid.rows, real_grid.columns, colours)
        if self._selected is not None and self._selected >= len(snapshot.fake):
            self._selected = None
        self._ends = [i for i in self._ends if i < len(snapshot.fake)]
        self._show_nearest()
        self._show_path(run.interpolation_path)
        self._show_readout()

    def move_traveller(self, t: float) -> None:
        """Outline the interpolation step nearest fraction t ∈ [0, 1] of the path."""
        if self._path_steps:
            step = round(min(max(t, 0.0), 1.0) * (self._path_steps - 1))
            self.path.outline("traveller", step, theme.INTERPOLATION)

    # ---------------------------------------------------------------- selection
    @property
    def selected(self) -> int | None:
        return self._selected

    @property
    def ends(self) -> tuple[int, ...]:
        return tuple(self._ends)

    def select_tile(self, index: int | None) -> None:
        """Select generated tile `index` (None: none) and show its nearest training image."""
        self._selected = index
        self.generated.outline("selected", index, theme.BOUNDARY)
        self._show_nearest()
        self._show_readout()

    def choose_end(self, index: int) -> None:
        """Add generated tile `index` as an interpolation end; the second distinct one emits
        `interpolation_chosen`, a third starts a new pair."""
        if len(self._ends) == 2:
            self._ends = []
        if index in self._ends:
            return
        self._ends.append(index)
        for name, end in zip("AB", [*self._ends, None], strict=False):
            self.generated.outline(name, end, theme.INTERPOLATION, text=name)
        if len(self._ends) == 2:
            latent = self._snapshot.latent
            self.interpolation_chosen.emit(latent[self._ends[0]].copy(),
                                           latent[self._ends[1]].copy())

    def _on_scene_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._snapshot is None:
            return
        index = self.generated.tile_at_scene(event.scenePos())
        if index is None:
            return
        event.accept()
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier or self.pick_ends.isChecked():
            self.choose_end(index)
        else:
            self.select_tile(index)

    def _on_mouse_moved(self, scene_pos) -> None:
        hovered = None
        for kind, plot in (("generated", self.generated), ("real", self.real)):
            index = plot.tile_at_scene(scene_pos)
            if index is not None:
                hovered = (kind, index)
        if hovered != self._hovered:
            self._hovered = hovered
            self._show_readout()

    # ---------------------------------------------------------------- parts
    def _show_row_labels(self, grid) -> None:
        if grid.row_labels == self._row_labels:
            return
        self._row_labels = grid.row_labels
        axis = self.generated_plot.getAxis("left")
        if grid.row_labels:
            cell = self.generated.layout.cell_height
            axis.setTicks([[((r + 0.5) * cell, name) for r, name in enumerate(grid.row_labels)],
                           []])
            self.generated_plot.showAxis("left")
        else:
            self.generated_plot.hideAxis("left")

    def _show_nearest(self) -> None:
        snapshot, index = self._snapshot, self._selected
        if snapshot is None or index is None:
            self.nearest.clear()
            self._caption(self.nearest_caption, NEAREST_HINT)
            return
        nearest = getattr(snapshot, "nearest_real", None)
        distances = getattr(snapshot, "nearest_distance", None)
        colours = np.array([hex_rgb(theme.GENERATED), hex_rgb(theme.REAL)], dtype=np.uint8)
        if nearest is None:
            self.nearest.show(snapshot.fake[index:index + 1], 1, 1, colours[:1])
            self._caption(self.nearest_caption, f"Image {index}: no nearest image in this frame")
            return
        pair = np.stack([snapshot.fake[index], nearest[index]])
        self.nearest.show(pair, 1, 2, colours)
        distance = float(distances[index]) if distances is not None else float("nan")
        self._caption(self.nearest_caption, "nearest real: distance "
                      + (f"{distance:.2f}" if np.isfinite(distance) else "—"))

    def _show_path(self, path: np.ndarray | None) -> None:
        if path is None or path.ndim != 4 or not len(path):
            self._path_steps = 0
            self.path.clear()
            self._caption(self.path_caption, PATH_HINT)
            return
        self._path_steps = len(path)
        self.path.show(path, 1, len(path))
        self._caption(self.path_caption, f"A → B, {len(path)} steps")

    def _show_readout(self) -> None:
        snapshot = self._snapshot
        target = self._hovered or (("generated", self._selected) if self._selected is not None
                                   else None)
        if snapshot is None or target is None:
            self.readout.setText("Frame: D's score, green looks real, purple looks generated")
            return
        kind, index = target
        source = index if kind == "generated" else int(self._real_indices[index])
        prefix = "fake" if kind == "generated" else "real"
        scores = getattr(snapshot, f"{prefix}_scores", None)
        labels = getattr(snapshot, f"{prefix}_labels", None)
        text = f"{kind.capitalize()} image {source}"
        if labels is not None:
            names = tuple(getattr(snapshot, "class_names", ()) or ())
            text += f" ({class_name(int(labels[source]), names)})"
        if scores is not None:
            text += f":  {float(scores[source]):.3f}   {snapshot.heatmap_label}"
        self.readout.setText(text)

    def _caption(self, caption: Caption, text: str) -> None:
        if caption.text != text:
            caption.setText(text)
