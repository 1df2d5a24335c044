"""Targets made of given points: a file (CSV or NPY) or points painted by the user.

`load_points` turns every way a file can be wrong into a `PointsFileError` whose message names
the file and the problem. `PointCloud` samples the points uniformly with replacement.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import torch

from ganlab.core.targets.base import Target, ViewBox

MAX_POINTS = 5_000_000


class PointsFileError(ValueError):
    """A points file cannot be used; the message names the file and says why."""


def load_points(path: str | Path) -> np.ndarray:
    """Read points of shape (n, 1) or (n, 2) from a .npy or a .csv/.txt file.

    A CSV may have one header line; values are separated by commas, semicolons, tabs or spaces.
    """
    path = Path(path)
    if not path.exists():
        raise PointsFileError(f"{path}: no such file")
    if path.is_dir():
        raise PointsFileError(f"{path}: is a folder, not a points file")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise PointsFileError(f"{path}: cannot be read ({error.strerror})") from None
    if not raw.strip():
        raise PointsFileError(f"{path}: the file is empty")
    if path.suffix.lower() == ".npy" or raw.startswith(b"\x93NUMPY"):
        points = _parse_npy(path, raw)
    else:
        points = _parse_text(path, raw)
    return validate_points(points, str(path))


def validate_points(points: object, source: str = "points") -> np.ndarray:
    """Check shape and values; return float64 points of shape (n, dim), dim in {1, 2}."""
    array = np.asarray(points)
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise PointsFileError(f"{source}: values are not numbers")
    array = array.astype(np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[1] not in (1, 2):
        raise PointsFileError(
            f"{source}: expected one or two columns (1D or 2D points), got shape {array.shape}"
        )
    if len(array) < 2:
        raise PointsFileError(f"{source}: needs at least 2 points, got {len(array)}")
    if len(array) > MAX_POINTS:
        raise PointsFileError(f"{source}: more than {MAX_POINTS:,} points")
    bad = ~np.isfinite(array).all(axis=1)
    if bad.any():
        row = int(np.argmax(bad))
        raise PointsFileError(f"{source}: point {row + 1} is not finite ({array[row].tolist()})")
    if np.ptp(array, axis=0).max() == 0:
        raise PointsFileError(f"{source}: all points are the same")
    return array


def _parse_npy(path: Path, raw: bytes) -> np.ndarray:
    try:
        return np.load(io.BytesIO(raw), allow_pickle=False)
    except ValueError as error:
        if "pickle" in str(error).lower():
            raise PointsFileError(f"{path}: holds Python objects, not a numeric array") from None
        raise PointsFileError(f"{path}: not a valid .npy array ({error})") from None
    except (OSError, EOFError) as error:
        raise PointsFileError(f"{path}: not a valid .npy array ({error})") from None


def _parse_text(path: Path, raw: bytes) -> np.ndarray:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PointsFileError(f"{path}: not a text file (CSV) nor a .npy array") from None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("#")]
    rows = [_split(line) for line in lines]
    if rows and not _numeric(rows[0]):
        rows = rows[1:]  # one header line
    if not rows:
        raise PointsFileError(f"{path}: no data rows")
    width = len(rows[0])
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise PointsFileError(
                f"{path}: row {number} has {len(row)} values, the first row has {width}"
            )
        if not _numeric(row):
            raise PointsFileError(f"{path}: row {number} is not numeric: {','.join(row)[:60]}")
    return np.array([[float(v) for v in row] for row in rows])


def _split(line: str) -> list[str]:
    for delimiter in (",", ";", "\t"):
        if delimiter in line:
            return [v.strip() for v in next(csv.reader([line], delimiter=delimiter))]
    return line.split()


def _numeric(row: list[str]) -> bool:
    try:
        [float(v) for v in row]
    except ValueError:
        return False
    return True


class PointCloud(Target):
    """The empirical distribution of given points (no density: estimated where needed)."""

    def __init__(self, points: np.ndarray, name: str = "custom", description: str = ""):
        self.points = validate_points(points, name)
        self.name = name
        self.dim = self.points.shape[1]
        self.description = description or f"{len(self.points):,} given {self.dim}D points"
        low, high = self.points.min(axis=0), self.points.max(axis=0)
        pad = 0.15 * np.maximum(high - low, 1e-6)
        self.view_box = ViewBox(tuple((low - pad).tolist()), tuple((high + pad).tolist()))
        self._by_device: dict[torch.device, torch.Tensor] = {}

    def sample(self, n, generator):
        device = generator.device
        if device not in self._by_device:
            self._by_device[device] = torch.tensor(self.points, dtype=torch.float32, device=device)
        points = self._by_device[device]
        return points[torch.randint(len(points), (n,), generator=generator, device=device)]
