"""Metrics off the training thread: the worker samples, a helper thread does the arithmetic.

Evaluating the metrics (mode counts, JS/KL by nearest neighbours over every sample, exact W1 by
optimal assignment) takes ~0.1 s; done on the training thread it would stall training that long
every time. The worker instead draws the evaluation samples and the critic's value gap (the
parts that need the networks, a few milliseconds) and hands a `MetricsJob` of plain numpy arrays
to this thread, which runs the engine's metric functions (numpy and scipy, which release the
GIL) and leaves the result for the worker to attach to its next frame. Jobs and results are
latest-only per run.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import numpy as np

from ganlab.core.metrics import critic_value_gap, evaluate_samples, evaluation_size
from ganlab.core.targets import Target
from ganlab.training.thread_names import name_native_thread
from ganlab.training.thread_priority import lower_this_threads_priority

log = logging.getLogger(__name__)

METRICS_NICENESS = 10  # and SCHED_IDLE: the metrics wait for a free core (`thread_priority`)


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

    def __init__(self) -> None:
        super().__init__(name="ganlab-metrics", daemon=True)
        self._condition = threading.Condition()
        self._jobs: dict[int, MetricsJob] = {}
        self._results: dict[int, tuple[int, dict]] = {}  # run → (epoch, metrics)
        self._busy = False
        self._stopping = False

    def submit(self, job: MetricsJob) -> None:
        with self._condition:
            self._jobs[job.run_index] = job
            self._condition.notify_all()

    @property
    def idle(self) -> bool:
        """No job waiting or running: the worker may sample the next one."""
        with self._condition:
            return not self._jobs and not self._busy

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
                run_index = min(self._jobs)
                job = self._jobs.pop(run_index)
                self._busy = True
            try:
                metrics = evaluate_job(job)
            except Exception:  # a metric must never take the app down
                log.exception("evaluating metrics failed")
                metrics = None
            with self._condition:
                self._busy = False
                if metrics is not None:
                    self._results[job.run_index] = (job.epoch, metrics)
