"""The desktop app (PySide6 + pyqtgraph): windows, panels, plots and the training worker thread.

The GUI thread owns widgets only. `worker.TrainingWorker` owns every trainer and tensor; the two
sides meet in `pending_changes.PendingChanges` (GUI → worker, latest wins) and
`frame_slot.FrameSlot` (worker → GUI, latest only).
"""

from ganlab.app import refcount_guard as _refcount_guard

_refcount_guard.install()  # before any drawing: see the module for the shiboken6 6.12.0 bug
