"""A study's folder: its grid, its runs, one record per run that ended; what is left to do.

```
STUDY/
  study.json        the grid: the description and every run's id, axes and configuration
  runs/ID/          one ordinary ganlab run folder per run (published whole or not at all)
  records/ID.json   how the run ended: finished, diverged or crashed (with the reason), wall time
  report.md  runs.csv  plots/*.png   the report (`ganlab.study.report`)
```

Every file is written atomically (`atomic_write`, `RunFolder`), so a study killed at any moment
leaves finished runs as they were and, at worst, a run's hidden partial folder, which the next
attempt at that run removes. A run is done when its record exists; a run folder that was
published but whose record was not yet written (killed in between) gets its record from its
`metrics.json` instead of being trained again. Running a grid again in the same folder adds its
new runs; a run id already there with another configuration is refused.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import platform
from pathlib import Path
from typing import Any

from ganlab.core.atomic_file import atomic_write
from ganlab.core.untrusted_input import UntrustedInputError, parse_json, read_file
from ganlab.study.grid import PlannedRun
from ganlab.study.run_task import CRASHED, DIVERGED, FINISHED

STUDY_FILE, RUNS, RECORDS = "study.json", "runs", "records"
FORMAT = 1
MAX_STUDY_JSON_BYTES = 64 * 2**20  # 10,000 runs of a few KB each
MAX_RECORD_BYTES = 256 * 1024
MAX_METRICS_BYTES = 64 * 2**20  # a run's metrics.json: its history, ~1 KB per evaluation


class StudyFolderError(OSError):
    """The folder cannot hold this study; the message names it and says why, in one line."""


class StudyFolder:
    """The files of one study (see the module's docstring)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def run_dir(self, run_id: str) -> Path:
        return self.path / RUNS / run_id

    def record_path(self, run_id: str) -> Path:
        return self.path / RECORDS / f"{run_id}.json"

    # ------------------------------------------------------------------ the grid
    def prepare(self, spec: dict[str, Any], runs: list[PlannedRun]) -> None:
        """Create the folder (or check the one there) and write the grid, merged with the
        runs already in it."""
        if self.path.exists() and not self.path.is_dir():
            raise StudyFolderError(f"{self.path}: is a file, not a folder")
        known: dict[str, dict] = {}
        if (self.path / STUDY_FILE).exists():
            known = {run["run"]: run for run in self.read_plan()["runs"]}
        elif self.path.is_dir() and any(self.path.iterdir()):
            raise StudyFolderError(f"{self.path}: holds files but no {STUDY_FILE}; give a new "
                                   "or empty folder for a study")
        for run in runs:
            old = known.get(run.run_id)
            if old is not None and _canonical(old["config"]) != _canonical(run.config):
                raise StudyFolderError(
                    f"{self.path}: its run {run.run_id} was made with other settings; give "
                    "the same grid to resume, or another --out")
            known[run.run_id] = {"run": run.run_id, "axes": run.axes, "config": run.config}
        try:
            for sub in (RUNS, RECORDS):
                (self.path / sub).mkdir(parents=True, exist_ok=True)
            text = json.dumps({"format": FORMAT, "spec": spec, "runs": list(known.values())},
                              indent=1, allow_nan=False)
            atomic_write(self.path / STUDY_FILE, lambda s: s.write(text.encode()))
        except OSError as error:
            raise StudyFolderError(f"{self.path}: cannot write the study there "
                                   f"({error.strerror or error})") from None

    def read_plan(self) -> dict[str, Any]:
        """study.json: {"format", "spec", "runs": [{"run", "axes", "config"}, ...]}."""
        plan = _read_json(self.path / STUDY_FILE, MAX_STUDY_JSON_BYTES)
        runs = plan.get("runs") if isinstance(plan, dict) else None
        if (plan.get("format") != FORMAT or not isinstance(runs, list)
                or not all(isinstance(r, dict) and isinstance(r.get("run"), str)
                           and isinstance(r.get("axes"), dict)
                           and isinstance(r.get("config"), dict) for r in runs)):
            raise StudyFolderError(f"{self.path / STUDY_FILE}: is not a ganlab study's grid")
        return plan

    # ------------------------------------------------------------------ records
    def read_record(self, run_id: str) -> dict[str, Any] | None:
        """How the run ended, or None if it has not (or its record is unreadable)."""
        path = self.record_path(run_id)
        if not path.exists():
            return None
        try:
            record = _read_json(path, MAX_RECORD_BYTES)
        except StudyFolderError:
            return None
        return record if record.get("status") in (FINISHED, DIVERGED, CRASHED) else None

    def write_record(self, run_id: str, outcome: dict[str, Any]) -> dict[str, Any]:
        record = {"run": run_id, **outcome,
                  "ended": datetime.datetime.now(datetime.timezone.utc).isoformat(
                      timespec="seconds"),
                  "host": outcome.get("host", platform.node())}
        text = json.dumps(record, indent=1, allow_nan=False)
        atomic_write(self.record_path(run_id), lambda s: s.write(text.encode()))
        return record

    def read_metrics(self, run_id: str) -> dict[str, Any] | None:
        """The run folder's metrics.json, or None if there is no readable one."""
        path = self.run_dir(run_id) / "metrics.json"
        if not path.exists():
            return None
        try:
            return _read_json(path, MAX_METRICS_BYTES, max_values=5_000_000)
        except StudyFolderError:
            return None

    def pending(self, runs: list[PlannedRun], retry_crashed: bool = False) -> list[PlannedRun]:
        """The runs still to do. A published run folder without a record gets its record
        from its metrics (nothing is trained twice); crashed runs are redone only when asked."""
        todo = []
        for run in runs:
            record = self.read_record(run.run_id)
            if record is None:
                metrics = self.read_metrics(run.run_id)
                if metrics is not None:
                    status = DIVERGED if metrics.get("diverged") else FINISHED
                    self.write_record(run.run_id, {"status": status, "reason": None,
                                                   "wall_seconds": metrics.get("seconds"),
                                                   "from_metrics": True})
                    continue
            elif not (retry_crashed and record["status"] == CRASHED):
                continue
            todo.append(run)
        return todo


def _read_json(path: Path, limit: int, max_values: int = 2_000_000) -> dict[str, Any]:
    try:
        data = parse_json(read_file(path, limit), max_values=max_values)
    except UntrustedInputError as error:
        raise StudyFolderError(f"{path}: {error}") from None
    except OSError as error:
        raise StudyFolderError(f"{path}: cannot read ({error.strerror or error})") from None
    if not isinstance(data, dict):
        raise StudyFolderError(f"{path}: is not a JSON object")
    return data


def _canonical(config: dict[str, Any]) -> str:
    """A configuration as one string, with every setting it does not name at its default: a
    folder written before a setting existed resumes with the setting at its default."""
    from ganlab.core.config import ConfigError, RunConfig

    with contextlib.suppress(ConfigError, TypeError, ValueError):  # else: as written
        config = RunConfig.from_dict(config).to_dict()
    return json.dumps(config, sort_keys=True)
