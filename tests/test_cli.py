"""The command line, run in-process through `main(argv)` and once as a real subprocess."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

import ganlab
from ganlab.cli import main
from ganlab.core.config import RunConfig
from ganlab.core.objectives import OBJECTIVES
from ganlab.core.targets import TARGETS

SMALL = ["--g-layers", "1", "--g-width", "8", "--d-layers", "1", "--d-width", "8",
         "--batch-size", "32", "--quiet", "--samples", "300"]


def test_two_step_train_writes_every_output(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["train", "--iterations", "2", "--evaluations", "2", "--out", str(out),
                 "--target", "ring8", "--objective", "wgan-gp", "-k", "3", *SMALL])
    assert code == 0
    assert {p.name for p in out.iterdir()} == {
        "config.json", "metrics.json", "samples.npy", "generator.safetensors", "generator.json",
        "session.ganlab",
    }
    config = RunConfig.from_json((out / "config.json").read_text())
    assert config.objective.name == "wgan-gp" and config.training.critic_steps == 3
    assert config.model.generator.width == 8 and config.target.name == "ring8"
    metrics = json.loads((out / "metrics.json").read_text())
    assert [row["iteration"] for row in metrics["history"]] == [1, 2]
    assert metrics["final"]["total_modes"] == 8
    assert 0 <= metrics["final"]["js"] <= 0.7
    assert np.load(out / "samples.npy").shape == (300, 2)
    assert "modes" in capsys.readouterr().out
    # the exported generator samples from the command line too
    assert main(["sample", str(out / "generator.json"), "--n", "7", "--out",
                 str(tmp_path / "s.csv"), "--seed", "1"]) == 0
    lines = (tmp_path / "s.csv").read_text().splitlines()
    assert lines[0] == "x,y" and len(lines) == 8


def test_paper_defaults_and_config_file(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--iterations", "1", "--evaluations", "1", "--out", str(out),
                 "--objective", "wgan", "--paper-defaults", *SMALL]) == 0
    config = RunConfig.from_json((out / "config.json").read_text())
    assert config.generator_optimizer.name == "rmsprop"
    assert config.discriminator_optimizer.learning_rate == 5e-5
    assert config.training.critic_steps == 5 and config.objective.clip_value == 0.01
    assert config.training.batch_size == 32  # explicit options beat the paper's
    again = tmp_path / "again"
    assert main(["train", "--config", str(out / "config.json"), "--iterations", "1",
                 "--evaluations", "1", "--out", str(again), "--quiet", "--samples", "10"]) == 0
    assert RunConfig.from_json((again / "config.json").read_text()).generator_optimizer.name == (
        "rmsprop"
    )


def test_one_dimensional_and_custom_targets(tmp_path):
    points = tmp_path / "p.csv"
    points.write_text("x,y\n0,0\n1,1\n2,0\n")
    for extra in (["--target", "bimodal-1d", "--latent-dim", "1"], ["--points-file", str(points)]):
        out = tmp_path / extra[1].replace("/", "_")
        assert main(["train", "--iterations", "2", "--evaluations", "1", "--out", str(out),
                     *extra, *SMALL]) == 0
        assert np.isfinite(np.load(out / "samples.npy")).all()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--objective", "gan"], "invalid choice: 'gan'"),
        (["train", "--iterations", "ten"], "invalid int value"),
        (["train", "--batch-size", "0"], "training.batch_size = 0"),
        (["train", "--d-lr", "-1"], "learning_rate = -1.0"),
        (["train", "--g-beta1", "1.5"], "beta1 = 1.5"),
        (["train", "--latent-dim", "100000"], "model.latent_dim"),
        (["train", "--points-file", "/no/such.csv"], "no such file"),
        (["train", "--device", "quantum"], "not a device name"),
        (["train", "--threads", "-2"], "--threads"),
        (["train", "--config", "/no/config.json"], "cannot read"),
        (["train", "--lr", "1"], "unrecognized arguments: --lr"),
        (["sample", "/no/gen", "--out", "x.npy"], "no such file"),
        (["sample", "/no/gen", "--out", "x.txt"], "must end in .png, .npy or .csv"),
        (["sample", "/no/gen", "--out", "x.png", "--npy", "x.csv"], "--npy x.csv: must end in"),
        (["frobnicate"], "invalid choice"),
        (["train", "--threads", "100000"], "--threads 100000: expected a whole number from 0 to"),
        (["train", "--samples", "2000000000"],
         "--samples 2000000000: expected a whole number from 1 to 100,000"),
        (["train", "--samples", "2e9"], "argument --samples: invalid int value: '2e9'"),
        (["train", "--evaluations", "0"], "--evaluations 0: expected a whole number from 1"),
        (["train", "--evaluations", "10000000000"], "--evaluations 10000000000: expected"),
        (["train", "--device", ""], "--device '': '' is not a device name"),
        (["train", "--device", "cpu:5"], "'cpu:5': only CUDA devices take an index"),
        (["train", "--device", "tpu"], "--device 'tpu': 'tpu' is not a device name"),
        (["sample", "/no/gen", "--n", "10000000000", "--out", "x.npy"],
         "--n 10000000000: expected a whole number from 1 to 5,000,000"),
        (["sample", "/no/gen", "--n", "1e10", "--out", "x.npy"], "invalid int value: '1e10'"),
        (["sample", "/no/gen", "--seed", "-1", "--out", "x.npy"], "--seed -1: expected"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(tmp_path, capsys, argv, message):
    if argv[0] == "train":
        argv = [*argv, "--out", str(tmp_path / "o"), "--quiet"]
    with pytest.raises(SystemExit) as info:
        raise SystemExit(main(argv))
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_config_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"training": {"k": 1}}')
    assert main(["train", "--config", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert _bad_input_line(capsys) == f"ganlab: error: {bad}: unknown setting in training: k"


@pytest.mark.parametrize(("content", "message"), [
    ("[1, 2]", "a configuration must be a JSON object"),
    ("[" * 100_000 + "]" * 100_000, "is nested more than 64 levels deep"),
    ('{"training": {"seed": ' + "1" * 5000 + "}}", "a number longer than 100 characters"),
    ("/dev/zero", "is not a regular file"),
])
def test_config_files_are_read_as_untrusted_input(tmp_path, capsys, content, message):
    config = tmp_path / "config.json"
    if content.startswith("/dev/"):
        config.symlink_to(content)
    else:
        config.write_text(content)
    assert main(["train", "--config", str(config), "--out", str(tmp_path / "o")]) == 2
    line = _bad_input_line(capsys)
    assert line.startswith(f"ganlab: error: {config}: ") and message in line, line


def test_lists(capsys):
    assert main(["targets"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in TARGETS)
    assert main(["objectives"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in OBJECTIVES)


def test_real_subprocess_entry_point(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "ganlab.cli", "train", "--iterations", "2", "--evaluations", "1",
         "--out", str(tmp_path / "o"), *SMALL],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "2 iterations" in result.stdout
    bad = subprocess.run([sys.executable, "-m", "ganlab.cli", "train", "--seed", "x"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_resume_continues_a_saved_run_exactly(tmp_path):
    straight, first, second = tmp_path / "straight", tmp_path / "first", tmp_path / "second"
    common = ["--evaluations", "1", *SMALL]
    assert main(["train", "--iterations", "6", "--out", str(straight), *common]) == 0
    assert main(["train", "--iterations", "3", "--lr-schedule", "constant", "--out", str(first),
                 *common]) == 0
    assert (first / "session.ganlab").exists()
    assert main(["train", "--resume", str(first / "session.ganlab"), "--iterations", "6",
                 "--out", str(second), "--evaluations", "1", "--quiet", "--samples", "300"]) == 0
    metrics = json.loads((second / "metrics.json").read_text())
    assert [row["iteration"] for row in metrics["history"]] == [3, 6]
    reference = tmp_path / "reference"
    assert main(["train", "--iterations", "6", "--lr-schedule", "constant", "--out",
                 str(reference), *common]) == 0
    z = torch.randn(100, 2)
    with torch.no_grad():
        resumed = ganlab.load_generator(second / "generator")(z)
        straight_through = ganlab.load_generator(reference / "generator")(z)
    assert torch.equal(resumed, straight_through)


def test_resume_continues_a_session_saved_by_the_app(trained_run, tmp_path):
    """The app's sessions hold its chart series (rows without an iteration) beside any
    evaluations: the command line continues the evaluations and leaves the chart rows be."""
    from ganlab.core.session_file import Session, load_session, save_session

    session = load_session(trained_run / "session.ganlab")
    chart_rows = [{"run": 0, "series": "d_loss", "x": [1.0, 2.0], "y": [1.3, None]}]
    app_file = save_session(Session(session.trainer, history=chart_rows),
                            tmp_path / "app.ganlab")
    out = tmp_path / "more"
    assert main(["train", "--resume", str(app_file), "--iterations", "4", "--out", str(out),
                 "--evaluations", "1", "--quiet", "--samples", "300"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert [row["iteration"] for row in metrics["history"]] == [4]


def test_resume_refuses_changes_and_bad_files(tmp_path, capsys):
    bad = tmp_path / "bad.ganlab"
    bad.write_bytes(b"PK\x03\x04 nope")
    assert main(["train", "--resume", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "bad.ganlab" in capsys.readouterr().err
    assert main(["train", "--resume", str(bad), "--objective", "wgan", "--out",
                 str(tmp_path / "o")]) == 2
    assert "--objective cannot be changed" in capsys.readouterr().err


def test_onnx_command(tmp_path, capsys):
    pytest.importorskip("onnxscript")
    out = tmp_path / "run"
    assert main(["train", "--iterations", "1", "--evaluations", "1", "--out", str(out),
                 *SMALL]) == 0
    assert main(["onnx", str(out / "generator"), "--out", str(tmp_path / "g.onnx")]) == 0
    assert (tmp_path / "g.onnx").stat().st_size > 100
    assert main(["onnx", str(out / "generator"), "--out", str(tmp_path / "g.bin")]) == 2
    assert "must end in .onnx" in capsys.readouterr().err


def _bad_input_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run"
    assert main(["train", "--iterations", "2", "--evaluations", "1", "--out", str(out),
                 *SMALL]) == 0
    return out


def test_sample_accepts_a_run_folder_and_checks_its_output(trained_run, tmp_path, capsys):
    assert main(["sample", str(trained_run), "--n", "4", "--out", str(tmp_path / "s.npy"),
                 "--seed", "3"]) == 0
    assert np.load(tmp_path / "s.npy").shape == (4, 2)
    capsys.readouterr()
    assert main(["sample", str(tmp_path), "--out", str(tmp_path / "t.npy")]) == 2
    assert _bad_input_line(capsys) == (
        f"ganlab: error: {tmp_path}: is a folder without a generator.json; give a generator "
        "(.json, .safetensors or their common stem)"
    )
    (tmp_path / "folder.npy").mkdir()
    assert main(["sample", str(trained_run), "--out", str(tmp_path / "folder.npy")]) == 2
    assert _bad_input_line(capsys).endswith("folder.npy: is a folder; give a file name")
    (tmp_path / "file").write_text("x")
    assert main(["sample", str(trained_run), "--out", str(tmp_path / "file" / "s.csv")]) == 2
    assert _bad_input_line(capsys).endswith(f"{tmp_path / 'file'} is a file, not a folder")


def test_sample_to_a_place_that_cannot_be_written(trained_run, tmp_path, capsys, monkeypatch):
    import ganlab.core.atomic_file as atomic_file

    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(atomic_file.tempfile, "mkstemp", read_only)
    assert main(["sample", str(trained_run), "--out", str(tmp_path / "s.npy")]) == 2
    assert _bad_input_line(capsys) == (
        f"ganlab: error: --out {tmp_path / 's.npy'}: cannot be written (Read-only file system)"
    )


def test_out_on_a_read_only_file_system_is_refused_before_training(tmp_path, capsys, monkeypatch):
    import pathlib

    from ganlab.core import headless

    real_mkdir = pathlib.Path.mkdir

    def mkdir(self, *args, **kwargs):
        if ".ganlab-partial." in self.name:
            raise OSError(30, "Read-only file system")
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "mkdir", mkdir)
    monkeypatch.setattr(headless, "_train", lambda *a: pytest.fail("trained"))
    assert main(["train", "--out", str(tmp_path / "run"), *SMALL]) == 2
    assert _bad_input_line(capsys) == (
        f"ganlab: error: --out {tmp_path / 'run'}: cannot write results there "
        "(Read-only file system)"
    )


def test_a_device_from_a_file_names_the_file(trained_run, tmp_path, capsys):
    import zipfile

    config = tmp_path / "config.json"
    config.write_text(json.dumps({"training": {"device": "tpu"}}))
    assert main(["train", "--config", str(config), "--out", str(tmp_path / "o"), *SMALL]) == 2
    assert _bad_input_line(capsys) == (
        f"ganlab: error: {config}: training.device: 'tpu' is not a device name; use auto, cpu, "
        "cuda, cuda:N or mps"
    )
    session = tmp_path / "tpu.ganlab"
    with zipfile.ZipFile(trained_run / "session.ganlab") as source, \
            zipfile.ZipFile(session, "w") as copy:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "session.json":
                metadata = json.loads(data)
                metadata["config"]["training"]["device"] = "tpu"
                data = json.dumps(metadata).encode()
            copy.writestr(item, data)
    assert main(["train", "--resume", str(session), "--iterations", "5", "--out",
                 str(tmp_path / "o"), "--quiet"]) == 2
    line = _bad_input_line(capsys)
    assert line.startswith(f"ganlab: error: {session}: ") and "'tpu'" in line


def test_resume_refuses_a_session_whose_state_is_not_finite(trained_run, tmp_path, capsys):
    from ganlab.core.session_file import load_session, save_session

    session = load_session(trained_run / "session.ganlab")
    with torch.no_grad():
        next(session.trainer.generator.parameters()).view(-1)[0] = float("nan")
    broken = save_session(session, tmp_path / "nan.ganlab")
    assert main(["train", "--resume", str(broken), "--iterations", "5", "--out",
                 str(tmp_path / "o"), "--quiet"]) == 2
    line = _bad_input_line(capsys)
    assert line.startswith(f"ganlab: error: {broken}: ") and "not finite" in line
    assert not (tmp_path / "o").exists()


def test_a_setting_declared_in_a_subclass_becomes_a_train_option(capsys):
    import argparse

    from ganlab.cli_train import _add_train_options, config_from_args
    from tests.extended_config import ExtendedRunConfig

    parser = argparse.ArgumentParser(prog="ganlab train")
    _add_train_options(parser, ExtendedRunConfig)
    args = parser.parse_args(["--warmup-iterations", "40", "-k", "2", "--no-standardize"])
    config = config_from_args(args, ExtendedRunConfig)
    assert isinstance(config, ExtendedRunConfig)
    assert config.training.warmup_iterations == 40 and config.training.critic_steps == 2
    assert config.model.standardize_data is False
    default = config_from_args(parser.parse_args([]), ExtendedRunConfig)
    assert default.training.warmup_iterations == 250 and default.model.standardize_data
    with pytest.raises(SystemExit):
        parser.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--warmup-iterations WARMUP_ITERATIONS Iterations at a reduced learning rate" in (
        help_text)
    assert "(0 to 5000; default: 250)" in help_text


def test_help_shows_each_setting_default_and_range():
    from ganlab.core.settings import leaves

    help_text = " ".join(ganlab.cli.build_parser()._subparsers._group_actions[0]
                         .choices["train"].format_help().split())
    for item in leaves(RunConfig):
        assert item.cli in help_text, item.path
    assert "--batch-size BATCH_SIZE Real and generated samples in every update (1 to 65536; " \
        "default: 256)" in help_text
    assert "--d-activation {relu,leaky_relu,tanh,elu,gelu,softplus}" in help_text
    assert "(default: leaky_relu)" in help_text

