"""Random bytes into the IDX and .npy readers: a valid result or an ImageFileError, never
another exception, and never an allocation beyond the limits."""

from __future__ import annotations

import gzip
import io
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ganlab.core.images import ImageFileError, load_images

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _load(name: str, payload: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, name)
        path.write_bytes(payload)
        try:
            data = load_images(path).data
        except ImageFileError as error:
            assert str(error).startswith(str(path)) and "\n" not in str(error)
            return
        assert data.images.dtype == np.float32 and 0 <= data.images.min() <= 1


def _idx_header(n: int, rows: int, columns: int, type_code: int = 8, dims: int = 3) -> bytes:
    sizes = [n, rows, columns][:dims] + [1] * max(0, dims - 3)
    return bytes([0, 0, type_code, dims]) + b"".join(s.to_bytes(4, "big") for s in sizes)


@FUZZ
@given(st.binary(max_size=300))
def test_idx_random_bytes(payload):
    _load("train-images-idx3-ubyte", payload)


@FUZZ
@given(n=st.integers(0, 2**32 - 1), rows=st.integers(0, 2**32 - 1),
       columns=st.integers(0, 2**32 - 1), type_code=st.sampled_from([8, 9, 11, 13, 14, 255]),
       dims=st.integers(0, 5), body=st.binary(max_size=400), packed=st.booleans())
def test_idx_random_headers(n, rows, columns, type_code, dims, body, packed):
    payload = _idx_header(n, rows, columns, type_code, dims) + body
    _load("train-images-idx3-ubyte" + (".gz" if packed else ""),
          gzip.compress(payload) if packed else payload)


@FUZZ
@given(st.binary(max_size=300))
def test_npy_random_bytes(payload):
    _load("x.npy", b"\x93NUMPY" + payload)


@FUZZ
@given(shape=st.lists(st.integers(0, 2**40), min_size=0, max_size=5),
       dtype=st.sampled_from(["|u1", "<f4", "<f8", "<i2", ">i4", "|b1", "<c8", "|O", "<U3"]),
       fortran=st.booleans(), body=st.binary(max_size=600))
def test_npy_random_headers(shape, dtype, fortran, body):
    header = {"descr": dtype, "fortran_order": fortran, "shape": tuple(shape)}
    stream = io.BytesIO()
    text = repr(header).encode("latin1")
    text += b" " * (64 - (10 + len(text) + 1) % 64) + b"\n"
    stream.write(b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + body)
    _load("x.npy", stream.getvalue())


@FUZZ
@given(st.binary(min_size=1, max_size=300), st.integers(0, 200))
def test_damaged_valid_npy(noise, where):
    buffer = io.BytesIO()
    np.save(buffer, np.arange(2 * 6 * 6, dtype=np.uint8).reshape(2, 6, 6))
    data = bytearray(buffer.getvalue())
    data[where:where + len(noise)] = noise
    _load("x.npy", bytes(data))
