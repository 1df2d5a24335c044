"""Run folders hold the old run or the whole new one; diverged runs write their last finite
state; `samples.npy` is the draw the final metrics describe."""

import errno
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from ganlab.cli import main
from ganlab.core import headless, run_folder
from ganlab.core.metrics import mode_metrics
from ganlab.core.run_folder import RunExistsError, RunFolder, RunFolderError
from ganlab.core.targets import TARGETS

TINY = ["--g-layers", "1", "--g-width", "8", "--d-layers", "1", "--d-width", "8",
        "--batch-size", "32", "--quiet", "--samples", "200", "--evaluations", "1",
        "--iterations", "2"]


def _snapshot(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if not line.startswith("ERROR ")]  # log records
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def old_run(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), "--seed", "1", *TINY]) == 0
    return out, _snapshot(out)


def _no_temporaries(parent) -> bool:
    return not [p for p in parent.iterdir() if ".ganlab-" in p.name]


@pytest.mark.parametrize("failing", ["_save_npy", "export_generator", "save_session"])
def test_a_failure_while_writing_leaves_the_old_run_byte_identical(old_run, monkeypatch, capsys,
                                                                    failing):
    out, before = old_run

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(headless, failing, disk_full)
    code = main(["train", "--out", str(out), "--overwrite", "--seed", "2", *TINY])
    assert code == 1
    assert _one_line(capsys) == (
        f"ganlab: {out}: cannot write the results (No space left on device); "
        "the folder is unchanged"
    )
    assert _snapshot(out) == before
    assert _no_temporaries(out.parent)


def test_an_interrupted_run_leaves_the_old_run_and_no_temporary(old_run, monkeypatch, capsys):
    out, before = old_run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(headless, "evaluate_draw", interrupted)
    assert main(["train", "--out", str(out), "--overwrite", *TINY]) == 130
    assert _snapshot(out) == before
    assert _no_temporaries(out.parent)


def test_a_failed_swap_puts_the_old_run_back(old_run, monkeypatch, capsys):
    out, before = old_run
    real_rename = os.rename

    def rename(source, destination):
        if ".ganlab-partial." in str(source):  # the second rename: new run into place
            raise OSError(errno.EIO, "Input/output error")
        real_rename(source, destination)

    monkeypatch.setattr(run_folder.os, "rename", rename)
    assert main(["train", "--out", str(out), "--overwrite", *TINY]) == 1
    assert "cannot replace the folder with the new results (Input/output error)" in (
        _one_line(capsys)
    )
    assert _snapshot(out) == before
    assert _no_temporaries(out.parent)


def test_overwrite_is_needed_to_replace_a_run_and_replaces_it_whole(old_run, capsys):
    out, before = old_run
    assert main(["train", "--out", str(out), "--seed", "2", *TINY]) == 2
    assert _one_line(capsys) == (
        f"ganlab: error: --out {out}: already holds a run; give --overwrite to replace it, "
        "or another --out"
    )
    assert _snapshot(out) == before
    assert main(["train", "--out", str(out), "--overwrite", "--seed", "2", *TINY]) == 0
    after = _snapshot(out)
    assert set(after) == set(before) and after["samples.npy"] != before["samples.npy"]
    assert json.loads(after["config.json"])["training"]["seed"] == 2
    assert _no_temporaries(out.parent)


def test_a_folder_with_other_files_is_never_replaced(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert main(["train", "--out", str(out), "--overwrite", *TINY]) == 2
    assert _one_line(capsys) == (
        f"ganlab: error: --out {out}: holds files that are not a ganlab run's (such as "
        "'notes.txt'); give a new or empty folder"
    )
    assert (out / "notes.txt").read_text() == "keep me"


def test_an_empty_folder_is_used_without_overwrite(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert main(["train", "--out", str(out), *TINY]) == 0
    assert (out / "metrics.json").is_file()


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("file", "is a file, not a folder"),
        ("file/run", "is a file, not a folder"),
        ("file/deeper/run", "is a file, not a folder"),
    ],
)
def test_unusable_out_is_refused_before_training(tmp_path, monkeypatch, capsys, where, message):
    (tmp_path / "file").write_text("x")
    trained = []
    monkeypatch.setattr(headless, "_train", lambda *a: trained.append(1))
    assert main(["train", "--out", str(tmp_path / where), *TINY]) == 2
    line = _one_line(capsys)
    assert line.startswith(f"ganlab: error: --out {tmp_path / where}: ") and message in line
    assert trained == []


def test_read_only_out_is_refused_before_training(tmp_path, monkeypatch, capsys):
    if os.geteuid() == 0:
        pytest.skip("root writes everywhere")
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o500)
    monkeypatch.setattr(headless, "_train", lambda *a: pytest.fail("trained"))
    try:
        assert main(["train", "--out", str(parent / "run"), *TINY]) == 2
    finally:
        parent.chmod(0o700)
    assert "cannot write results there (Permission denied)" in _one_line(capsys)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temporaries_of_dead_writers_are_cleaned_and_a_moved_run_put_back(tmp_path):
    pid = _dead_pid()
    final = tmp_path / "run"
    partial = tmp_path / f".run.ganlab-partial.{pid}.0a1b2c3d"
    replaced = tmp_path / f".run.ganlab-replaced.{pid}.0a1b2c3d"
    partial.mkdir()
    (partial / "metrics.json").write_text("{")
    replaced.mkdir()
    (replaced / "metrics.json").write_text("{}")
    live = tmp_path / f".run.ganlab-partial.{os.getpid()}.ffffffff"  # a writer still running
    live.mkdir()
    with pytest.raises(RunExistsError):
        RunFolder(final)  # the killed writer's old run is back, so this folder holds a run
    assert (final / "metrics.json").read_text() == "{}"
    assert not partial.exists() and not replaced.exists() and live.exists()


def test_run_folder_context_discards_on_error(tmp_path):
    def write_then_fail():
        with RunFolder(tmp_path / "run") as folder:
            (folder.staging / "config.json").write_text("{}")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert list(tmp_path.iterdir()) == []


def test_the_current_folder_is_never_a_run_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RunFolderError, match="holds the current folder"):
        RunFolder(".")


def test_samples_are_the_draw_the_final_metrics_describe(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), "--target", "ring8", *TINY[:-2],
                 "--iterations", "30"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    samples = np.load(out / "samples.npy")
    final = metrics["final"]
    assert final["evaluation_samples"] == len(samples) == 200
    assert {key: metrics["history"][-1][key] for key in final} == final
    target = TARGETS["ring8"]()
    recomputed = mode_metrics(samples, target.modes, target.mode_std)
    assert final["high_quality_fraction"] == recomputed.high_quality_fraction
    assert final["modes_covered"] == recomputed.modes_covered
    expected_kl = recomputed.reverse_kl if np.isfinite(recomputed.reverse_kl) else None
    assert final["reverse_kl"] == expected_kl
    # scored from outside with the same protocol, samples.npy gives the same numbers
    from ganlab.evaluate_command import evaluate_file

    outside = evaluate_file(out / "samples.npy", "ring8", None)
    shared = set(outside) & set(final)
    assert {"js", "kl_data_model", "kl_model_data", "w1", "modes_covered"} <= shared
    assert {key: outside[key] for key in shared} == {key: final[key] for key in shared}


DIVERGING = ["--g-optimizer", "sgd", "--d-optimizer", "sgd", "--g-lr", "10", "--d-lr", "10",
             "--target", "ring8", "--g-layers", "1", "--g-width", "8", "--d-layers", "1",
             "--d-width", "8", "--batch-size", "32", "--quiet", "--samples", "200",
             "--iterations", "40", "--evaluations", "8", "--seed", "0"]


def test_a_diverged_run_writes_its_last_finite_state_and_says_which(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), *DIVERGING]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    metrics = json.loads((out / "metrics.json").read_text())
    diverged_at, results_from = metrics["diverged_at"], metrics["results_from_iteration"]
    assert metrics["diverged"] is True and results_from < diverged_at
    assert [row["iteration"] for row in metrics["history"]][-1] == diverged_at
    assert metrics["final"]["iteration"] == results_from
    assert f"diverged at iteration {diverged_at}; results from iteration {results_from}" in (
        captured.out
    )
    assert (f"training diverged at iteration {diverged_at}: a loss or weight is NaN or infinite;"
            f" try a lower learning rate (results in {out} are from iteration {results_from}, "
            "the last finite state)") in captured.err
    assert np.isfinite(np.load(out / "samples.npy")).all()
    weights = load_file(out / "generator.safetensors")
    assert all(torch.isfinite(t).all() for t in weights.values())
    assert json.loads((out / "generator.json").read_text())["iteration"] == results_from
    # the session continues from that state; its history stops there too
    from ganlab.core.session_file import load_session

    session = load_session(out / "session.ganlab")
    assert session.trainer.iteration == results_from and session.trainer.state_is_finite()
    assert all(row["iteration"] <= results_from for row in session.history)
    assert main(["sample", str(out), "--n", "5", "--out", str(tmp_path / "s.npy")]) == 0
    assert np.isfinite(np.load(tmp_path / "s.npy")).all()


def test_sample_refuses_a_generator_with_nan_weights(tmp_path, capsys):
    from safetensors.torch import save_file

    out = tmp_path / "run"
    assert main(["train", "--out", str(out), *TINY]) == 0
    weights = {k: v.clone() for k, v in load_file(out / "generator.safetensors").items()}
    weights[next(iter(weights))][0] = float("nan")
    save_file(weights, out / "generator.safetensors")
    assert main(["sample", str(out), "--n", "5", "--out", str(tmp_path / "s.npy")]) == 2
    line = _one_line(capsys)
    assert line.startswith(f"ganlab: error: {out / 'generator'}") and "not finite" in line
    assert not (tmp_path / "s.npy").exists()


def test_run_headless_bounds_its_counts(small_config):
    with pytest.raises(ValueError, match="sample_count"):
        headless.run_headless(small_config, sample_count=headless.MAX_SAMPLES + 1)
    with pytest.raises(ValueError, match="evaluations"):
        headless.run_headless(small_config, evaluations=0)


def test_an_image_run_writes_images_in_zero_one_a_png_and_classifier_metrics(tmp_path):
    from PIL import Image

    out = tmp_path / "digits"
    code = main(["train", "--target", "digits", "--resolution", "8", "--iterations", "20",
                 "--evaluations", "1", "--samples", "200", "--g-width", "8", "--d-width", "8",
                 "--out", str(out), "--quiet"])
    assert code == 0
    samples = np.load(out / "samples.npy")
    assert samples.shape == (200, 1, 8, 8) and samples.dtype == np.float32
    assert samples.min() >= 0 and samples.max() <= 1
    picture = Image.open(out / "samples.png")
    assert picture.size == (10 * 64 + 9, 10 * 64 + 9)  # 100 of them, 8×8 drawn ×8, 1-px gaps
    metrics = json.loads((out / "metrics.json").read_text())["final"]
    assert 0 <= metrics["classes_covered"] <= 10 and metrics["frechet_distance"] > 0
    assert metrics["frechet_distance_real"] < metrics["frechet_distance"]
    config = json.loads((out / "config.json").read_text())
    assert config["model"]["latent_dim"] == 32 and config["training"]["batch_size"] == 64


def test_a_folder_of_images_trains_with_its_labels_and_broken_files_are_named(tmp_path, capsys):
    from PIL import Image

    folder = tmp_path / "pictures"
    rng = np.random.default_rng(0)
    for label in ("cats", "dogs"):
        (folder / label).mkdir(parents=True)
        for index in range(12):
            pixels = (rng.random((12, 12)) * 255).astype(np.uint8)
            Image.fromarray(pixels).save(folder / label / f"{index}.png")
    (folder / "dogs" / "broken.png").write_bytes(b"not a png")
    out = tmp_path / "run"
    code = main(["train", "--images", str(folder), "--resolution", "8", "--conditional",
                 "--iterations", "4", "--evaluations", "1", "--samples", "20",
                 "--g-width", "8", "--d-width", "8", "--out", str(out), "--quiet"])
    assert code == 0
    err = capsys.readouterr().err
    assert "1 files skipped, e.g." in err and "broken.png" in err
    config = json.loads((out / "config.json").read_text())
    assert config["target"]["name"] == "custom" and config["model"]["conditional"] is True
    assert np.load(out / "samples.npy").shape == (20, 1, 8, 8)
    metrics = json.loads((out / "metrics.json").read_text())["final"]
    assert metrics["classes_covered"] <= 2


def test_images_that_cannot_be_read_are_one_line_naming_them(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["train", "--images", str(empty), "--out", str(tmp_path / "r"), "-q"]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and str(empty) in lines[0]
