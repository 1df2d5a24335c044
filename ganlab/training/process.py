"""Training in a child process: the worker thread of `worker.py`, with a GIL of its own.

PySide6 keeps the GIL while Qt paints, and with every layer of the canvas on the GUI thread
paints about a third of the time. A worker thread in the GUI's process needs the GIL between
any two torch operations, so it waited through every paint: training ran at ~0.6 of the bare
loop. In a child process the same `TrainingWorker` trains while the GUI draws.

The channels keep their meaning across the process boundary:

- GUI → worker: `ChangesSender.send` pickles each typed message (`ganlab.training.messages`) at
  once (later edits of its arguments cannot leak into it); a thread of the child replays them,
  in order, on the child's `PendingChanges`. Before the first `SetConfigs` that refers to an
  array of the data store, the array itself goes over once (`AddData`); the child keeps it in
  its own store. Sessions opened by the worker send their arrays back with the result.
- worker → GUI: the child forwards a frame of its `FrameSlot` only once the GUI has taken the
  previous one, so the worker still builds frames no faster than the GUI draws them; finished
  file commands follow as they come. A run's configuration crosses only in the first frame
  after it changed; the GUI's side puts the last one it received back into the frames without
  one, so every frame the GUI reads is complete. A thread of the GUI's process puts frames
  and results into the GUI's `FrameSlot` and `ResultQueue`.
- stopping: `stop()` forwards the stop request and waits for the child, which runs its last file
  commands (the save on exit) before it ends. If the GUI disappears, the child sees its channel
  close and stops by itself; being a daemon process, it never outlives the app. Once its worker
  has ended and everything was sent, the child leaves with `os._exit`: tearing down torch and
  the interpreter would only delay the exit (and a daemon metrics thread caught mid-evaluation
  can make that teardown crash), and the child has nothing left to flush.
- a worker that failed: the child sends the reason (`failure`) and ends; the GUI offers to start
  a new one.

The child starts with "spawn" (forking a process that runs Qt's threads is unsafe; spawn is
what Windows and macOS use anyway) and imports no Qt.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import queue
import sys
import threading
import time
from multiprocessing.reduction import ForkingPickler

from ganlab.core.config import RunConfig
from ganlab.core.data_store import DATA
from ganlab.training.file_commands import ResultQueue
from ganlab.training.frame import complete_configs, without_unchanged_configs
from ganlab.training.frame_slot import FrameSlot
from ganlab.training.messages import (
    AddData,
    Message,
    SetConfigs,
    Stop,
    carried_data,
    data_references,
)
from ganlab.training.pending_changes import PendingChanges
from ganlab.training.thread_names import name_native_thread

log = logging.getLogger(__name__)

# The child's sending thread wakes when a frame is published or the GUI took the last one
# (an event: no polling of the training process's GIL 250 times a second, as a 4 ms poll did);
# finished file commands and the worker's end it notices within this time
RESULT_POLL_S = 0.02


class FrameTaken:
    """GUI → child: the GUI took the last frame; send the next one."""


class ChangesSender:
    """The GUI's side of the child's `PendingChanges`: `send(message)` as on a local one.

    Keeps which data references the child holds, and sends an array before the first
    configuration that needs it."""

    def __init__(self, send, data_in_child: set[str]):
        self._send = send
        self._data_in_child = data_in_child

    def send(self, message: Message) -> None:
        if isinstance(message, SetConfigs):
            for reference in sorted(data_references(message.configs) - self._data_in_child):
                self._send(AddData(reference, DATA.get(reference)))
                self._data_in_child.add(reference)
        self._send(message)

    def child_holds(self, reference: str) -> None:
        """The child has this array already (it opened a session that carries it)."""
        self._data_in_child.add(reference)


class _AcknowledgingSlot(FrameSlot):
    """The GUI's slot: taking a frame tells the child that the GUI is ready for the next."""

    def __init__(self, on_taken):
        super().__init__()
        self._on_taken = on_taken

    def take(self):
        frame = super().take()
        if frame is not None:
            self._on_taken()
        return frame


class TrainingProcess:
    """The GUI's handle on a `TrainingWorker` running in a child process.

    It has what the session uses of the worker thread: `pending`, `slot`, `results`, `start`,
    `stop`, `is_alive`, `join`. `failure` says why the child ended when nobody asked it to.
    """

    def __init__(self, configs: tuple[RunConfig, ...], **worker_options):
        context = multiprocessing.get_context("spawn")
        self._child_commands, self._commands = context.Pipe(duplex=False)
        self._updates, self._child_updates = context.Pipe(duplex=False)
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()  # None: close
        data = carried_data(configs)
        self.process = context.Process(
            target=child_main, name="ganlab-training-process", daemon=True,
            args=(tuple(c.copy() for c in configs), data, self._child_commands,
                  self._child_updates, worker_options),
        )
        self.pending = ChangesSender(self._send, set(data))
        self.slot = _AcknowledgingSlot(lambda: self._send(FrameTaken()))
        self.results = ResultQueue()
        self.failure: str | None = None
        self.last_frame_bytes: int | None = None  # the pickled size of the last frame received
        self._configs_received: dict[int, RunConfig] = {}  # run index → last config received
        self._stopping = False
        self._started_up = False  # the child has sent its first frame or result
        self._receiver = threading.Thread(target=self._receive, name="ganlab-frames-in",
                                          daemon=True)
        self._sender = threading.Thread(target=self._send_all, name="ganlab-requests-out",
                                        daemon=True)

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> None:
        self.process.start()
        self._child_commands.close()  # the child holds these ends now: EOF reaches both sides
        self._child_updates.close()
        self._receiver.start()
        self._sender.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the child to finish (it runs its last file commands first: the save on exit) and
        wait up to `timeout`; True if it ended. A child that is still busy goes on; `join` waits
        for it, and being a daemon it ends with the app at the latest."""
        self._stopping = True
        if not self._started_up and self.process.is_alive():
            # still importing and building: no trainer yet, nothing to save, and it would hear
            # the request only once it is up (seconds)
            self.process.terminate()
        else:
            self.pending.send(Stop())
        self.join(timeout)
        return not self.is_alive()

    def is_alive(self) -> bool:
        return self.process.is_alive() or self._receiver.is_alive()

    def join(self, timeout: float | None = None) -> None:
        started = time.perf_counter()
        self.process.join(timeout)
        if self._receiver.is_alive():  # it ends at the child's last message
            left = None if timeout is None else max(0.05, timeout - (time.perf_counter() - started))
            self._receiver.join(left)

    # ---------------------------------------------------------------- channels
    def _send(self, message) -> None:
        """Pickle `message` now (later edits of its contents cannot leak into it) and leave it
        to the sending thread: the GUI never waits on the pipe, not even for a large array
        while the child is still starting (or not started yet: it is sent at `start`)."""
        self._outbox.put(ForkingPickler.dumps(message))

    def _send_all(self) -> None:
        """GUI-process thread: messages from the outbox down the pipe, in order, until closed."""
        while (raw := self._outbox.get()) is not None:
            try:
                self._commands.send_bytes(raw)
            except (OSError, ValueError):  # the child is gone: `failure` says why
                log.debug("training process gone: a request was not sent")
        self._commands.close()

    def _receive(self) -> None:
        """GUI-process thread: frames into the slot, results into the queue, until the end."""
        name_native_thread("ganlab-frames-in")
        try:
            while True:
                raw = self._updates.recv_bytes()
                kind, payload = pickle.loads(raw)
                self._started_up = True
                if kind == "frame":
                    self.last_frame_bytes = len(raw)
                    self.slot.publish(complete_configs(payload, self._configs_received))
                elif kind == "result":
                    for reference, array in payload.data.items():  # an opened session's
                        DATA.put(array, reference=reference)
                        self.pending.child_holds(reference)
                    self.results.put(payload)
                elif kind == "failed":  # the worker ended on an error; the child ends next
                    self.failure = payload
                elif kind == "exit":
                    return
        except (EOFError, OSError):
            self.process.join(1.0)
            if not self._stopping:
                code = self.process.exitcode
                self.failure = (
                    "The training process ended unexpectedly"
                    + (f" (exit code {code})" if code is not None else "")
                    + ". Your settings are kept; restart training to go on from iteration 0, "
                    "or open the last autosave."
                )
                log.error("%s", self.failure)
        finally:
            self._outbox.put(None)  # the sending thread closes its end and ends
            self._updates.close()


def child_main(configs: tuple[RunConfig, ...], data: dict, commands, updates,
               worker_options: dict) -> None:
    """The child process: a worker thread, a thread replaying the GUI's requests, and this
    thread sending frames and results back."""
    from ganlab.training.blas_threads import limit_blas_threads
    from ganlab.training.worker import TrainingWorker

    name_native_thread("ganlab-forward")
    logging.basicConfig(level=logging.WARNING, format="ganlab training: %(message)s")
    limit_blas_threads(1)
    for reference, array in data.items():
        DATA.put(array, reference=reference)
    pending = PendingChanges(configs)
    slot = FrameSlot()
    results = ResultQueue()
    worker = TrainingWorker(pending, slot, results=results, **worker_options)
    gui_ready = threading.Event()
    gui_ready.set()
    news = threading.Event()  # a frame was published, or the GUI is ready for the next
    slot.on_publish = news.set
    replayer = threading.Thread(target=_replay, args=(commands, pending, gui_ready, news),
                                name="ganlab-requests-in", daemon=True)
    worker.start()
    replayer.start()
    try:
        _forward(worker, slot, results, updates, gui_ready, news)
    except (OSError, ValueError):  # the GUI is gone
        pending.send(Stop())
        worker.join(2.0)
    finally:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)  # see the module's docstring: nothing is left that teardown would do


def _forward(worker, slot: FrameSlot, results: ResultQueue, updates, gui_ready,
             news: threading.Event) -> None:
    """Send frames (one at a time, when the GUI is ready) and results until the worker ends,
    then its failure (if it failed) and "exit". Sleeps until `news` (or `RESULT_POLL_S`)."""
    configs_sent: dict[int, RunConfig] = {}
    while True:
        news.clear()  # before looking: news that comes while we look ends the next wait at once
        ended = not worker.is_alive()
        for result in results.take_all():
            updates.send(("result", result))
        if gui_ready.is_set():
            frame = slot.take()
            if frame is not None:
                gui_ready.clear()
                updates.send(("frame", without_unchanged_configs(frame, configs_sent)))
        if ended:
            if worker.failure is not None:
                updates.send(("failed", worker.failure))
            updates.send(("exit", None))
            return
        news.wait(RESULT_POLL_S)


def _replay(commands, pending: PendingChanges, gui_ready: threading.Event,
            news: threading.Event) -> None:
    name_native_thread("ganlab-requests-in")
    while True:
        try:
            message = commands.recv()
        except (EOFError, OSError):  # the GUI is gone: stop
            pending.send(Stop())
            return
        if isinstance(message, FrameTaken):
            gui_ready.set()
            news.set()
            continue
        if not isinstance(message, Message):
            log.warning("ignored an unknown request %r", type(message).__name__)
            continue
        try:
            pending.send(message)
        except ValueError as error:  # data that does not match its reference
            log.error("ignored %s: %s", type(message).__name__, error)
        if isinstance(message, Stop):
            return
