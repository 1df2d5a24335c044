"""The embedded digits and the synthetic families: shapes, ranges, labels, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab.core.images import SYNTHETIC_FAMILIES, TWO_CLASS_FEATURES, digits, synthetic


@pytest.mark.parametrize("resolution", [8, 16, 32])
def test_digits_at_every_resolution(resolution):
    data = digits(resolution)
    assert data.images.shape == (1797, 1, resolution, resolution)
    assert data.images.dtype == np.float32
    assert data.images.min() == 0.0 and data.images.max() == 1.0
    assert data.class_names == tuple("0123456789")
    assert np.bincount(data.labels).min() >= 170  # ~180 per digit
    assert data.name == f"digits{resolution}"
    assert digits(resolution) is data  # cached


def test_digits_upscaling_keeps_the_picture():
    small, large = digits(8).images[:, 0], digits(16).images[:, 0]
    pooled = large.reshape(-1, 8, 2, 8, 2).mean(axis=(2, 4))
    assert np.abs(pooled - small).mean() < 0.05


def test_digits_refuses_other_resolutions():
    with pytest.raises(ValueError, match="8, 16, 32"):
        digits(24)


@pytest.mark.parametrize("family", list(SYNTHETIC_FAMILIES))
@pytest.mark.parametrize("resolution", [8, 13, 64])
def test_synthetic_shapes_and_ranges(family, resolution):
    data = synthetic(family, resolution, n=60, seed=3)
    assert data.images.shape == (60, 1, resolution, resolution)
    assert data.images.min() >= 0.0 and data.images.max() <= 1.0
    assert data.images.max() > 0.5  # something is drawn
    assert data.labels.shape == (60,) and data.labels.max() < data.num_classes
    assert data.images.reshape(60, -1).std(axis=1).min() > 0.01  # no blank image


@pytest.mark.parametrize("family", list(SYNTHETIC_FAMILIES))
def test_synthetic_is_deterministic(family):
    first, second = synthetic(family, 16, 50, seed=7), synthetic(family, 16, 50, seed=7)
    assert first.content_hash() == second.content_hash()
    assert synthetic(family, 16, 50, seed=8).content_hash() != first.content_hash()


def test_shape_classes_differ_in_area():
    data = synthetic("shapes", 32, 600, seed=0)
    area = data.images.sum(axis=(1, 2, 3)) / 32**2
    assert set(np.unique(data.labels)) == {0, 1, 2}
    assert area.min() > 0.02 and area.max() < 0.4


def test_blob_classes_count_their_blobs():
    data = synthetic("blobs", 32, 90, seed=1)
    images = data.images[:, 0]
    peaks = (images > 0.6) & (images == np.maximum.reduce([
        np.roll(images, shift, axis) for shift in (-1, 0, 1) for axis in (1, 2)
    ]))
    assert (peaks.sum(axis=(1, 2)) == data.labels + 1).mean() > 0.9


def test_stripe_classes_follow_the_direction():
    data = synthetic("stripes", 32, 200, seed=2)
    images = data.images[:, 0]
    along_rows = np.abs(np.diff(images, axis=2)).mean(axis=(1, 2))  # small when horizontal
    along_columns = np.abs(np.diff(images, axis=1)).mean(axis=(1, 2))
    horizontal, vertical = data.labels == 0, data.labels == 2
    assert (along_rows[horizontal] < along_columns[horizontal]).all()
    assert (along_rows[vertical] > along_columns[vertical]).all()


@pytest.mark.parametrize("feature", list(TWO_CLASS_FEATURES))
def test_two_class_differs_in_the_feature_only(feature):
    data = synthetic("two-class", 32, 400, seed=4, feature=feature)
    images, labels = data.images[:, 0], data.labels
    area = (images > 0).mean(axis=(1, 2))  # any coverage: independent of brightness
    peak = images.max(axis=(1, 2))
    columns = np.arange(32)
    centre_x = (images.sum(axis=1) * columns).sum(axis=1) / images.sum(axis=(1, 2))
    measured = {"size": area, "brightness": peak, "position": centre_x}
    for name, values in measured.items():
        gap = abs(values[labels == 1].mean() - values[labels == 0].mean())
        spread = values.std() + 1e-6
        if name == feature:
            assert gap > spread * 0.9
        else:
            assert gap < spread * 0.25
    assert data.class_names == TWO_CLASS_FEATURES[feature]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: synthetic("spirals"), "unknown family"),
        (lambda: synthetic("shapes", 7), "8..64"),
        (lambda: synthetic("shapes", 65), "8..64"),
        (lambda: synthetic("shapes", 16.0), "8..64"),
        (lambda: synthetic("shapes", 16, 0), "n must be"),
        (lambda: synthetic("shapes", feature="size"), "no option"),
        (lambda: synthetic("two-class", feature="colour"), "feature must be"),
    ],
)
def test_synthetic_refuses(call, message):
    with pytest.raises(ValueError, match=message):
        call()
