"""`ganlab evaluate`: every metric of given samples as one JSON object; bad input exits 2."""

import json
import math

import numpy as np
import pytest
import torch

from ganlab.cli import main
from ganlab.core.targets import TARGETS


def _write_csv(path, points):
    np.savetxt(path, points, delimiter=",", header="x,y", comments="")
    return path


def _run(capsys, *argv):
    try:
        code = main(["evaluate", *map(str, argv)])
    except SystemExit as exit_:  # argparse's own errors (one line, exit 2: see cli._Parser)
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def test_perfect_ring8_samples_score_as_perfect(tmp_path, capsys):
    samples = TARGETS["ring8"]().sample(2500, torch.Generator().manual_seed(3)).numpy()
    path = tmp_path / "samples.npy"
    np.save(path, samples)
    code, out, err = _run(capsys, path, "--target", "ring8")
    assert code == 0 and not err
    assert len(out.strip().splitlines()) == 1
    result = json.loads(out)
    assert result["target"] == "ring8" and result["samples"] == 2500
    assert result["modes_covered"] == 8 and result["total_modes"] == 8
    assert result["high_quality_fraction"] > 0.97 and result["reverse_kl"] < 0.01
    assert result["js"] < 0.01 and abs(result["kl_data_model"]) < 0.1
    assert abs(result["kl_model_data"]) < 0.1
    assert 0 < result["w1"] <= result["w1_uncertainty"] and result["w1_floor"] > 0
    assert result["infinite"] == [] and "value_gap" not in result


def test_samples_off_the_view_count_from_a_csv(tmp_path, capsys):
    samples = TARGETS["ring8"]().sample(2500, torch.Generator().manual_seed(4)).numpy()
    samples[:2250] = (50.0, 0.0)  # 90% far outside the view: JS 0.526 exactly
    code, out, _ = _run(capsys, _write_csv(tmp_path / "s.csv", samples), "--target", "ring8")
    result = json.loads(out)
    assert code == 0 and result["js"] == pytest.approx(0.526, abs=0.015)
    assert result["modes_covered"] == 8 and result["high_quality_fraction"] == pytest.approx(0.1,
                                                                                          abs=0.01)


def test_custom_data_from_a_points_file(tmp_path, capsys):
    rng = np.random.default_rng(0)
    data = _write_csv(tmp_path / "data.csv", rng.normal(size=(400, 2)))
    same = _write_csv(tmp_path / "same.csv", rng.normal(size=(1000, 2)))
    apart = _write_csv(tmp_path / "apart.csv", rng.normal(size=(1000, 2)) + 30)
    code, out, _ = _run(capsys, same, "--points-file", data)
    result = json.loads(out)
    assert code == 0 and result["target"] == "custom" and "modes_covered" not in result
    assert result["js"] < 0.02
    code, out, _ = _run(capsys, apart, "--points-file", data)
    result = json.loads(out)
    assert result["js"] == pytest.approx(math.log(2), abs=1e-3)
    assert result["w1"] == pytest.approx(30 * math.sqrt(2), rel=0.05)


def test_infinite_values_are_null_and_named(tmp_path, capsys):
    # outside the uniform square p_data = 0: KL(p_g‖p_data) = ∞
    samples = np.random.default_rng(1).uniform(-1, 1, size=(500, 2))
    samples[:50] += 5.0
    code, out, _ = _run(capsys, _write_csv(tmp_path / "s.csv", samples), "--target", "square")
    result = json.loads(out)
    assert code == 0 and result["kl_model_data"] is None
    assert result["infinite"] == ["kl_model_data"]


@pytest.mark.parametrize("case", ["missing", "unknown-target", "both", "neither", "dimension",
                                  "not-numbers"])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, case):
    good = _write_csv(tmp_path / "good.csv", np.random.default_rng(0).normal(size=(50, 2)))
    line = tmp_path / "line.csv"
    np.savetxt(line, np.arange(10.0))
    text = tmp_path / "text.csv"
    text.write_text("x,y\na,b\n")
    argv = {
        "missing": [tmp_path / "nope.csv", "--target", "ring8"],
        "unknown-target": [good, "--target", "ring9"],
        "both": [good, "--target", "ring8", "--points-file", good],
        "neither": [good],
        "dimension": [line, "--target", "ring8"],
        "not-numbers": [text, "--target", "ring8"],
    }[case]
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "error" in err


def test_collapsed_and_tiny_samples_are_scored_not_refused(tmp_path, capsys):
    """A generator that collapsed to one point is the case evaluation exists for: it scores
    as JS ≈ log 2 (a point mass against a density) with one mode covered; too few samples
    for a nearest-neighbour estimate give no divergence (null), never a wrong one."""
    collapsed = tmp_path / "collapsed.npy"
    np.save(collapsed, np.tile([[1.0, 0.0]], (2500, 1)))
    code, out, _ = _run(capsys, collapsed, "--target", "ring8")
    result = json.loads(out)
    assert code == 0 and result["modes_covered"] == 1
    assert result["high_quality_fraction"] == 1.0
    assert result["js"] == pytest.approx(math.log(2), abs=0.01)
    one = tmp_path / "one.npy"
    np.save(one, np.array([[1.0, 0.0]]))
    code, out, _ = _run(capsys, one, "--target", "ring8")
    result = json.loads(out)
    assert code == 0 and result["js"] is None and result["kl_data_model"] is None
    assert result["modes_covered"] == 1
