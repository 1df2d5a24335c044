"""Targets made of given points: a file (CSV or NPY) or points painted by the user.

A points file is untrusted input. `load_points` opens only regular files (never a device, a
pipe or a socket, which could be endless or block forever), reads at most `MAX_FILE_BYTES`,
counts rows before parsing them (stopping at `MAX_POINTS`), reads a `.npy` header before its
data (never pickle), and turns every way a file can be wrong into a `PointsFileError`: one line
that names the file and says what was expected, with a line number for text files. Messages
never quote the file's content.

`PointCloud` samples the points uniformly with replacement.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import torch
from numpy.lib import format as npy_format

from ganlab.core.targets.base import Target, ViewBox

MAX_POINTS = 5_000_000
MAX_FILE_BYTES = 256 * 2**20  # 5M rows of CSV at ~50 characters each
MAX_LINE_BYTES = 4096  # a row of one or two numbers is far shorter
MAX_ABS_VALUE = 1e18  # coordinates and their squares stay finite in float32 (max ~3.4e38)
MAX_NPY_HEADER_BYTES = 10_000  # numpy's own default cap
_BLOCK_BYTES = 2**20  # text is read and checked one block at a time
_PARSE_ROWS = 100_000  # rows handed to numpy's parser at once
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", None: "spaces"}
_NON_DATA_LINE = re.compile(rb"^[ \t\r\f\v]*(?:#[^\n]*)?\n", re.MULTILINE)  # blank or comment


class PointsFileError(ValueError):
    """A points file cannot be used; the message names the file and says why."""


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
            points, lines = _read_text(path, stream)
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
@contextlib.contextmanager
def _open_regular_file(path: Path) -> Iterator[tuple[BinaryIO, int]]:
    """Open `path` for reading if it is a regular, non-empty file within the size limit.

    The type is checked before opening (a FIFO would block in `open`) and again on the open
    descriptor (the path could have changed in between); O_NONBLOCK keeps even that open from
    waiting on a pipe."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise PointsFileError(f"{path}: no such file") from None
    except OSError as error:
        raise PointsFileError(f"{path}: cannot be read ({_reason(error)})") from None
    _check_file_type(path, info)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise PointsFileError(f"{path}: cannot be read ({_reason(error)})") from None
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(descriptor)
        _check_file_type(path, info)
        try:
            yield stream, info.st_size
        except OSError as error:
            raise PointsFileError(f"{path}: cannot be read ({_reason(error)})") from None


def _check_file_type(path: Path, info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise PointsFileError(f"{path}: is a folder, not a points file")
    if not stat.S_ISREG(info.st_mode):
        raise PointsFileError(
            f"{path}: is not a regular file (a device, pipe or socket); give a .csv or .npy file"
        )
    if info.st_size == 0:
        raise PointsFileError(f"{path}: the file is empty")
    if info.st_size > MAX_FILE_BYTES:
        raise PointsFileError(
            f"{path}: is {info.st_size / 2**20:,.0f} MiB; points files are limited to "
            f"{MAX_FILE_BYTES // 2**20} MiB ({MAX_POINTS:,} points)"
        )


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


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


# ---------------------------------------------------------------------- text
def _read_text(path: Path, stream: BinaryIO) -> tuple[np.ndarray, np.ndarray]:
    """(points, the 1-based line number of each point) from a CSV or whitespace text file."""
    _count_data_lines(path, stream)
    stream.seek(0)
    parser = _TextParser(path)
    for number, line in _numbered_lines(path, stream):
        parser.add(number, line)
    return parser.finish()


def _blocks(path: Path, stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(number of the first line, complete lines ending in newline) of at most
    MAX_FILE_BYTES; checks that no line is too long and that the bytes are text."""
    carry, first_line, total = b"", 1, 0
    while True:
        block = stream.read(_BLOCK_BYTES)
        total += len(block)
        if total > MAX_FILE_BYTES:  # a file that grows while it is read
            raise PointsFileError(f"{path}: points files are limited to "
                                  f"{MAX_FILE_BYTES // 2**20} MiB")
        if not block:
            break
        data = carry + block
        end = data.rfind(b"\n") + 1
        complete, carry = data[:end], data[end:]
        if len(carry) > MAX_LINE_BYTES:
            line = first_line + complete.count(b"\n")
            raise PointsFileError(f"{path}: line {line} is longer than {MAX_LINE_BYTES:,} "
                                  "characters; expected one or two numbers per line")
        if complete:
            yield first_line, complete
            first_line += complete.count(b"\n")
    if carry:
        yield first_line, carry + b"\n"


def _count_data_lines(path: Path, stream: BinaryIO) -> None:
    """Stop with an error as soon as there are more data lines than a header plus MAX_POINTS,
    before anything is parsed."""
    rows = 0
    for first_line, block in _blocks(path, stream):
        lines = block.count(b"\n")
        rows += lines - len(_NON_DATA_LINE.findall(block))
        if rows > MAX_POINTS + 1:
            raise PointsFileError(f"{path}: more than {MAX_POINTS:,} points (stopped reading "
                                  f"at line {first_line + lines - 1:,})")


def _numbered_lines(path: Path, stream: BinaryIO) -> Iterator[tuple[int, str]]:
    """(line number, text) of every non-blank, non-comment line."""
    for first_line, block in _blocks(path, stream):
        if b"\x00" in block:
            raise PointsFileError(f"{path}: not a text file (CSV) nor a .npy array")
        if first_line == 1 and block.startswith(b"\xef\xbb\xbf"):
            block = block[3:]
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            raise PointsFileError(f"{path}: not a text file (CSV) nor a .npy array") from None
        for offset, line in enumerate(text.split("\n")[:-1]):
            line = line.strip()
            if line and not line.startswith("#"):
                yield first_line + offset, line


class _TextParser:
    """Rows of numbers, parsed by numpy a chunk at a time; one optional header line.

    The first data row fixes the delimiter and the number of columns for the whole file."""

    def __init__(self, path: Path):
        self.path = path
        self.delimiter: str | None = None
        self.width = 0
        self.header_seen = False
        self.pending: list[str] = []
        self.pending_lines: list[int] = []
        self.chunks: list[np.ndarray] = []
        self.line_numbers: list[np.ndarray] = []
        self.rows = 0

    def add(self, number: int, line: str) -> None:
        if not self.width:
            delimiter = _delimiter_of(line)
            if not _numeric(_split(line, delimiter)):
                if self.header_seen:
                    self._fail_row(number, line)
                self.header_seen = True  # one header line
                return
            self.delimiter, self.width = delimiter, len(_split(line, delimiter))
            if self.width not in (1, 2):
                raise PointsFileError(
                    f"{self.path}: line {number} has {self.width} values; expected one or two "
                    "columns (1D or 2D points)"
                )
        self.rows += 1
        if self.rows > MAX_POINTS:
            raise PointsFileError(f"{self.path}: more than {MAX_POINTS:,} points (stopped "
                                  f"reading at line {number:,})")
        self.pending.append(line)
        self.pending_lines.append(number)
        if len(self.pending) >= _PARSE_ROWS:
            self._parse_pending()

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        self._parse_pending()
        if not self.chunks:
            if self.header_seen:
                raise PointsFileError(f"{self.path}: no data rows")
            raise PointsFileError(f"{self.path}: the file is empty")
        return np.concatenate(self.chunks), np.concatenate(self.line_numbers)

    def _parse_pending(self) -> None:
        if not self.pending:
            return
        try:
            with np.errstate(all="ignore"):
                chunk = np.loadtxt(self.pending, delimiter=self.delimiter, ndmin=2,
                                   comments=None, quotechar='"', dtype=np.float64)
        except ValueError:
            chunk = None
        if chunk is None or chunk.shape[1] != self.width:
            for number, line in zip(self.pending_lines, self.pending, strict=True):
                self._check_row(number, line)
            raise PointsFileError(f"{self.path}: lines {self.pending_lines[0]:,} to "
                                  f"{self.pending_lines[-1]:,} cannot be read as numbers")
        self.chunks.append(chunk)
        self.line_numbers.append(np.asarray(self.pending_lines, dtype=np.int64))
        self.pending, self.pending_lines = [], []

    def _check_row(self, number: int, line: str) -> None:
        values = _split(line, self.delimiter)
        if len(values) != self.width or not _numeric(values):
            self._fail_row(number, line)

    def _fail_row(self, number: int, line: str) -> None:
        values = _split(line, self.delimiter)
        expected = (f"{self.width} number{'s' * (self.width > 1)}" if self.width
                    else "one or two numbers")
        separated = _DELIMITER_NAMES[self.delimiter] if self.width else (
            "commas, semicolons, tabs or spaces")
        if self.width and len(values) != self.width:
            found = f"found {len(values)} value{'s' * (len(values) != 1)}"
        else:
            bad = next(i for i, v in enumerate(values) if not _numeric([v]))
            found = f"value {bad + 1} is not a number"
        raise PointsFileError(f"{self.path}: line {number}: expected {expected} separated by "
                              f"{separated}, but {found}")


def _delimiter_of(line: str) -> str | None:
    for delimiter in (",", ";", "\t"):
        if delimiter in line:
            return delimiter
    return None  # any whitespace


def _split(line: str, delimiter: str | None) -> list[str]:
    values = line.split(delimiter)
    return [v.strip().strip('"').strip() for v in values]


def _numeric(values: list[str]) -> bool:
    try:
        for value in values:
            float(value)
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
