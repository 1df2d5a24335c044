"""The training side of the app, Qt-free: the worker that owns every trainer and tensor.

`worker.TrainingWorker` trains in a thread; the GUI meets it only in
`pending_changes.PendingChanges` (GUI → worker, latest wins), `frame_slot.FrameSlot` (worker →
GUI, latest only) and `file_commands.ResultQueue` (finished saves and exports). The app runs
that thread inside a child process (`process.TrainingProcess`), so that Qt's painting, which
holds the GIL, never slows training; the same worker also runs as a thread of the GUI's own
process (tests, and scripts that want to peek at the trainers).
"""
