"""The target gallery: a thumbnail and a name for every target, "draw your own", "load points…",
"load images…".

Choosing an entry emits one of `target_chosen(name)`, `drawing_chosen()`, `loading_chosen()`
(points) or `images_chosen()`; the window decides what happens. `select(name)` shows a choice
made elsewhere (a lesson) without emitting.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem

from ganlab.app.views.thumbnails import (
    THUMBNAIL_SIZE,
    glyph_thumbnail,
    images_thumbnail,
    target_thumbnail,
)
from ganlab.core.images import SYNTHETIC_FAMILIES, digits, synthetic
from ganlab.core.targets import IMAGE_TARGETS, TARGETS

IMAGE_THUMBNAILS_DELAY_MS = 1000  # after the window shows: their pictures are slower

DRAW = "draw your own"
LOAD = "load points…"
LOAD_IMAGES = "load images…"
CUSTOM = "custom"


class TargetGallery(QListWidget):
    target_chosen = Signal(str)
    drawing_chosen = Signal()
    loading_chosen = Signal()
    images_chosen = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        self.setGridSize(QSize(THUMBNAIL_SIZE + 34, THUMBNAIL_SIZE + 30))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setWordWrap(True)
        self.setUniformItemSizes(True)
        self.setToolTip("Pick the distribution the generator should learn.")
        for name, factory in TARGETS.items():
            target = factory()
            item = QListWidgetItem(QIcon(target_thumbnail(target)), name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(f"{target.description} ({target.dim}D).")
            self.addItem(item)
        self._image_items = []
        for name, (description, _) in IMAGE_TARGETS.items():
            item = QListWidgetItem(QIcon(glyph_thumbnail("▦")), name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(f"{description[0].upper()}{description[1:]}: small images.")
            self.addItem(item)
            self._image_items.append(item)
        # their pictures (scikit-learn's import alone takes ~0.5 s) come once the window shows
        QTimer.singleShot(IMAGE_THUMBNAILS_DELAY_MS, self._draw_image_thumbnails)
        for name, glyph, tip in (
            (DRAW, "✎", "Paint your own 2D points on the canvas, then train on them."),
            (LOAD, "⇪", "Load 1D or 2D points from a CSV or .npy file."),
            (LOAD_IMAGES, "▦", "Train on your own images: a folder of PNG/JPEG (labels from "
             "sub-folder names), an MNIST IDX file or a .npz/.npy array."),
        ):
            item = QListWidgetItem(QIcon(glyph_thumbnail(glyph)), name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(tip)
            self.addItem(item)
        self.itemClicked.connect(self._on_clicked)
        self.itemActivated.connect(self._on_clicked)

    def _draw_image_thumbnails(self) -> None:
        for item in self._image_items:
            name = item.data(Qt.ItemDataRole.UserRole)
            item.setIcon(QIcon(images_thumbnail(_gallery_images(name))))

    def names(self) -> list[str]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())]

    def select(self, name: str) -> None:
        """Highlight `name` (a custom target highlights nothing) without emitting."""
        self.blockSignals(True)
        try:
            self.clearSelection()
            for i in range(self.count()):
                if self.item(i).data(Qt.ItemDataRole.UserRole) == name:
                    self.setCurrentRow(i)
                    break
        finally:
            self.blockSignals(False)

    def choose(self, name: str) -> None:
        """Act as if the user clicked the entry `name`."""
        for i in range(self.count()):
            if self.item(i).data(Qt.ItemDataRole.UserRole) == name:
                self.setCurrentRow(i)
                self._on_clicked(self.item(i))
                return
        raise KeyError(name)

    def _on_clicked(self, item: QListWidgetItem) -> None:
        name = item.data(Qt.ItemDataRole.UserRole)
        if name == DRAW:
            self.drawing_chosen.emit()
        elif name == LOAD:
            self.loading_chosen.emit()
        elif name == LOAD_IMAGES:
            self.images_chosen.emit()
        else:
            self.target_chosen.emit(name)


def _gallery_images(name: str):
    """Nine images of an image target, cheaply (not the whole data set)."""
    if name in SYNTHETIC_FAMILIES:
        return synthetic(name, 16, n=9, seed=1).images
    return digits(8).images[:9]
