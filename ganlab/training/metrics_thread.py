"""Metrics off the training thread: the worker samples, a helper thread does the arithmetic.

Evaluating the metrics (mode counts, JS/KL by nearest neighbours over every sample, exact W1 by
optimal assignment) takes ~0.1 s; done on the training thread it would stall training that long
every time. The worker instead draws the evaluation samples and the critic's value gap (the
parts that need the networks, a few milliseconds) and hands a `MetricsJob` of plain numpy arrays
to this thread, which runs the engine's metric functions (numpy and scipy, which release the
GIL) and leaves the result for the worker to attach to its next frame. Jobs and results are
latest-only per run.

The thread runs under SCHED_IDLE (`thread_priority`): only on a core nothing else wants. On a
machine loaded by other programs that can be never, so a job that has waited (or run) longer
than `MAX_WAIT_S` is evaluated by the worker itself (`evaluate_starved`): training pauses for
the ~0.1 s instead of the charts going blank. Of two results for a run, the newer iteration's
is kept.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ganlab.core.metrics import critic_value_gap, evaluate_samples, evaluation_size
from ganlab.core.targets import Target
from ganlab.training.thread_names import name_native_thread
from ganlab.training.thread_priority import lower_this_threads_priority

log = logging.getLogger(__name__)

METRICS_NICENESS = 10  # and SCHED_IDLE: the metrics wait for a free core (`thread_priority`)
MAX_WAIT_S = 3.0  # a job waiting or running longer is evaluated by the worker (thread starved)


@dataclass(frozen=True)
class MetricsJob:
    run_index: int
    epoch: int  # the worker's epoch when sampled: results from an older epoch are dropped
    iteration: int
    target: Target
    fake: np.ndarray  # (evaluation_size(target), ...) generated samples
    real: np.ndarray
    value_gap: float | None


def sample_job(run_index: int, epoch: int, trainer, n: int | None = None) -> MetricsJob:
    """Draw what the metrics need from the trainer (worker thread: it touches the networks).

    Uses the trainer's evaluation stream exactly as `ganlab.core.metrics.evaluate` does.
    """
    n = n if n is not None else evaluation_size(trainer.target)
    fake = trainer.sample(n)
    real = trainer.sample_real(n)
    finite = bool(np.isfinite(fake).all())
    gap = critic_value_gap(trainer, real, fake) if finite else None
    return MetricsJob(run_index, epoch, trainer.iteration, trainer.target, fake, real, gap)


def evaluate_job(job: MetricsJob) -> dict:
    """The same numbers as `ganlab.core.metrics.evaluate`, from the job's samples."""
    return {"iteration": job.iteration,
            **evaluate_samples(job.target, job.fake, job.real, job.value_gap)}


class MetricsThread(threading.Thread):
    """Evaluates submitted jobs one at a time; `submit` replaces a job not yet started."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        super().__init__(name="ganlab-metrics", daemon=True)
        self.clock = clock
        self._condition = threading.Condition()
        self._jobs: dict[int, MetricsJob] = {}
        self._results: dict[int, tuple[int, dict]] = {}  # run → (epoch, metrics)
        self._running: MetricsJob | None = None  # the job being evaluated here
        self._running_taken_over = False  # … and evaluated by the worker meanwhile
        self._newest: dict[int, tuple[int, int]] = {}  # run → (epoch, iteration) of its newest
        self._waiting_since: float | None = None  # since when a job has been in hand
        self._stopping = False
        self.evaluated_by_worker = 0  # jobs the worker evaluated: this thread was starved

    def submit(self, job: MetricsJob) -> None:
        with self._condition:
            self._jobs[job.run_index] = job
            if self._waiting_since is None:
                self._waiting_since = self.clock()
            self._condition.notify_all()

    def starved(self) -> bool:
        """A job has been waiting or running for longer than `MAX_WAIT_S`."""
        with self._condition:
            return (self._waiting_since is not None
                    and self.clock() - self._waiting_since > MAX_WAIT_S)

    def evaluate_starved(self) -> int:
        """If `starved`: evaluate the jobs in hand (waiting, and the one this thread is stuck
        in) in the calling thread, keep their results, and return how many there were."""
        with self._condition:  # (a reentrant lock: `starved` takes it again)
            if not self.starved():
                return 0
            jobs = list(self._jobs.values())
            if self._running is not None and not self._running_taken_over and all(
                    job.run_index != self._running.run_index for job in jobs):
                jobs.append(self._running)
                self._running_taken_over = True
            self._jobs.clear()
            self._waiting_since = None
        for job in jobs:
            self._keep(job, _evaluated(job))
        self.evaluated_by_worker += len(jobs)
        return len(jobs)

    def _keep(self, job: MetricsJob, metrics: dict | None) -> None:
        """Keep `metrics` unless a result of the run at this or a later iteration came first
        (the worker's, while this thread was starved)."""
        with self._condition:
            newest = self._newest.get(job.run_index)
            if metrics is None or (newest is not None and newest[0] == job.epoch
                                   and newest[1] >= job.iteration):
                return
            self._newest[job.run_index] = (job.epoch, job.iteration)
            self._results[job.run_index] = (job.epoch, metrics)

    @property
    def idle(self) -> bool:
        """No job waiting or running (but one the worker took over): the worker may sample the
        next one."""
        with self._condition:
            return not self._jobs and (self._running is None or self._running_taken_over)

    @property
    def has_results(self) -> bool:
        """Results are waiting to be attached to a frame."""
        with self._condition:
            return bool(self._results)

    def take_results(self) -> dict[int, tuple[int, dict]]:
        with self._condition:
            results, self._results = self._results, {}
            return results

    def stop(self, timeout: float = 1.5) -> bool:
        with self._condition:
            self._stopping = True
            self._jobs.clear()
            self._condition.notify_all()
        self.join(timeout)
        return not self.is_alive()

    def run(self) -> None:
        name_native_thread(self.name)
        lower_this_threads_priority(METRICS_NICENESS)
        while True:
            with self._condition:
                while not self._jobs and not self._stopping:
                    self._condition.wait()
                if self._stopping:
                    return
                job = self._jobs.pop(min(self._jobs))
                self._running, self._running_taken_over = job, False
            metrics = _evaluated(job)
            self._keep(job, metrics)
            with self._condition:
                self._running = None  # alive: the next job's wait counts from now
                self._waiting_since = self.clock() if self._jobs else None


def _evaluated(job: MetricsJob) -> dict | None:
    try:
        return evaluate_job(job)
    except Exception:  # a metric must never take the app down
        log.exception("evaluating metrics failed")
        return None
