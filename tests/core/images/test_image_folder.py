"""Folders of PNG/JPEG images: labels from sub-folders, sizes, colour, and broken files."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from ganlab.core.images import ImageFileError, image_folder, load_images


def _save(path, size=(12, 12), mode="L", value=None, seed=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    shape = (size[1], size[0]) if mode == "L" else (size[1], size[0], len(mode))
    pixels = rng.integers(0, 256, shape, dtype=np.uint8) if value is None \
        else np.full(shape, value, np.uint8)
    Image.fromarray(pixels, mode).save(path)
    return pixels


def test_labelled_by_sub_folder(tmp_path):
    pixels = {}
    for index, (cls, name) in enumerate([("cat", "a.png"), ("cat", "b.png"), ("dog", "c.png"),
                                         ("dog/nested", "d.png")]):
        pixels[name] = _save(tmp_path / cls / name, seed=index)
    data, skipped = load_images(tmp_path)
    assert skipped == ()
    assert data.images.shape == (4, 1, 12, 12)
    assert data.class_names == ("cat", "dog")
    assert list(data.labels) == [0, 0, 1, 1]  # sorted walk: cat/a, cat/b, dog/c, dog/nested/d
    np.testing.assert_allclose(data.images[0, 0], pixels["a.png"] / 255, atol=1e-6)
    assert data.name == tmp_path.name


def test_unlabelled_when_some_images_lie_at_the_top(tmp_path):
    _save(tmp_path / "top.png")
    _save(tmp_path / "cls" / "inner.png")
    assert load_images(tmp_path).data.labels is None


def test_mixed_sizes_and_colour(tmp_path):
    _save(tmp_path / "a.png", size=(40, 30), mode="RGB")
    _save(tmp_path / "b.jpg", size=(30, 30), mode="L")
    _save(tmp_path / "c.png", size=(50, 20), mode="RGBA")
    data = load_images(tmp_path).data
    assert data.images.shape == (3, 3, 32, 32)  # median side 30 → 32; one input in colour
    gray = load_images(tmp_path, resolution=8, channels=1).data
    assert gray.images.shape == (3, 1, 8, 8)


def test_centre_crop(tmp_path):
    pixels = np.zeros((10, 30), np.uint8)
    pixels[:, 10:20] = 255
    Image.fromarray(pixels).save(tmp_path / "wide.png")
    data = load_images(tmp_path, resolution=10).data
    assert data.images.min() > 0.99  # only the white centre square is kept


def test_gray_palette_counts_as_gray(tmp_path):
    image = Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8)).convert("P")
    image.save(tmp_path / "p.png")
    assert load_images(tmp_path).data.channels == 1


def test_corrupt_image_is_skipped_with_a_reason(tmp_path):
    for index in range(3):
        _save(tmp_path / f"good{index}.png", seed=index)
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    good = (tmp_path / "good0.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(good[: len(good) // 2])
    (tmp_path / "empty.png").write_bytes(b"")
    data, skipped = load_images(tmp_path)
    assert len(data) == 3
    assert [file for file, _ in skipped] == ["bad.png", "cut.png", "empty.png"]
    assert all(reason for _, reason in skipped)


def test_huge_image_refused_from_its_header(tmp_path, monkeypatch):
    monkeypatch.setattr(image_folder, "MAX_IMAGE_PIXELS", 100)
    _save(tmp_path / "small.png", size=(8, 8))
    _save(tmp_path / "large.png", size=(20, 20))
    data, skipped = load_images(tmp_path)
    assert len(data) == 1 and skipped[0][0] == "large.png" and "20×20" in skipped[0][1]


def test_fifo_symlink_loop_and_hidden_files(tmp_path):
    _save(tmp_path / "a" / "one.png")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "._one.png").write_bytes(b"AppleDouble junk")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "a" / "pipe.png")
    data, skipped = load_images(tmp_path)
    assert len(data) == 1
    if hasattr(os, "mkfifo"):
        assert skipped == (("a/pipe.png", "is not a regular file"),)


def test_empty_and_unreadable_folders(tmp_path):
    with pytest.raises(ImageFileError, match="no PNG or JPEG") as error:
        load_images(tmp_path)
    assert str(error.value).startswith(str(tmp_path))
    (tmp_path / "x.png").write_bytes(b"nope")
    with pytest.raises(ImageFileError, match="none of its 1 images"):
        load_images(tmp_path)


def test_too_many_files(tmp_path, monkeypatch):
    monkeypatch.setattr(image_folder, "MAX_IMAGES", 2)
    for index in range(3):
        _save(tmp_path / f"{index}.png")
    with pytest.raises(ImageFileError, match="more than 2 images"):
        load_images(tmp_path)


def test_progress_over_both_passes(tmp_path):
    for index in range(6):
        _save(tmp_path / f"{index}.png")
    calls = []
    load_images(tmp_path, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (12, 12) and len(calls) <= 60
