"""Study files: read as untrusted input; every problem is one line naming the file."""

from __future__ import annotations

import pytest

from ganlab.cli import main
from ganlab.study.grid import expand
from ganlab.study.study_file import MAX_STUDY_FILE_BYTES, read_study_file, spec_from_fields

GOOD = """
target = "ring8"
objectives = ["minimax", "hinge"]
seeds = [1, 2]
iterations = [30, 60]
evaluations = 2
samples = 300
out = "studies/here"

[settings]
d_lr = [1e-4, 1e-3]
critic_steps = 2
"""


def test_a_study_file_describes_the_grid(tmp_path):
    path = tmp_path / "study.toml"
    path.write_text(GOOD)
    fields = read_study_file(path)
    assert fields["out"] == str(tmp_path / "studies/here")  # relative to the file
    spec = spec_from_fields(fields, str(path))
    assert spec.objectives == ("minimax", "hinge")
    assert spec.seeds == (1, 2)
    assert spec.budgets == (30, 60)
    assert (spec.evaluations, spec.samples) == (2, 300)
    runs = expand(spec)
    assert len(runs) == 2 * 2 * 2 * 2
    assert {r.config["training"]["critic_steps"] for r in runs} == {2}
    assert {r.axes["d_lr"] for r in runs} == {1e-4, 1e-3}


def run_cli(args, capsys) -> tuple[int, str]:
    code = main(["study", *args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("content", "message"), [
    ("target = \n", "is not valid TOML (Invalid value (at line 1, column 10))"),
    ("targt = 'ring8'", "unknown key 'targt'"),
    ("seeds = 'five'", "seeds: expected a whole number or a list of them, got 'five'"),
    ("objectives = ['minimax', 3]", "objectives: expected text or a list of them, got 3"),
    ("settings = 4", "settings: expected a table"),
    ("[settings]\nd_lr = [1e-4, 'fast']", "discriminator_optimizer.learning_rate = 'fast'"),
    ("[settings]\nbogus = 1", "bogus: no such setting"),
    ("paper_defaults = 'yes'", "paper_defaults: expected true or false"),
    ("samples = 10_000_000", "samples 10000000: expected a whole number from 1 to"),
    ("x = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
    ("a = 1\n" + "#" * MAX_STUDY_FILE_BYTES, "more than the 65,536 it can plausibly hold"),
])
def test_a_bad_study_file_is_one_line_naming_the_file(tmp_path, capsys, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    code, err = run_cli([str(path), "--out", str(tmp_path / "s")], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"ganlab: error: {path}: ")
    assert message in err
    assert not (tmp_path / "s").exists()  # nothing was started


def test_unreadable_study_files(tmp_path, capsys):
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"target = '\xff'")
    for path, message in ((tmp_path / "missing.toml", "cannot read (No such file"),
                          (tmp_path, "is a folder, not a file"),
                          (binary, "is not UTF-8 text")):
        code, err = run_cli([str(path), "--out", str(tmp_path / "s")], capsys)
        assert (code, err.count("\n")) == (2, 1)
        assert message in err


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "d_lr"], "--set 'd_lr': expected NAME=VALUE"),
    (["--set", "d_lr=fast"], "d_lr='fast': expected a number"),
    (["--set", "nope=1"], "--set nope: no such setting"),
    (["--seeds", "two"], "--seeds 'two': expected whole numbers"),
    (["--objectives", "minimax,gan"], "ganlab study: objectives: unknown 'gan'"),
    (["--workers", "0"], "--workers 0: expected a whole number from 1"),
])
def test_bad_options_are_one_line(tmp_path, capsys, args, message):
    code, err = run_cli(["--target", "ring8", "--out", str(tmp_path / "s"), *args], capsys)
    assert (code, err.count("\n")) == (2, 1)
    assert message in err


def test_out_is_required_and_report_takes_no_grid(tmp_path, capsys):
    code, err = run_cli(["--target", "ring8"], capsys)
    assert code == 2
    assert "give --out FOLDER" in err
    code, err = run_cli(["--report", str(tmp_path), "--seeds", "3"], capsys)
    assert code == 2
    assert "--seeds cannot be given with it" in err
    code, err = run_cli(["--report", str(tmp_path)], capsys)
    assert code == 2
    assert "not a study folder (no study.json)" in err


def test_a_folder_holding_other_files_is_refused(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    code, err = run_cli(["--target", "ring8", "--out", str(tmp_path), "--iterations", "5"],
                        capsys)
    assert code == 2
    assert "holds files but no study.json" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
