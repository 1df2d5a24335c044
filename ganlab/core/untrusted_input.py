"""Reading files that anyone could have written, with every size bounded before it is spent.

The contract: each helper reads or parses at most what its caller says is plausible, never blocks
on something that is not a regular file, never recurses deeper than a fixed bound, and turns
every way the input can be wrong into an `UntrustedInputError` whose message says what is wrong
*without* the file's name. Callers add the name and re-raise as their own error type
(`SessionFileError`, `GeneratorFileError`, ...), so that users read one line:
``PATH: what is wrong``.

- `read_file(path, limit)`: the bytes of a regular file of at most `limit` bytes.
- `read_zip_member(archive, name, limit)`: one member of a zip archive, refused when its
  declared size is above `limit`, and read in pieces that stop at `limit` whatever the header
  claims (a zip bomb costs at most `limit` bytes of memory).
- `parse_json(data, max_depth=..., max_values=...)`: strict JSON (no NaN/Infinity), with the
  nesting depth, the number of values and the length of every number checked by a streaming
  scan *before* the parser allocates anything.
- `read_safetensors_header(stream, limit)` and `check_tensor_layout(found, expected)`: the names,
  dtypes and shapes a safetensors file declares, read and compared with what the caller expects
  before any tensor is loaded.
"""

from __future__ import annotations

import io
import json
import math
import os
import stat
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

MAX_JSON_DEPTH = 64  # nesting of objects and arrays; ganlab's own files nest 5 deep
MAX_JSON_VALUES = 1_000_000  # values in one document, unless the caller allows more
MAX_NUMBER_CHARS = 100  # characters in one JSON number (a float64 needs at most 25)
READ_CHUNK = 1 << 20  # bytes read (and scanned) at a time

#: safetensors' names for the dtypes ganlab stores
SAFETENSORS_DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}

#: (safetensors dtype, shape) of one tensor
TensorSpec = tuple[str, tuple[int, ...]]


class UntrustedInputError(ValueError):
    """Why an input cannot be used, without naming it (the caller prefixes the name)."""


def open_regular_file(path: str | Path) -> io.FileIO:
    """Open `path` for reading if it is a regular file; never blocks.

    FIFOs, devices (`/dev/zero`) and folders are refused without reading (the file is opened
    non-blocking, so a FIFO does not wait for a writer). `OSError` (no such file, no
    permission) is left to the caller, which knows how to word it.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        if stat.S_ISDIR(mode):
            raise UntrustedInputError("is a folder, not a file")
        raise UntrustedInputError("is not a regular file (a device, a pipe or a socket)")
    return io.FileIO(descriptor, "rb")


def read_file(path: str | Path, limit: int) -> bytes:
    """All bytes of the regular file `path` (see `open_regular_file`), refused when it is
    longer than `limit`, also when it grows while being read."""
    with open_regular_file(path) as stream:
        size = os.fstat(stream.fileno()).st_size
        if size > limit:
            raise UntrustedInputError(
                f"is {size:,} bytes, more than the {limit:,} it can plausibly hold"
            )
        return _read_at_most(stream, limit, "the file")


def read_zip_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """The unpacked bytes of member `name`, refused above `limit` bytes.

    The declared size is checked first; then the member is inflated a piece at a time and the
    read stops as soon as more than `limit` bytes came out, so a header that lies costs nothing.
    `KeyError` (no such member) and the archive's own errors are left to the caller.
    """
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise UntrustedInputError(
            f"{name} unpacks to {info.file_size:,} bytes, more than the {limit:,} it can "
            "plausibly hold"
        )
    with archive.open(info) as member:
        return _read_at_most(member, limit, name)


def _read_at_most(stream: io.RawIOBase | io.BufferedIOBase, limit: int, what: str) -> bytes:
    pieces = []
    total = 0
    while True:
        piece = stream.read(min(READ_CHUNK, limit + 1 - total))
        if not piece:
            return b"".join(pieces)
        pieces.append(piece)
        total += len(piece)
        if total > limit:
            raise UntrustedInputError(
                f"{what} holds more than the {limit:,} bytes it can plausibly hold"
            )


def parse_json(
    data: bytes, max_depth: int = MAX_JSON_DEPTH, max_values: int = MAX_JSON_VALUES
) -> Any:
    """Parse UTF-8 JSON whose nesting, value count and number lengths are bounded.

    The bounds are checked by a streaming scan before `json` runs, so neither a document nested
    100,000 deep (which would exhaust the C stack of a thread), nor millions of tiny values
    (each a Python object), nor a 5,000-digit number reaches the parser. NaN and Infinity are
    refused: they are not JSON.
    """
    _scan_json(data, max_depth, max_values)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UntrustedInputError(f"is not UTF-8 text (byte {error.start})") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except UntrustedInputError:
        raise
    except json.JSONDecodeError as error:
        raise UntrustedInputError(
            f"is not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from None
    except (ValueError, RecursionError) as error:  # belt and braces: the scan bounds both
        raise UntrustedInputError(f"is not usable JSON ({error})") from None


def _refuse_constant(name: str) -> None:
    raise UntrustedInputError(f"holds {name}, which is not a JSON number")


#: kinds of structural byte: 1 opens an array or object, 2 closes one, 3 separates values
_STRUCTURE = np.zeros(256, np.int8)
_STRUCTURE[[ord("["), ord("{")]] = 1
_STRUCTURE[[ord("]"), ord("}")]] = 2
_STRUCTURE[[ord(","), ord(":")]] = 3
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_NUMBER_CHAR = np.zeros(256, bool)
_NUMBER_CHAR[list(b"0123456789+-.eE")] = True


def _run_lengths(mask: np.ndarray, carried: int) -> np.ndarray:
    """Length of the run of True in `mask` ending at each position (0 where False); the run
    may continue one of length `carried` from before the array."""
    index = np.arange(len(mask))
    last_false = np.maximum.accumulate(np.where(mask, -1, index))
    return np.where(last_false >= 0, index - last_false, index + 1 + carried)


def _check_number_lengths(is_number: np.ndarray, carried: int) -> int:
    """Refuse a run of number characters longer than MAX_NUMBER_CHARS; return the length of
    the run the chunk ends with (to carry into the next one)."""
    bounds = np.flatnonzero(is_number[1:] != is_number[:-1]) + 1
    starts = np.concatenate(([0], bounds))
    lengths = np.diff(np.concatenate((starts, [len(is_number)])))
    if is_number[0]:
        lengths[0] += carried
    longest = lengths[is_number[starts]].max(initial=0)
    if longest > MAX_NUMBER_CHARS:
        raise UntrustedInputError(f"holds a number longer than {MAX_NUMBER_CHARS} characters")
    return int(lengths[-1]) if is_number[-1] else 0


def _scan_json(data: bytes, max_depth: int, max_values: int) -> None:
    """Check depth, value count and number lengths, a chunk at a time, in bounded memory.

    A quote is escaped when an odd run of backslashes precedes it; bytes between unescaped
    quotes are string content, where brackets and separators do not count. Up to the first
    syntax error this agrees with any JSON parser, and the parser stops there, so the bounds
    hold for everything it would build. Number lengths are checked on the whole text, strings
    included: no ganlab file holds 100 digits in a row.
    """
    depth, values, in_string, backslashes, number_chars = 0, 1, False, 0, 0
    for start in range(0, len(data), READ_CHUNK):
        chunk = np.frombuffer(data, np.uint8, min(READ_CHUNK, len(data) - start), start)
        number_chars = _check_number_lengths(_NUMBER_CHAR[chunk], number_chars)
        kinds = _STRUCTURE[chunk]
        structural = np.flatnonzero(kinds)
        quotes = np.flatnonzero(chunk == _QUOTE)
        is_backslash = chunk == _BACKSLASH
        if backslashes or is_backslash.any():  # rare: text with escapes
            runs = _run_lengths(is_backslash, backslashes)
            before = np.where(quotes > 0, runs[np.maximum(quotes - 1, 0)], backslashes)
            quotes = quotes[before % 2 == 0]
            backslashes = int(runs[-1])
        inside = (np.searchsorted(quotes, structural) % 2 == 1) != in_string
        kinds = kinds[structural[~inside]]
        levels = depth + np.cumsum(np.where(kinds == 1, 1, np.where(kinds == 2, -1, 0)))
        if levels.max(initial=depth) > max_depth:
            raise UntrustedInputError(f"is nested more than {max_depth} levels deep")
        values += int(np.count_nonzero(kinds != 2))
        if values > max_values:
            raise UntrustedInputError(f"holds more than {max_values:,} values")
        depth = int(levels[-1]) if len(levels) else depth
        in_string ^= len(quotes) % 2 == 1


def read_safetensors_header(stream: io.BufferedIOBase, limit: int) -> dict[str, TensorSpec]:
    """{name: (dtype, shape)} from the header of the safetensors data `stream` starts with.

    The header is an 8-byte little-endian length and that many bytes of JSON; a length above
    `limit` is refused before anything is read. The tensor data itself is not read.
    """
    prefix = stream.read(8)
    if len(prefix) < 8:
        raise UntrustedInputError("is too short to be safetensors data")
    length = int.from_bytes(prefix, "little")
    if length > limit:
        raise UntrustedInputError(
            f"declares a {length:,}-byte safetensors header, more than the {limit:,} expected"
        )
    raw = stream.read(length)
    if len(raw) < length:
        raise UntrustedInputError("ends inside its safetensors header")
    header = parse_json(raw)
    if not isinstance(header, dict):
        raise UntrustedInputError("has a safetensors header that is not an object")
    specs = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("dtype"), str):
            raise UntrustedInputError(f"has a damaged safetensors entry for {name!r}")
        shape = entry.get("shape")
        if not isinstance(shape, list) or not all(
            type(size) is int and size >= 0 for size in shape
        ):
            raise UntrustedInputError(f"has a damaged shape for tensor {name!r}")
        specs[name] = (entry["dtype"], tuple(shape))
    return specs


def tensor_spec(tensor: torch.Tensor) -> TensorSpec:
    """(safetensors dtype, shape) of a tensor, to build what `check_tensor_layout` expects."""
    return SAFETENSORS_DTYPES[tensor.dtype], tuple(tensor.shape)


def check_tensor_layout(
    found: Mapping[str, TensorSpec],
    expected: Mapping[str, TensorSpec],
    optional: Iterable[str] = (),
) -> None:
    """Every expected tensor is present (unless `optional`), nothing else is, and each has the
    expected dtype and shape; the first difference is raised, naming the tensor."""
    optional = set(optional)
    unexpected = sorted(set(found) - set(expected))
    if unexpected:
        raise UntrustedInputError(f"holds an unexpected tensor {unexpected[0]!r}")
    for name, (dtype, shape) in found.items():
        want_dtype, want_shape = expected[name]
        if dtype != want_dtype or shape != want_shape:
            raise UntrustedInputError(
                f"has tensor {name!r} as {dtype} {list(shape)}, expected {want_dtype} "
                f"{list(want_shape)}"
            )
    missing = sorted(set(expected) - set(found) - optional)
    if missing:
        raise UntrustedInputError(f"lacks the tensor {missing[0]!r}")


def expected_bytes(expected: Mapping[str, TensorSpec]) -> int:
    """An upper bound on the size of safetensors data holding (some of) `expected`: the data
    plus a generous header."""
    sizes = {name: dtype for dtype, name in SAFETENSORS_DTYPES.items()}
    data = sum(math.prod(shape) * sizes[dtype].itemsize for dtype, shape in expected.values())
    return data + 8 + safetensors_header_limit(len(expected))


def safetensors_header_limit(tensors: int) -> int:
    """How long a safetensors header describing `tensors` tensors can plausibly be."""
    return 4096 + 512 * tensors
