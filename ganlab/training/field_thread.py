"""Fields off the training thread: at full speed a point run's fields (D on the grid, D*, the
gradient arrows, the latent manifold) are computed here from a frozen copy of its networks.

Computing them on the training thread took it ~7.6 ms a frame with every layer on (3×128
networks, 64×64 grid), a fifth of its time at 27 frames a second. Instead, at each full-speed
frame the worker hands this thread a `FieldJob`: the run's networks copied (`network_copy`,
~0.1 ms) and what the fields depend on besides them. The thread computes the next group of
shown fields in turn that is due (`field_schedule.next_due_group`: each group no more often
than `MIN_INTERVALS` allows; a job with none due is dropped) with the engine's own functions, so the
numbers are those the training thread would have computed for the same weights, and leaves
them for the worker to attach to its next frame: the fields lag the samples by one frame
(~33 ms, a few iterations). Jobs are latest-only per run (a job not yet started is replaced,
never queued) and results carry the `key` of what they were computed for: a frame takes only
results with its own key and generation. Paused, slow or changed frames compute every field
inline as before (`discard` drops what is in flight). torch releases the GIL in its kernels,
and the thread runs under SCHED_IDLE (`thread_priority`), so it takes the spare time of the
other core rather than the GUI's or the training thread's. On a machine loaded by other
programs it may get no time at all: when no fields have come for `MAX_FIELDS_AGE_S`, the frame
computes every shown field inline (then waits that long again), so they never freeze.

An image run's pictures go the same way (`ImageJob`): at full speed its frame carries G's grid,
D's scores and the nearest training images computed here from the weights copied at the
previous frame (`Snapshot.images_iteration` says which iteration), the newest such result kept
until a newer one replaces it; the first frame after a change computes them inline, and so
does a frame whose pictures would be older than `MAX_PICTURES_AGE_S` (this thread starved of
CPU: it runs only on an otherwise idle core), so they never freeze. On the 16×16 recipe that
moves ~7.5 CPU ms of a ~27 ms step off the training thread. The same job draws the
interpolation row and latent arithmetic the GUI asked for (`latent_curves`), so they carry the
pictures' iteration; a new request shows from the next job on (the training thread draws
nothing for it).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass

import torch

from ganlab.core.image_snapshot import image_parts
from ganlab.core.snapshot import FIELD_NAMES, Snapshot, SnapshotRequest, field_parts
from ganlab.training.field_schedule import MIN_INTERVALS, next_due_group, without_fields
from ganlab.training.latent_curves import LatentCurves, latent_curves
from ganlab.training.network_copy import NetworkCopier, NetworkCopy, can_copy, can_copy_images
from ganlab.training.thread_names import name_native_thread
from ganlab.training.thread_priority import lower_this_threads_priority

log = logging.getLogger(__name__)

MAX_PICTURES_AGE_S = 0.25  # an image run's pictures are computed inline when older
MAX_FIELDS_AGE_S = 1.0  # a point run's fields are computed inline when none came for longer
FIELDS_NICENESS = 5  # and SCHED_IDLE (`thread_priority`): only a core nothing else wants


@dataclass(frozen=True)
class FieldJob:
    run_index: int
    generation: int  # `FieldThread.generation` when submitted: older ones are dropped
    key: tuple  # what the fields depend on besides the weights (epoch, target, box, resolution…)
    shown: SnapshotRequest  # every field the views show; one group is computed per job
    box: object
    latent: torch.Tensor  # the display z
    density_latent: torch.Tensor | None
    networks: NetworkCopy


@dataclass(frozen=True)
class ImageJob:
    """An image run's pictures to compute (`image_snapshot.image_parts`) from `networks`."""

    run_index: int
    generation: int
    key: tuple  # what the pictures depend on besides the weights
    inputs: tuple  # `Snapshotter.image_inputs()`
    networks: NetworkCopy
    iteration: int  # of the copied weights
    interpolation: object = None  # the `Interpolation` asked for when copied (or None)

    def compute(self) -> dict:
        return pictures(self.networks.load(), self.inputs, self.iteration, self.interpolation)


def pictures(networks, inputs: tuple, iteration: int, interpolation=None) -> dict:
    """An image run's pictures (`image_snapshot.image_parts`) from `networks` (a trainer or
    loaded copies), marked with the iteration of those weights, and under "curves" the
    `LatentCurves` of `interpolation` they draw."""
    return {**image_parts(networks, *inputs), "images_iteration": iteration,
            "curves": latent_curves(networks, interpolation, iteration)}


class FieldThread(threading.Thread):
    """Computes `FieldJob`s one at a time, newest per run; the worker submits and takes."""

    def __init__(self, min_intervals: dict[str, float] = MIN_INTERVALS, clock=time.monotonic
                 ) -> None:
        super().__init__(name="ganlab-fields", daemon=True)
        self.min_intervals = min_intervals  # per group: `field_schedule.MIN_INTERVALS`
        self.clock = clock
        self._last: dict[int, dict[int, float]] = {}  # run → group index → when computed
        self._condition = threading.Condition()
        self._pending: dict[int, FieldJob] = {}
        self._results: dict[int, tuple[int, tuple, dict]] = {}  # run → (generation, key, parts)
        self._turns: dict[int, int] = {}  # run → the next group's turn
        self._images: dict[int, tuple[int, tuple, dict]] = {}  # run → newest image_parts
        self._pictures_shown: dict[int, tuple[dict, float, tuple]] = {}  # (parts, fresh at, key)
        self.pictures_inline = 0  # full-speed frames that computed their pictures inline
        self._fields_fresh_at: dict[int, float] = {}  # run → when fields last came or were asked
        self.fields_inline = 0  # full-speed frames that computed a point run's fields inline
        self.generation = 0
        self.busy = False
        self.replaced = 0  # jobs replaced before they started (latest-only)
        self.computed = 0
        self.not_due = 0  # jobs dropped: no shown group was due yet
        self.cpu_seconds = 0.0  # this thread's CPU time computing jobs
        self._stopping = False
        self._copiers: dict[int, NetworkCopier] = {}  # worker thread only

    # ------------------------------------------------------------------ worker side
    def snapshot(self, run_index: int, run, request: SnapshotRequest, shown: SnapshotRequest,
                 epoch: int, interpolation=None) -> tuple[Snapshot, LatentCurves | None]:
        """Run `run_index`'s snapshot for a full-speed frame (worker thread): inline as asked
        by `request` if its fields cannot be copied (`network_copy.can_copy`); else without
        fields, carrying those computed here since the last frame, and a job for the next
        group of the fields `shown`. With it, an image run's `LatentCurves` as drawn with its
        pictures (None: the caller draws `interpolation` itself)."""
        trainer = run.trainer
        if trainer.target.data_kind == "images":
            return self._image_snapshot(run_index, run, request, epoch, interpolation)
        if not can_copy(trainer):
            return run.snapshotter.take(request), None
        if not any(getattr(shown, name) for name in FIELD_NAMES):
            self._fields_fresh_at.pop(run_index, None)
            return run.snapshotter.take(without_fields(request)), None
        now = self.clock()
        fresh_at = self._fields_fresh_at.setdefault(run_index, now)
        if now - fresh_at > MAX_FIELDS_AGE_S:  # none came for that long: this thread starved
            self._fields_fresh_at[run_index] = now
            self.fields_inline += 1
            return run.snapshotter.take(shown), None
        snapshot = run.snapshotter.take(without_fields(request))
        if not snapshot.finite:
            return snapshot, None
        box, latent, density_latent = run.snapshotter.field_inputs(shown)
        key = (epoch, id(trainer.target), box, shown, trainer.objective.name,
               trainer.config.model.latent_dim)
        fields = self.take(run_index, key)
        if fields:
            self._fields_fresh_at[run_index] = now
        networks = self._copiers.setdefault(run_index, NetworkCopier()).take(trainer)
        self.submit(FieldJob(run_index, self.generation, key, shown, box, latent,
                             density_latent, networks))
        return with_fields(snapshot, fields), None

    def _image_snapshot(self, run_index: int, run, request: SnapshotRequest, epoch: int,
                        interpolation) -> tuple[Snapshot, LatentCurves | None]:
        """An image run's full-speed snapshot: its pictures as computed here from the newest
        copied weights (inline on the first frame, or when they cannot be copied), with the
        latent curves drawn with them (a request cleared is cleared at once; a new one shows
        from the next job on), and a job for the next ones from a copy of the weights as they
        are now, carrying `interpolation`."""
        trainer = run.trainer
        if not can_copy_images(trainer):
            return run.snapshotter.take(request), None
        inputs = run.snapshotter.image_inputs()
        model = trainer.config.model
        key = ("images", epoch, id(trainer.target), id(inputs[4]), model.latent_dim,
               model.latent_distribution, len(inputs[2]), trainer.objective.name,
               trainer.objective.output_kind, trainer.conditional)
        with self._condition:
            result = self._images.get(run_index)
        newest = result[2] if result is not None and result[:2] == (self.generation, key) \
            else None
        shown, fresh_at, shown_key = self._pictures_shown.get(run_index, (None, 0.0, None))
        now = self.clock()
        if shown_key != key:
            shown = None
        if newest is not None and newest is not shown and (
                shown is None or newest["images_iteration"] >= shown["images_iteration"]):
            shown_now, fresh_at = newest, now
        elif shown is not None and now - fresh_at <= MAX_PICTURES_AGE_S:
            shown_now = shown  # nothing newer yet: the same pictures a little longer
        else:  # none, or none newer in time (this thread starved): computed here, now
            shown_now = pictures(trainer, inputs, trainer.iteration, interpolation)
            fresh_at = now
            self.pictures_inline += 1
        self._pictures_shown[run_index] = (shown_now, fresh_at, key)
        networks = self._copiers.setdefault(run_index, NetworkCopier()).take(trainer)
        self.submit(ImageJob(run_index, self.generation, key, inputs, networks,
                             trainer.iteration, interpolation))
        parts = dict(shown_now)
        curves = parts.pop("curves")
        if interpolation is None:
            curves = LatentCurves(None, None, None, trainer.iteration)
        return run.snapshotter.take_images(request, parts), curves

    def submit(self, job: FieldJob | ImageJob) -> None:
        with self._condition:
            if job.generation != self.generation or self._stopping:
                return
            if job.run_index in self._pending:
                self.replaced += 1
            self._pending[job.run_index] = job
            self._condition.notify()

    def take(self, run_index: int, key: tuple) -> dict:
        """The fields computed for run `run_index` since the last take, if they were computed
        for `key` in this generation (else nothing)."""
        with self._condition:
            result = self._results.pop(run_index, None)
        if result is None or result[0] != self.generation or result[1] != key:
            return {}
        return result[2]

    def discard(self) -> None:
        """Forget every job and result: what is in flight was asked for before a change."""
        with self._condition:
            self.generation += 1
            self._pending.clear()
            self._results.clear()
            self._images.clear()
            self._pictures_shown.clear()
            self._fields_fresh_at.clear()  # inline frames came meanwhile: no starvation

    def pending(self) -> int:
        with self._condition:
            return len(self._pending)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is pending or running (tests, benchmarks); True if so."""
        with self._condition:
            return self._condition.wait_for(lambda: not self._pending and not self.busy,
                                            timeout)

    def stop(self, timeout: float = 1.0) -> None:
        with self._condition:
            self._stopping = True
            self._pending.clear()
            self._condition.notify_all()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)

    # ------------------------------------------------------------------ the thread
    def run(self) -> None:
        name_native_thread(self.name)
        lower_this_threads_priority(FIELDS_NICENESS)
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._pending or self._stopping)
                if self._stopping:
                    return
                job = self._pending.pop(min(self._pending))
                self.busy = True
                turn = self._turns.get(job.run_index, 0)
            if isinstance(job, ImageJob):
                self._compute_images(job)
                continue
            last = self._last.setdefault(job.run_index, {})
            due = next_due_group(job.shown, turn, last, self.clock(), self.min_intervals)
            if due is None:
                with self._condition:
                    self.busy = False
                    self.not_due += 1
                    self._condition.notify_all()
                continue
            request, next_turn, index = due
            last[index] = self.clock()
            started = time.thread_time()
            try:
                parts = field_parts(job.networks.load(), request, job.box, job.latent,
                                    job.density_latent)
            except Exception:  # a field that fails is not drawn; training goes on
                log.exception("computing fields off the training thread failed")
                parts = {}
            with self._condition:
                self.busy = False
                self.computed += 1
                self.cpu_seconds += time.thread_time() - started
                self._turns[job.run_index] = next_turn
                if job.generation == self.generation:
                    previous = self._results.get(job.run_index)
                    if previous is not None and previous[:2] == (job.generation, job.key):
                        parts = {**previous[2], **parts}  # not yet taken: keep both groups
                    self._results[job.run_index] = (job.generation, job.key, parts)
                self._condition.notify_all()


    def _compute_images(self, job: ImageJob) -> None:
        started = time.thread_time()
        try:
            parts = job.compute()
        except Exception:  # the frame keeps the last pictures; training goes on
            log.exception("computing an image run's pictures off the training thread failed")
            parts = None
        with self._condition:
            self.busy = False
            self.computed += 1
            self.cpu_seconds += time.thread_time() - started
            if parts is not None and job.generation == self.generation:
                self._images[job.run_index] = (job.generation, job.key, parts)
            self._condition.notify_all()


def with_fields(snapshot: Snapshot, parts: dict) -> Snapshot:
    """`snapshot` carrying `parts` (fields computed elsewhere)."""
    return dataclasses.replace(snapshot, **parts) if parts else snapshot
