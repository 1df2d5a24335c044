"""Runs of a study on a Ray cluster (or a Ray instance started here): one Ray task per run.

Ray is an optional extra (`pip install "ganlab[ray]"`). Each task trains its run in a
temporary folder on whichever node Ray chose, then returns the run folder's files (a few
hundred KB for points); this process publishes them into the study's folder exactly as a local
run is published (`RunFolder`: whole or not at all), so the cluster needs no shared file system.
Every node needs ganlab installed in the same version. Ray schedules; ganlab only submits the
tasks and waits for them (`ray.wait`).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ganlab.core.run_folder import RUN_FILES, RunFolder
from ganlab.study.grid import PlannedRun
from ganlab.study.run_task import CRASHED, execute_run, one_thread_everywhere
from ganlab.study.study_folder import StudyFolder

log = logging.getLogger(__name__)
LOCAL = "local"  # `--ray local`: start a Ray instance on this machine for the study


class RayUnavailableError(RuntimeError):
    """Ray is not installed, or the cluster cannot be reached; the message says which."""


def _train_on_node(config: dict, data: dict[str, np.ndarray], evaluations: int,
                   samples: int) -> tuple[dict, dict[str, bytes]]:
    """The Ray task: one run in a temporary folder; its outcome and its files' bytes."""
    import platform

    import torch

    import ganlab.core.headless  # noqa: F401  (imported before the run's clock starts)
    from ganlab.core.data_store import DATA

    torch.set_num_threads(1)
    one_thread_everywhere()
    for reference, array in data.items():
        DATA.put(array, reference)
    scratch = Path(tempfile.mkdtemp(prefix="ganlab-study-"))
    try:
        outcome = execute_run(config, str(scratch / "run"), evaluations, samples)
        files = {}
        if (scratch / "run").is_dir():
            files = {p.name: p.read_bytes() for p in (scratch / "run").iterdir() if p.is_file()}
        outcome["host"] = platform.node()
        return outcome, files
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def connect(address: str, workers: int | None = None):
    """Start Ray here (`address` "local") or join the cluster at `address` ("auto", or
    "ray://host:10001", "host:6379"); returns the `ray` module."""
    try:
        import ray
    except ImportError:
        raise RayUnavailableError('--ray needs Ray: pip install "ganlab[ray]"') from None
    try:
        if address == LOCAL:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False,
                     configure_logging=False)
        else:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise RayUnavailableError(f"--ray {address}: cannot start or reach Ray "
                                  f"({' '.join(str(error).split())[:300]})") from None
    return ray


def run_on_ray(
    todo: list[PlannedRun],
    folder: StudyFolder,
    evaluations: int,
    samples: int,
    data: dict[str, np.ndarray],
    on_done: Callable[[PlannedRun, dict], None],
    address: str = LOCAL,
    workers: int | None = None,
) -> None:
    """Execute `todo` as Ray tasks (one CPU each), publishing each run's files into `folder`
    and calling `on_done(run, outcome)` as each ends."""
    ray = connect(address, workers)
    try:
        task = ray.remote(num_cpus=1, max_retries=0)(_train_on_node)
        shared = ray.put(data)
        pending = {task.remote(run.config, shared, evaluations, samples): run for run in todo}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            for reference in ready:
                run = pending.pop(reference)
                try:
                    outcome, files = ray.get(reference)
                except Exception as error:  # a lost node or worker: recorded
                    outcome, files = {"status": CRASHED, "reason": " ".join(
                        f"{type(error).__name__}: {error}".split())[:500],
                        "wall_seconds": None}, {}
                if files:
                    _publish(folder.run_dir(run.run_id), files)
                on_done(run, outcome)
    finally:
        ray.shutdown()


def _publish(run_dir: Path, files: dict[str, bytes]) -> None:
    """Write a run's files into its folder, whole or not at all; only a run's file names."""
    with RunFolder(run_dir, overwrite=True) as staged:
        for name, content in files.items():
            if name in RUN_FILES:
                (staged.staging / name).write_bytes(content)
        staged.commit()
