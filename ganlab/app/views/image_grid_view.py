"""The view of image targets: generated images beside real ones, scored by the discriminator.

Top left, G of the fixed latent batch (so frame-to-frame change is training, not resampling);
for conditional runs one row per class, named at the row's left. Top right, real images (by
class too when labelled). Each tile's frame is D's score on it: real green ("looks real") to
generated purple ("looks fake") over the snapshot's `heatmap_levels`, or levels adapted to the
shown scores when those are None. Below: the selected generated tile beside its nearest training
image and their distance (the memorisation check); the latent interpolation path, straight or
spherical, whose step nearest the app's travelling t is outlined; and latent arithmetic
a − b + c with G(z_a − z_b + z_c).

Clicking a generated tile selects it. Shift-clicking two (or clicking with "Pick ends" on)
picks the ends A, B of an interpolation; Ctrl-clicking three (or "a − b + c" on) picks a, b, c.
Complete picks emit `latent_request_chosen(Interpolation)` (`image_latent_picks`); the view
never changes the run itself. Each grid is one `ImageItem` redrawn with one `setImage` per frame.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ganlab.app import theme
from ganlab.app.heatmap_scale import HeatmapScale
from ganlab.app.views.image_arrangement import arrange_generated, arrange_real, class_name
from ganlab.app.views.image_detail_row import ARITHMETIC_COLOUR, DetailRow
from ganlab.app.views.image_latent_controls import LatentControls
from ganlab.app.views.image_latent_picks import END_NAMES, TERM_NAMES, LatentPicks
from ganlab.app.views.image_tile_plot import Caption, TilePlot, captioned_plot, score_colours
from ganlab.app.views.pictures_lag import WHY, PicturesLag
from ganlab.core.images.class_names import class_names_for
from ganlab.training.frame import RunFrame

REAL_LIMIT = 64  # real tiles shown beside an unconditional grid, at most
ROW_LABEL_PX = 1.3 * theme.BASE_POINT_SIZE  # screen pixels a row needs for its name
COMPACT_HEIGHT = 420  # a view less tall than this shows the grids only (`set_compact`)
GENERATED_CAPTION = "Generated G(z), fixed z"


def run_class_names(run) -> tuple[str, ...]:
    """The names of the run's classes: those remembered for its labels (a folder's
    sub-folders, say), else those its snapshot reports."""
    reported = tuple(getattr(run.snapshot, "class_names", ()) or ())
    target = getattr(getattr(run, "config", None), "target", None)
    return class_names_for(getattr(target, "labels", None), reported)


class ImageGridView(QWidget):
    """One run's view of image data."""

    latent_request_chosen = Signal(object)  # a training.pending_changes.Interpolation

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(320, 200)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # its keys work while it has the focus
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(theme.BACKGROUND)
        self.graphics.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.title = Caption("", color=theme.NEUTRAL_TEXT,
                             size=f"{theme.BASE_POINT_SIZE + 1}pt")
        self.graphics.addItem(self.title, row=0, col=0, colspan=2)
        self.generated_plot, self.generated_caption = captioned_plot(
            self.graphics.ci, 1, 0, GENERATED_CAPTION)
        self.lag = PicturesLag()  # says when the pictures lag the iteration counter
        self.real_plot, _ = captioned_plot(self.graphics.ci, 1, 1, "Real data")
        self.details_layout = self.graphics.addLayout(row=3, col=0, colspan=2)
        self.details = DetailRow(self.details_layout)
        self.graphics.ci.layout.setRowStretchFactor(2, 4)
        self.graphics.ci.layout.setRowStretchFactor(3, 1)
        self.generated = TilePlot(self.generated_plot.vb)
        self.real = TilePlot(self.real_plot.vb)
        details = self.details  # the short names tests and callers use
        self.nearest, self.nearest_caption = details.nearest, details.nearest_caption
        self.path, self.path_caption = details.path, details.path_caption
        self.arithmetic, self.arithmetic_caption = details.arithmetic, details.arithmetic_caption
        self.readout = QLabel("")
        self.readout.setStyleSheet(f"color: {theme.NEUTRAL_TEXT};")
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.controls = LatentControls(self)
        self.controls.spherical_toggled.connect(self._on_spherical_toggled)
        self.pick_ends = self.controls.pick_ends
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 0, 6, 2)
        bar.addWidget(self.readout, 1)
        bar.addWidget(self.controls)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.graphics, 1)
        column.addLayout(bar)
        self.generated_plot.vb.sigResized.connect(lambda *_: self._show_row_labels())
        self.graphics.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._scale = HeatmapScale()
        self._snapshot = None
        self._real_indices = np.zeros(0, dtype=np.int64)
        self._row_labels: tuple[str, ...] = ()
        self._row_label_every = 1  # every k-th class row is named (1: all)
        self._names: tuple[str, ...] = ()  # the run's class names
        self._selected: int | None = None
        self.picks = LatentPicks()
        self._request = None  # the last Interpolation this view emitted
        self._hovered: tuple[str, int] | None = None
        self._title = None

    def resizeEvent(self, event) -> None:  # Qt's name
        super().resizeEvent(event)
        self.set_compact(self.height() < COMPACT_HEIGHT)

    def set_compact(self, compact: bool) -> None:
        """A short view (a small screen, a lesson's text above it) shows the grids only: the
        row under them (nearest image, interpolation, arithmetic) hides until there is room."""
        if compact == (not self.details_layout.isVisible()):
            return
        self.details_layout.setVisible(not compact)
        self.details_layout.setMaximumHeight(0 if compact else 1e6)
        self.graphics.ci.layout.setRowStretchFactor(3, 0 if compact else 1)

    # ---------------------------------------------------------------- the common view surface
    def set_title(self, text: str) -> None:
        if text != self._title:
            self._title = text
            self.title.setText(text)

    def restart(self) -> None:
        """Forget the adaptive score levels (the networks restarted)."""
        self._scale.reset()
        self.lag.restart()

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
        self._names = run_class_names(run)
        grid = arrange_generated(len(snapshot.fake), getattr(snapshot, "fake_labels", None),
                                 self._names)
        colours = score_colours(fake_scores, levels) if fake_scores is not None else None
        self.generated.show(snapshot.fake, grid.rows, grid.columns, colours)
        self._show_lag(snapshot)
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
        self.picks.forget_beyond(len(snapshot.fake))
        names = self._class_names()
        self._show_nearest()
        self.details.show_path(run.interpolation_path, self._request, names)
        self.details.show_arithmetic(getattr(run, "arithmetic_images", None), self._request,
                                     names)
        self._show_readout()

    def _show_lag(self, snapshot) -> None:
        """The generated grid's caption names the pictures' iteration when they lag."""
        note = self.lag.note(getattr(snapshot, "iteration", None),
                             getattr(snapshot, "images_iteration", None))
        text = GENERATED_CAPTION if note is None else f"Generated G(z), {note}"
        if text != self.generated_caption.text:
            self.generated_caption.setText(text)
            self.generated_caption.setToolTip("" if note is None else WHY)

    def move_traveller(self, t: float) -> None:
        """Outline the interpolation step nearest fraction t ∈ [0, 1] of the path."""
        self.details.move_traveller(t)

    # ---------------------------------------------------------------- selection
    @property
    def selected(self) -> int | None:
        return self._selected

    @property
    def ends(self) -> tuple[int, ...]:
        return tuple(self.picks.ends)

    @property
    def terms(self) -> tuple[int, ...]:
        return tuple(self.picks.terms)

    def select_tile(self, index: int | None) -> None:
        """Select generated tile `index` (None: none) and show its nearest training image."""
        self._selected = index
        self.generated.outline("selected", index, theme.BOUNDARY)
        self._show_nearest()
        self._show_readout()

    def choose_end(self, index: int) -> None:
        """Add generated tile `index` as an interpolation end; the second distinct one emits
        `latent_request_chosen`, a third starts a new pair."""
        if self.picks.pick_end(index):
            self._emit_request()
        self._outline_picks()

    def choose_term(self, index: int) -> None:
        """Add generated tile `index` as the next of a, b, c; the third emits
        `latent_request_chosen`, a fourth starts anew."""
        if self.picks.pick_term(index):
            self._emit_request()
        self._outline_picks()

    def _emit_request(self) -> None:
        snapshot = self._snapshot
        request = self.picks.request(snapshot.latent, getattr(snapshot, "fake_labels", None))
        if request is not None:
            self._request = request
            self.latent_request_chosen.emit(request)

    def _on_spherical_toggled(self, spherical: bool) -> None:
        self.picks.spherical = spherical
        if self._snapshot is not None and self.picks.complete_ends:
            self._emit_request()

    def _outline_picks(self) -> None:
        for names, picks, colour in ((END_NAMES, self.picks.ends, theme.INTERPOLATION),
                                     (TERM_NAMES, self.picks.terms, ARITHMETIC_COLOUR)):
            for name, index in zip(names, [*picks, None, None, None], strict=False):
                self.generated.outline(name, index, colour, text=name)

    def _on_scene_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._snapshot is None:
            return
        index = self.generated.tile_at_scene(event.scenePos())
        if index is None:
            return
        event.accept()
        modifiers = event.modifiers()
        if modifiers & Qt.KeyboardModifier.ControlModifier or \
                self.controls.arithmetic.isChecked():
            self.choose_term(index)
        elif modifiers & Qt.KeyboardModifier.ShiftModifier or self.pick_ends.isChecked():
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
    def _show_row_labels(self, grid=None) -> None:
        """Name each class row at its left; when rows are lower on screen than a line of text,
        only every k-th row is named, so names never overlap."""
        row_labels = grid.row_labels if grid is not None else self._row_labels
        layout = self.generated.layout
        cell_px = self.generated.on_screen_cell()[1]
        every = max(1, math.ceil(ROW_LABEL_PX / cell_px)) if cell_px else 1
        if (row_labels, every) == (self._row_labels, self._row_label_every):
            return
        self._row_labels, self._row_label_every = row_labels, every
        axis = self.generated_plot.getAxis("left")
        if row_labels and layout is not None:
            cell = layout.cell_height
            axis.setTicks([[((r + 0.5) * cell, name) for r, name in enumerate(row_labels)
                            if r % every == 0], []])
            self.generated_plot.showAxis("left")
        else:
            self.generated_plot.hideAxis("left")

    def _show_nearest(self) -> None:
        self.details.show_nearest(self._snapshot, self._selected, self._class_names())

    def _class_names(self) -> tuple[str, ...]:
        return self._names

    def _class_name(self, label: int) -> str:
        return class_name(int(label), self._class_names())

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
            text += f" ({self._class_name(labels[source])})"
        if scores is not None:
            text += f":  {float(scores[source]):.3f}   {snapshot.heatmap_label}"
        self.readout.setText(text)
