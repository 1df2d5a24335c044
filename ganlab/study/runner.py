"""A whole study: expand the grid, skip what is done, run the rest, record each end, report.

`run_study` is what `ganlab study` calls. Progress is a bar over runs with an ETA (tqdm).
Records are written by this process only, as each run ends, so a study killed at any moment
loses at most the runs that were training; running it again redoes only those.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from ganlab.core.data_store import DATA
from ganlab.study.grid import PlannedRun, StudySpec, expand
from ganlab.study.run_task import CRASHED, DIVERGED, FINISHED
from ganlab.study.study_folder import StudyFolder

log = logging.getLogger(__name__)


@dataclass
class StudySummary:
    """What one invocation did."""

    total: int  # runs in the grid
    skipped: int  # already done before this invocation
    ended: dict[str, int] = field(default_factory=lambda: {FINISHED: 0, DIVERGED: 0,
                                                           CRASHED: 0})
    seconds: float = 0.0  # wall time of this invocation's runs
    crashes: list[tuple[str, str]] = field(default_factory=list)  # (run id, reason)

    @property
    def runs_per_minute(self) -> float:
        return 60 * sum(self.ended.values()) / max(self.seconds, 1e-9)


def run_study(
    spec: StudySpec,
    out: str | Path,
    workers: int | None = None,
    ray_address: str | None = None,
    retry_crashed: bool = False,
    progress: bool = True,
    batching: bool = True,
) -> StudySummary:
    """Run every run of `spec` not done yet in the study folder `out` (on a local pool of
    `workers` processes, or on Ray at `ray_address`), then write the report. With `batching`,
    runs of one small shape train as one batched model in one local worker
    (`ganlab.study.batched_run`), this process being one of the workers (`run_local`'s
    `in_process`: one worker's start-up fewer); Ray runs one task per run."""
    from ganlab.study.report import write_report

    runs = expand(spec)
    folder = StudyFolder(out)
    folder.prepare(spec.to_dict(), runs)
    todo = folder.pending(runs, retry_crashed=retry_crashed)
    summary = StudySummary(total=len(runs), skipped=len(runs) - len(todo))
    data = {spec.data_reference: DATA.get(spec.data_reference)} if spec.data_reference else {}
    bar = tqdm(total=len(runs), initial=summary.skipped, unit="run", disable=not progress,
               dynamic_ncols=True, desc="study")

    def on_done(run: PlannedRun, outcome: dict) -> None:
        folder.write_record(run.run_id, outcome)
        summary.ended[outcome["status"]] += 1
        if outcome["status"] == CRASHED:
            summary.crashes.append((run.run_id, outcome["reason"]))
            log.warning("run %s crashed: %s", run.run_id, outcome["reason"])
        bar.set_postfix({k[:3]: v for k, v in summary.ended.items() if v}, refresh=False)
        bar.update(1)

    started = time.perf_counter()
    try:
        if todo and ray_address is not None:
            from ganlab.study.ray_pool import run_on_ray

            run_on_ray(todo, folder, spec.evaluations, spec.samples, data, on_done,
                       address=ray_address, workers=workers)
        elif todo:
            from ganlab.study.batched_run import plan_batches
            from ganlab.study.local_pool import default_workers, run_local

            tasks = plan_batches(todo, workers or default_workers(), batching)
            run_local(tasks, folder, spec.evaluations, spec.samples, data, on_done,
                      workers=workers, in_process=batching)
    except Exception:
        write_report(folder.path)  # what ended is in the report, whatever stopped the rest
        raise
    finally:
        bar.close()
        summary.seconds = time.perf_counter() - started
    write_report(folder.path)
    return summary
