"""The report from a finished study folder: every run's row, the spread over seeds, the plots."""

from __future__ import annotations

import csv
import json

import pytest

from ganlab.cli import main
from ganlab.study.grid import expand
from ganlab.study.study_file import spec_from_fields
from ganlab.study.study_folder import StudyFolder

MODES = {"minimax": [2, 4, 6, 8, 8], "hinge": [8, 8, 8, 8, 8]}
HIGH_QUALITY = [0.5, 0.6, 0.7, 0.8, 0.9]


def finished_folder(path):
    """A study folder as a study leaves it: grid, run folders' metrics, records; seed 4 of
    hinge crashed and seed 3 of hinge diverged."""
    spec = spec_from_fields({"target": "ring8", "objectives": ["minimax", "hinge"], "seeds": 5,
                             "iterations": [100, 200]}, "test")
    runs = expand(spec)
    folder = StudyFolder(path)
    folder.prepare(spec.to_dict(), runs)
    for run in runs:
        objective, seed, budget = run.axes["objective"], run.axes["seed"], run.axes["iterations"]
        if objective == "hinge" and seed == 4:
            folder.write_record(run.run_id, {"status": "crashed", "wall_seconds": 0.5,
                                             "reason": "RuntimeError: out of memory | really"})
            continue
        scale = budget / 200
        final = {"iteration": budget, "modes_covered": MODES[objective][seed], "total_modes": 8,
                 "high_quality_fraction": HIGH_QUALITY[seed] * scale, "reverse_kl": None,
                 "js": 0.01 * (seed + 1), "w1": 0.1}
        folder.run_dir(run.run_id).mkdir(parents=True)
        diverged = objective == "hinge" and seed == 3
        (folder.run_dir(run.run_id) / "metrics.json").write_text(json.dumps(
            {"final": final, "seconds": 10.0 * (seed + 1), "diverged": diverged,
             "diverged_at": 150 if diverged else None}))
        batched = {"batch": 5, "cpu_seconds": 2.0 * (seed + 1)} if objective == "minimax" else {}
        folder.write_record(run.run_id, {"status": "diverged" if diverged else "finished",
                                         "reason": None, "wall_seconds": 10.0 * (seed + 1) + 1,
                                         **batched})
    return path


def test_the_report_has_one_row_per_run_with_its_numbers(tmp_path, capsys):
    folder = finished_folder(tmp_path / "s")
    assert main(["study", "--report", str(folder)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {folder / 'report.md'}")
    rows = list(csv.DictReader((folder / "runs.csv").open()))
    assert len(rows) == 20
    by_id = {row["run"]: row for row in rows}
    row = by_id["minimax-i200-s2"]
    assert (row["objective"], row["iterations"], row["seed"], row["status"]) == \
        ("minimax", "200", "2", "finished")
    assert (float(row["modes_covered"]), float(row["high_quality_pct"]), float(row["js"])) == \
        (6, pytest.approx(70.0), pytest.approx(0.03))
    assert float(row["wall_seconds"]) == 31.0
    assert float(row["train_seconds"]) == 30.0
    crashed = by_id["hinge-i100-s4"]
    assert (crashed["status"], crashed["reason"], crashed["modes_covered"]) == \
        ("crashed", "RuntimeError: out of memory | really", "")
    assert by_id["hinge-i100-s3"]["diverged_at"] == "150"


def test_the_summary_gives_median_and_quartiles_over_seeds(tmp_path):
    folder = finished_folder(tmp_path / "s")
    main(["study", "--report", str(folder)])
    lines = (folder / "report.md").read_text().splitlines()
    header = next(line for line in lines if line.startswith("| objective |"))
    assert header == ("| objective | iterations | runs | diverged | crashed | modes | "
                      "high quality % | JS | W1 | wall s | CPU s |")
    minimax = next(line for line in lines if line.startswith("| minimax | 200 |"))
    # modes 2, 4, 6, 8, 8: quartiles 4 and 8; high quality 50..90 %: 60, 70, 80
    assert minimax.startswith("| minimax | 200 | 5 | 0 | 0 | 6.0 [4.0–8.0] | "
                              "70.0 [60.0–80.0] | 0.0300 [0.0200–0.0400] |")
    hinge = next(line for line in lines if line.startswith("| hinge | 100 |"))
    # four runs ended (one of them diverged), one crashed and is in no distribution
    assert hinge.startswith("| hinge | 100 | 4 | 1 | 1 | 8.0 [8.0–8.0] | ")
    assert "| hinge-i100-s4 | crashed |" in "\n".join(lines)
    assert "RuntimeError: out of memory / really |" in "\n".join(lines)  # no broken table
    # the minimax runs trained as batches of 5 (`batched_run`), the hinge runs alone
    assert "10 of 20 runs trained in batches of 5 runs" in "\n".join(lines)
    assert "| minimax-i200-s2 | finished | 6 | 70.0 | 0.0300 | 0.1000 | 31.0 | 6.0 | 5 |  |" \
        in lines
    assert "| hinge-i200-s2 | finished | 8 | 70.0 | 0.0300 | 0.1000 | 31.0 | — | alone |  |" \
        in lines


def test_the_plots_are_pngs_per_budget_and_against_budget(tmp_path):
    folder = finished_folder(tmp_path / "s")
    main(["study", "--report", str(folder)])
    plots = sorted(p.name for p in (folder / "plots").iterdir())
    assert plots == ["boxes-i100.png", "boxes-i200.png", "budget.png"]
    from PIL import Image

    for name in plots:
        with Image.open(folder / "plots" / name) as image:
            assert image.format == "PNG"
            width, height = image.size
            assert width > 2 * height  # four panels side by side
    report = (folder / "report.md").read_text()
    assert "![budget](plots/budget.png)" in report


def test_a_study_not_run_yet_reports_its_runs_as_such(tmp_path):
    spec = spec_from_fields({"target": "ring8", "seeds": 2, "iterations": [10]}, "test")
    StudyFolder(tmp_path / "s").prepare(spec.to_dict(), expand(spec))
    assert main(["study", "--report", str(tmp_path / "s")]) == 0
    rows = list(csv.DictReader((tmp_path / "s" / "runs.csv").open()))
    assert [row["status"] for row in rows] == ["not run", "not run"]
    assert not (tmp_path / "s" / "plots").exists()
