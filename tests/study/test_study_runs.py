"""A real (tiny) study on the local pool: ordinary run folders, crashes recorded, resumption."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from ganlab.core.config import RunConfig
from ganlab.core.headless import run_headless
from ganlab.core.run_folder import RUN_FILES
from ganlab.study.grid import expand
from ganlab.study.run_task import DIVERGED, execute_run
from ganlab.study.runner import run_study
from ganlab.study.study_file import spec_from_fields
from ganlab.study.study_folder import StudyFolder
from tests.study.tiny_study import folder_state

TINY = {"g_layers": 1, "g_width": 8, "d_layers": 1, "d_width": 8, "batch_size": 64}


POINTS: dict[str, str] = {}  # the module's points file, written once


def tiny_spec():
    """Your own points (they travel to the workers by reference), two seeds on the CPU and two
    on cuda:99, which exists nowhere: those runs crash where they execute, as on a node
    without that device."""
    return spec_from_fields({"points_file": POINTS["path"], "objectives": ["minimax"],
                             "seeds": 2, "iterations": [30], "evaluations": 1, "samples": 200,
                             "settings": {**TINY, "device": ["cpu", "cuda:99"]}}, "test")


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    np.save(folder / "points.npy", centres[rng.integers(0, 3, 600)] + 0.1 * rng.normal(
        size=(600, 2)))
    POINTS["path"] = str(folder / "points.npy")
    summary = run_study(tiny_spec(), folder / "s", workers=2, progress=False)
    return folder / "s", summary


def test_each_run_ends_as_recorded(study):
    folder, summary = study
    assert summary.total == 4
    assert summary.skipped == 0
    assert summary.ended == {"finished": 2, "diverged": 0, "crashed": 2}
    records = {p.stem: json.loads(p.read_text()) for p in (folder / "records").iterdir()}
    assert sorted(records) == ["minimax-devicecpu-i30-s0", "minimax-devicecpu-i30-s1",
                               "minimax-devicecuda_99-i30-s0", "minimax-devicecuda_99-i30-s1"]
    for run_id, record in records.items():
        if "cuda_99" in run_id:
            assert record["status"] == "crashed"
            assert record["reason"].startswith("DeviceUnavailableError: ")
            assert "\n" not in record["reason"]
            assert not (folder / "runs" / run_id).exists()
        else:
            assert record["status"] == "finished"
            assert record["wall_seconds"] > 0
            assert {p.name for p in (folder / "runs" / run_id).iterdir()} == RUN_FILES


def test_a_study_run_is_an_ordinary_run_with_the_same_numbers(study, tmp_path):
    folder, _ = study
    run_dir = folder / "runs" / "minimax-devicecpu-i30-s1"
    config = RunConfig.from_json((run_dir / "config.json").read_text())
    assert (config.training.seed, config.training.iterations, config.training.device) == \
        (1, 30, "cpu")
    assert (config.target.name, config.target.points_file) == ("custom", POINTS["path"])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as in the study's workers
    try:
        alone = run_headless(config, tmp_path / "alone", evaluations=1, sample_count=200,
                             progress=False)
    finally:
        torch.set_num_threads(threads)
    # its two seeds trained as one batched model (`batched_run`): the same numbers to float
    # rounding (`--no-batch` gives them bit for bit)
    record = json.loads((folder / "records" / f"{run_dir.name}.json").read_text())
    assert record["batch"] == 2
    np.testing.assert_allclose(np.load(run_dir / "samples.npy"),
                               np.load(tmp_path / "alone" / "samples.npy"), atol=1e-5)
    final = json.loads((run_dir / "metrics.json").read_text())["final"]
    assert final["w1"] == pytest.approx(alone.final["w1"], rel=1e-4)


def test_running_the_study_again_repeats_nothing_and_touches_nothing(study):
    folder, _ = study
    before = folder_state(folder)
    again = run_study(tiny_spec(), folder, workers=2, progress=False)
    assert again.skipped == 4
    assert sum(again.ended.values()) == 0
    assert folder_state(folder) == before


def test_crashed_runs_are_redone_only_when_asked(study):
    folder, _ = study
    runs = expand(tiny_spec())
    assert StudyFolder(folder).pending(runs) == []
    retried = StudyFolder(folder).pending(runs, retry_crashed=True)
    assert sorted(r.run_id for r in retried) == ["minimax-devicecuda_99-i30-s0",
                                                 "minimax-devicecuda_99-i30-s1"]


def test_a_published_run_without_its_record_is_not_trained_again(study):
    folder, _ = study
    record = folder / "records" / "minimax-devicecpu-i30-s0.json"
    record.unlink()  # as if killed between publishing the run and writing its record
    metrics_before = (folder / "runs" / "minimax-devicecpu-i30-s0" / "metrics.json").read_bytes()
    assert StudyFolder(folder).pending(expand(tiny_spec())) == []
    rebuilt = json.loads(record.read_text())
    seconds = json.loads(metrics_before)["seconds"]
    assert (rebuilt["status"], rebuilt["wall_seconds"], rebuilt["from_metrics"]) == \
        ("finished", seconds, True)
    assert (folder / "runs" / "minimax-devicecpu-i30-s0" / "metrics.json").read_bytes() == \
        metrics_before


def test_the_same_folder_refuses_a_run_with_other_settings(study):
    from ganlab.study.study_folder import StudyFolderError

    folder, _ = study
    settings = {**TINY, "g_width": 9, "device": ["cpu", "cuda:99"]}
    other = spec_from_fields({"points_file": POINTS["path"], "objectives": ["minimax"],
                              "seeds": 2, "iterations": [30], "settings": settings}, "test")
    with pytest.raises(StudyFolderError, match="was made with other settings"):
        run_study(other, folder, workers=1, progress=False)


def test_a_diverged_run_is_recorded_with_its_reason(monkeypatch, tmp_path):
    from ganlab.core import headless

    def diverging(*args, **kwargs):
        raise headless.TrainingDivergedError(
            "training diverged at iteration 20: a loss or weight is NaN or infinite; try a "
            f"lower learning rate (results in {tmp_path} are from iteration 10, the last finite "
            "state)", result=None)

    monkeypatch.setattr(headless, "run_headless", diverging)
    config = expand(tiny_spec())[0].config
    outcome = execute_run(config, str(tmp_path / "run"), 1, 200)
    assert outcome["status"] == DIVERGED
    assert outcome["reason"] == ("training diverged at iteration 20: a loss or weight is NaN or "
                                 "infinite; try a lower learning rate")


def test_a_folder_written_before_a_setting_existed_resumes(tmp_path):
    from ganlab.study.study_folder import StudyFolderError

    spec = spec_from_fields({"target": "ring8", "objectives": ["minimax"], "seeds": 1,
                             "iterations": [30], "settings": TINY}, "test")
    runs = expand(spec)
    folder = StudyFolder(tmp_path / "s")
    folder.prepare(spec.to_dict(), runs)
    plan = json.loads((tmp_path / "s" / "study.json").read_text())
    del plan["runs"][0]["config"]["objective"]["spectral_norm"]  # as before it existed
    (tmp_path / "s" / "study.json").write_text(json.dumps(plan))
    folder.prepare(spec.to_dict(), runs)  # the default: the same run
    plan["runs"][0]["config"]["objective"]["spectral_norm"] = True
    (tmp_path / "s" / "study.json").write_text(json.dumps(plan))
    with pytest.raises(StudyFolderError, match="was made with other settings"):
        folder.prepare(spec.to_dict(), runs)
