"""PNG sample grids: exact pixels, layout, upscaling, one row per class, refusals."""

import numpy as np
import pytest
import torch
from PIL import Image

from ganlab.core.image_grid import image_grid, to_uint8, write_png_grid


def _constant_tiles(values, channels=1, size=2):
    return np.stack([np.full((channels, size, size), v, dtype=np.float32) for v in values])


def test_quantisation_rounds_half_up():
    assert to_uint8(np.array([0.0, 0.5, 1.0, 1 / 255, 0.4999 / 255])).tolist() == [
        0, 128, 255, 1, 0]


def test_two_by_two_grid_of_constant_tiles_has_exact_pixels(tmp_path):
    images = _constant_tiles([0.0, 0.25, 0.5, 1.0])  # 4 tiles of 2×2 → 2 rows × 2 columns
    path = write_png_grid(tmp_path / "grid.png", images, gap_value=1.0)
    with Image.open(path) as png:
        assert png.mode == "L" and png.size == (5, 5)  # 2·2 + 1 gap each way
        picture = np.asarray(png)
    g = 255
    assert picture.tolist() == [
        [0, 0, g, 64, 64],
        [0, 0, g, 64, 64],
        [g, g, g, g, g],
        [128, 128, g, 255, 255],
        [128, 128, g, 255, 255],
    ]
    assert not list(tmp_path.glob(".*.tmp"))


def test_upscaling_repeats_pixels_and_keeps_one_pixel_gaps():
    tile = np.array([[[0.0, 1.0], [0.5, 0.2]]], dtype=np.float32)  # (1, 2, 2)
    images = np.stack([tile, np.zeros_like(tile)])
    picture = image_grid(images, zoom=3, gap_value=0.0)
    assert picture.shape == (6, 13)  # one row; 2 tiles of 6 wide + one gap
    expected_tile = np.kron(to_uint8(tile[0]), np.ones((3, 3), dtype=np.uint8))
    assert np.array_equal(picture[:, :6], expected_tile)
    assert picture[:, 6].tolist() == [0] * 6  # the gap
    assert np.array_equal(picture[:, 7:], np.zeros((6, 6), dtype=np.uint8))
    assert expected_tile[0].tolist() == [0, 0, 0, 255, 255, 255]
    assert expected_tile[3].tolist() == [128, 128, 128, 51, 51, 51]


def test_rgb_tiles_and_empty_cells(tmp_path):
    red = np.zeros((3, 4, 4), dtype=np.float32)
    red[0] = 1.0
    images = np.stack([red] * 3)  # 3 tiles → 2 × 2 with one empty cell
    path = write_png_grid(tmp_path / "rgb.png", torch.from_numpy(images), gap_value=0.5)
    with Image.open(path) as png:
        assert png.mode == "RGB" and png.size == (9, 9)
        picture = np.asarray(png)
    assert picture[0, 0].tolist() == [255, 0, 0]
    assert picture[4, 4].tolist() == [128, 128, 128]  # gap
    assert (picture[5:, 5:] == 128).all()  # the empty fourth cell is gap colour
    assert picture[5:, :4].reshape(-1, 3).tolist() == [[255, 0, 0]] * 16


def test_one_row_per_class():
    values = [0.1, 0.2, 0.3, 0.4, 0.5]
    labels = np.array([2, 0, 2, 2, 0])
    picture = image_grid(_constant_tiles(values, size=1), labels=labels, gap_value=1.0)
    assert picture.shape == (3, 5)  # 2 classes → 2 rows; class 2 has 3 images → 3 columns
    assert picture.tolist() == [
        [to_uint8(0.2), 255, to_uint8(0.5), 255, 255],  # class 0: images 1, 4, then empty
        [255] * 5,
        [to_uint8(0.1), 255, to_uint8(0.3), 255, to_uint8(0.4)],  # class 2: images 0, 2, 3
    ]


def test_columns_choose_the_layout():
    assert image_grid(_constant_tiles([0] * 6, size=1), columns=4).shape == (3, 7)
    assert image_grid(_constant_tiles([0] * 6, size=1)).shape == (3, 5)  # ⌈√6⌉ = 3 columns, 2 rows


@pytest.mark.parametrize(("images", "kwargs", "message"), [
    (np.zeros((2, 2, 4, 4)), {}, "1 or 3 channels"),
    (np.zeros((4, 4)), {}, "got shape"),
    (np.zeros((0, 1, 4, 4)), {}, "n ≥ 1"),
    (np.full((1, 1, 2, 2), np.nan), {}, "NaN or infinite"),
    (np.full((1, 1, 2, 2), 1.5), {}, r"in \[0, 1\], got values in \[1.5, 1.5\]"),
    (np.zeros((1, 1, 2, 2), dtype=np.uint8), {}, "must be floats"),
    (np.zeros((1, 1, 2, 2)), {"zoom": 0}, "zoom must be"),
    (np.zeros((1, 1, 2, 2)), {"columns": 0}, "at least one column"),
    (np.zeros((2, 1, 2, 2)), {"labels": [0]}, "labels must be 2 integers"),
    (np.zeros((2, 1, 2, 2)), {"labels": [0, 1], "columns": 2}, "leave columns unset"),
    (np.zeros((1, 1, 64, 64)), {"zoom": 200}, "more than"),
])
def test_bad_input_is_refused(images, kwargs, message):
    with pytest.raises(ValueError, match=message):
        image_grid(images, **kwargs)
