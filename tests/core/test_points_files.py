"""Points files as untrusted input: special files, lying headers, huge and hostile content."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.lib import format as npy_format

from ganlab.core.targets import PointsFileError, load_points, points_text
from ganlab.core.targets import points as points_module
from ganlab.core.targets.points import MAX_ABS_VALUE, MAX_POINTS, validate_points


def _error(path) -> str:
    with pytest.raises(PointsFileError) as info:
        load_points(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_refused_at_once_without_blocking(tmp_path):
    fifo = tmp_path / "points.csv"
    os.mkfifo(fifo)
    # in a child with a timeout: a reader that opened the FIFO would wait for a writer forever
    code = textwrap.dedent(f"""
        from ganlab.core.targets import PointsFileError, load_points
        try:
            load_points({str(fifo)!r})
        except PointsFileError as error:
            print(error)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"{fifo}: is not a regular file (a device, pipe or socket); give a .csv or .npy file"
    )


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_devices_are_refused_before_reading():
    assert "is not a regular file" in _error("/dev/zero")


def test_npy_header_claiming_a_trillion_points_is_refused_before_reading(tmp_path):
    path = tmp_path / "liar.npy"
    with path.open("wb") as stream:
        header = {"descr": "<f8", "fortran_order": False, "shape": (10**12, 2)}
        npy_format.write_array_header_1_0(stream, header)
        stream.write(b"\0" * 64)
    assert "holds 1,000,000,000,000 points; at most 5,000,000 are allowed" in _error(path)


def test_npy_header_promising_more_data_than_the_file_holds(tmp_path):
    path = tmp_path / "short.npy"
    with path.open("wb") as stream:
        header = {"descr": "<f8", "fortran_order": False, "shape": (1000, 2)}
        npy_format.write_array_header_1_0(stream, header)
        stream.write(b"\0" * 64)
    assert "truncated: its header promises 1,000 points (16,000 bytes of data) but only 64" in (
        _error(path)
    )


def test_fortran_order_npy_loads_like_c_order(tmp_path):
    points = np.arange(12.0).reshape(6, 2)
    path = tmp_path / "f.npy"
    np.save(path, np.asfortranarray(points))
    assert load_points(path).tolist() == points.tolist()
    np.save(path, points.astype(np.float32))
    assert load_points(path).dtype == np.float64


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.array([1 + 2j, 3 - 1j, 2j]), "holds complex numbers; points must be real"),
        (np.zeros(3, dtype=[("x", "f8"), ("y", "f8")]), "structured array"),
        (np.array([True, False, True]), "values are not numbers (bool)"),
        (np.array(["1", "2"]), "values are not numbers"),
    ],
)
def test_only_real_numeric_arrays(tmp_path, array, message):
    path = tmp_path / "a.npy"
    np.save(path, array)
    assert message in _error(path)
    with pytest.raises(PointsFileError, match="holds complex numbers"):
        validate_points(np.array([[1j, 2.0], [3.0, 4.0]]))


def test_a_ten_million_row_csv_stops_at_the_limit_before_parsing(tmp_path, monkeypatch):
    path = tmp_path / "huge.csv"
    path.write_bytes(b"0.5,1.5\n" * (2 * MAX_POINTS))
    parsed = []
    monkeypatch.setattr(points_text._TextParser, "add", lambda *args: parsed.append(1))
    message = _error(path)
    assert f"more than {MAX_POINTS:,} points (stopped reading at line" in message
    stopped_at = int(message.rsplit("line ", 1)[1].rstrip(")").replace(",", ""))
    assert MAX_POINTS < stopped_at < 1.2 * MAX_POINTS  # read a block past the limit, no further
    assert parsed == []  # counted, never parsed


def test_row_limit_holds_in_the_parser_too(tmp_path, monkeypatch):
    monkeypatch.setattr(points_text, "MAX_POINTS", 10)  # the text reader's limit
    path = tmp_path / "eleven.csv"
    path.write_text("x,y\n" + "1,2\n3,4\n" * 5 + "5,6\n")
    assert "more than 10 points (stopped reading at line 12)" in _error(path)
    path.write_text("x,y\n" + "1,2\n3,4\n" * 5)
    assert load_points(path).shape == (10, 2)


def test_a_file_without_newlines_stops_at_the_line_limit(tmp_path):
    path = tmp_path / "one_line.csv"
    path.write_bytes(b"1" * (3 * 2**20))
    assert "line 1 is longer than 4,096 characters" in _error(path)


def test_files_over_the_size_limit_are_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(points_module, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_text("1,2\n" * 300)
    assert "; points files are limited to" in _error(path)


@pytest.mark.parametrize("value", ["1e308", "-1e19", "1e400"])
def test_absurd_values_name_the_line(tmp_path, value):
    path = tmp_path / "big_values.csv"
    path.write_text(f"x,y\n1,2\n{value},3\n4,5\n")
    message = _error(path)
    assert "line 3 is " in message
    assert ("not finite" if value == "1e400" else f"beyond ±{MAX_ABS_VALUE:.0e}") in message


def test_values_equal_in_float32_count_as_the_same_point():
    with pytest.raises(PointsFileError, match="all points are the same"):
        validate_points([[1e15], [1e15 + 1]])


def test_text_that_is_not_points_is_never_quoted(tmp_path):
    secret = "root:x:0:0:root:/root:/bin/bash\nalice:SECRET-HASH:1000:1000::/home/alice:/bin/sh\n"
    path = tmp_path / "passwd"
    path.write_text(secret)
    message = _error(path)
    assert message == (
        f"{path}: line 2: expected one or two numbers separated by commas, semicolons, tabs or "
        "spaces, but value 1 is not a number"
    )
    for word in ("root", "alice", "SECRET", "bash"):
        assert word not in message.replace(str(path), "")


def test_line_numbers_count_comments_and_blank_lines(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("# made by hand\nx;y\n\n1;2\n# more\n3;4\n5;oops\n")
    assert "line 7: expected 2 numbers separated by semicolons, but value 2 is not a number" in (
        _error(path)
    )


def test_unreadable_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    path = tmp_path / "secret.csv"
    path.write_text("1,2\n3,4\n")
    path.chmod(0)
    assert "cannot be read (Permission denied)" in _error(path)


def test_ragged_lists_of_points_are_a_clear_error():
    with pytest.raises(PointsFileError, match="expected a list of points of equal length"):
        validate_points([[1.0, 2.0], [3.0]])


DESCRIPTORS = ["<f8", ">f4", "<f2", "<i4", "|u1", "<c16", "|b1", "|O", "<U3", "|V8", "<M8[s]",
               [("x", "<f8"), ("y", "<f8")], "<f16"]


@settings(max_examples=200, deadline=None)
@given(
    descr=st.sampled_from(DESCRIPTORS),
    shape=st.lists(st.integers(-3, 10**13) | st.integers(0, 4), min_size=0, max_size=3),
    fortran=st.booleans(),
    payload=st.binary(max_size=200),
)
def test_npy_headers_load_or_fail_clearly(tmp_path_factory, descr, shape, fortran, payload):
    path = tmp_path_factory.mktemp("npy") / "points.npy"
    with path.open("wb") as stream:
        header = {"descr": descr, "fortran_order": fortran, "shape": tuple(shape)}
        npy_format.write_array_header_1_0(stream, header)
        stream.write(payload)
    try:
        points = load_points(path)
    except PointsFileError as error:
        assert str(path) in str(error) and "\n" not in str(error)
    else:
        assert points.ndim == 2 and points.shape[1] in (1, 2) and np.isfinite(points).all()
        assert points.dtype == np.float64 and len(points) <= MAX_POINTS


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(
    st.lists(st.sampled_from(["1", "-2.5", "1e308", "nan", "x", "", '"3"', "1e400", "0x1",
                              "١", "1_0", " 4 "]), min_size=0, max_size=3)
    .map(",".join),
    max_size=8,
))
def test_csv_lines_load_or_fail_clearly(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("csv") / "points.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        points = load_points(path)
    except PointsFileError as error:
        assert str(path) in str(error) and "\n" not in str(error)
    else:
        assert points.ndim == 2 and points.shape[1] in (1, 2)
        assert (np.abs(points) <= MAX_ABS_VALUE).all()
