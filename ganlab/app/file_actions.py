"""The File menu's session and export actions, and dropping files on the window: a session
file opens it, points (.csv, .txt, a 2D .npy) train on them, images (a folder, an IDX file,
.npz, a 4D .npy) load them (`image_loading`).

Everything that touches a trainer (save, open, export) is queued for the worker as a file
command (`ganlab.training.file_commands`); the result comes back through the session's
`file_command_finished` and ends as a status-bar message or, on failure, a non-blocking message
naming the file and the problem. Pictures of views are made here, in the GUI thread. An opened
session replaces every run (compare mode ends); its chart history is restored once the worker's
first frame of it was presented. In compare mode, only run A is saved and exported.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from ganlab.app.history import history_rows, restore_history
from ganlab.app.layers import Layers
from ganlab.app.menus import add_action
from ganlab.app.pictures import PictureError, save_picture
from ganlab.app.recorder import GifRecorder, RecordingError
from ganlab.core.images.idx_files import looks_like_idx
from ganlab.training.file_commands import (
    ExportGenerator,
    ExportSamples,
    FileResult,
    OpenSession,
    SaveSession,
)

log = logging.getLogger(__name__)

SESSION_SUFFIX = ".ganlab"
SESSION_FILTER = "ganlab sessions (*.ganlab);;All files (*)"
EXPORT_SAMPLES = 2500


def session_path_of(urls) -> str | None:
    """The first local .ganlab file among dropped URLs, or None."""
    for url in urls:
        if url.isLocalFile() and url.toLocalFile().lower().endswith(SESSION_SUFFIX):
            return url.toLocalFile()
    return None


def dropped_file(urls) -> tuple[str, str] | None:
    """(what, path) for the first local URL ganlab can use: what is "session", "images" or
    "points"; None when there is none. A .npy is images when it holds more than 2 axes."""
    for url in urls:
        if not url.isLocalFile():
            continue
        path = url.toLocalFile()
        name = path.lower()
        if name.endswith(SESSION_SUFFIX):
            return "session", path
        if os.path.isdir(path) or name.endswith(".npz") or looks_like_idx(Path(path)):
            return "images", path
        if name.endswith((".csv", ".txt")):
            return "points", path
        if name.endswith(".npy"):
            return ("images" if _array_axes(path) > 2 else "points"), path
    return None


def _array_axes(path: str) -> int:
    """The number of axes of the .npy at `path` (its header only); 0 if unreadable."""
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False).ndim
    except (OSError, ValueError):
        return 0


class FileActions(QObject):
    """Session and export actions of one main window."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.path: str | None = None  # where "Save session" writes without asking
        self._opened: FileResult | None = None  # waiting for its first frame (chart history)
        self.recorder = GifRecorder(lambda: window.panes[0].current_view, self)
        self.session.file_command_finished.connect(self.on_result)

    def connect_views(self) -> None:
        """Once the presenter is connected: an opened session's charts are restored after the
        presenter cleared them for the new run."""
        self.session.frame_received.connect(self._restore_charts)

    def build_menu(self, menu) -> None:
        def action(*args, **options):
            return add_action(self.window, *args, **options)

        action(menu, "Open session…", "Ctrl+O", "Open a saved session: settings, target, "
               "networks, optimizers and charts; it replaces the current run.", self.ask_open)
        self.save_action = action(menu, "Save session", "Ctrl+S", "Save everything needed to "
                                  "go on training later (run A in compare mode).", self.save)
        action(menu, "Save session as…", "Ctrl+Shift+S", "Save the session to a new file.",
               self.ask_save_as)
        menu.addSeparator()
        action(menu, "Export generator…", "Ctrl+E", "Save the trained generator as "
               "safetensors + JSON (or .onnx), loadable with ganlab.load_generator.",
               self.ask_export_generator)
        action(menu, "Export samples…", "Ctrl+Shift+E", f"Save {EXPORT_SAMPLES:,} generated "
               "points as CSV or NPY.", self.ask_export_samples)
        action(menu, "Save picture of the canvas…", "Ctrl+P", "Save the data view as PNG or "
               "SVG.", lambda: self.ask_picture("canvas"))
        action(menu, "Save picture of the charts…", "Ctrl+Shift+P", "Save the charts as PNG or "
               "SVG.", lambda: self.ask_picture("charts"))
        self.record_action = action(menu, "Record GIF…", "Ctrl+G", "Record the canvas as an "
                                    "animated GIF until this is chosen again.",
                                    self.toggle_recording, checkable=True)
        menu.addSeparator()

    def open_dropped(self, what: str, path: str) -> None:
        """Open a file dropped on the window, as `dropped_file` classified it."""
        if what == "session":
            self.open(path)
        elif what == "images":
            self.window.image_loading.load(path)
        else:
            self.window.load_points_file(path)

    # ---------------------------------------------------------------- sessions
    def ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open session", "", SESSION_FILTER)
        if path:
            self.open(path)

    def open(self, path: str) -> None:
        """Ask the worker to open `path`; the current run goes on if the file is bad."""
        self.session.request_file_command(OpenSession(str(path)))
        self.window.statusBar().showMessage(f"Opening {path}…", 4000)

    def save(self) -> None:
        if self.path is None:
            self.ask_save_as()
        else:
            self.save_to(self.path)

    def ask_save_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Save session", self.path or
                                              "session.ganlab", SESSION_FILTER)
        if path:
            self.save_to(path)

    def save_to(self, path: str) -> None:
        if not Path(path).suffix:
            path += SESSION_SUFFIX
        self.path = str(path)
        self.session.request_file_command(self.save_command(self.path))

    def save_command(self, path: str, autosave=None) -> SaveSession:
        """Run A with its chart history, as the charts show it now."""
        histories = self.window.presenter.histories[:1]
        extra = {"layers": dataclasses.asdict(self.window.layers)}
        return SaveSession(path=str(path), history=history_rows(histories),
                           extra=extra, autosave=autosave)

    # ---------------------------------------------------------------- exports
    def ask_export_generator(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export generator", "generator.safetensors",
            "Generator (*.safetensors);;ONNX model (*.onnx)")
        if path:
            self.export_generator(path)

    def export_generator(self, path: str) -> None:
        self.session.request_file_command(ExportGenerator(str(path)))

    def ask_export_samples(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export samples", "samples.csv",
                                              "CSV (*.csv);;NumPy (*.npy)")
        if path:
            self.export_samples(path)

    def export_samples(self, path: str, count: int = EXPORT_SAMPLES) -> None:
        self.session.request_file_command(ExportSamples(str(path), count))

    def ask_picture(self, which: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, f"Save picture of the {which}",
                                              f"{which}.png", "PNG (*.png);;SVG (*.svg)")
        if path:
            self.save_picture(which, path)

    def save_picture(self, which: str, path: str) -> bool:
        widget = (self.window.charts if which == "charts"
                  else self.window.panes[0].current_view)
        try:
            written = save_picture(widget, path)
        except PictureError as error:
            self.window.show_error("Cannot save the picture", str(error))
            return False
        self.window.statusBar().showMessage(f"Saved picture of the {which} to {written}", 8000)
        return True

    def toggle_recording(self, record: bool) -> None:
        if not record:
            self.stop_recording()
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Record GIF", "training.gif",
                                              "Animated GIF (*.gif)")
        if path:
            self.start_recording(path)
        else:
            self.record_action.setChecked(False)

    def start_recording(self, path: str) -> None:
        if not path.lower().endswith(".gif"):
            path += ".gif"
        self.record_action.setChecked(True)
        self.recorder.start(path)
        self.window.statusBar().showMessage(f"Recording the canvas to {path}… (Ctrl+G stops)",
                                            5000)

    def stop_recording(self) -> bool:
        self.record_action.setChecked(False)
        if not self.recorder.recording:
            return False
        frames = len(self.recorder.frames)
        try:
            path = self.recorder.stop()
        except RecordingError as error:
            self.window.show_error("Cannot save the recording", str(error))
            return False
        self.window.statusBar().showMessage(f"Saved a recording of {frames} frames to {path}",
                                            8000)
        return True

    # ---------------------------------------------------------------- results
    def on_result(self, result: FileResult) -> None:
        command = result.command
        if not result.ok:
            title = ("Cannot open this session" if isinstance(command, OpenSession)
                     else "Cannot write the file")
            if isinstance(command, SaveSession) and command.autosave is not None:
                log.warning("autosave failed: %s", result.message)
                return
            self.window.show_error(title, result.message)
            return
        if isinstance(command, OpenSession):
            self._adopt(result)
        message = result.message
        if self.session.compare and isinstance(command, (SaveSession, ExportGenerator,
                                                         ExportSamples)):
            message += " (run A)"
        self.window.statusBar().showMessage(message, 8000)

    def _adopt(self, result: FileResult) -> None:
        """The worker trains the opened session now: the window follows."""
        window = self.window
        window.painting.stop()
        window.session.pause()
        if self.session.compare:
            window.compare_action.setChecked(False)
            window.settings_tabs.removeTab(1)
        self.session.adopt_configs((result.config,))
        layers = result.extra.get("layers")
        if isinstance(layers, dict):
            # layers of another ganlab version (TypeError): keep the current ones
            with contextlib.suppress(TypeError):
                window.apply_layers(Layers(**layers))
        if result.config.target.name == "custom":
            window.gallery.select("")
        autosave = getattr(window, "autosave", None)
        if autosave is None or Path(result.command.path) != Path(autosave.path):
            self.path = result.command.path
        self._opened = result
        frame = self.session.last_frame  # its first frame may have come in the same poll
        if frame is not None and frame.epoch >= result.epoch:
            self._restore_charts(frame)

    def _restore_charts(self, frame) -> None:
        opened = self._opened
        if opened is None or frame.epoch < opened.epoch:
            return
        self._opened = None
        histories = self.window.presenter.histories
        restore_history(histories[0], opened.history, run=0)
        histories[1].clear()
        self.window.charts.show_histories(histories[:1])
        # instead of the presenter's "networks restarted ... iteration 0"
        self.window.statusBar().showMessage(opened.message, 8000)

