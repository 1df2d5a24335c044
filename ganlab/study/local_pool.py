"""Runs of a study on this machine: a pool of processes, one per core, one torch thread each.

The pool is the standard library's `ProcessPoolExecutor` with spawned processes (the same on
every platform, and no copy of the parent's threads or torch state); each worker trains one
task at a time straight into the study's folder: one run (`ganlab.study.run_task`) or several
runs of one shape as one batched model (`ganlab.study.batched_run`).

With `in_process` (a batched study), the study's own process is one of the `workers`: a thread
of it trains the first (costliest) task at once, and takes the next one whenever it is free,
while `workers` − 1 processes start. A worker's start costs ~3.6 s of CPU (importing torch and
torch's optimizers: `start_worker`) and its end ~1 s more (interpreter teardown; skipped:
`run_task.start_worker`); the study's process has torch loaded already and pays once for the
optimizers' import (~1.2 s). Tasks go to each side only as it is free, costliest first.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from ganlab.study.batched_run import execute_batch
from ganlab.study.grid import PlannedRun
from ganlab.study.run_task import (
    execute_run,
    import_for_runs,
    one_thread_everywhere,
    start_worker,
)
from ganlab.study.study_folder import StudyFolder


class WorkerLostError(RuntimeError):
    """A worker process ended abruptly (killed, out of memory, a crash in native code)."""


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def run_local(
    tasks: list[list[PlannedRun]],
    folder: StudyFolder,
    evaluations: int,
    samples: int,
    data: dict[str, np.ndarray],
    on_done: Callable[[PlannedRun, dict], None],
    workers: int | None = None,
    in_process: bool = False,
) -> None:
    """Execute `tasks` (each one run, or several that train as one batch; costliest first) on
    `workers` processes (default: one per core), this one among them with `in_process`,
    calling `on_done(run, outcome)` in this thread for every run as its task ends. A lost
    worker raises `WorkerLostError` naming the runs that did not end (the pool cannot say which
    one it was); those that ended are kept."""
    workers = min(workers or default_workers(), max(len(tasks), 1))
    pending, lock = deque(tasks), threading.Lock()
    ended: queue.Queue = queue.Queue()  # (task, outcome(s) or an exception)
    lost: list[str] = []

    def next_task() -> list[PlannedRun] | None:
        with lock:
            return pending.popleft() if pending else None

    def execute(task: list[PlannedRun]):
        if len(task) == 1:
            return execute_run(task[0].config, str(folder.run_dir(task[0].run_id)),
                               evaluations, samples)
        return execute_batch([run.config for run in task],
                             [str(folder.run_dir(run.run_id)) for run in task], evaluations,
                             samples)

    def train_here(task: list[PlannedRun] | None) -> None:  # this process's share
        try:
            import_for_runs()  # (as a worker's start-up: not in the first run's CPU)
            while task is not None:
                ended.put((task, execute(task)))
                task = next_task()
        except BaseException as error:  # (handed to the study's thread, raised there)
            ended.put((task, error))

    processes = workers - 1 if in_process else workers
    pool = None
    if processes > 0 and len(tasks) > (1 if in_process else 0):
        pool = ProcessPoolExecutor(max_workers=processes,
                                   mp_context=multiprocessing.get_context("spawn"),
                                   initializer=start_worker, initargs=(data,))

    def submit() -> None:  # the next task to the pool, as one of its workers is free
        task = next_task()
        if task is not None:
            future = _submit(pool, task, folder, evaluations, samples)
            future.add_done_callback(lambda f, task=task: ended.put((task, f)))

    trainer, settings, outstanding = None, None, len(tasks)
    try:
        if in_process:
            settings = _one_thread()
            trainer = threading.Thread(target=train_here, args=(next_task(),),
                                       name="study-task", daemon=True)  # the first task
        for _ in range(processes if pool is not None else 0):
            submit()
        if trainer is not None:
            trainer.start()
        while outstanding:
            task, result = ended.get()
            outstanding -= 1
            if isinstance(result, Future):
                try:
                    result = result.result()
                except BrokenProcessPool:  # the pool takes no more tasks
                    lost.extend(run.run_id for run in task)
                    if not in_process:  # nobody else will train the rest
                        with lock:
                            rest, outstanding = list(pending), outstanding - len(pending)
                            pending.clear()
                        lost.extend(run.run_id for t in rest for run in t)
                    continue
                submit()
            if isinstance(result, BaseException):
                raise result
            for run, outcome in zip(task, result if isinstance(result, list) else [result],
                                    strict=True):
                on_done(run, outcome)
    finally:
        with lock:
            pending.clear()
        if trainer is not None and trainer.is_alive():  # interrupted, or a failure
            _stop(trainer)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if settings is not None:
            _restore(settings)
    if lost:
        raise WorkerLostError(
            f"a worker process ended abruptly (killed, out of memory or a crash in native code) "
            f"while {len(lost)} run(s) had not ended, e.g. {sorted(lost)[0]}")


class _Stopped(BaseException):
    """Raised in this process's training thread when the study stops before its task ends."""


def _stop(thread: threading.Thread, timeout: float = 30.0) -> None:
    """Stop this process's training thread at its next Python instruction (between two torch
    operations: `_Stopped` raised in it, as Ctrl+C is in the main thread) and wait for it, so
    that no torch code runs while the interpreter ends (an abort: "terminate called without an
    active exception"). Its half-written run folder is redone by the next attempt."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident),
                                               ctypes.py_object(_Stopped))
    thread.join(timeout)


def _one_thread():
    """One torch and one BLAS thread in this process while it trains (as in a worker); what
    to restore."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    return threads, one_thread_everywhere()


def _restore(settings) -> None:
    import torch

    threads, limits = settings
    limits.restore_original_limits()
    torch.set_num_threads(threads)


def _submit(pool, task: list[PlannedRun], folder: StudyFolder, evaluations: int, samples: int):
    if len(task) == 1:
        return pool.submit(execute_run, task[0].config, str(folder.run_dir(task[0].run_id)),
                           evaluations, samples)
    return pool.submit(execute_batch, [run.config for run in task],
                       [str(folder.run_dir(run.run_id)) for run in task], evaluations, samples)
