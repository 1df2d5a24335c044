"""Opening and reading untrusted image files with every size bounded before it is spent.

The same contract as `ganlab.core.untrusted_input` (which this package does not import: it
pulls in torch, and the image data layer is numpy-only): only regular files are opened, never
blocking on a FIFO or a device, and a file's size is checked before it is read
(`ganlab.core.regular_files`, shared with the points reader); a compressed stream
is read a piece at a time and stopped at a cap whatever its header claims; a .npy header is
read and checked before its data. Failures raise `ImageFileError("PATH: what is wrong")`.
"""

from __future__ import annotations

import contextlib
import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.lib import format as npy_format

from ganlab.core import regular_files
from ganlab.core.images.image_limits import (
    MAX_DECOMPRESSED_BYTES,
    MAX_FILE_BYTES,
    MAX_NPY_HEADER_BYTES,
    ImageFileError,
)

READ_CHUNK = 1 << 20  # bytes read at a time from a compressed stream

#: what a decompressing stream raises on damaged data
COMPRESSED_DATA_ERRORS = (OSError, EOFError, zlib.error, gzip.BadGzipFile)


@contextlib.contextmanager
def open_regular_file(path: Path) -> Iterator[BinaryIO]:
    """Open `path` for reading if it is a regular, non-empty file within `MAX_FILE_BYTES`
    (`ganlab.core.regular_files`); problems, reading ones included, are ImageFileError."""
    with regular_files.open_regular_file(path, MAX_FILE_BYTES, ImageFileError,
                                         files="image files") as (stream, _):
        yield stream


def is_gzip(stream: BinaryIO) -> bool:
    """Whether the stream starts with gzip's magic bytes; the position is restored."""
    start = stream.tell()
    magic = stream.read(2)
    stream.seek(start)
    return magic == b"\x1f\x8b"


def read_exactly(stream: BinaryIO, count: int, path: Path, what: str) -> bytes:
    """`count` bytes, read a piece at a time; a stream that ends early is "truncated"."""
    pieces, total = [], 0
    while total < count:
        try:
            piece = stream.read(min(READ_CHUNK, count - total))
        except COMPRESSED_DATA_ERRORS as error:
            raise ImageFileError(f"{path}: damaged compressed data ({error})") from None
        if not piece:
            raise ImageFileError(
                f"{path}: is truncated: {what} needs {count:,} bytes, only {total:,} follow"
            )
        pieces.append(piece)
        total += len(piece)
    return b"".join(pieces)


def read_into(stream: BinaryIO, out: np.ndarray, path: Path, what: str) -> None:
    """Fill the C-contiguous array `out` with the stream's next `out.nbytes` bytes, without an
    intermediate copy of the whole."""
    buffer = memoryview(out.reshape(-1).view(np.uint8))
    total = 0
    while total < len(buffer):
        try:
            if hasattr(stream, "readinto"):
                got = stream.readinto(buffer[total:total + READ_CHUNK])
            else:
                piece = stream.read(min(READ_CHUNK, len(buffer) - total))
                buffer[total:total + len(piece)] = piece
                got = len(piece)
        except COMPRESSED_DATA_ERRORS as error:
            raise ImageFileError(f"{path}: damaged compressed data ({error})") from None
        if not got:
            raise ImageFileError(
                f"{path}: is truncated: {what} needs {len(buffer):,} bytes, only {total:,} "
                "follow"
            )
        total += got


def has_more(stream: BinaryIO) -> bool:
    """Whether anything follows in the stream (reads at most one byte)."""
    try:
        return bool(stream.read(1))
    except COMPRESSED_DATA_ERRORS:
        return True


def check_unpacked_size(path: Path, size: int) -> None:
    if size > MAX_DECOMPRESSED_BYTES:
        raise ImageFileError(
            f"{path}: would unpack to {size:,} bytes, more than the "
            f"{MAX_DECOMPRESSED_BYTES:,} allowed"
        )


def read_npy_header(stream: BinaryIO, path: Path) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) from a .npy header, refusing objects (no pickle ever),
    records, and headers longer than `MAX_NPY_HEADER_BYTES`."""
    try:
        version = npy_format.read_magic(stream)
        if version == (1, 0):
            header = npy_format.read_array_header_1_0(stream, MAX_NPY_HEADER_BYTES)
        elif version in ((2, 0), (3, 0)):
            header = npy_format.read_array_header_2_0(stream, MAX_NPY_HEADER_BYTES)
        else:
            raise ImageFileError(f"{path}: not a .npy array (format version {version})")
    except ImageFileError:
        raise
    except Exception:  # numpy tokenizes a header of at most 10 kB: ValueError, TokenError, ...
        raise ImageFileError(f"{path}: not a valid .npy array (damaged header)") from None
    shape, fortran_order, dtype = header
    if not all(isinstance(size, int) and size >= 0 for size in shape):
        raise ImageFileError(f"{path}: not a valid .npy array (damaged header)")
    if dtype.hasobject:
        raise ImageFileError(f"{path}: holds Python objects, not numbers (never unpickled)")
    if dtype.names is not None or dtype.subdtype is not None:
        raise ImageFileError(f"{path}: holds records (a structured array), not plain numbers")
    return tuple(shape), bool(fortran_order), dtype


def read_npy_data(stream: BinaryIO, path: Path, shape: tuple[int, ...], fortran_order: bool,
                  dtype: np.dtype, what: str) -> np.ndarray:
    """The array a checked .npy header announced, read straight into its own memory."""
    out = np.empty(shape[::-1] if fortran_order else shape, dtype=dtype)
    read_into(stream, out, path, what)
    return out.T if fortran_order else out
