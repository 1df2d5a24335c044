import io
import json
import os
import sys
import zipfile

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.torch import save as save_tensors

from ganlab.core.untrusted_input import (
    MAX_JSON_DEPTH,
    READ_CHUNK,
    UntrustedInputError,
    check_tensor_layout,
    expected_bytes,
    parse_json,
    read_file,
    read_safetensors_header,
    read_zip_member,
    tensor_spec,
)


def _refused(data: bytes, **bounds) -> str:
    with pytest.raises(UntrustedInputError) as info:
        parse_json(data, **bounds)
    return str(info.value)


def test_json_within_bounds_parses_like_json():
    text = b'{"a": [1, 2.5, null, true], "b": {"c": "x[[{\\"]]"}, "d": "\\\\"}'
    assert parse_json(text) == json.loads(text)
    nested = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert parse_json(nested) == json.loads(nested)


def test_deep_nesting_is_refused_before_parsing():
    assert "nested more than 64" in _refused(b"[" * 100_000 + b"]" * 100_000)
    assert "nested more than 64" in _refused(b'{"a":' * 65 + b"1" + b"}" * 65)
    # the depth is counted across chunk boundaries, and brackets inside strings do not count
    padding = b" " * (READ_CHUNK - 10)
    assert "nested" in _refused(padding + b"[" * 65 + b"]" * 65)
    assert parse_json(b'["' + b"[" * 200 + b'"]') == ["[" * 200]
    assert parse_json(b'["\\\\", "\\"' + b"[" * 200 + b'"]') == ["\\", '"' + "[" * 200]


def test_escapes_that_span_chunks_are_followed():
    # a string of backslash pairs that crosses the first chunk boundary, then real nesting
    escaped = b'["' + b"\\\\" * (READ_CHUNK // 2) + b'", ' + b"[" * 70 + b"]" * 70 + b"]"
    assert "nested" in _refused(escaped)
    # an escaped quote right after the boundary keeps the string open: its brackets are text
    hidden = b'["' + b"x" * (READ_CHUNK - 2) + b'\\"' + b"[" * 70 + b'"]'
    assert parse_json(hidden) == ["x" * (READ_CHUNK - 2) + '"' + "[" * 70]


def test_numbers_and_values_are_bounded():
    assert "longer than 100" in _refused(b"1" * 5000)
    assert "longer than 100" in _refused(b'{"seed": ' + b"9" * 5000 + b"}")
    assert "longer than 100" in _refused(b" " * (READ_CHUNK - 40) + b"1" * 101)
    assert parse_json(b"1" * 100) == int("1" * 100)
    assert "more than 500 values" in _refused(b"[" + b"0," * 600 + b"0]", max_values=500)
    assert "NaN" in _refused(b"[NaN]")
    assert "Infinity" in _refused(b"[-Infinity]")
    assert "not valid JSON" in _refused(b'{"a":')
    assert "not UTF-8" in _refused(b'"\xff"')


@settings(max_examples=150, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet='ab"\\[]{},: ', max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(alphabet='k"\\[{', max_size=3), children, max_size=4),
    max_leaves=30,
))
def test_any_json_document_within_bounds_parses_exactly(document):
    text = json.dumps(document).encode()
    assert parse_json(text) == json.loads(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(alphabet='[]{}"\\,:0123456789e.-a ', max_size=300)
       .map(str.encode))
def test_arbitrary_bytes_either_parse_or_are_refused(data):
    try:
        parse_json(data, max_depth=8)
    except UntrustedInputError as error:
        assert "\n" not in str(error)


def _bomb_zip(tmp_path, megabytes: int):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(bytes(1 << 20))
        archive.writestr("small", b"x" * 100)
    return path


def test_zip_member_is_refused_by_its_declared_size(tmp_path):
    path = _bomb_zip(tmp_path, 64)
    assert path.stat().st_size < 200_000
    with zipfile.ZipFile(path) as archive:
        with pytest.raises(UntrustedInputError, match="unpacks to 67,108,864 bytes"):
            read_zip_member(archive, "zeros", 10_000)
        assert read_zip_member(archive, "small", 100) == b"x" * 100
        # a header that understates the size cannot make the read go past the limit
        archive.getinfo("zeros").file_size = 1000
        with pytest.raises((UntrustedInputError, zipfile.BadZipFile)):
            read_zip_member(archive, "zeros", 5000)


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")
def test_only_regular_files_are_read(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(UntrustedInputError, match="not a regular file"):
        read_file(fifo, 100)  # returns at once: nothing waits for a writer
    with pytest.raises(UntrustedInputError, match="not a regular file"):
        read_file("/dev/zero", 100)
    with pytest.raises(UntrustedInputError, match="is a folder"):
        read_file(tmp_path, 100)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    with pytest.raises(UntrustedInputError, match="101 bytes, more than the 100"):
        read_file(big, 100)
    assert read_file(big, 101) == b"x" * 101
    with pytest.raises(FileNotFoundError):
        read_file(tmp_path / "missing", 100)


def test_safetensors_header_is_read_and_compared_before_the_data():
    data = save_tensors({"w": torch.zeros(3, 2), "b": torch.zeros(3)})
    found = read_safetensors_header(io.BytesIO(data), 4096)
    assert found == {"w": ("F32", (3, 2)), "b": ("F32", (3,))}
    expected = {"w": tensor_spec(torch.zeros(3, 2)), "b": tensor_spec(torch.zeros(3))}
    check_tensor_layout(found, expected)
    assert len(data) <= expected_bytes(expected)
    with pytest.raises(UntrustedInputError, match=r"'w' as F32 \[3, 2\], expected F32 \[1\]"):
        check_tensor_layout(found, {**expected, "w": ("F32", (1,))})
    with pytest.raises(UntrustedInputError, match="lacks the tensor 'c'"):
        check_tensor_layout(found, {**expected, "c": ("F32", (1,))})
    check_tensor_layout(found, {**expected, "c": ("F32", (1,))}, optional=["c"])
    with pytest.raises(UntrustedInputError, match="unexpected tensor 'b'"):
        check_tensor_layout(found, {"w": expected["w"]})
    huge = (2**60).to_bytes(8, "little") + data[8:]
    with pytest.raises(UntrustedInputError, match="header, more than the 4,096 expected"):
        read_safetensors_header(io.BytesIO(huge), 4096)
    with pytest.raises(UntrustedInputError, match="too short"):
        read_safetensors_header(io.BytesIO(b"\x01"), 4096)
    bad_shape = b'{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}'
    with pytest.raises(UntrustedInputError, match="damaged shape"):
        read_safetensors_header(io.BytesIO(len(bad_shape).to_bytes(8, "little") + bad_shape),
                                4096)
