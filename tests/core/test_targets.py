import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from ganlab.core.config import TargetConfig
from ganlab.core.data_store import DATA
from ganlab.core.fields import cell_volume, density_on_grid
from ganlab.core.targets import TARGETS, PointCloud, PointsFileError, load_points, make_target
from ganlab.core.targets.base import GaussianMixture


@pytest.mark.parametrize("name", list(TARGETS))
def test_every_target_is_described_and_samples_reproducibly(name):
    target = TARGETS[name]()
    assert target.name == name
    assert target.description
    assert target.dim in (1, 2)
    assert target.view_box.dim == target.dim
    a = target.sample(1000, torch.Generator().manual_seed(3))
    b = target.sample(1000, torch.Generator().manual_seed(3))
    c = target.sample(1000, torch.Generator().manual_seed(4))
    assert a.shape == (1000, target.dim) and a.dtype == torch.float32
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    # nearly every sample lies inside the view box
    low, high = np.array(target.view_box.low), np.array(target.view_box.high)
    inside = ((a.numpy() >= low) & (a.numpy() <= high)).all(axis=1)
    assert inside.mean() > 0.98


@pytest.mark.parametrize("name", [n for n in TARGETS if n != "segment"])
def test_exact_density_integrates_to_one_and_matches_samples(name):
    target = TARGETS[name]()
    assert target.has_density
    box = target.view_box
    resolution = 4000 if target.dim == 1 else 200
    density = density_on_grid(target, box, resolution)
    mass = density.sum() * cell_volume(box, resolution)
    # smooth mixtures integrate almost exactly; edges (and 1/√x at 0) cost a few cells
    tolerance = 0.01 if isinstance(target, GaussianMixture) else 0.03
    assert mass == pytest.approx(1.0, abs=tolerance)
    samples = target.sample(2000, torch.Generator().manual_seed(0)).numpy()
    assert (target.density(samples) > 0).mean() > 0.999


def test_segment_has_no_density_and_lies_on_the_segment():
    target = TARGETS["segment"]()
    assert not target.has_density
    x = target.sample(500, torch.Generator().manual_seed(0)).numpy()
    assert np.all(x[:, 0] == 0)
    assert x[:, 1].min() >= 0 and x[:, 1].max() <= 1


def test_pacgan_mixtures_match_the_benchmark():
    ring = TARGETS["ring8"]()
    assert ring.modes.shape == (8, 2) and ring.mode_std == 0.01
    assert np.allclose(np.linalg.norm(ring.modes, axis=1), 1.0)
    grid = TARGETS["grid25"]()
    assert grid.modes.shape == (25, 2) and grid.mode_std == 0.05
    assert sorted(set(grid.modes[:, 0])) == [-4, -2, 0, 2, 4]
    x = grid.sample(20000, torch.Generator().manual_seed(0)).numpy()
    nearest = np.linalg.norm(x[:, None] - grid.modes[None], axis=2).min(axis=1)
    assert np.std(x - np.round(x / 2) * 2) == pytest.approx(0.05, rel=0.05)
    assert nearest.max() < 0.05 * 6


def test_checkerboard_is_uniform_over_its_eight_dark_squares():
    target = TARGETS["checkerboard"]()
    x = target.sample(40000, torch.Generator().manual_seed(1)).numpy()
    squares = np.floor(x + 2).astype(int)
    assert ((squares[:, 0] + squares[:, 1]) % 2 == 0).all()
    counts = np.unique(squares[:, 0] * 4 + squares[:, 1], return_counts=True)[1]
    assert len(counts) == 8
    assert counts.min() / counts.max() > 0.9


def test_squared_uniform_is_the_pushforward_of_theory_section_1():
    x = TARGETS["squared-uniform"]().sample(50000, torch.Generator().manual_seed(0)).numpy()[:, 0]
    # P(X ≤ t) = P(U ≤ √t) = √t
    for t in (0.04, 0.25, 0.64):
        assert (x <= t).mean() == pytest.approx(math.sqrt(t), abs=0.01)


def test_make_target_from_points_and_file(tmp_path):
    points = [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    target = make_target(TargetConfig(name="custom", data=DATA.put(np.array(points))))
    assert isinstance(target, PointCloud) and target.dim == 2
    x = target.sample(100, torch.Generator().manual_seed(0)).numpy()
    assert {tuple(p) for p in x} <= {tuple(p) for p in points}
    path = tmp_path / "p.npy"
    np.save(path, np.array(points))
    assert make_target(TargetConfig(name="custom", points_file=str(path))).dim == 2


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "empty"),
        (b"   \n\n", "blank.csv", "empty"),
        (b"x,y\n", "header.csv", "no data rows"),
        (b"1,2\n3,abc\n", "text.csv", "line 2: .* but value 2 is not a number"),
        (b"1,2\n3\n", "ragged.csv", "line 2: expected 2 numbers .* found 1 value"),
        (b"1,2,3\n4,5,6\n", "three.csv", "one or two columns"),
        (b"1,2\nnan,4\n", "nan.csv", "line 2 is not finite"),
        (b"1,2\ninf,4\n", "inf.csv", "not finite"),
        (b"1,2\n", "one.csv", "at least 2 points"),
        (b"1,1\n1,1\n", "same.csv", "all points are the same"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image.csv", "not a text file"),
        (b"\x93NUMPY garbage", "broken.npy", "not a valid .npy"),
    ],
)
def test_bad_points_files_get_clear_errors(tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PointsFileError, match=message) as info:
        load_points(path)
    assert str(path) in str(info.value)


def test_missing_folder_and_object_files(tmp_path):
    with pytest.raises(PointsFileError, match="no such file"):
        load_points(tmp_path / "nope.csv")
    with pytest.raises(PointsFileError, match="is a folder"):
        load_points(tmp_path)
    path = tmp_path / "objects.npy"
    np.save(path, np.array([{"a": 1}, {"b": 2}], dtype=object), allow_pickle=True)
    with pytest.raises(PointsFileError, match="Python objects"):
        load_points(path)
    path = tmp_path / "strings.npy"
    np.save(path, np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(PointsFileError, match="not numbers"):
        load_points(path)


def test_good_files_load(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text("x;y\n1;2\n3;4\n5;6\n")
    assert load_points(path).tolist() == [[1, 2], [3, 4], [5, 6]]
    path = tmp_path / "line.txt"
    path.write_text("# a comment\n0.5\n1.5\n2.5\n")
    assert load_points(path).shape == (3, 1)
    path = tmp_path / "pts.npy"
    np.save(path, np.arange(10.0))
    assert load_points(path).shape == (10, 1)


@settings(max_examples=150, deadline=None)
@given(content=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".npy", ".txt"]))
def test_arbitrary_bytes_load_or_fail_clearly(tmp_path_factory, content, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"points{suffix}"
    path.write_bytes(content)
    try:
        points = load_points(path)
    except PointsFileError as error:
        assert str(path) in str(error)
    else:
        assert points.ndim == 2 and points.shape[1] in (1, 2) and np.isfinite(points).all()


def test_standardisation_uses_one_scale_for_every_axis():
    mean, scale = TARGETS["segment"]().moments()
    assert mean == pytest.approx([0.0, 0.5], abs=0.01)
    assert scale[0] == scale[1] == pytest.approx(np.sqrt((1 / 12) / 2), rel=0.02)
    _, scale = TARGETS["grid25"]().moments()
    assert scale[0] == scale[1] == pytest.approx(np.sqrt(8 + 0.05**2), rel=0.02)


def _histogram(samples: np.ndarray, box, bins: int) -> np.ndarray:
    ranges = list(zip(box.low, box.high, strict=True))
    counts, _ = np.histogramdd(np.asarray(samples, dtype=np.float64), bins=bins, range=ranges)
    return counts.ravel() / len(samples)


@pytest.mark.parametrize("name", list(TARGETS))
def test_numpy_samples_follow_the_same_distribution_as_torch_samples(name):
    """`sample_numpy` (pictures in the torch-free window) draws the law `sample` draws: the
    total variation between binned samples of the two is at sampling-noise level."""
    target = TARGETS[name]()
    n = 40_000
    drawn = target.sample_numpy(n, np.random.default_rng(1))
    assert drawn.shape == (n, target.dim)
    assert np.array_equal(drawn, target.sample_numpy(n, np.random.default_rng(1)))
    reference = target.sample(n, torch.Generator().manual_seed(1)).numpy()
    bins = 10 if target.dim == 2 else 40
    box = target.view_box
    distance = 0.5 * np.abs(_histogram(drawn, box, bins) - _histogram(reference, box, bins)).sum()
    assert distance < 0.05


def test_numpy_samples_of_given_points_and_images_are_those_points_and_images():
    points = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    drawn = PointCloud(points).sample_numpy(3000, np.random.default_rng(0))
    rows = {tuple(row) for row in drawn}
    assert rows == {tuple(row) for row in points}
    target = make_target(TargetConfig(name="digits", resolution=8))
    images = target.sample_numpy(5, np.random.default_rng(0))
    assert images.shape == (5, *target.shape)
    flat = np.asarray(target.data.images).reshape(len(target), -1)
    for image in images.reshape(5, -1):
        assert (np.abs(flat - image).sum(axis=1) == 0).any()
