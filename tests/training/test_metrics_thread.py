"""The metrics thread runs only on an idle core (SCHED_IDLE): on a loaded machine it may get no
CPU at all, and then the worker evaluates its jobs itself after `MAX_WAIT_S`, so the metrics
charts never go blank; of two results for a run the newer iteration's wins."""

from __future__ import annotations

import threading
import time

import pytest

from ganlab.training import metrics_thread
from ganlab.training.frame_slot import FrameSlot
from ganlab.training.metrics_thread import MAX_WAIT_S, MetricsThread, evaluate_job, sample_job
from ganlab.training.pending_changes import PendingChanges
from ganlab.training.run import Run
from ganlab.training.worker import TrainingWorker
from tests.training.conftest import small_config


def job_at(run: Run, iteration_steps: int, epoch: int = 0):
    run.trainer.train(iteration_steps)
    return sample_job(0, epoch, run.trainer, n=400)


@pytest.fixture(scope="module")
def run() -> Run:
    return Run(small_config("ring8").validate(), display_samples=64)


def test_a_job_waiting_past_the_limit_is_evaluated_by_the_caller(run):
    now = [0.0]
    thread = MetricsThread(clock=lambda: now[0])  # never started: it never gets a CPU
    job = job_at(run, 3)
    thread.submit(job)
    now[0] = MAX_WAIT_S - 0.1
    assert not thread.starved() and thread.evaluate_starved() == 0 and not thread.idle
    now[0] = MAX_WAIT_S + 0.1
    assert thread.starved()
    assert thread.evaluate_starved() == 1 and thread.evaluated_by_worker == 1
    results = thread.take_results()
    assert results[0][0] == 0 and results[0][1] == evaluate_job(job)  # the same numbers
    assert thread.idle and not thread.starved()  # the next job may be sampled
    assert MAX_WAIT_S == 3.0


def test_a_job_the_thread_is_stuck_in_is_taken_over_and_its_late_result_dropped(run, monkeypatch):
    release = threading.Event()
    real_evaluate = metrics_thread.evaluate_job
    now = [0.0]
    thread = MetricsThread(clock=lambda: now[0])

    def evaluate(job):  # the thread stalls inside its evaluation; the worker does not
        if threading.current_thread() is thread:
            release.wait(30)
        return real_evaluate(job)

    monkeypatch.setattr(metrics_thread, "evaluate_job", evaluate)
    thread.start()
    try:
        first = job_at(run, 2)
        thread.submit(first)
        deadline = time.perf_counter() + 10
        while thread._running is None and time.perf_counter() < deadline:
            time.sleep(0.01)
        now[0] = MAX_WAIT_S + 1
        assert thread.evaluate_starved() == 1
        assert thread.take_results()[0][1]["iteration"] == first.iteration
        assert thread.idle  # the stuck job was taken over: a newer one may come
        second = job_at(run, 2)
        thread.submit(second)
        now[0] = 2 * MAX_WAIT_S + 2
        assert thread.evaluate_starved() == 1  # the newer job, not the stuck one again
        assert thread.take_results()[0][1]["iteration"] == second.iteration
        release.set()
        deadline = time.perf_counter() + 10
        while thread._running is not None and time.perf_counter() < deadline:
            time.sleep(0.01)
        assert thread._running is None
        assert not thread.has_results  # its late result, of an older iteration, is dropped
    finally:
        release.set()
        thread.stop()


class NeverRunningMetricsThread(MetricsThread):
    def run(self) -> None:  # the thread of a machine whose cores are never idle
        return


def test_a_worker_whose_metrics_thread_never_runs_still_sends_metrics(monkeypatch):
    import ganlab.training.worker as worker_module

    monkeypatch.setattr(worker_module, "MetricsThread", NeverRunningMetricsThread)
    monkeypatch.setattr(metrics_thread, "MAX_WAIT_S", 0.3)
    pending = PendingChanges((small_config(),))
    slot = FrameSlot()
    worker = TrainingWorker(pending, slot, metrics_interval_s=0.2)
    worker.start()
    try:
        pending.set_running(True)
        seen = []
        deadline = time.perf_counter() + 20
        while len(seen) < 2 and time.perf_counter() < deadline:
            frame = slot.take()
            if frame is not None and frame.runs[0].metrics is not None:
                seen.append(frame.runs[0].metrics["iteration"])
            time.sleep(0.01)
        assert len(seen) == 2 and seen[0] < seen[1]  # again and again, newer each time
        assert worker._metrics.evaluated_by_worker >= 2
    finally:
        assert worker.stop(2.0)
