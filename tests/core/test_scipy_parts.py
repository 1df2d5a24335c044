"""scipy's functions and their numpy equivalents (the workshop bundle has no scipy) give the
same numbers: optimal assignment (checked by brute force too), distances, k nearest, pairs
within a radius, ψ and ψ' at integers; and the engine's metrics agree without scipy."""

import itertools
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist
from scipy.special import digamma, polygamma

from ganlab.core import scipy_parts
from ganlab.core.scipy_parts import (
    digamma_int,
    numpy_assignment,
    numpy_distances,
    numpy_nearest,
    numpy_pairs_within,
    pairs_within,
    trigamma_int,
)


def test_assignment_is_optimal_by_brute_force():
    rng = np.random.default_rng(0)
    for n in range(1, 7):
        cost = rng.random((n, n)) * 10
        best = min(sum(cost[i, p[i]] for i in range(n))
                   for p in itertools.permutations(range(n)))
        rows, cols = numpy_assignment(cost)
        assert sorted(cols) == list(range(n))
        assert cost[rows, cols].sum() == pytest.approx(best, rel=1e-12)


@pytest.mark.parametrize("shape", [(60, 60), (40, 70), (70, 40)])
def test_assignment_matches_scipy(shape):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((shape[0], 2)), rng.standard_normal((shape[1], 2)) + 0.5
    cost = cdist(a, b)
    expected_rows, expected_cols = linear_sum_assignment(cost)
    rows, cols = numpy_assignment(cost)
    np.testing.assert_array_equal(rows, expected_rows)
    assert cost[rows, cols].sum() == pytest.approx(cost[expected_rows, expected_cols].sum(),
                                                   rel=1e-12)
    assert len(set(cols)) == len(cols)


def test_assignment_with_ties_and_integer_costs():
    cost = np.array([[1, 1, 2], [1, 1, 2], [2, 2, 2]])  # many optima of cost 4
    rows, cols = numpy_assignment(cost)
    assert cost[rows, cols].sum() == 4 and sorted(cols) == [0, 1, 2]
    with pytest.raises(ValueError, match="NaN or infinite"):
        numpy_assignment(np.array([[1.0, np.inf], [0.0, 1.0]]))


@pytest.mark.parametrize("dim", [1, 2, 64])
def test_distances_match_cdist(dim):
    rng = np.random.default_rng(dim)
    a, b = rng.standard_normal((300, dim)), rng.standard_normal((200, dim))
    np.testing.assert_allclose(numpy_distances(a, b), cdist(a, b), rtol=1e-13, atol=0)
    np.testing.assert_allclose(numpy_distances(a, b, squared=True), cdist(a, b, "sqeuclidean"),
                               rtol=1e-13, atol=0)


@pytest.mark.parametrize("dim", [2, 64])
def test_nearest_matches_the_kd_tree(dim):
    rng = np.random.default_rng(3)
    points, query = rng.standard_normal((700, dim)), rng.standard_normal((500, dim))
    expected, expected_index = cKDTree(points).query(query, k=[1, 2, 3, 4, 5, 6])
    found, index = numpy_nearest(points, query, 6)
    np.testing.assert_allclose(found, expected, rtol=1e-12)
    np.testing.assert_array_equal(index, expected_index)  # no ties in continuous data
    found_all, _ = numpy_nearest(points[:6], query, 6)  # k = every point
    np.testing.assert_allclose(found_all, np.sort(cdist(query, points[:6]), axis=1), rtol=1e-12)


@pytest.mark.parametrize("per_query", [False, True])
def test_pairs_within_match_the_kd_tree(per_query):
    rng = np.random.default_rng(4)
    points, query = rng.standard_normal((400, 2)), rng.standard_normal((300, 2))
    radius = rng.uniform(0.1, 0.5, len(query)) if per_query else 0.3
    rows, cols, found = numpy_pairs_within(points, query, radius)
    expected = pairs_within(points, query, radius)  # scipy's, in this environment
    assert len(rows) > 300
    assert (sorted(zip(rows.tolist(), cols.tolist(), strict=True))
            == sorted(zip(expected[0].tolist(), expected[1].tolist(), strict=True)))
    np.testing.assert_allclose(found, np.linalg.norm(query[rows] - points[cols], axis=1),
                               rtol=1e-13)


def test_digamma_and_trigamma_at_integers():
    for k in (1, 2, 5, 6, 40):
        assert digamma_int(k) == pytest.approx(float(digamma(k)), rel=1e-14, abs=1e-15)
        assert trigamma_int(k) == pytest.approx(float(polygamma(1, k)), rel=1e-14)
    assert trigamma_int(1) == pytest.approx(math.pi**2 / 6)


def test_the_engine_metrics_agree_without_scipy(monkeypatch):
    """W1, the divergences (a curve target: the sparse path) and density/coverage, computed
    with scipy and then with the numpy equivalents."""
    from ganlab.core.divergences import divergences
    from ganlab.core.image_scores import density_coverage
    from ganlab.core.metrics import mode_metrics, wasserstein1
    from ganlab.core.targets import TARGETS

    rng = np.random.default_rng(5)
    target = TARGETS["spiral"]()  # 720 centres: the sparse sum
    real = target.sample_numpy(800, rng)
    fake = real[:400] + 0.05 * rng.standard_normal((400, 2))
    features = rng.standard_normal((200, 16)), rng.standard_normal((150, 16)) + 0.2

    def everything():
        return (wasserstein1(real[:200], fake[:200]), divergences(target, fake, real),
                density_coverage(*features), mode_metrics(fake, real[:8], 0.1))

    with_scipy = everything()
    for name in ("_scipy_assignment", "_ScipyTree", "_scipy_cdist"):
        monkeypatch.setattr(scipy_parts, name, None)
    assert not scipy_parts.scipy_available()
    without = everything()
    assert without[0] == pytest.approx(with_scipy[0], rel=1e-12)
    assert without[1] == pytest.approx(with_scipy[1], rel=1e-9)
    assert without[2] == pytest.approx(with_scipy[2], rel=1e-12)
    assert without[3] == with_scipy[3]


def test_the_engine_and_the_training_process_run_where_scipy_cannot_be_imported():
    """As in the workshop bundle: no scipy (nor scikit-learn, which needs it). Every module of
    the engine and of the training process imports; W1, the divergences and the digits work."""
    code = """
import importlib, pkgutil, sys
sys.modules["scipy"] = None  # import scipy (and so sklearn) -> ImportError
import numpy as np
import ganlab.core, ganlab.training
for package in (ganlab.core, ganlab.training):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(module.name)
from ganlab.core import scipy_parts
from ganlab.core.divergences import divergences
from ganlab.core.images import digits
from ganlab.core.metrics import wasserstein1
from ganlab.core.targets import TARGETS
assert not scipy_parts.scipy_available()
rng = np.random.default_rng(0)
target = TARGETS["ring8"]()
real, fake = target.sample_numpy(300, rng), target.sample_numpy(300, rng)
print(wasserstein1(real, fake), divergences(target, fake, real)["js"], digits(8).images.shape)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    w1, js, shape = result.stdout.split(maxsplit=2)
    assert 0 < float(w1) < 0.5 and 0 <= float(js) < 0.1 and shape.strip() == "(1797, 1, 8, 8)"
