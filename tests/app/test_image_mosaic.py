"""The Qt-free image mosaic: pixel placement, gaps, frames, enlargement, colour, NaN, hit-tests."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab.app.views.image_mosaic import (
    NAN_GREY,
    mosaic_layout,
    square_grid,
    tile_mosaic,
)

BACKGROUND = (10, 20, 30)


def constant_tiles(values, channels=1, size=4):
    """(n, channels, size, size) tiles, tile i filled with values[i]."""
    values = np.asarray(values, dtype=np.float32)
    return np.broadcast_to(values[:, None, None, None],
                           (len(values), channels, size, size)).copy()


def test_two_by_three_grid_places_each_constant_tile_exactly():
    values = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    frames = np.array([[i, 100 + i, 200 + i] for i in range(6)], dtype=np.uint8)
    mosaic = tile_mosaic(constant_tiles(values, size=4), 2, 3, frame_colours=frames,
                         background=BACKGROUND, min_tile=4, frame=1, gap=2)
    # cell = 1 gap + 1 frame + 4 tile + 1 frame + 1 gap = 8 px each way
    assert mosaic.rgb.shape == (16, 24, 3)
    assert mosaic.layout.scale == 1
    expected = np.empty((16, 24, 3), dtype=np.uint8)
    expected[:] = BACKGROUND
    for index, value in enumerate(values):
        row, column = divmod(index, 3)
        y, x = row * 8, column * 8
        expected[y + 1:y + 7, x + 1:x + 7] = frames[index]  # the frame ring...
        expected[y + 2:y + 6, x + 2:x + 6] = round(value * 255)  # ...around the picture
    np.testing.assert_array_equal(mosaic.rgb, expected)
    np.testing.assert_array_equal(mosaic.rects[4], [8 + 2, 8 + 2, 4, 4])  # row 1, column 1
    assert (mosaic.rgba[..., 3] == 255).all()


def test_gaps_are_background_between_neighbours_and_frames_default_to_background():
    mosaic = tile_mosaic(constant_tiles([1.0, 1.0], size=3), 1, 2, background=BACKGROUND,
                         min_tile=3, frame=1, gap=2)
    cell = 1 + 1 + 3 + 1 + 1
    assert (mosaic.rgb[:, cell - 1] == BACKGROUND).all()  # tile 0's trailing gap
    assert (mosaic.rgb[:, cell] == BACKGROUND).all()  # tile 1's leading gap
    x, y, w, h = mosaic.rects[1]
    assert (mosaic.rgb[y:y + h, x:x + w] == 255).all()
    assert (mosaic.rgb[y - 1, x:x + w] == BACKGROUND).all()  # no frame colour given


def test_small_tiles_are_enlarged_by_an_integer_nearest_neighbour_factor():
    rng = np.random.default_rng(0)
    digits = rng.random((4, 1, 8, 8), dtype=np.float32)
    mosaic = tile_mosaic(digits, 2, 2, min_tile=32, frame=2, gap=2)
    assert mosaic.layout.scale == 4
    assert mosaic.layout.tile_height == mosaic.layout.tile_width == 32
    x, y, w, h = mosaic.rects[3]
    assert (w, h) == (32, 32)
    tile = mosaic.rgb[y:y + h, x:x + w, 0]
    expected = np.round(digits[3, 0] * 255).astype(np.uint8)
    np.testing.assert_array_equal(tile, np.kron(expected, np.ones((4, 4), dtype=np.uint8)))
    assert mosaic_layout(1, 1, 1, 10, 12, min_tile=32).scale == 3  # ceil(32 / 12)
    assert mosaic_layout(1, 1, 1, 64, 64, min_tile=32).scale == 1  # never shrinks


def test_grey_and_colour_images_become_rgb():
    grey = tile_mosaic(constant_tiles([0.5], channels=1), 1, 1, min_tile=4)
    x, y, w, h = grey.rects[0]
    assert (grey.rgb[y:y + h, x:x + w] == 128).all()  # the same byte in R, G and B
    colour = np.zeros((1, 3, 4, 4), dtype=np.float32)
    colour[0, 0], colour[0, 1], colour[0, 2] = 1.0, 0.5, 0.0
    mosaic = tile_mosaic(colour, 1, 1, min_tile=4)
    np.testing.assert_array_equal(mosaic.rgb[y:y + h, x:x + w].reshape(-1, 3),
                                  np.tile([255, 128, 0], (16, 1)))


def test_out_of_range_values_are_clipped_and_nan_is_mid_grey():
    images = constant_tiles([-3.0, 7.0, np.nan, np.inf], size=2)
    images[0, 0, 0, 0] = np.nan
    mosaic = tile_mosaic(images, 1, 4, min_tile=2, frame=0, gap=0)
    rgb = mosaic.rgb
    assert rgb[0, 0, 0] == NAN_GREY and rgb[0, 1, 0] == 0
    assert (rgb[:, 2:4] == 255).all()
    assert (rgb[:, 4:8] == NAN_GREY).all()


def test_a_partly_filled_last_row_leaves_empty_cells_as_background():
    mosaic = tile_mosaic(constant_tiles([1.0] * 5, size=4), 2, 3, background=BACKGROUND,
                         min_tile=8, frame=1, gap=2)
    assert mosaic.layout.scale == 2
    x, y, w, h = mosaic.rects[4]
    assert (mosaic.rgb[y:y + h, x:x + w] == 255).all()
    cell_w = mosaic.layout.cell_width
    empty = mosaic.rgb[mosaic.layout.cell_height:, 2 * cell_w:]
    assert (empty == BACKGROUND).all()


def test_tile_rectangles_hit_test_to_their_own_tile_and_gaps_to_none():
    mosaic = tile_mosaic(constant_tiles(np.linspace(0, 1, 7), size=5), 3, 3, min_tile=10,
                         frame=2, gap=2)
    for index, (x, y, w, h) in enumerate(mosaic.rects):
        assert mosaic.tile_at(x + 0.5, y + 0.5) == index
        assert mosaic.tile_at(x + w - 0.5, y + h - 0.5) == index
        assert mosaic.tile_at(x - 1.5, y + 1) == index  # on the frame: still this tile
    x, y, w, h = mosaic.rects[0]
    assert mosaic.tile_at(x + w + 2.5, y) is None  # the gap after the frame
    assert mosaic.tile_at(-1, 5) is None
    assert mosaic.tile_at(5, 1e6) is None
    assert mosaic.tile_at(float("nan"), 5) is None
    x, y, _, _ = mosaic.layout.rect(8)  # the empty ninth cell
    assert mosaic.tile_at(x + 1, y + 1) is None


def test_buffer_is_reused_when_the_shape_matches():
    images = constant_tiles([0.1, 0.9], size=4)
    first = tile_mosaic(images, 1, 2, min_tile=4)
    second = tile_mosaic(images[::-1].copy(), 1, 2, min_tile=4, out=first.rgba)
    assert second.rgba is first.rgba
    x, y, w, h = second.rects[0]
    assert (second.rgb[y:y + h, x:x + w] == round(0.9 * 255)).all()


def test_square_grid_and_bad_input():
    assert square_grid(64) == (8, 8)
    assert square_grid(10) == (3, 4)
    assert square_grid(1) == (1, 1)
    with pytest.raises(ValueError):
        tile_mosaic(np.zeros((5, 1, 4, 4)), 2, 2)
    with pytest.raises(ValueError):
        tile_mosaic(np.zeros((2, 2, 4, 4)), 1, 2)
