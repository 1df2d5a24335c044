"""Loading the user's own images into the window: "load images…" in the gallery, File → Load
images…, or a folder / IDX / .npz / .npy file dropped on the window.

`ganlab.core.images.load_images` runs on an `ImageLoadThread`, never on the GUI thread, and for
a folder or a large file in a child process the thread waits on (`load_process`: decoding in a
thread of this process would hold the GIL the GUI needs to paint); a `QProgressDialog` shows
its progress and can cancel it. The thread also stores the images in the data store (hashing
245 MB takes ~0.5 s: not on the GUI thread). The
thread reports once, in the past tense: `loaded(LoadedImages)`, `failed(message)` or
`cancelled_load()`. Loaded images go into the data store (`DATA`), and every run trains on a
custom target that refers to them, with the image recipe when the runs trained points. A broken
or empty source gets a one-line message box naming it and leaves the target as it was; files a
folder had to skip are listed in the status bar and in a details box.

`connect_images(window)` wires all this, and the layer toggles (hidden for image runs), into a
main window.
"""

from __future__ import annotations

import os
import threading
from dataclasses import asdict
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QThread, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QProgressDialog

from ganlab.app.lessons import app_defaults
from ganlab.core.config import TargetConfig
from ganlab.core.data_store import DATA
from ganlab.core.images import ImageFileError, LoadCancelled, LoadedImages, load_images
from ganlab.core.images.class_names import remember_class_names
from ganlab.core.images.image_limits import DEFAULT_RESOLUTIONS
from ganlab.core.images.load_process import load_images_in_child
from ganlab.core.recipes import is_image_target, kind_switch

IMAGE_FILE_FILTER = "Image arrays (*.npz *.npy *ubyte *ubyte.gz);;All files (*)"
SKIPPED_SHOWN = 3  # skipped files named in the status bar; the details box lists them all
IN_THREAD_BYTES = 4 << 20  # a file smaller than this loads in the thread (a child costs ~0.5 s)


class ImageLoadThread(QThread):
    """`load_images(path)` on its own thread; exactly one of `loaded`, `failed` or
    `cancelled_load` is emitted, after any number of `progressed(done, total)`. Squares of a
    side the networks cannot take (12×12, say) are loaded at the nearest side they can (8, 16,
    32 or 64). Before `loaded`, the images (and labels) are in `DATA` under `references`."""

    progressed = Signal(int, int)
    loaded = Signal(object)  # LoadedImages
    failed = Signal(str)  # one line, starting with the path
    cancelled_load = Signal()

    def __init__(self, path: str, parent: QObject | None = None):
        super().__init__(parent)
        self.path = path
        self._cancel = threading.Event()
        self.references: tuple[str, str | None] | None = None  # (images, labels) in DATA

    def cancel(self) -> None:
        """Ask the load to stop at its next progress check (thread-safe)."""
        self._cancel.set()

    def run(self) -> None:  # Qt's name
        try:
            result = self._load()
            data = result.data
            self.references = (DATA.put(data.images),
                               DATA.put(data.labels) if data.labelled else None)
        except LoadCancelled:
            self.cancelled_load.emit()
        except (ImageFileError, ValueError) as error:
            self.failed.emit(str(error))
        except (OSError, MemoryError) as error:  # what the readers did not name themselves
            self.failed.emit(f"{self.path}: cannot be loaded ({error})")
        else:
            self.loaded.emit(result)


    def _load(self) -> LoadedImages:
        try:
            small_file = os.path.getsize(self.path) < IN_THREAD_BYTES \
                and not os.path.isdir(self.path)
        except OSError:
            small_file = True  # the loader words the reason
        load = load_images if small_file else load_images_in_child
        return load(self.path, progress=self.progressed.emit, cancelled=self._cancel.is_set,
                    sides=DEFAULT_RESOLUTIONS)


def describe_skipped(skipped) -> str:
    """"3 files skipped: a.png (not an image), …" naming the first `SKIPPED_SHOWN`."""
    if not skipped:
        return ""
    named = ", ".join(f"{Path(file).name} ({reason})" for file, reason in
                      skipped[:SKIPPED_SHOWN])
    more = " …" if len(skipped) > SKIPPED_SHOWN else ""
    return f"{len(skipped):,} file{'s' if len(skipped) != 1 else ''} skipped: {named}{more}"


class ImageLoading(QObject):
    """The window's image loading: asks for a source, loads it with a progress dialog, then
    trains on it. `finished(ok)` follows every load (False: failed or cancelled)."""

    finished = Signal(bool)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.thread: ImageLoadThread | None = None
        self.progress: QProgressDialog | None = None
        self.last_box: QMessageBox | None = None  # the skipped-files box (tests read it)
        window.installEventFilter(self)  # its close ends a load under way

    def eventFilter(self, watched, event) -> bool:  # Qt's name
        if event.type() == QEvent.Type.Close:
            self.shutdown()
        return False

    # ---------------------------------------------------------------- asking
    def ask(self) -> None:
        """Offer a folder or a file (one dialog cannot choose both), at the mouse."""
        menu = QMenu(self.window)
        menu.addAction("A folder of PNG/JPEG images…", self.ask_folder)
        menu.addAction("An IDX, .npz or .npy file…", self.ask_file)
        menu.exec(QCursor.pos())

    def ask_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self.window, "Load images: a folder")
        if path:
            self.load(path)

    def ask_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Load images: a file", "",
                                              IMAGE_FILE_FILTER)
        if path:
            self.load(path)

    # ---------------------------------------------------------------- loading
    @property
    def loading(self) -> bool:
        return self.thread is not None

    def load(self, path: str) -> bool:
        """Start loading `path` in the background; False if a load is already under way."""
        if self.thread is not None:
            self.window.statusBar().showMessage("Images are still loading.", 4000)
            return False
        thread = ImageLoadThread(str(path), self)
        progress = QProgressDialog(f"Loading images from {Path(path).name}…", "Cancel", 0, 0,
                                   self.window)
        progress.setWindowTitle("Load images")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)  # a small folder loads without a flash of dialog
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(thread.cancel)
        thread.progressed.connect(self._on_progress)
        thread.loaded.connect(self._on_loaded)
        thread.failed.connect(self._on_failed)
        thread.cancelled_load.connect(self._on_cancelled)
        self.thread, self.progress = thread, progress
        thread.start()
        return True

    def cancel(self) -> None:
        """Cancel a load under way (as the dialog's Cancel button does)."""
        if self.thread is not None:
            self.thread.cancel()

    def shutdown(self) -> None:
        """The window closes: stop a load under way and wait for its thread."""
        if self.thread is not None:
            self.thread.cancel()
            self.thread.wait()
            self._finish()

    def _on_progress(self, done: int, total: int) -> None:
        if self.progress is not None and total > 0:
            self.progress.setMaximum(total)
            self.progress.setValue(min(done, total))

    def _finish(self) -> str:
        thread, self.thread = self.thread, None
        path = thread.path if thread is not None else ""
        if thread is not None:
            thread.wait()  # it has emitted its last signal: returns at once
            thread.deleteLater()
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        return path

    def _on_failed(self, message: str) -> None:
        self._finish()
        self.window.show_error("Cannot load these images", message)
        self.finished.emit(False)

    def _on_cancelled(self) -> None:
        self._finish()
        self.window.statusBar().showMessage("Loading images cancelled: the target is "
                                            "unchanged.", 6000)
        self.finished.emit(False)

    def _on_loaded(self, result: LoadedImages) -> None:
        images, labels = self.thread.references
        path = self._finish()
        data = result.data
        target = TargetConfig(name="custom", data=images, labels=labels,
                              images=path, resolution=data.resolution,
                              class_names=list(data.class_names) if data.labelled else None)
        remember_class_names(target.labels, data.class_names)  # the views show these names
        train_on_images(self.window, target)
        classes = f"{data.num_classes} classes" if data.labelled else "no labels"
        message = f"Loaded {len(data):,} images ({classes}, {data.resolution}×" \
                  f"{data.resolution}) from {path}"
        if result.skipped:
            message += f"; {describe_skipped(result.skipped)}"
            self._show_skipped(message, result.skipped)
        self.window.statusBar().showMessage(message, 15000)
        self.finished.emit(True)

    def _show_skipped(self, message: str, skipped) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "Some files were skipped", message,
                          QMessageBox.StandardButton.Ok, self.window)
        box.setDetailedText("\n".join(f"{file}: {reason}" for file, reason in skipped))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # not modal to the event loop: training goes on
        self.last_box = box


def train_on_images(window, target: TargetConfig) -> None:
    """Train every run on the image `target`; runs that trained points move to the image
    recipe first (networks, rates, batch), as choosing an image target in the gallery does."""
    window.painting.stop()
    session = window.session
    configs = session.configs
    if is_image_target(configs[0].target.name, configs[0].target.images):
        session.set_target(target)
    else:
        fresh = kind_switch(app_defaults(), True) | {"target": asdict(target)}
        moved = [config.merged(fresh) for config in configs]
        session.load(moved[0], moved[1] if len(moved) > 1 else None)
    window.gallery.select("")


def connect_images(window) -> ImageLoading:
    """Give `window` its image loading (`window.image_loading`) and hide the points layer
    toggles and the 2D latent panel whenever the runs train on images."""
    loading = ImageLoading(window)
    window.gallery.images_chosen.connect(loading.ask)

    def follow(configs) -> None:
        target = configs[0].target
        images = is_image_target(target.name, target.images) or _holds_images(target)
        window.layer_toggles.show_for_images(images)
        _follow_latent_dock(window.latent_dock, images)

    window.session.configs_changed.connect(follow)
    follow(window.session.configs)
    return loading


def _holds_images(target: TargetConfig) -> bool:
    """A custom target whose stored data are images (an opened session's, say)."""
    if target.name != "custom" or target.data is None:
        return False
    try:
        return DATA.get(target.data).ndim == 4
    except KeyError:
        return False


def _follow_latent_dock(dock, images: bool) -> None:
    """The 2D latent panel means nothing in an image run (z has 32 dimensions, and the image
    view interpolates under its grids): hidden there, and back for points if it was showing."""
    if images and dock.isVisible():
        dock.hide()
        dock.setProperty("hidden_for_images", True)
    elif not images and dock.property("hidden_for_images"):
        dock.setProperty("hidden_for_images", False)
        dock.show()
