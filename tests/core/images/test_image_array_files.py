"""Images in .npy and .npz files: layouts, value ranges, labels, and broken files."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from ganlab.core.images import ImageFileError, load_images


def _expect_error(path, message):
    with pytest.raises(ImageFileError, match=message) as error:
        load_images(path)
    assert str(error.value).startswith(str(path)) and "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("shape", "channels"),
    [((4, 12, 12), 1), ((4, 12, 12, 1), 1), ((4, 12, 12, 3), 3), ((4, 3, 12, 12), 3),
     ((4, 1, 12, 12), 1), ((4, 12, 12, 4), 3)],
)
def test_npy_layouts(tmp_path, shape, channels):
    pixels = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    np.save(tmp_path / "a.npy", pixels)
    data = load_images(tmp_path / "a.npy").data
    assert data.images.shape == (4, channels, 12, 12)
    assert data.labels is None
    if shape == (4, 3, 12, 12):
        np.testing.assert_allclose(data.images, pixels / 255, atol=1e-7)


@pytest.mark.parametrize(
    ("values", "scaled", "words"),
    [
        (np.array([0.0, 0.5, 1.0]), [0.0, 0.5, 1.0], "floats 0..1"),
        (np.array([-1.0, 0.0, 1.0]), [0.0, 0.5, 1.0], "−1..1"),
        (np.array([0.0, 51.0, 255.0]), [0.0, 0.2, 1.0], "0..255"),
    ],
)
def test_npy_value_ranges_are_detected_and_said(tmp_path, values, scaled, words):
    images = np.zeros((3, 4, 4), np.float32)
    images[:, 0, 0] = values
    np.save(tmp_path / "f.npy", images)
    data = load_images(tmp_path / "f.npy").data
    np.testing.assert_allclose(data.images[:, 0, 0, 0], scaled, atol=1e-6)
    assert words in data.description


def test_npy_resize_and_crop(tmp_path):
    images = np.zeros((2, 20, 30), np.uint8)
    images[:, :, 5:25] = 255  # the centre 20×20 is white, the sides black
    np.save(tmp_path / "wide.npy", images)
    data = load_images(tmp_path / "wide.npy").data
    assert data.resolution == 16  # nearest of 8/16/32/64 to 20
    assert data.images.min() > 0.99
    assert load_images(tmp_path / "wide.npy", resolution=8, channels=3).data.shape == (3, 8, 8)


def test_npz_with_labels(tmp_path):
    images = np.random.default_rng(1).random((6, 8, 8)).astype(np.float32)
    np.savez_compressed(tmp_path / "d.npz", x=images, y=np.array([10, 20, 10, 30, 20, 10]))
    data = load_images(tmp_path / "d.npz").data
    np.testing.assert_allclose(data.images[:, 0], images, atol=1e-7)
    assert data.class_names == ("10", "20", "30")
    assert list(data.labels) == [0, 1, 0, 2, 1, 0]


@pytest.mark.parametrize("key", ["images", "arr_0"])
def test_npz_other_names(tmp_path, key):
    np.savez(tmp_path / "d.npz", **{key: np.zeros((2, 8, 8), np.uint8)})
    assert load_images(tmp_path / "d.npz").data.images.shape == (2, 1, 8, 8)


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"z": np.zeros((2, 8, 8))}, "no images array"),
        ({"x": np.zeros((2, 8, 8)), "y": np.zeros(3, np.int64)}, "3 labels for 2"),
        ({"x": np.zeros((2, 8, 8)), "y": np.zeros(2)}, "must be integers"),
        ({"x": np.zeros((0, 8, 8))}, "no images"),
        ({"x": np.zeros((2, 8))}, "not images"),
        ({"x": np.full((2, 8, 8), np.nan)}, "not finite"),
        ({"x": np.full((2, 8, 8), 300.0)}, "expected 0..1"),
        ({"x": np.full((2, 8, 8), -3, np.int16)}, "expected 0..255"),
        ({"x": np.zeros((2, 8, 8), complex)}, "not real numbers"),
        ({"x": np.zeros((2, 8, 8), bool)}, "not real numbers"),
    ],
)
def test_npz_refused(tmp_path, arrays, message):
    np.savez(tmp_path / "bad.npz", **arrays)
    _expect_error(tmp_path / "bad.npz", message)


def test_pickled_objects_are_never_loaded(tmp_path):
    np.save(tmp_path / "o.npy", np.array([None, 1], dtype=object).reshape(1, 1, 2),
            allow_pickle=True)
    _expect_error(tmp_path / "o.npy", "Python objects")


def test_truncated_npy(tmp_path):
    np.save(tmp_path / "t.npy", np.zeros((10, 8, 8), np.uint8))
    data = (tmp_path / "t.npy").read_bytes()
    (tmp_path / "t.npy").write_bytes(data[:-5])
    _expect_error(tmp_path / "t.npy", "truncated")


def test_npz_member_bomb_is_refused_by_its_declared_size(tmp_path, monkeypatch):
    from ganlab.core.images import bounded_io

    monkeypatch.setattr(bounded_io, "MAX_DECOMPRESSED_BYTES", 10_000)
    np.savez_compressed(tmp_path / "big.npz", x=np.zeros((100, 32, 32), np.uint8))
    _expect_error(tmp_path / "big.npz", "unpack")


def test_npz_member_lying_about_its_shape(tmp_path):
    """A header announcing 1,000 images over the bytes of 2: truncated, nothing allocated
    beyond what the limits allow."""
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((2, 8, 8), np.uint8))
    raw = buffer.getvalue().replace(b"(2, 8, 8)", b"(1000, 8, 8)")
    with zipfile.ZipFile(tmp_path / "lie.npz", "w") as archive:
        archive.writestr("x.npy", raw)
    _expect_error(tmp_path / "lie.npz", "truncated")


def test_not_an_archive_and_unknown_files(tmp_path):
    (tmp_path / "x.npz").write_bytes(b"not a zip at all")
    _expect_error(tmp_path / "x.npz", "not a valid .npz")
    (tmp_path / "x.npy").write_bytes(b"not numpy")
    _expect_error(tmp_path / "x.npy", "not a .npy")
    (tmp_path / "notes.txt").write_text("hello")
    _expect_error(tmp_path / "notes.txt", "not an image file")
    _expect_error(tmp_path / "missing.npy", "no such file")
    (tmp_path / "empty.npy").write_bytes(b"")
    _expect_error(tmp_path / "empty.npy", "empty")


def test_request_out_of_range(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros((2, 8, 8), np.uint8))
    with pytest.raises(ValueError, match="resolution"):
        load_images(tmp_path / "a.npy", resolution=1000)
    with pytest.raises(ValueError, match="channels"):
        load_images(tmp_path / "a.npy", channels=2)
