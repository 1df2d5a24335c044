"""The few scipy functions the engine uses, with numpy equivalents where scipy is not installed.

The workshop bundle leaves scipy out (with its own OpenBLAS it is ~70 MB of a ~700 MB folder,
`packaging/README.md`); an installed ganlab has scipy and uses it (it is faster). Each function
gives the same numbers either way (tests/core/test_scipy_parts.py compares the two):

- `distances(a, b, squared)`: ‖a_i − b_j‖ (or its square) for every pair, shape (len a, len b).
- `optimal_assignment(cost)`: rows, cols minimising Σ cost[rows, cols] over one-to-one
  assignments (scipy: `linear_sum_assignment`; numpy: shortest augmenting paths with row and
  column potentials, O(n³), exact; about 10× slower than scipy: 0.3 s at 500 × 500).
- `nearest(points, query, k)`: distances and indices of the k nearest points of each query
  point, nearest first (scipy: a k-d tree; numpy: every distance, a block of queries at a time).
- `pairs_within(points, query, radius)`: query index, point index and distance of every pair
  with ‖query_i − points_j‖ ≤ radius (a number, or one per query point).
- `digamma_int(k)`, `trigamma_int(k)`: ψ(k) = −γ + Σ_{j<k} 1/j and ψ'(k) = π²/6 − Σ_{j<k} 1/j²
  for integers k ≥ 1 (closed forms; scipy is not needed).
"""

from __future__ import annotations

import math

import numpy as np

_NOT_YET = object()
# scipy's functions, imported on first use (scipy.optimize and scipy.spatial take ~1.5 s of
# CPU to import: the training process's first frame does not wait for them); None where
# scipy is not installed (the workshop bundle)
_scipy_assignment = _ScipyTree = _scipy_cdist = _NOT_YET


def _import_scipy() -> None:
    global _scipy_assignment, _ScipyTree, _scipy_cdist
    if _scipy_cdist is not _NOT_YET:
        return
    try:
        from scipy.optimize import linear_sum_assignment
        from scipy.spatial import cKDTree
        from scipy.spatial.distance import cdist
    except ImportError:  # pragma: no cover  (tests run both paths by hand)
        _scipy_assignment = _ScipyTree = _scipy_cdist = None
        return
    _scipy_assignment, _ScipyTree, _scipy_cdist = linear_sum_assignment, cKDTree, cdist

EULER_GAMMA = 0.5772156649015329
_BLOCK_ELEMENTS = 1 << 21  # elements of a (rows, points, dim) block of differences: 16 MB


def scipy_available() -> bool:
    _import_scipy()
    return _scipy_cdist is not None


def distances(a: np.ndarray, b: np.ndarray, squared: bool = False) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    _import_scipy()
    if _scipy_cdist is not None:
        return _scipy_cdist(a, b, "sqeuclidean" if squared else "euclidean")
    return numpy_distances(a, b, squared)


def numpy_distances(a: np.ndarray, b: np.ndarray, squared: bool = False) -> np.ndarray:
    """Differences summed in the order cdist sums them (no ‖a‖² + ‖b‖² − 2ab cancellation)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    out = np.empty((len(a), len(b)))
    step = max(1, _BLOCK_ELEMENTS // max(1, b.size))
    for start in range(0, len(a), step):
        difference = a[start : start + step, None, :] - b[None, :, :]
        out[start : start + step] = np.einsum("ijk,ijk->ij", difference, difference)
    return out if squared else np.sqrt(out, out=out)


def optimal_assignment(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cost = np.asarray(cost, dtype=np.float64)
    _import_scipy()
    if _scipy_assignment is not None:
        return _scipy_assignment(cost)
    return numpy_assignment(cost)


def numpy_assignment(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimum-cost assignment (every row of a rows ≤ cols matrix gets its own column; a taller
    matrix is transposed). Row i joins by the shortest augmenting path (Dijkstra over columns
    on reduced costs cost − u − v ≥ 0), then the potentials u, v are updated so that reduced
    costs stay ≥ 0 and are 0 on the assignment: optimal by LP duality."""
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 2:
        raise ValueError(f"the cost must be a matrix, got shape {cost.shape}")
    if not np.isfinite(cost).all():
        raise ValueError("the cost matrix holds NaN or infinite values")
    if cost.shape[0] > cost.shape[1]:
        cols, rows = numpy_assignment(cost.T)
        order = np.argsort(rows)
        return rows[order], cols[order]
    n, m = cost.shape
    u, v = np.zeros(n), np.zeros(m)
    row_of_col = np.full(m, -1)
    for start_row in range(n):
        path_cost = np.full(m, np.inf)  # shortest reduced path length to each column
        previous = np.full(m, -1)  # the column before it on that path (-1: the start row)
        visited = np.zeros(m, dtype=bool)
        row, column, reached = start_row, -1, 0.0
        while True:
            candidate = reached + cost[row] - u[row] - v
            better = ~visited & (candidate < path_cost)
            path_cost[better] = candidate[better]
            previous[better] = column
            column = int(np.where(visited, np.inf, path_cost).argmin())
            reached = path_cost[column]
            visited[column] = True
            if row_of_col[column] < 0:
                break
            row = row_of_col[column]
        visited[column] = False  # the free column that ends the path
        u[start_row] += reached
        u[row_of_col[visited]] += reached - path_cost[visited]
        v[visited] -= reached - path_cost[visited]
        while column >= 0:  # augment: shift every row on the path one column along
            before = previous[column]
            row_of_col[column] = start_row if before < 0 else row_of_col[before]
            column = before
    assigned = np.flatnonzero(row_of_col >= 0)
    col_of_row = np.empty(n, dtype=np.int64)
    col_of_row[row_of_col[assigned]] = assigned
    return np.arange(n), col_of_row


def nearest(points: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    points = np.asarray(points, dtype=np.float64)
    query = np.asarray(query, dtype=np.float64)
    _import_scipy()
    if _ScipyTree is not None:
        found, index = _ScipyTree(points).query(query, k=list(range(1, k + 1)))
        return found, index
    return numpy_nearest(points, query, k)


def numpy_nearest(points: np.ndarray, query: np.ndarray,
                  k: int) -> tuple[np.ndarray, np.ndarray]:
    """(distances, indices), each (len query, k), nearest first; ties in index order."""
    points = np.asarray(points, dtype=np.float64)
    query = np.asarray(query, dtype=np.float64)
    if not 1 <= k <= len(points):
        raise ValueError(f"k must be in 1..{len(points)}, got {k}")
    found = np.empty((len(query), k))
    index = np.empty((len(query), k), dtype=np.int64)
    step = max(1, _BLOCK_ELEMENTS // max(1, points.size))
    for start in range(0, len(query), step):
        block = numpy_distances(query[start : start + step], points, squared=True)
        part = np.argpartition(block, k - 1, axis=1)[:, :k] if k < len(points) else \
            np.broadcast_to(np.arange(len(points)), block.shape)
        part_distances = np.take_along_axis(block, part, axis=1)
        order = np.lexsort((part, part_distances), axis=1)
        index[start : start + step] = np.take_along_axis(part, order, axis=1)
        found[start : start + step] = np.take_along_axis(part_distances, order, axis=1)
    return np.sqrt(found), index


def pairs_within(points: np.ndarray, query: np.ndarray,
                 radius) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(query index, point index, distance) of every pair within `radius` (inclusive), in
    no particular order."""
    points = np.asarray(points, dtype=np.float64)
    query = np.asarray(query, dtype=np.float64)
    _import_scipy()
    if _ScipyTree is None:
        return numpy_pairs_within(points, query, radius)
    if np.ndim(radius) == 0:
        pairs = _ScipyTree(query).sparse_distance_matrix(_ScipyTree(points), float(radius),
                                                         output_type="coo_matrix")
        return pairs.row.astype(np.int64), pairs.col.astype(np.int64), pairs.data
    lists = _ScipyTree(points).query_ball_point(query, r=np.asarray(radius, dtype=np.float64))
    counts = np.fromiter((len(found) for found in lists), dtype=np.int64, count=len(lists))
    rows = np.repeat(np.arange(len(query)), counts)
    cols = np.fromiter((j for found in lists for j in found), dtype=np.int64,
                       count=int(counts.sum()))
    return rows, cols, np.linalg.norm(query[rows] - points[cols], axis=1)


def numpy_pairs_within(points: np.ndarray, query: np.ndarray,
                       radius) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    points = np.asarray(points, dtype=np.float64)
    query = np.asarray(query, dtype=np.float64)
    radii = np.broadcast_to(np.asarray(radius, dtype=np.float64), (len(query),))
    rows, cols, found = [], [], []
    step = max(1, _BLOCK_ELEMENTS // max(1, points.size))
    for start in range(0, len(query), step):
        block = numpy_distances(query[start : start + step], points)
        row, col = np.nonzero(block <= radii[start : start + step, None])
        rows.append(row + start)
        cols.append(col)
        found.append(block[row, col])
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(found)


def digamma_int(k: int) -> float:
    if k < 1:
        raise ValueError(f"digamma_int needs an integer k ≥ 1, got {k}")
    return -EULER_GAMMA + math.fsum(1.0 / j for j in range(1, k))


def trigamma_int(k: int) -> float:
    if k < 1:
        raise ValueError(f"trigamma_int needs an integer k ≥ 1, got {k}")
    return math.pi**2 / 6 - math.fsum(1.0 / j**2 for j in range(1, k))
