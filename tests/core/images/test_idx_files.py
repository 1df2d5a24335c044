"""MNIST-style IDX files: good files (plain and gzip, with and without labels) and broken ones."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from ganlab.core.images import ImageFileError, LoadCancelled, idx_files, load_images
from ganlab.core.images.idx_files import read_idx


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    header = bytes([0, 0, type_code, array.ndim])
    header += b"".join(int(size).to_bytes(4, "big") for size in array.shape)
    return header + array.astype(np.uint8).tobytes()


def _pixels(n=5, rows=28, columns=28, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, rows, columns), dtype=np.uint8)


def test_mnist_pair_loads_with_labels(tmp_path):
    pixels = _pixels()
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(pixels))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.array([3, 1, 4, 1, 5])))
    data, skipped = load_images(tmp_path / "train-images-idx3-ubyte")
    assert skipped == ()
    assert data.images.shape == (5, 1, 28, 28)  # 28 is square and ≤ 64: kept
    np.testing.assert_allclose(data.images[:, 0], pixels / 255, atol=1e-7)
    assert list(data.labels) == [3, 1, 4, 1, 5]
    assert data.class_names == tuple("012345")
    assert data.name == "train-images-idx3-ubyte"


@pytest.mark.parametrize(
    ("images_name", "labels_name"),
    [
        ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
        ("t10k-images.idx3-ubyte", "t10k-labels.idx1-ubyte"),
        ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte"),
    ],
)
def test_labels_found_by_name_plain_or_gz(tmp_path, images_name, labels_name):
    pixels = _pixels(n=3)
    def write(name, payload):
        (tmp_path / name).write_bytes(gzip.compress(payload) if name.endswith(".gz")
                                      else payload)
    write(images_name, idx_bytes(pixels))
    write(labels_name, idx_bytes(np.array([0, 9, 2])))
    data = load_images(tmp_path / images_name, resolution=16).data
    assert data.images.shape == (3, 1, 16, 16)
    assert list(data.labels) == [0, 9, 2] and data.num_classes == 10


def test_fashion_folder_names_the_classes(tmp_path):
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    (folder / "t10k-images-idx3-ubyte").write_bytes(idx_bytes(_pixels(n=2)))
    (folder / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.array([9, 0])))
    data = load_images(folder / "t10k-images-idx3-ubyte").data
    assert data.class_names[0] == "T-shirt/top" and data.class_names[9] == "Ankle boot"


def test_images_without_labels_file_are_unlabelled(tmp_path):
    (tmp_path / "my-images-idx3-ubyte").write_bytes(idx_bytes(_pixels(n=2, rows=8, columns=8)))
    data = load_images(tmp_path / "my-images-idx3-ubyte", channels=3).data
    assert data.labels is None and data.images.shape == (2, 3, 8, 8)


def _expect_error(path, message):
    with pytest.raises(ImageFileError, match=message) as error:
        load_images(path)
    assert str(error.value).startswith(str(path))
    assert "\n" not in str(error.value)


def test_truncated_images(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(_pixels())[:-10])
    _expect_error(path, "truncated")


def test_truncated_header(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"\x00\x00\x08\x03\x00\x00")
    _expect_error(path, "truncated")


def test_trailing_data(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(_pixels()) + b"extra")
    _expect_error(path, "more data")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (b"\x01\x02\x08\x03", "bad magic"),
        (b"\x00\x00\x07\x03", "bad magic"),
        (b"\x00\x00\x08\x01", "1 dimensions"),
        (b"\x00\x00\x0d\x03", "float32 values"),
    ],
)
def test_wrong_magic(tmp_path, header, message):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(header + idx_bytes(_pixels())[4:])
    _expect_error(path, message)


def test_zero_images(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros((0, 28, 28), np.uint8)))
    _expect_error(path, "no images")


def test_absurd_header_refused_before_reading(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(bytes([0, 0, 8, 3]) + (10**6).to_bytes(4, "big") + (28).to_bytes(4, "big")
                     + (28).to_bytes(4, "big"))
    _expect_error(path, "at most 200,000")


def test_mismatched_label_count(tmp_path):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(_pixels(n=5)))
    labels = tmp_path / "train-labels-idx1-ubyte"
    labels.write_bytes(idx_bytes(np.array([1, 2, 3])))
    with pytest.raises(ImageFileError, match="3 labels but") as error:
        load_images(tmp_path / "train-images-idx3-ubyte")
    assert str(error.value).startswith(str(labels))


def test_damaged_gzip(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    packed = gzip.compress(idx_bytes(_pixels()))
    path.write_bytes(packed[:30] + b"\xff" * (len(packed) - 30))
    _expect_error(path, "damaged compressed data|truncated|bad magic|holds no")


def test_gz_bomb_reads_only_what_the_header_says(tmp_path):
    """1 GiB of zeros (64 concatenated gzip members) behind a header announcing 2 images:
    the reader stops after 2 · 28 · 28 + 1 bytes."""
    header = bytes([0, 0, 8, 3]) + (2).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    zeros = gzip.compress(bytes(1 << 24), compresslevel=9)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(header) + zeros * 64)
    assert path.stat().st_size < 2 << 20
    _expect_error(path, "more data")


def test_header_announcing_too_much_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(idx_files, "MAX_DECOMPRESSED_BYTES", 1000)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(_pixels(n=2))))
    _expect_error(path, "more than the 1,000 allowed")


def test_fifo_is_refused_without_blocking(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    try:
        import os
        os.mkfifo(path)
    except (AttributeError, OSError):
        pytest.skip("no FIFOs here")
    _expect_error(path, "not a regular file")


def test_labels_reader_refuses_images(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(idx_bytes(_pixels(n=1)))
    with pytest.raises(ImageFileError, match="labels need 1"):
        read_idx(path, dimensions=1)


def test_cancel_stops_the_load(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(_pixels(n=3000, rows=8, columns=8)))
    calls = []
    with pytest.raises(LoadCancelled):
        load_images(path, resolution=16, progress=lambda done, total: calls.append(done),
                    cancelled=lambda: len(calls) >= 1)
    assert calls and calls[-1] < 3000


def test_progress_is_called_a_bounded_number_of_times(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(_pixels(n=5000, rows=8, columns=8)))
    calls = []
    load_images(path, resolution=16, progress=lambda done, total: calls.append((done, total)))
    assert 1 <= len(calls) <= 60
    assert calls[-1] == (5000, 5000)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
