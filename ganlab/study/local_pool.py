"""Runs of a study on this machine: a pool of processes, one per core, one torch thread each.

The pool is the standard library's `ProcessPoolExecutor` with spawned processes (the same on
every platform, and no copy of the parent's threads or torch state); each worker trains one
task at a time straight into the study's folder: one run (`ganlab.study.run_task`) or several
runs of one shape as one batched model (`ganlab.study.batched_run`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from ganlab.study.batched_run import execute_batch
from ganlab.study.grid import PlannedRun
from ganlab.study.run_task import execute_run, start_worker
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
) -> None:
    """Execute `tasks` (each one run, or several that train as one batch) on `workers`
    processes (default: one per core), calling `on_done(run, outcome)` in this thread for
    every run as its task ends. A lost worker raises `WorkerLostError` naming the runs that did
    not end (the pool cannot say which one it was); those that ended are kept."""
    workers = min(workers or default_workers(), max(len(tasks), 1))
    context = multiprocessing.get_context("spawn")
    lost = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=start_worker,
                             initargs=(data,)) as pool:
        futures = {_submit(pool, task, folder, evaluations, samples): task for task in tasks}
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    lost += [run.run_id for run in task]
                    continue
                outcomes = outcome if isinstance(outcome, list) else [outcome]
                for run, ended in zip(task, outcomes, strict=True):
                    on_done(run, ended)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    if lost:
        raise WorkerLostError(
            f"a worker process ended abruptly (killed, out of memory or a crash in native code) "
            f"while {len(lost)} run(s) had not ended, e.g. {sorted(lost)[0]}")


def _submit(pool, task: list[PlannedRun], folder: StudyFolder, evaluations: int, samples: int):
    if len(task) == 1:
        return pool.submit(execute_run, task[0].config, str(folder.run_dir(task[0].run_id)),
                           evaluations, samples)
    return pool.submit(execute_batch, [run.config for run in task],
                       [str(folder.run_dir(run.run_id)) for run in task], evaluations, samples)
