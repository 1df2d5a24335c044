"""The desktop app (PySide6 + pyqtgraph): windows, panels, plots and the training worker thread.

The GUI thread owns widgets only. `worker.TrainingWorker` owns every trainer and tensor; the two
sides meet in `pending_changes.PendingChanges` (GUI → worker, latest wins) and
`frame_slot.FrameSlot` (worker → GUI, latest only).
"""
