"""The training worker: a thread that owns every trainer, network and tensor of the app (in
the app it runs inside the training process, see `process.py`; tests run it in their own).

The loop, in the shape of superqt's generator worker: take the GUI's requests (stop and pause
are checked there, between steps), apply them (settings, reset, restore, file commands, single
steps), train the steps the pacer yields, publish a `Frame` into the latest-only slot when the
GUI is ready for one (~27 per second), and wait for news when there is nothing to do.
Each policy is a small part: `pacer.py` (when to step and to publish), `lockstep.py` (compare
runs step and restart together), `divergence_guard.py` (what a NaN means, when to keep a good
state), `metrics_schedule.py`, `rate_meter.py`, `file_desk.py` (one answer per file command),
`field_schedule.py` (which fields a frame computes), `field_thread.py` (at full speed, a point
run's fields and an image run's pictures are computed there from a copy of its networks). Any
exception other than a NaN ends the worker: the file commands it had taken get a failed
result, `failure` says why, and the GUI offers to start a new worker (a trainer that raised
mid-step is in no state to go on).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator

import torch

from ganlab.training import step as steps
from ganlab.training.divergence_guard import DivergenceGuard
from ganlab.training.field_schedule import fields_for_frame, full_check_due
from ganlab.training.field_thread import FieldThread
from ganlab.training.file_commands import (
    FileCommand,
    FileResult,
    OpenSession,
    ResultQueue,
    open_session,
    run_file_command,
)
from ganlab.training.file_desk import FileDesk
from ganlab.training.frame import Frame
from ganlab.training.frame_slot import FrameSlot
from ganlab.training.lockstep import LockstepRuns
from ganlab.training.messages import Stop, carried_data
from ganlab.training.metrics_schedule import MetricsSchedule
from ganlab.training.metrics_thread import MetricsThread, sample_job
from ganlab.training.pacer import FRAME_INTERVAL_S, Pacer
from ganlab.training.pending_changes import PendingChanges, Requests, ViewRequest
from ganlab.training.rate_meter import RateMeter
from ganlab.training.run import Run
from ganlab.training.run_frames import take_run_frames
from ganlab.training.thread_names import name_native_thread
from ganlab.training.timeline_desk import TimelineDesk

log = logging.getLogger(__name__)


def default_torch_threads() -> int:
    """Leave one core to the GUI thread: cores - 1, at least 1, at most 4."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))


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
        self.torch_threads = torch_threads or default_torch_threads()
        self.results = results if results is not None else ResultQueue()  # file commands done
        # why the worker ended on an unexpected exception (None while it runs or after a stop);
        # set after the results of every command it had taken were put into `results`
        self.failure: str | None = None
        self._lockstep = LockstepRuns(display_samples)
        self._pacer = Pacer(frame_interval_s)
        self._guard = DivergenceGuard()
        self._metrics_schedule = MetricsSchedule(metrics_interval_s)
        self._rate = RateMeter()
        self._files = FileDesk(self.results)
        self._phases = steps.Phases()
        self._timeline = TimelineDesk(  # keyframes and branches of a single run
            report=lambda: self._publish(force=True),
            interrupted=lambda: self.pending.interrupts_seek)
        self._metrics: MetricsThread | None = None
        self._fields: FieldThread | None = None
        self._requests = Requests(configs=None, running=False, iterations_per_second=None)
        self._sequence = 0
        self._error: str | None = None
        self._was_running = False

    @property
    def runs(self) -> list[Run]:
        """The runs (worker thread only; tests read them after the worker idles)."""
        return self._lockstep.runs

    # ------------------------------------------------------------------ lifecycle
    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the loop to finish its step (and its last file commands) and wait; True if the
        thread, and its metrics and field threads, ended within `timeout` seconds."""
        started = time.perf_counter()
        self.pending.send(Stop())
        self.join(timeout)
        helpers = [t for t in (self._metrics, self._fields) if t is not None]
        for helper in helpers:
            if helper.is_alive():
                helper.join(max(0.0, timeout - (time.perf_counter() - started)))
        return not self.is_alive() and not any(helper.is_alive() for helper in helpers)

    def run(self) -> None:
        name_native_thread(self.name)
        torch.set_num_threads(self.torch_threads)
        self._metrics = MetricsThread()
        self._metrics.start()
        self._fields = FieldThread()
        self._fields.start()
        try:
            self._loop()
        except Exception as error:  # the app lives on: answer what was asked, say why, end
            log.exception("the training worker failed")
            self._end_after(error)
        finally:
            # no wait: an evaluation in progress (~0.1 s, far more on a busy machine: the thread
            # runs at low priority) must not hold up the exit; `stop` joins what time allows
            self._metrics.stop(timeout=0.0)
            self._fields.stop(timeout=0.0)

    def _end_after(self, error: Exception) -> None:
        asked = self.pending.take()  # asked since the last take: answered here too
        self._files.fail_all(asked, f"the training worker failed ({type(error).__name__})")
        self.failure = (
            f"The training worker failed ({type(error).__name__}: {error}). Your settings are "
            "kept; restart training to go on from iteration 0, or open the last autosave."
        )

    # ------------------------------------------------------------------ the loop
    def _loop(self) -> None:
        self._metrics_schedule.start()  # the first frame comes fast, metrics later
        for requests in self._requests_until_stop():
            changed = self._apply(requests)
            changed = self._run_file_commands(requests) or changed
            may_train = bool(self._lockstep) and not self._guard.failed
            trained = may_train and self._train(_commanded_steps(requests))
            running = requests.running and may_train
            rate = requests.iterations_per_second
            if running:
                trained = self._train(self._paced_steps(rate)) or trained
            paused_now = self._was_running and not running  # the GUI must hear it at once
            self._was_running = running
            if changed or trained or requests.refresh or paused_now:
                slow_motion = running and rate is not None
                self._publish(force=not running or changed or requests.refresh or slow_motion)
            if not running:
                self._idle()
            elif not trained:  # between paced steps
                self.pending.wait(self._pacer.running_wait_s())

    def _idle(self) -> None:
        """Paused (or nothing to train): wait for news, waking to bring the metrics up to date."""
        self._rate.update(idle=True)
        self.pending.wait(self._metrics_schedule.idle_wait_s(self._metrics_wanted()))
        due = self._metrics_schedule.due(self._metrics_wanted())
        if (due or self._metrics.has_results or self._metrics.starved()) \
                and not self.pending.has_news:
            self._publish(force=True)

    def _requests_until_stop(self) -> Iterator[Requests]:
        """The GUI's requests, one take per pass of the loop; on stop, run the last file
        commands (the save on exit) and end."""
        while True:
            requests = self.pending.take()
            self._requests = requests
            self._files.took(requests)
            if requests.stop:
                self._run_file_commands(requests)
                return
            yield requests

    def _paced_steps(self, rate: float | None) -> Iterable[steps.Step]:
        if rate is None:  # full speed: iterate until a frame is due
            return self._pacer.full_speed(lambda: self.slot.consumed)
        due = self._pacer.due_step(rate)
        return () if due is None else (due,)

    def _train(self, planned: Iterable[steps.Step]) -> bool:
        """Take each planned step on every run; True if any was taken."""
        trained = False
        for step in planned:
            self._timeline.before_step(self._lockstep)
            self._lockstep.step(step)
            self._timeline.stepped(self._lockstep, step)
            if step.completes_iteration:
                self._rate.count()
            self._metrics_schedule.trained()
            self._phases.stepped(step)
            trained = True
        return trained

    def _metrics_wanted(self) -> bool:
        return bool(self._lockstep) and self._requests.view.metrics and not self._guard.failed

    # ------------------------------------------------------------------ applying requests
    def _apply(self, requests: Requests) -> bool:
        """Apply new configurations, reset and restore; True if anything changed."""
        changed = False
        if requests.configs is not None:
            self._timeline.leave_compare(self._lockstep, requests.configs)  # (branches)
            outcome = self._lockstep.apply_configs(requests.configs)
            self._error = outcome.error
            if outcome.target_changed:
                self._metrics_schedule.trained()
            if outcome.restarted:
                self._restarted()
            else:
                self._timeline.settings_changed(self._lockstep)
            changed = True
        if requests.reset:
            self._lockstep.reset()
            self._restarted()
            changed = True
        if requests.restore_last_good:
            if self._lockstep.restore_last_good():
                self._guard.clear()
                self._phases.clear()
                self._timeline.jumped(self._lockstep)
            else:
                self._error = "no good state fits the networks as they are now: use reset"
            changed = True
        if requests.timeline and self._timeline.handle(requests.timeline, self._lockstep):
            self._guard.clear()
            self._phases.clear()
        return changed or bool(requests.timeline)

    def _restarted(self) -> None:
        """The runs started again (`LockstepRuns` counted the epoch): no failure, nothing
        sampled, slow motion from its first half."""
        self._guard.clear()
        self._metrics_schedule.trained()
        self._pacer.restart()
        self._timeline.restarted()

    def _run_file_commands(self, requests: Requests) -> bool:
        """Save / open / export between iterations; True if a session was opened."""
        done = self._files.run(requests, self._answer)
        return any(isinstance(result.command, OpenSession) and result.ok for result in done)

    def _answer(self, command: FileCommand) -> FileResult:
        if not isinstance(command, OpenSession):
            command = self._timeline.with_records(command)  # a save carries the branches
            return run_file_command(command, self._lockstep.trainers)
        session, failure = open_session(command)
        if failure is not None:  # the current runs go on untouched
            return failure
        trainer = session.trainer
        self._lockstep.adopt(trainer)
        self._restarted()
        self._timeline.adopt(trainer, session.extra, command.path)
        self._error = None
        return FileResult(
            command, True, f"Opened {command.path} at iteration {trainer.iteration:,}",
            config=trainer.config.copy(), history=session.history, extra=session.extra,
            iteration=trainer.iteration, epoch=self._lockstep.epoch,
            data=carried_data((trainer.config,)))

    # ------------------------------------------------------------------ publishing
    def _publish(self, force: bool = False) -> None:
        if not force and not self._pacer.frame_wanted(self.slot.consumed):
            return
        now = time.perf_counter()
        view = self._requests.view
        running = self._requests.running and not self._guard.failed
        full_speed = running and self._requests.iterations_per_second is None and not force
        want_metrics = self._metrics_schedule.due(view.metrics, now) and self._metrics.idle
        if not full_speed:  # every field inline: what the field thread has in hand is stale
            self._fields.discard()
        run_frames, failed = take_run_frames(
            self.runs,
            fields_for_frame(view, self._sequence, full_speed),
            full_check=full_check_due(self._sequence, full_speed),
            metrics=self._metrics.take_results(),
            epoch=self._lockstep.epoch,
            interpolation=self._requests.interpolation,
            field_thread=self._fields if full_speed else None,
            shown=fields_for_frame(view, self._sequence, full_speed=False),
        )
        frame_cost = time.perf_counter() - now  # the snapshot, not the metrics sampling below
        # the metrics thread got no CPU for seconds (a loaded machine): its jobs are evaluated
        # here, their results go with the next frame
        self._metrics.evaluate_starved()
        if want_metrics and not failed:
            sampling_started = time.perf_counter()
            for index, run in enumerate(self.runs):
                self._metrics.submit(sample_job(index, self._lockstep.epoch, run.trainer))
            self._metrics_schedule.sampled(time.perf_counter() - sampling_started)
        if self._guard.observe(run_frames, failed, now):
            for run in self.runs:
                run.checkpoint()
        self._rate.update()
        self._sequence += 1
        self.slot.publish(
            Frame(
                sequence=self._sequence,
                runs=tuple(run_frames),
                running=self._requests.running and not self._guard.failed,
                phase=self._phases.take(),
                iterations_per_second=self._rate.rate if running else 0.0,
                epoch=self._lockstep.epoch,
                target_epoch=self._lockstep.target_epoch,
                failure=self._guard.failure,
                failed_runs=self._guard.failed_runs,
                error=self._error,
                can_restore=self._lockstep.can_restore,
                extra=self._timeline.frame_extra(),
            )
        )
        self._pacer.frame_published(now, frame_cost)


def _commanded_steps(requests: Requests) -> Iterator[steps.Step]:
    """The single steps the GUI asked for: whole iterations, then critic-only, then
    generator-only ones."""
    yield from [steps.BOTH] * requests.steps
    yield from [steps.DISCRIMINATOR] * requests.discriminator_steps
    yield from [steps.GENERATOR] * requests.generator_steps


__all__ = ["TrainingWorker", "ViewRequest", "default_torch_threads"]
