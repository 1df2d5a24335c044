"""Targets made of given points: a file (CSV or NPY) or points painted by the user.

A points file is untrusted input. `load_points` opens only regular files (never a device, a
pipe or a socket, which could be endless or block forever), reads at most `MAX_FILE_BYTES`,
counts rows before parsing them (stopping at `MAX_POINTS`), reads a `.npy` header before its
data (never pickle), and turns every way a file can be wrong into a `PointsFileError`: one line
that names the file and says what was expected, with a line number for text files. Messages
never quote the file's content. Reading text is `points_text`'s; the limits are in
`points_limits`.

`PointCloud` samples the points uniformly with replacement.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
from numpy.lib import format as npy_format

from ganlab.core.regular_files import open_regular_file
from ganlab.core.targets.base import Target, ViewBox
from ganlab.core.targets.points_limits import (  # the limits are read from here too
    MAX_ABS_VALUE,
    MAX_FILE_BYTES,
    MAX_NPY_HEADER_BYTES,
    MAX_POINTS,
    PointsFileError,
)
from ganlab.core.targets.points_text import read_text

if TYPE_CHECKING:
    import torch

__all__ = ["MAX_ABS_VALUE", "MAX_POINTS", "PointCloud", "PointsFileError", "load_points",
           "validate_points"]

def load_points(path: str | Path, as_samples: bool = False) -> np.ndarray:
    """Read points of shape (n, 1) or (n, 2) from a .npy or a .csv/.txt file.

    A CSV may have one header line and `#` comment lines; values are separated by commas,
    semicolons, tabs or spaces (the first data row decides which, for the whole file).
    `as_samples`: the points are samples to score, not data to learn, so a single point, all
    points equal (a collapsed generator) and any finite magnitude are allowed.
    """
    path = Path(path)
    with _open_regular_file(path) as (stream, size):
        magic = stream.read(len(npy_format.MAGIC_PREFIX))
        stream.seek(0)
        if path.suffix.lower() == ".npy" or magic == npy_format.MAGIC_PREFIX:
            points, describe_row = _read_npy(path, stream, size), _npy_row
        else:
            points, lines = read_text(path, stream)
            describe_row = lambda row: f"line {lines[row]}"  # noqa: E731
    return _checked(points, str(path), describe_row, as_samples)


def validate_points(points: object, source: str = "points") -> np.ndarray:
    """Check type, shape and values; return float64 points of shape (n, dim), dim in {1, 2}.

    Only real numbers (integers or floats) are accepted: no complex numbers, booleans, strings,
    objects or records. At most `MAX_POINTS` points, at least 2 distinct ones, every coordinate
    finite and within ±`MAX_ABS_VALUE`."""
    try:
        array = np.asarray(points)
    except (ValueError, TypeError, OverflowError):
        raise PointsFileError(f"{source}: expected a list of points of equal length") from None
    return _checked(array, source, lambda row: f"point {row + 1}")


def _checked(array: np.ndarray, source: str, describe_row, as_samples: bool = False
             ) -> np.ndarray:
    _check_dtype(array.dtype, source)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[1] not in (1, 2):
        raise PointsFileError(
            f"{source}: expected one or two columns (1D or 2D points), got shape {array.shape}"
        )
    if len(array) > MAX_POINTS:
        raise PointsFileError(f"{source}: more than {MAX_POINTS:,} points")
    if len(array) < (1 if as_samples else 2):
        raise PointsFileError(f"{source}: needs at least 2 points, got {len(array)}")
    array = array.astype(np.float64)
    limit = np.finfo(np.float64).max if as_samples else MAX_ABS_VALUE
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(array) <= limit).all(axis=1)  # NaN compares False
    if bad.any():
        row = int(np.argmax(bad))
        values = ", ".join(f"{v:.6g}" for v in array[row])
        what = "not finite" if not np.isfinite(array[row]).all() else (
            f"beyond ±{MAX_ABS_VALUE:.0e}"
        )
        raise PointsFileError(f"{source}: {describe_row(row)} is {what} ({values})")
    if as_samples:
        return array
    if np.ptp(array.astype(np.float32), axis=0).max() == 0:
        raise PointsFileError(f"{source}: all points are the same")
    mean, spread = array.mean(axis=0), array.std(axis=0)
    if not (np.isfinite(mean).all() and np.isfinite(spread).all()):
        raise PointsFileError(f"{source}: the points' mean or spread is not finite")
    return array


def _check_dtype(dtype: np.dtype, source: str) -> None:
    if dtype.hasobject:
        raise PointsFileError(f"{source}: holds Python objects, not a numeric array")
    if dtype.names is not None or dtype.subdtype is not None:
        raise PointsFileError(f"{source}: holds records (a structured array), not plain numbers")
    if dtype.kind == "c":
        raise PointsFileError(f"{source}: holds complex numbers; points must be real")
    if dtype.kind not in "iuf":
        raise PointsFileError(f"{source}: values are not numbers ({dtype.name})")


# ---------------------------------------------------------------------- opening
def _open_regular_file(path: Path):
    """(stream, size) of a regular, non-empty points file within the size limit."""
    return open_regular_file(path, MAX_FILE_BYTES, PointsFileError, files="points files",
                             limit_note=f" ({MAX_POINTS:,} points)",
                             advice="; give a .csv or .npy file")



# ---------------------------------------------------------------------- .npy
def _read_npy(path: Path, stream: BinaryIO, size: int) -> np.ndarray:
    """The array of a .npy file, its header checked before any data is read."""
    try:
        version = npy_format.read_magic(stream)
        if version == (1, 0):
            header = npy_format.read_array_header_1_0(stream, MAX_NPY_HEADER_BYTES)
        elif version == (2, 0):
            header = npy_format.read_array_header_2_0(stream, MAX_NPY_HEADER_BYTES)
        else:
            raise PointsFileError(f"{path}: not a valid .npy array (format version "
                                  f"{'.'.join(map(str, version))} is not 1.0 or 2.0)")
    except (ValueError, EOFError, SyntaxError, TypeError) as error:
        if isinstance(error, PointsFileError):
            raise
        raise PointsFileError(f"{path}: not a valid .npy array (damaged header)") from None
    shape, fortran_order, dtype = header
    _check_dtype(dtype, str(path))
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise PointsFileError(f"{path}: not a valid .npy array (damaged header)")
    if len(shape) not in (1, 2) or (len(shape) == 2 and shape[1] not in (1, 2)):
        raise PointsFileError(
            f"{path}: expected one or two columns (1D or 2D points), got shape {shape}"
        )
    if shape[0] > MAX_POINTS:
        raise PointsFileError(f"{path}: holds {shape[0]:,} points; at most {MAX_POINTS:,} "
                              "are allowed")
    count = int(np.prod(shape))
    expected = count * dtype.itemsize
    data = stream.read(expected)
    if len(data) < expected:
        raise PointsFileError(
            f"{path}: is truncated: its header promises {shape[0]:,} points ({expected:,} "
            f"bytes of data) but only {len(data):,} bytes follow"
        )
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")


def _npy_row(row: int) -> str:
    return f"row {row + 1}"


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
        import torch

        device = generator.device
        if device not in self._by_device:
            self._by_device[device] = torch.tensor(self.points, dtype=torch.float32, device=device)
        points = self._by_device[device]
        return points[torch.randint(len(points), (n,), generator=generator, device=device)]

    def sample_numpy(self, n, rng):
        return self.points[rng.integers(len(self.points), size=n)]
