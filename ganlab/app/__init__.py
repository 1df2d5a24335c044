"""The desktop app (PySide6 + pyqtgraph): windows, panels, plots, and the session that drives
training.

The GUI thread owns widgets only. Training lives in `ganlab.training` (Qt-free): a worker that
owns every trainer and tensor, run in a child process (`ganlab.training.process`); the two sides
meet in `PendingChanges` (GUI → worker, latest wins) and `FrameSlot` (worker → GUI, latest only).
"""

from ganlab.app import refcount_guard as _refcount_guard

_refcount_guard.install()  # before any drawing: see the module for the shiboken6 6.12.0 bug
