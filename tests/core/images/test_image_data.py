"""ImageData: what construction refuses, the derived properties, the content hash."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab.core.images import ImageData


def _data(images=None, labels=None, class_names=()):
    if images is None:
        images = np.linspace(0, 1, 2 * 4 * 4, dtype=np.float32).reshape(2, 1, 4, 4)
    return ImageData(images, labels, class_names, "test", "test images")


def test_properties_and_read_only():
    images = np.zeros((3, 3, 5, 5), np.float32)
    data = _data(images, np.array([0, 1, 1]), ("a", "b"))
    assert data.shape == (3, 5, 5)
    assert (data.channels, data.resolution, data.num_classes, len(data)) == (3, 5, 2, 3)
    assert data.labelled
    assert data.labels.dtype == np.int64
    assert not data.images.flags.writeable and not data.labels.flags.writeable
    assert data.images.flags.c_contiguous
    with pytest.raises(ValueError, match="read-only"):
        data.images[0, 0, 0, 0] = 1
    unlabelled = _data()
    assert not unlabelled.labelled and unlabelled.num_classes == 0


def test_non_contiguous_input_is_made_contiguous():
    images = np.zeros((2, 4, 4, 1), np.float32).transpose(0, 3, 1, 2)
    assert _data(images).images.flags.c_contiguous


@pytest.mark.parametrize(
    ("images", "labels", "class_names", "message"),
    [
        (np.zeros((2, 4, 4), np.float32), None, (), "n, channels"),
        (np.zeros((2, 1, 4, 4), np.float64), None, (), "float32"),
        (np.zeros((0, 1, 4, 4), np.float32), None, (), "no images"),
        (np.zeros((2, 2, 4, 4), np.float32), None, (), "1 or 3 channels"),
        (np.zeros((2, 1, 4, 5), np.float32), None, (), "square"),
        (np.full((2, 1, 4, 4), np.nan, np.float32), None, (), "not finite"),
        (np.full((2, 1, 4, 4), 1.5, np.float32), None, (), r"\[0, 1\]"),
        (np.full((2, 1, 4, 4), -0.1, np.float32), None, (), r"\[0, 1\]"),
        (None, np.array([0, 1, 0]), ("a", "b"), "expected 2 labels"),
        (None, np.array([0, 2]), ("a", "b"), r"\[0, 2\)"),
        (None, np.array([-1, 0]), ("a", "b"), r"\[0, 2\)"),
        (None, np.array([0.0, 1.0]), ("a", "b"), "integers"),
        (None, np.array([0, 1]), (), "no class names"),
        (None, None, ("a",), "no labels"),
    ],
)
def test_construction_refuses(images, labels, class_names, message):
    with pytest.raises(ValueError, match=message):
        _data(images, labels, class_names)


def test_content_hash_stable_and_sensitive():
    base = _data(labels=np.array([0, 1]), class_names=("a", "b"))
    again = _data(labels=np.array([0, 1]), class_names=("a", "b"))
    assert base.content_hash() == again.content_hash()
    assert base.content_hash().startswith("sha256:") and len(base.content_hash()) == 71
    pixel = np.array(base.images)
    pixel[1, 0, 2, 3] = np.nextafter(pixel[1, 0, 2, 3], np.float32(0))
    assert _data(pixel, np.array([0, 1]), ("a", "b")).content_hash() != base.content_hash()
    assert _data(labels=np.array([1, 0]), class_names=("a", "b")).content_hash() \
        != base.content_hash()
    assert _data(labels=np.array([0, 1]), class_names=("a", "c")).content_hash() \
        != base.content_hash()
    assert _data().content_hash() != base.content_hash()
    renamed = ImageData(base.images, base.labels, base.class_names, "other", "other")
    assert renamed.content_hash() == base.content_hash()
