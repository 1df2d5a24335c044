"""A study's report, from its folder alone: `runs.csv`, `report.md` and the plots.

One row per run of the grid: where it sits on each axis, how it ended (finished, diverged,
crashed with its reason, or not run yet), its final metrics (those of its `samples.npy`) and
its wall and CPU time (a batched run's: its share of its batch's). `report.md` adds, per
objective and setting and budget, the median and
interquartile range over seeds, and embeds the plots (`ganlab.study.report_plots`).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

import numpy as np

from ganlab.core.atomic_file import atomic_write
from ganlab.study.run_task import CRASHED
from ganlab.study.study_folder import StudyFolder

NOT_RUN = "not run"
#: (column, heading, digits) of the metrics a report shows, where any run has them
METRICS = (
    ("modes_covered", "modes", 1), ("high_quality_pct", "high quality %", 1),
    ("reverse_kl", "reverse KL", 3), ("js", "JS", 4), ("w1", "W1", 4),
    ("frechet_distance", "FD", 2), ("classes_covered", "classes", 1),
    ("wall_seconds", "wall s", 1), ("cpu_seconds", "CPU s", 1),
)
FINAL_KEYS = ("modes_covered", "total_modes", "high_quality_fraction", "reverse_kl", "js",
              "kl_data_model", "kl_model_data", "w1", "frechet_distance", "classes_covered")


def study_rows(folder: str | Path) -> tuple[list[dict[str, Any]], list[str]]:
    """One row per run of the study at `folder`, and the names of its axes (in grid order)."""
    study = StudyFolder(folder)
    plan = study.read_plan()
    axes: list[str] = []
    for run in plan["runs"]:
        axes += [name for name in run["axes"] if name not in axes]
    rows = []
    for run in plan["runs"]:
        run_id = run["run"]
        record = study.read_record(run_id) or {}
        metrics = study.read_metrics(run_id) or {}
        final = metrics.get("final") if isinstance(metrics.get("final"), dict) else {}
        row: dict[str, Any] = {"run": run_id, **{a: run["axes"].get(a) for a in axes}}
        row["status"] = record.get("status", NOT_RUN)
        row.update({key: _number(final.get(key)) for key in FINAL_KEYS})
        hq = row.pop("high_quality_fraction")
        row["high_quality_pct"] = None if hq is None else 100 * hq
        row["train_seconds"] = _number(metrics.get("seconds"))
        row["wall_seconds"] = _number(record.get("wall_seconds"))
        row["cpu_seconds"] = _number(record.get("cpu_seconds"))
        row["batch"] = _number(record.get("batch"))  # runs in its batch; None: trained alone
        row["diverged_at"] = _number(metrics.get("diverged_at"))
        row["reason"] = record.get("reason") if isinstance(record.get("reason"), str) else None
        rows.append(row)
    return rows, axes


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def write_report(folder: str | Path) -> Path:
    """Write `runs.csv`, `report.md` and `plots/*.png` into the study folder; the report's
    path."""
    from ganlab.study.report_plots import write_plots

    folder = Path(folder)
    rows, axes = study_rows(folder)
    shown = [m for m in METRICS if any(row[m[0]] is not None for row in rows)]
    plots = write_plots(folder / "plots", rows, axes, shown)
    atomic_write(folder / "runs.csv", lambda s: s.write(_csv(rows).encode()))
    text = _markdown(folder, rows, axes, shown, plots)
    atomic_write(folder / "report.md", lambda s: s.write(text.encode()))
    return folder / "report.md"


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def group_key(row: dict[str, Any], axes: list[str]) -> tuple:
    """The row's place on every axis but the seed: its seeds form one distribution."""
    return tuple(row[a] for a in axes if a != "seed")


def _markdown(folder: Path, rows, axes, shown, plots: list[Path]) -> str:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    lines = [f"# Study {folder.name}", "",
             f"{len(rows)} runs: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())),
             "", _batching_line(rows), "", "## Over seeds: median [25th–75th percentile]", ""]
    group_axes = [a for a in axes if a != "seed"]
    header = [*group_axes, "runs", "diverged", "crashed", *(h for _, h, _ in shown)]
    lines += [_table_line(header), _table_line(["---"] * len(header))]
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(group_key(row, axes), []).append(row)
    for key, members in groups.items():
        ended = [r for r in members if r["status"] not in (NOT_RUN, CRASHED)]
        cells = [*map(_cell, key), str(len(ended)),
                 str(sum(r["status"] == "diverged" for r in members)),
                 str(sum(r["status"] == CRASHED for r in members))]
        cells += [_spread([r[column] for r in ended], digits) for column, _, digits in shown]
        lines.append(_table_line(cells))
    if plots:
        lines += ["", "## Plots", ""]
        lines += [f"![{p.stem}](plots/{p.name})" for p in plots]
    lines += ["", "## Every run", ""]
    header = ["run", "status", *(h for _, h, _ in shown), "batch", "reason"]
    lines += [_table_line(header), _table_line(["---"] * len(header))]
    for row in rows:
        cells = [row["run"], row["status"],
                 *(_cell(row[column], digits) for column, _, digits in shown),
                 _cell(row["batch"]) if row["batch"] else "alone",
                 (row["reason"] or "").replace("|", "/")]
        lines.append(_table_line(cells))
    return "\n".join(lines) + "\n"


def _batching_line(rows: list[dict[str, Any]]) -> str:
    """Which runs trained in batches (`ganlab.study.batched_run`): their wall time is their
    share of the batch's."""
    batched = [row for row in rows if row["batch"]]
    if not batched:
        return "Every run trained alone (one run per process)."
    sizes = sorted({int(row["batch"]) for row in batched})
    return (f"{len(batched)} of {len(rows)} runs trained in batches of "
            f"{', '.join(map(str, sizes))} runs (one batched model per worker; a batched run's "
            "wall time is its share of its batch's); the column `batch` says which.")


def _spread(values: list, digits: int) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    low, median, high = np.percentile(values, [25, 50, 75])
    if len(values) == 1:
        return f"{median:.{digits}f}"
    return f"{median:.{digits}f} [{low:.{digits}f}–{high:.{digits}f}]"


def _cell(value: Any, digits: int | None = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and digits is not None:
        return f"{value:.{digits}f}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table_line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"
