"""The same study as Ray tasks on a local Ray instance: results gathered into the same folder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ganlab.core.run_folder import RUN_FILES
from ganlab.study.runner import run_study
from ganlab.study.study_file import spec_from_fields
from tests.study.tiny_study import folder_state

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]  # Ray takes a while to start

TINY = {"g_layers": 1, "g_width": 8, "d_layers": 1, "d_width": 8, "batch_size": 64}


def spec(points_file):
    """Your own points (put once into Ray's object store for every task); cuda:99 crashes."""
    return spec_from_fields({"points_file": str(points_file), "objectives": ["minimax", "hinge"],
                             "seeds": 1, "iterations": [30], "evaluations": 1, "samples": 200,
                             "settings": {**TINY, "device": ["cpu", "cuda:99"]}}, "test")


def test_a_study_on_a_local_ray_instance(tmp_path):
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'ganlab[ray]')")
    from ganlab.study.ray_pool import RayUnavailableError

    folder = tmp_path / "s"
    points = tmp_path / "points.npy"
    np.save(points, np.random.default_rng(0).normal(size=(300, 2)))
    try:
        summary = run_study(spec(points), folder, workers=2, ray_address="local", progress=False)
    except RayUnavailableError as error:
        pytest.skip(f"Ray cannot start here: {error}")
    assert summary.ended == {"finished": 2, "diverged": 0, "crashed": 2}
    for objective in ("minimax", "hinge"):
        run_dir = folder / "runs" / f"{objective}-devicecpu-i30-s0"
        assert {p.name for p in run_dir.iterdir()} == RUN_FILES
        assert np.load(run_dir / "samples.npy").shape == (200, 2)
        record = json.loads((folder / "records" / f"{objective}-devicecpu-i30-s0.json")
                            .read_text())
        assert record["status"] == "finished"
        crashed = json.loads((folder / "records" / f"{objective}-devicecuda_99-i30-s0.json")
                             .read_text())
        assert crashed["reason"].startswith("DeviceUnavailableError: ")
    assert (folder / "report.md").is_file()
    # resumed on the local pool instead: the runs Ray finished are not repeated
    before = folder_state(folder)
    again = run_study(spec(points), folder, workers=1, progress=False)
    assert (again.skipped, sum(again.ended.values())) == (4, 0)
    assert folder_state(folder) == before
