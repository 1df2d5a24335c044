"""Reading points from a CSV or whitespace-separated text file, as untrusted input: bounded
lines and size, rows counted before anything is parsed, errors with line numbers that never
quote the file's content."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ganlab.core.targets.points_limits import (
    MAX_FILE_BYTES,
    MAX_LINE_BYTES,
    MAX_POINTS,
    PointsFileError,
)

_BLOCK_BYTES = 2**20  # text is read and checked one block at a time
_PARSE_ROWS = 100_000  # rows handed to numpy's parser at once
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", None: "spaces"}
_NON_DATA_LINE = re.compile(rb"^[ \t\r\f\v]*(?:#[^\n]*)?\n", re.MULTILINE)  # blank or comment


def read_text(path: Path, stream: BinaryIO) -> tuple[np.ndarray, np.ndarray]:
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
