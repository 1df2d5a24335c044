"""The GUI side of training: the configurations being edited, the worker, the refresh timer.

`TrainingSession` holds the authoritative configuration of each run (`RunConfigs`: run B of
compare mode shares run A's target and seed), sends every change to the worker as a typed
message (`ganlab.training.messages`: `SetConfigs`, `SetRunning`, ...), and polls the worker's
`FrameSlot` from a GUI timer, re-emitting the newest frame as `frame_received`; finished file
commands (save, open, export: run by the worker) come back as `file_command_finished`, exactly
one result per command: the worker's, or a named failure when the command cannot run (training
stopped, too many commands waiting). The worker trains in a child process (or, for tests, a
thread of this process: `training="thread"`); if the process dies or the worker fails,
`training_stopped` says so, and `restart_training` starts a new one with the same settings — as
do reset, play, a step and opening a session while it is stopped. A frame is taken as soon as
it is published (a queued signal from the publishing thread), and the timer polls at 60 Hz for
file results and as a fallback; the worker builds the next frame only once the last one was
taken, so frames arrive at up to 30 per second. The session never trains and never waits for
the worker, except in `shutdown` and when replacing a failed one."""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from ganlab.app.run_configs import RunConfigs
from ganlab.core.config import RunConfig, TargetConfig
from ganlab.training import messages
from ganlab.training.file_commands import FileResult, OpenSession, not_done
from ganlab.training.frame import Frame
from ganlab.training.frame_slot import FrameSlot
from ganlab.training.pending_changes import (
    MAX_FILE_COMMANDS,
    Interpolation,
    PendingChanges,
    ViewRequest,
)
from ganlab.training.process import TrainingProcess

log = logging.getLogger(__name__)

REFRESH_HZ = 60  # polls per second (frames come at most ~30 per second)
RESTORE_LR_FACTOR = 0.1  # "restore last good state" divides both learning rates by 10
MAX_UNANSWERED = MAX_FILE_COMMANDS  # file commands sent and not yet answered; more are refused
FAILED_WORKER_STOP_S = 1.0  # a failed worker ends by itself: wait this long at most


class TrainingSession(QObject):
    frame_received = Signal(object)  # the newest Frame
    running_changed = Signal(bool)
    configs_changed = Signal(object)  # tuple of RunConfig, after any change made here
    file_command_finished = Signal(object)  # a ganlab.training.file_commands.FileResult
    training_stopped = Signal(str)  # the training process ended or the worker failed: why
    training_restarted = Signal()  # a new worker replaced a stopped one (iteration 0)
    _frame_published = Signal()  # emitted in the publishing thread, received in the GUI's

    def __init__(self, config: RunConfig, parent=None, refresh_hz: float = REFRESH_HZ,
                 training: str = "process", **worker_options):
        """`training`: "process" (the app: a child process, see ganlab.training.process) or
        "thread" (a thread of this process, whose trainers tests can inspect)."""
        super().__init__(parent)
        if training not in ("process", "thread"):
            raise ValueError(f"training runs in a 'process' or a 'thread', not {training!r}")
        self._configs = RunConfigs(config)
        self._running = False
        self._shut_down = False
        self._training = training
        self._worker_options = worker_options
        self._speed: float | None = None  # what the views asked for, kept for a restart
        self._view: ViewRequest | None = None
        self._interpolation: Interpolation | None = None
        self._tickets = 0  # numbers the file commands, so a result names the one it answers
        self._unanswered: dict[int, object] = {}  # ticket → file command sent to the worker
        self._new_worker()
        self.last_frame: Frame | None = None
        self.frames_received = 0
        self.timer = QTimer(self)
        self.timer.setInterval(round(1000 / refresh_hz))
        self.timer.timeout.connect(self.poll)
        self._frame_published.connect(self.poll, Qt.ConnectionType.QueuedConnection)

    # ---------------------------------------------------------------- lifecycle
    def _new_worker(self) -> None:
        configs = self._configs.current
        if self._training == "process":
            self.worker = TrainingProcess(configs, **self._worker_options)
        else:
            from ganlab.training.worker import TrainingWorker  # torch: tests' thread mode only

            self.worker = TrainingWorker(PendingChanges(configs), FrameSlot(),
                                         **self._worker_options)
        self.pending, self.slot = self.worker.pending, self.worker.slot
        self.slot.on_publish = self._frame_published.emit
        self.stopped_reason: str | None = None  # why the worker ended on its own, if it did

    def restart_training(self) -> None:
        """After the training process ended or the worker failed: start a new one with the
        current settings (paused, from iteration 0). Nothing happens while training works."""
        if self._shut_down or self.stopped_reason is None:
            return
        self.slot.on_publish = None  # nothing more from the old worker
        if self.worker.is_alive() and not self.worker.stop(FAILED_WORKER_STOP_S):
            log.warning("the failed training worker is still ending; starting a new one")
        self._set_running(False)
        self._new_worker()
        self.pending.send(messages.SetSpeed(self._speed))
        if self._view is not None:
            self.pending.send(messages.SetView(self._view))
        if self._interpolation is not None:
            self.pending.send(messages.SetInterpolation(self._interpolation))
        self.start()
        self.training_restarted.emit()

    def _revive(self) -> None:
        """A command that needs training while it is stopped starts a new worker first."""
        if self.stopped_reason is not None:
            self.restart_training()

    def start(self) -> None:
        """Start the worker and the refresh timer (nothing happens after a shutdown)."""
        if self._shut_down or self.worker.is_alive():
            return
        self.worker.start()
        self.timer.start()

    def shutdown(self, timeout: float = 2.0) -> bool:
        """Stop the refresh timer and the worker; True if the worker ended within `timeout`."""
        self._shut_down = True
        self.timer.stop()
        self.slot.on_publish = None
        if not self.worker.is_alive():
            return True
        stopped = self.worker.stop(timeout)
        if not stopped:
            log.warning("the training worker did not stop within %.1f s", timeout)
        return stopped

    def poll(self) -> Frame | None:
        """Take the newest frame, if any, and announce it (then any finished file commands,
        then a stop of the worker: its unanswered commands get a failed result)."""
        # read before the results: whatever the worker answered before it failed is queued
        failure = self.worker.failure
        frame = self.slot.take()
        if frame is not None:
            self._announce(frame)
        for result in self.worker.results.take_all():
            self._unanswered.pop(result.command.ticket, None)
            self.file_command_finished.emit(result)
        if failure and self.stopped_reason is None:
            self._stopped(failure)
        return frame

    def _stopped(self, reason: str) -> None:
        self.stopped_reason = reason
        self._set_running(False)
        unanswered, self._unanswered = list(self._unanswered.values()), {}
        for command in unanswered:
            self.file_command_finished.emit(not_done(command, "training stopped"))
        self.training_stopped.emit(reason)

    def _announce(self, frame: Frame) -> None:
        self.last_frame = frame
        self.frames_received += 1
        if frame.failure is not None and self._running:
            self._set_running(False)
        self.frame_received.emit(frame)

    # ---------------------------------------------------------------- configurations
    @property
    def configs(self) -> tuple[RunConfig, ...]:
        return self._configs.copies()

    @property
    def compare(self) -> bool:
        return self._configs.compare

    def set_config(self, index: int, config: RunConfig) -> None:
        """Replace run `index`'s configuration; run B follows run A's target and seed."""
        self._configs.set(index, config)
        self._push_configs()

    def set_target(self, target: TargetConfig) -> None:
        """Train every run on `target` from the next iteration on (networks are kept)."""
        self._configs.set_target(target)
        self._push_configs()

    def set_compare(self, config_b: RunConfig | None) -> None:
        """Start compare mode with run B = `config_b` (None ends it); both runs restart."""
        self._configs.set_compare(config_b)
        self._push_configs()

    def load(self, config_a: RunConfig, config_b: RunConfig | None) -> None:
        """Replace everything at once (a lesson)."""
        self._configs.load(config_a, config_b)
        self._push_configs()

    def adopt_configs(self, configs: tuple[RunConfig, ...]) -> None:
        """The worker already trains `configs` (an opened session): take them over without
        sending them back."""
        self._configs.adopt(configs)
        self.configs_changed.emit(self.configs)

    def request_file_command(self, command):
        """Save / open / export in the worker between iterations (see file_commands); return
        the command as sent (with its ticket). Exactly one `file_command_finished` answers it:
        at once (failed) if training has stopped or `MAX_UNANSWERED` commands are waiting;
        opening a session restarts a stopped worker first."""
        self._tickets += 1
        command = dataclasses.replace(command, ticket=self._tickets)
        if isinstance(command, OpenSession):
            self._revive()
        if self._shut_down or self.stopped_reason is not None:
            self._answer(not_done(command, "training has stopped: restart it first"))
        elif len(self._unanswered) >= MAX_UNANSWERED:
            self._answer(not_done(command, f"{MAX_UNANSWERED} file commands are still waiting"))
        else:
            self._unanswered[command.ticket] = command
            self.pending.send(messages.RunFileCommand(command))
        return command

    def _answer(self, result: FileResult) -> None:
        log.warning("%s", result.message)
        self.file_command_finished.emit(result)

    def _push_configs(self) -> None:
        self.pending.send(messages.SetConfigs(self._configs.current))
        self.configs_changed.emit(self.configs)

    # ---------------------------------------------------------------- commands
    @property
    def running(self) -> bool:
        return self._running

    def play(self) -> None:
        self._revive()
        self._set_running(True)

    def pause(self) -> None:
        self._set_running(False)

    def toggle_running(self) -> None:
        if not self._running:
            self._revive()
        self._set_running(not self._running)

    def _set_running(self, running: bool) -> None:
        if running == self._running:
            return
        self._running = running
        self.pending.send(messages.SetRunning(running))
        self.running_changed.emit(running)

    def step(self, iterations: int = 1) -> None:
        self._revive()
        self.pause()
        self.pending.send(messages.Step(iterations))

    def step_discriminator(self) -> None:
        self._revive()
        self.pause()
        self.pending.send(messages.StepDiscriminator())

    def step_generator(self) -> None:
        self._revive()
        self.pause()
        self.pending.send(messages.StepGenerator())

    def reset(self) -> None:
        """Fresh networks with the current settings (a new worker if training had stopped)."""
        if self.stopped_reason is not None:
            self.restart_training()
            return
        self.pending.send(messages.Reset())

    def send_timeline(self, command: messages.TimelineCommand) -> messages.TimelineCommand:
        """A timeline command (seek, rename, budget), numbered; a frame's timeline answer
        reaches its ticket. A seek pauses training first."""
        self._tickets += 1
        command = dataclasses.replace(command, ticket=self._tickets)
        if isinstance(command, messages.Seek):
            self.pause()
        self.pending.send(command)
        return command

    def restore_last_good(self, lr_factor: float = RESTORE_LR_FACTOR) -> None:
        """Go back to the last finite state, with both learning rates multiplied by lr_factor."""
        self._configs.scale_learning_rates(lr_factor)
        self._push_configs()
        self.pending.send(messages.RestoreLastGood())

    def set_speed(self, iterations_per_second: float | None) -> None:
        self._speed = iterations_per_second
        self.pending.send(messages.SetSpeed(iterations_per_second))

    def set_view(self, view: ViewRequest) -> None:
        self._view = view
        self.pending.send(messages.SetView(view))

    def set_interpolation(self, start: np.ndarray, end: np.ndarray) -> None:
        self.request_latent_images(Interpolation(np.array(start), np.array(end)))

    def request_latent_images(self, request: Interpolation) -> None:
        """What the runs draw in latent space (a path, and an image view's arithmetic)."""
        self._interpolation = request
        self.pending.send(messages.SetInterpolation(request))

    def wait_for_worker(self, timeout: float) -> bool:
        """After `shutdown`: wait for a worker that was busy (e.g. still starting up)."""
        if self.worker.is_alive():
            self.worker.join(timeout)
        return not self.worker.is_alive()
