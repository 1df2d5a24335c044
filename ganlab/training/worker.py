"""The training worker: a thread that owns every trainer, network and tensor of the app (in
the app it runs inside the training process, see `process.py`; tests run it in their own).

Loop: take the GUI's pending requests, apply them between iterations, train (as fast as
possible, or at a chosen slow-motion rate), and publish a `Frame` into the latest-only slot when
the GUI is ready for one (at most ~30 per second). Fields are computed only for published frames
and only for the layers the GUI shows, in turns at full speed (`field_schedule.py`); metrics at
most every `metrics_interval_s`, on their own thread.

A non-finite loss, sample or weight pauses training and publishes a failure the GUI explains;
the last good states (checkpoints taken every couple of seconds while everything is finite) can
be restored, under the settings of the moment (`good_states.py`). Any other exception ends the
worker: the file commands it had taken get a failed result, `failure` says why, and the GUI
offers to start a new worker (a trainer that raised mid-step is in no state to go on). In
compare mode the runs step in lockstep; anything that restarts one run from
scratch (reset, rebuild, a second run appearing) restarts all, so their iterations stay equal.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque

import numpy as np
import torch

from ganlab.core.config import RunConfig
from ganlab.core.fields import interpolation_path
from ganlab.core.snapshot import Snapshotter
from ganlab.core.trainer import Trainer
from ganlab.training.failure_text import failure_message
from ganlab.training.field_schedule import fields_for_frame, full_check_due
from ganlab.training.file_commands import (
    FileResult,
    OpenSession,
    ResultQueue,
    not_done,
    open_session,
    run_file_command,
)
from ganlab.training.frame import Frame, RunFrame
from ganlab.training.frame_slot import FrameSlot
from ganlab.training.good_states import (
    GoodState,
    StateMismatch,
    restore_good_state,
    take_good_state,
)
from ganlab.training.metrics_thread import MetricsThread, sample_job
from ganlab.training.pending_changes import (
    MAX_FILE_COMMANDS,
    PendingChanges,
    Requests,
    ViewRequest,
)

log = logging.getLogger(__name__)

FRAME_INTERVAL_S = 1 / 30  # publish at most this often
STALE_FRAME_S = 0.25  # publish even if the GUI has not read the last frame after this long
SPLIT_RATE = 3.0  # at or below this many iterations/s, show D's and G's updates separately
CHECKPOINT_INTERVAL_S = 2.0  # how often a finite state is kept for "restore last good"


def default_torch_threads() -> int:
    """Leave one core to the GUI thread: cores - 1, at least 1, at most 4."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))


class _Run:
    """One trainer with its snapshotter and its last good states (worker thread only)."""

    def __init__(self, config: RunConfig, display_samples: int, trainer: Trainer | None = None):
        self.trainer = trainer if trainer is not None else Trainer(config)
        self.snapshotter = Snapshotter(self.trainer, display_samples=display_samples)
        self.good_states: deque[GoodState] = deque(maxlen=2)

    def checkpoint(self) -> None:
        self.good_states.append(take_good_state(self.trainer))

    def restore(self) -> bool:
        """Back to the older good state (from before the trouble); False if there is none.
        Raises `StateMismatch` if it no longer fits the networks."""
        if not self.good_states:
            return False
        fresh = restore_good_state(self.trainer, self.good_states[0])
        if fresh:
            log.info("restored the last good state; new %s optimizer state (its kind changed)",
                     " and ".join(fresh))
        self.trainer.read_losses()  # drop the non-finite loss sums
        return True


class TrainingWorker(threading.Thread):
    """Trains in its own thread; talks to the GUI only through `pending` and `slot`."""

    def __init__(
        self,
        pending: PendingChanges,
        slot: FrameSlot,
        *,
        frame_interval_s: float = FRAME_INTERVAL_S,
        metrics_interval_s: float = 2.0,
        torch_threads: int | None = None,
        display_samples: int = 512,
        results: ResultQueue | None = None,
    ):
        super().__init__(name="ganlab-training", daemon=True)
        self.pending = pending
        self.slot = slot
        self.frame_interval_s = frame_interval_s
        self.metrics_interval_s = metrics_interval_s
        self.torch_threads = torch_threads or default_torch_threads()
        self.display_samples = display_samples
        self.results = results if results is not None else ResultQueue()  # file commands done
        self.runs: list[_Run] = []  # worker thread only; tests read it after the worker idles
        # why the worker ended on an unexpected exception (None while it runs or after a stop);
        # set after the results of every command it had taken were put into `results`
        self.failure: str | None = None
        self._unanswered: list = []  # file commands taken from `pending`, not yet answered
        self._requests = Requests(configs=None, running=False, iterations_per_second=None)
        self._sequence = 0
        self._epoch = 0
        self._target_epoch = 0
        self._phase_updates = set()
        self._failure: str | None = None
        self._failed_runs: tuple[int, ...] = ()
        self._error: str | None = None
        self._last_publish = 0.0
        self._last_metrics = -1e9
        self._trained_since_metrics = True
        self._last_checkpoint = -1e9
        self._next_due = 0.0
        self._half_done = False  # slow motion: D's half of the iteration is done
        self._rate_clock = (time.perf_counter(), 0)
        self._rate = 0.0
        self._iterations = 0  # all iterations done by this worker (for the rate)
        self._was_running = False

    # ------------------------------------------------------------------ lifecycle
    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the loop to finish its step (and its last file commands) and wait; True if the
        thread, and its metrics thread, ended within `timeout` seconds."""
        started = time.perf_counter()
        self.pending.request_stop()
        self.join(timeout)
        metrics = getattr(self, "_metrics", None)
        if metrics is not None and metrics.is_alive():
            metrics.join(max(0.0, timeout - (time.perf_counter() - started)))
        return not self.is_alive() and not (metrics is not None and metrics.is_alive())

    def run(self) -> None:
        torch.set_num_threads(self.torch_threads)
        self._metrics = MetricsThread()
        self._metrics.start()
        try:
            self._loop()
        except Exception as error:  # the app lives on: answer what was asked, say why, end
            log.exception("the training worker failed")
            self._end_after(error)
        finally:
            # no wait: an evaluation in progress (~0.1 s, far more on a busy machine: the thread
            # runs at low priority) must not hold up the exit; `stop` joins what time allows
            self._metrics.stop(timeout=0.0)

    def _end_after(self, error: Exception) -> None:
        reason = (
            f"The training worker failed ({type(error).__name__}: {error}). Your settings are "
            "kept; restart training to go on from iteration 0, or open the last autosave."
        )
        asked = self.pending.take()  # asked since the last take: answered here too
        waiting = [*self._unanswered, *asked.dropped_file_commands, *asked.file_commands]
        for command in waiting:
            self.results.put(not_done(command, f"the training worker failed "
                                               f"({type(error).__name__})"))
        self._unanswered = []
        self.failure = reason

    def _loop(self) -> None:
        self._last_metrics = time.perf_counter()  # the first frame comes fast, metrics later
        while True:
            requests = self.pending.take()
            self._requests = requests
            self._unanswered = list(requests.file_commands)
            self._answer_dropped(requests)
            if requests.stop:
                self._run_file_commands(requests)  # the save on exit
                return
            changed = self._apply(requests)
            changed = self._run_file_commands(requests) or changed
            trained = self._run_commands(requests)
            running = requests.running and self._failure is None and bool(self.runs)
            rate = requests.iterations_per_second
            if running:
                trained = self._train_when_due(rate) or trained
            paused_now = self._was_running and not running  # the GUI must hear it at once
            self._was_running = running
            if changed or trained or requests.refresh or paused_now:
                slow_motion = running and rate is not None
                self._publish(force=not running or changed or requests.refresh or slow_motion)
            if running:
                if not trained:
                    self.pending.wait(max(0.0, min(self._next_due - time.perf_counter(), 0.05)))
                continue
            self._update_rate(idle=True)
            self.pending.wait(self._idle_timeout())
            if (self._metrics_due() or self._metrics.has_results) and not self.pending.has_news:
                self._publish(force=True)  # paused: bring the metrics up to date

    def _metrics_due(self) -> bool:
        return bool(
            self.runs and self._requests.view.metrics and self._trained_since_metrics
            and self._failure is None
            and time.perf_counter() - self._last_metrics >= self.metrics_interval_s
        )

    def _idle_timeout(self) -> float:
        if (self.runs and self._requests.view.metrics and self._trained_since_metrics
                and self._failure is None):
            remaining = self._last_metrics + self.metrics_interval_s - time.perf_counter()
            return max(0.0, min(remaining, 0.5))
        return 0.5

    # ------------------------------------------------------------------ applying requests
    def _apply(self, requests: Requests) -> bool:
        """Apply new configurations, reset and restore; True if anything changed."""
        changed = False
        if requests.configs is not None:
            changed = self._apply_configs(requests.configs) or changed
        if requests.reset:
            for run in self.runs:
                run.trainer.reset()
                run.good_states.clear()
            self._restarted()
            changed = True
        if requests.restore_last_good:
            try:
                restored = [run.restore() for run in self.runs]
            except StateMismatch as error:
                log.warning("could not restore: %s", error)
                restored = [False]
            if all(restored):
                self._failure, self._failed_runs = None, ()
                self._phase_updates.clear()
            else:
                self._error = "no good state fits the networks as they are now: use reset"
            changed = True
        return changed

    def _apply_configs(self, configs: tuple[RunConfig, ...]) -> bool:
        self._error = None
        if len(configs) != len(self.runs):
            try:
                runs = [_Run(config, self.display_samples) for config in configs]
            except Exception as error:  # a bad device, a broken points file
                log.warning("could not start training: %s", error)
                self._error = f"could not apply the settings: {error}"
                return True
            self.runs = runs
            self._target_epoch += 1
            self._restarted()
            return True
        rebuilt = target_changed = False
        for run, config in zip(self.runs, configs, strict=True):
            try:
                change = run.trainer.apply_config(config)
            except Exception as error:
                log.warning("could not apply settings: %s", error)
                self._error = f"could not apply the settings: {error}"
                continue
            rebuilt = rebuilt or change.rebuilt
            target_changed = target_changed or change.target_changed
        if target_changed:
            self._target_epoch += 1
            self._trained_since_metrics = True
        if rebuilt:
            if len(self.runs) > 1:  # lockstep: every run starts again together
                for run in self.runs:
                    run.trainer.reset()
            self._restarted()
        return True

    def _restarted(self) -> None:
        self._epoch += 1
        self._failure, self._failed_runs = None, ()
        self._trained_since_metrics = True
        self._half_done = False
        for run in self.runs:
            run.good_states.clear()
            run.trainer.read_losses()

    def _answer_dropped(self, requests: Requests) -> None:
        for command in requests.dropped_file_commands:
            self.results.put(not_done(
                command, f"more than {MAX_FILE_COMMANDS} file commands were waiting"))

    def _run_file_commands(self, requests: Requests) -> bool:
        """Save / open / export between iterations; True if a session was opened."""
        opened = False
        for command in requests.file_commands:
            if isinstance(command, OpenSession):
                result = self._open(command)
                opened = opened or result.ok
            else:
                result = run_file_command(command, [run.trainer for run in self.runs])
            self.results.put(result)
            self._unanswered.pop(0)
        return opened

    def _open(self, command: OpenSession) -> FileResult:
        session, failure = open_session(command)
        if failure is not None:  # the current runs go on untouched
            return failure
        self.runs = [_Run(session.trainer.config, self.display_samples, session.trainer)]
        self._target_epoch += 1
        self._restarted()
        self._error = None
        trainer = session.trainer
        return FileResult(
            command, True, f"Opened {command.path} at iteration {trainer.iteration:,}",
            config=trainer.config.copy(), history=session.history, extra=session.extra,
            iteration=trainer.iteration, epoch=self._epoch)

    # ------------------------------------------------------------------ training
    def _run_commands(self, requests: Requests) -> bool:
        if not self.runs or self._failure is not None:
            return False
        for _ in range(requests.steps):
            self._step(discriminator=True, generator=True)
        for _ in range(requests.discriminator_steps):
            self._step(discriminator=True, generator=False)
        for _ in range(requests.generator_steps):
            self._step(discriminator=False, generator=True)
        return bool(requests.steps or requests.discriminator_steps or requests.generator_steps)

    def _train_when_due(self, rate: float | None) -> bool:
        """Train as the speed setting asks; True if any update happened."""
        now = time.perf_counter()
        if rate is None:  # full speed: iterate until a frame is due
            deadline = now + self.frame_interval_s
            self._step(discriminator=True, generator=True)
            while time.perf_counter() < deadline and not self._frame_wanted():
                self._step(discriminator=True, generator=True)
            return True
        if now < self._next_due:
            return False
        period = 1.0 / rate
        if rate <= SPLIT_RATE:  # slow motion: D's half, a frame, G's half, a frame
            self._half_step(generator_half=self._half_done)
            self._half_done = not self._half_done
            self._next_due = max(self._next_due + period / 2, now)
        else:
            self._step(discriminator=True, generator=True)
            self._next_due = max(self._next_due + period, now)
        return True

    def _frame_wanted(self) -> bool:
        elapsed = time.perf_counter() - self._last_publish
        return elapsed >= self.frame_interval_s and (self.slot.consumed or elapsed > STALE_FRAME_S)

    def _step(self, discriminator: bool, generator: bool) -> None:
        for run in self.runs:
            run.trainer.step(discriminator=discriminator, generator=generator)
        self._iterations += 1
        self._trained_since_metrics = True
        if discriminator:
            self._phase_updates.add("discriminator")
        if generator:
            self._phase_updates.add("generator")

    def _half_step(self, generator_half: bool) -> None:
        """Half of an iteration, so slow motion shows the critic's and the generator's update
        apart: Trainer.step(D only) then Trainer.step(G only) count as one iteration."""
        for run in self.runs:
            if generator_half:
                run.trainer.step(discriminator=False, generator=True)
            else:
                # the generator's half completes this iteration
                run.trainer.step(discriminator=True, generator=False, complete_iteration=False)
        if generator_half:
            self._iterations += 1
        self._trained_since_metrics = True
        self._phase_updates.add("generator" if generator_half else "discriminator")

    # ------------------------------------------------------------------ publishing
    def _publish(self, force: bool = False) -> None:
        if not force and not self._frame_wanted():
            return
        now = time.perf_counter()
        view = self._requests.view
        running = self._requests.running and self._failure is None
        full_speed = running and self._requests.iterations_per_second is None and not force
        request = fields_for_frame(view, self._sequence, full_speed)
        full_check = full_check_due(self._sequence, full_speed)
        want_metrics = (
            view.metrics
            and self._trained_since_metrics
            and now - self._last_metrics >= self.metrics_interval_s
            and self._metrics.idle
        )
        results = self._metrics.take_results()
        run_frames = []
        failed = []
        for index, run in enumerate(self.runs):
            snapshot = run.snapshotter.take(request)
            # a NaN weight shows up in the losses and samples; the full check costs ~1 ms
            finite = snapshot.finite and (not full_check or run.trainer.parameters_are_finite())
            if not finite:
                failed.append(index)
            run_frames.append(
                RunFrame(
                    snapshot=snapshot,
                    config=run.trainer.config,
                    device=str(run.trainer.device),
                    interpolation_path=self._interpolation_path(run) if finite else None,
                    metrics=_current(results.get(index), self._epoch),
                )
            )
        if want_metrics and not failed:
            for index, run in enumerate(self.runs):
                self._metrics.submit(sample_job(index, self._epoch, run.trainer))
            self._last_metrics = time.perf_counter()
            self._trained_since_metrics = False
        if failed and self._failure is None:
            self._failure = failure_message(run_frames, failed)
            self._failed_runs = tuple(failed)
            log.warning("training paused: %s", self._failure)
        elif not failed and now - self._last_checkpoint >= CHECKPOINT_INTERVAL_S:
            for run in self.runs:
                run.checkpoint()
            self._last_checkpoint = now
        self._update_rate()
        self._sequence += 1
        phase = _phase_name(self._phase_updates)
        self._phase_updates = set()
        self.slot.publish(
            Frame(
                sequence=self._sequence,
                runs=tuple(run_frames),
                running=self._requests.running and self._failure is None,
                phase=phase,
                iterations_per_second=self._rate if running else 0.0,
                epoch=self._epoch,
                target_epoch=self._target_epoch,
                failure=self._failure,
                failed_runs=self._failed_runs,
                error=self._error,
                can_restore=all(run.good_states for run in self.runs) and bool(self.runs),
            )
        )
        self._last_publish = now  # frames start every frame_interval_s, however long one took

    def _interpolation_path(self, run: _Run) -> np.ndarray | None:
        interpolation = self._requests.interpolation
        latent_dim = run.trainer.config.model.latent_dim
        if interpolation is None or len(interpolation.start) != latent_dim:
            return None
        return interpolation_path(run.trainer, interpolation.start, interpolation.end, 64)

    def _update_rate(self, idle: bool = False) -> None:
        now = time.perf_counter()
        start, count = self._rate_clock
        if now - start >= 0.5:
            self._rate = (self._iterations - count) / (now - start)
            self._rate_clock = (now, self._iterations)
        if idle and self._rate and now - start > 1.0:
            self._rate = 0.0


def _current(result: tuple[int, dict] | None, epoch: int) -> dict | None:
    """Metrics from the metrics thread, unless the run restarted since they were sampled."""
    if result is None or result[0] != epoch:
        return None
    return result[1]


def _phase_name(updates: set[str]) -> str:
    if updates == {"discriminator"}:
        return "discriminator"
    if updates == {"generator"}:
        return "generator"
    return "both" if updates else "idle"


__all__ = ["TrainingWorker", "ViewRequest", "default_torch_threads"]
