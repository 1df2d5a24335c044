"""The local pool with the study's own process as one of its workers (`in_process`): it takes
the first (costliest) task at once and the next whenever it is free; workers − 1 processes take
the rest; every run ends once, in the study's thread; the process's thread settings come back.

The pool's processes are stood in for by threads and the tasks by a stub that records where it
ran: the scheduling is under test here (tests/study/test_study_runs.py trains a real study)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

from ganlab.study import local_pool
from ganlab.study.batched_run import plan_batches
from ganlab.study.grid import expand
from ganlab.study.study_file import spec_from_fields
from ganlab.study.study_folder import StudyFolder

TINY = {"g_layers": 1, "g_width": 8, "d_layers": 1, "d_width": 8, "batch_size": 64}


def tasks(seeds: int, workers: int) -> list:
    planned = expand(spec_from_fields({"target": "ring8", "objectives": ["minimax", "wgan-gp"],
                                       "seeds": seeds, "iterations": [40],
                                       "settings": TINY}, "test"))
    return plan_batches(planned, workers=workers)


@pytest.fixture
def where(monkeypatch):
    """{thread name: [the run ids of each task it executed]}; processes are threads named
    "process"; a pool that must not start raises."""
    ran: dict[str, list[list[str]]] = {}
    lock = threading.Lock()

    def stub(configs, out_dirs, evaluations, samples):
        with lock:
            ran.setdefault(threading.current_thread().name.split("_")[0], []).append(
                [d.rsplit("/", 1)[-1] for d in out_dirs])
        return [{"status": "finished", "reason": None, "threads": torch.get_num_threads()}
                for _ in configs]

    def pool(max_workers, mp_context, initializer, initargs):
        if ran.get("no pool"):
            raise AssertionError("a process pool was started")
        return ThreadPoolExecutor(max_workers, thread_name_prefix="process")

    monkeypatch.setattr(local_pool, "execute_batch", stub)
    monkeypatch.setattr(local_pool, "import_for_runs", lambda: None)  # (torch._dynamo: ~1.5 s)
    monkeypatch.setattr(local_pool, "execute_run", lambda config, out_dir, *rest: stub(
        [config], [out_dir], *rest)[0])
    monkeypatch.setattr(local_pool, "ProcessPoolExecutor", pool)
    return ran


def run(task_list, tmp_path, workers: int, in_process: bool) -> list[tuple[str, dict]]:
    ended = []
    local_pool.run_local(task_list, StudyFolder(tmp_path), 1, 100, {},
                         lambda run, outcome: ended.append((run.run_id, outcome)),
                         workers=workers, in_process=in_process)
    return ended


def test_the_study_process_trains_the_costliest_task_and_a_worker_the_other(where, tmp_path):
    two = tasks(seeds=4, workers=2)
    assert [task[0].axes["objective"] for task in two] == ["wgan-gp", "minimax"]
    threads = torch.get_num_threads()
    ended = run(two, tmp_path, workers=2, in_process=True)
    assert where == {"study-task": [[r.run_id for r in two[0]]],
                     "process": [[r.run_id for r in two[1]]]}
    assert sorted(run_id for run_id, _ in ended) == sorted(r.run_id for t in two for r in t)
    # one torch thread while this process trains, as in a worker; as before afterwards
    assert {o["threads"] for run_id, o in ended if "wgan-gp" in run_id} == {1}
    assert torch.get_num_threads() == threads


def test_one_worker_is_the_study_process_alone(where, tmp_path):
    where["no pool"] = [[]]
    many = tasks(seeds=3, workers=4)  # four tasks, all trained here, costliest first
    ended = run(many, tmp_path, workers=1, in_process=True)
    assert where["study-task"] == [[r.run_id for r in task] for task in many]
    assert len(ended) == 6


def test_without_in_process_every_task_goes_to_the_processes(where, tmp_path):
    many = tasks(seeds=3, workers=4)
    ended = run(many, tmp_path, workers=2, in_process=False)
    assert set(where) == {"process"}
    assert sorted(map(sorted, where["process"])) == sorted(
        sorted(r.run_id for r in task) for task in many)
    assert sorted(run_id for run_id, _ in ended) == sorted(r.run_id for t in many for r in t)


def test_a_study_that_stops_stops_its_own_training_thread(where, monkeypatch, tmp_path):
    """A failure (or Ctrl+C) in the study's thread while this process's thread trains: the
    thread is stopped between two Python instructions and waited for, so that no torch code
    runs while the interpreter ends (that aborted: "terminate called without an active
    exception")."""
    stopped = threading.Event()

    def endless(configs, *rest):  # the costliest task: trains until stopped
        if threading.current_thread().name != "study-task":
            return [{"status": "finished", "reason": None} for _ in configs]
        try:
            while True:
                time.sleep(0.001)
        except BaseException:
            stopped.set()
            raise

    monkeypatch.setattr(local_pool, "execute_batch", endless)

    def on_done(run, outcome):
        raise RuntimeError("the record could not be written")

    with pytest.raises(RuntimeError, match="could not be written"):
        local_pool.run_local(tasks(seeds=4, workers=2), StudyFolder(tmp_path), 1, 100, {},
                             on_done, workers=2, in_process=True)
    assert stopped.is_set()
    assert "study-task" not in {thread.name for thread in threading.enumerate()}
