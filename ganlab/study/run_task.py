"""One run of a study, executed where a worker runs it: train, write the run folder, report.

`execute_run` is the whole task: an ordinary `ganlab train` run (`run_headless`) into its run
folder, which is published whole or not at all (`ganlab.core.run_folder`). It never raises for
the run's own failures: a run that diverges is written (from its last finite state) and
reported as "diverged"; one that crashes is reported as "crashed" with its reason, and the study
goes on. Only an interrupt (Ctrl+C) propagates.

`start_worker` prepares a worker process of the local pool: one thread (torch, BLAS), the
study's data in the process's store, a watcher that ends the worker when the study's
process is gone (killed), so that no orphan goes on training and writing, and an end without
the interpreter's teardown once the pool lets it go (~1 s of CPU with torch loaded, measured).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

FINISHED, DIVERGED, CRASHED = "finished", "diverged", "crashed"
MAX_REASON_CHARS = 500


def execute_run(config: dict[str, Any], out_dir: str, evaluations: int, samples: int) -> dict:
    """Train the run `config` into `out_dir`; the outcome: {"status", "reason",
    "wall_seconds", "cpu_seconds"} (and "traceback" for a crash)."""
    from ganlab.core.config import RunConfig
    from ganlab.core.headless import TrainingDivergedError, run_headless

    started, cpu_started = time.perf_counter(), time.process_time()
    outcome: dict[str, Any] = {"status": FINISHED, "reason": None}
    try:
        run_config = RunConfig.from_dict(config).validate()
        run_headless(run_config, Path(out_dir), evaluations=evaluations, sample_count=samples,
                     progress=False)
    except TrainingDivergedError as error:
        outcome.update(status=DIVERGED, reason=_one_line(str(error).split(" (results in")[0]))
    except Exception as error:  # any failure of one run is recorded, not raised
        outcome.update(status=CRASHED, reason=_one_line(f"{type(error).__name__}: {error}"),
                       traceback=traceback.format_exc(limit=20))
    outcome["wall_seconds"] = round(time.perf_counter() - started, 3)
    outcome["cpu_seconds"] = round(time.process_time() - cpu_started, 3)  # this process's
    return outcome


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"


def start_worker(data: dict[str, np.ndarray]) -> None:
    """The local pool's initializer (in each worker process): one torch thread, the study's
    data in this process's store, and an end when the parent process ends."""
    import torch

    from ganlab.core.data_store import DATA

    import_for_runs()
    torch.set_num_threads(1)
    one_thread_everywhere()
    for reference, array in data.items():
        DATA.put(array, reference)
    _exit_with_parent()
    atexit.register(_exit_at_once)


def import_for_runs() -> None:
    """What a run imports, imported before the first run's clock starts (a worker's start-up,
    not a run's CPU): torch, `torch._dynamo` (torch.optim's first optimizer imports it: ~1.5 s
    CPU) and the headless loop."""
    import torch._dynamo  # noqa: F401

    import ganlab.core.headless  # noqa: F401


def _exit_at_once() -> None:
    """At exit (the first exit handler to run: registered last), end the process without the
    interpreter's teardown of torch's modules and objects: everything a run writes is closed
    by then, and the results went to the study's process before the pool let the worker go."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def one_thread_everywhere():
    """One thread in every native pool of this process too (numpy's OpenBLAS, OpenMP), not
    only torch's: a worker per core whose evaluation (numpy products over 2,500 samples)
    started a BLAS thread per core would put two threads on every core. Returns threadpoolctl's
    limits (`restore_original_limits` undoes them)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


def _exit_with_parent() -> None:
    """End this process as soon as the process that started it has ended (its sentinel
    becomes ready): a killed study leaves no worker training on."""
    import multiprocessing
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        log.warning("the study's process ended; this worker stops")
        os._exit(1)

    threading.Thread(target=watch, name="parent-watcher", daemon=True).start()
