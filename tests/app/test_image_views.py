"""The image views driven by stand-in frames: grids, class rows, scores, clicks, interpolation."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from ganlab.app import theme
from ganlab.app.views.image_arrangement import arrange_generated, arrange_real
from ganlab.app.views.image_grid_view import ImageGridView
from ganlab.app.views.image_tile_plot import hex_rgb, score_colours


def image_frame(n=64, size=16, channels=1, classes=0, steps=None, seed=0, nan=False,
                levels=(0.0, 1.0), latent_dim=8):
    """A RunFrame stand-in for an image target, as `ganlab/core/snapshot.py` describes it."""
    rng = np.random.default_rng(seed)
    fake = rng.random((n, channels, size, size), dtype=np.float32)
    real = rng.random((n, channels, size, size), dtype=np.float32)
    if nan:
        fake[::3] = np.nan
    labels = np.repeat(np.arange(classes), n // classes) if classes else None
    snapshot = SimpleNamespace(
        data_kind="images", real=real, fake=fake,
        latent=rng.standard_normal((n, latent_dim)).astype(np.float32),
        real_labels=labels, fake_labels=labels,
        class_names=tuple(str(k) for k in range(classes)),
        real_scores=rng.random(n), fake_scores=rng.random(n),
        heatmap_levels=levels, heatmap_label="D(x)  (1 = real)",
        nearest_real=real[::-1].copy(), nearest_distance=rng.random(n) * 5)
    path = (rng.random((steps, channels, size, size), dtype=np.float32)
            if steps else None)
    return SimpleNamespace(snapshot=snapshot, config=None, interpolation_path=path)


@pytest.fixture
def view(qtbot):
    widget = ImageGridView()
    qtbot.addWidget(widget)
    widget.resize(700, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def click_tile(qtbot, view, index, shift=False):
    """A real mouse click on generated tile `index`, through the graphics view's viewport."""
    scene_point = view.generated.tile_scene_centre(index)
    widget_point = view.graphics.mapFromScene(scene_point)
    modifier = (Qt.KeyboardModifier.ShiftModifier if shift
                else Qt.KeyboardModifier.NoModifier)
    qtbot.mouseClick(view.graphics.viewport(), Qt.MouseButton.LeftButton, modifier,
                     QPoint(widget_point.x(), widget_point.y()))


def tile_pixels(plot, index):
    x, y, w, h = plot.layout.rect(index)
    return plot.image_item.image[y:y + h, x:x + w, :3]


def test_64_tiles_draw_as_one_image_with_each_tiles_values(view):
    run = image_frame(n=64, size=16)
    view.show_run(run)
    image = view.generated.image_item.image
    layout = view.generated.layout
    assert (layout.rows, layout.columns, layout.scale) == (8, 8, 2)
    assert image.shape == (8 * (32 + 2 * 2 + 2), 8 * (32 + 2 * 2 + 2), 4)
    for index in (0, 9, 63):
        expected = np.floor(run.snapshot.fake[index, 0] * 255 + 0.5).astype(np.uint8)
        np.testing.assert_array_equal(tile_pixels(view.generated, index)[::2, ::2, 0], expected)
    first = view.generated.image_item.image
    view.show_run(image_frame(n=64, size=16, seed=1))
    assert np.shares_memory(view.generated.image_item.image, first)  # the buffer is reused


def test_conditional_frame_has_one_labelled_row_per_class(view):
    run = image_frame(n=80, classes=10)
    view.show_run(run)
    layout = view.generated.layout
    assert (layout.rows, layout.columns) == (10, 8)
    ticks = view.generated_plot.getAxis("left")._tickLevels[0]
    assert [name for _, name in ticks] == [str(k) for k in range(10)]
    assert [y for y, _ in ticks] == [(r + 0.5) * layout.cell_height for r in range(10)]
    assert view.generated_plot.getAxis("left").isVisible()
    real = view.real.layout
    assert (real.rows, real.columns) == (10, 8)  # real images by class beside them


def test_real_images_follow_the_generated_class_rows():
    labels = np.repeat(np.arange(3), 4)
    grid = arrange_generated(12, labels, ("cat", "dog", "eel"))
    assert grid.row_labels == ("cat", "dog", "eel")
    real_labels = np.array([2, 0, 1] * 6)
    indices, real_grid = arrange_real(18, real_labels, grid, limit=64)
    assert real_grid == grid
    np.testing.assert_array_equal(real_labels[indices], labels)
    assert arrange_generated(12, np.array([0, 1] * 6)).rows == 3  # not in blocks: square grid


def test_clicking_a_tile_selects_it_and_shows_its_nearest_training_image(qtbot, view):
    run = image_frame(n=16, size=16)
    view.show_run(run)
    click_tile(qtbot, view, 5)
    assert view.selected == 5
    assert view.generated.outlined("selected") == 5
    assert view.nearest.layout.count == 2
    np.testing.assert_array_equal(
        tile_pixels(view.nearest, 1)[::4, ::4, 0],
        np.floor(run.snapshot.nearest_real[5, 0] * 255 + 0.5).astype(np.uint8))
    distance = run.snapshot.nearest_distance[5]
    assert f"distance {distance:.2f}" in view.nearest_caption.text
    assert "Generated image 5" in view.readout.text()


def test_shift_clicks_on_two_tiles_emit_their_latent_rows(qtbot, view):
    run = image_frame(n=16)
    view.show_run(run)
    click_tile(qtbot, view, 2, shift=True)
    with qtbot.waitSignal(view.latent_request_chosen, timeout=1000) as signal:
        click_tile(qtbot, view, 11, shift=True)
    start, end = signal.args[0].start, signal.args[0].end
    np.testing.assert_array_equal(start, run.snapshot.latent[2])
    np.testing.assert_array_equal(end, run.snapshot.latent[11])
    assert view.ends == (2, 11)
    assert view.selected is None  # Shift-clicks do not select
    view.pick_ends.setChecked(True)  # the mode toggle does what Shift does
    view.choose_end(0)
    assert view.ends == (0,)


def test_interpolation_row_shows_each_step_and_the_traveller(view):
    view.show_run(image_frame(n=16, steps=9))
    assert (view.path.layout.rows, view.path.layout.columns) == (1, 9)
    view.move_traveller(0.5)
    assert view.path.outlined("traveller") == 4
    view.move_traveller(1.0)
    assert view.path.outlined("traveller") == 8
    view.show_run(image_frame(n=16, steps=None))
    assert not view.path.image_item.isVisible()


def test_scores_map_to_colours_monotonically_from_generated_to_real():
    scores = np.linspace(-0.5, 1.5, 41)
    colours = score_colours(scores, (0.0, 1.0)).astype(int)
    green, red = hex_rgb(theme.REAL), hex_rgb(theme.GENERATED)
    np.testing.assert_array_equal(colours[0], red)  # below the levels: clipped
    np.testing.assert_array_equal(colours[-1], green)
    for channel in range(3):
        steps = np.diff(colours[:, channel]) * np.sign(green[channel] - red[channel])
        assert (steps >= 0).all()
    assert (np.diff(colours[:, 1]) >= 0).all() and colours[-1, 1] > colours[0, 1]
    grey = score_colours(np.array([np.nan]), (0.0, 1.0))[0]
    np.testing.assert_array_equal(grey, hex_rgb(theme.MUTED))


def test_score_frames_use_fixed_or_adapted_levels(view):
    run = image_frame(n=4, levels=None)
    run.snapshot.fake_scores = np.array([-40.0, -10.0, 10.0, 40.0])
    run.snapshot.real_scores = np.zeros(4)
    view.show_run(run)
    frame_pixel = [view.generated.image_item.image[y - 1, x, :3]
                   for x, y, _, _ in (view.generated.layout.rect(i) for i in range(4))]
    greens = [int(p[1]) for p in frame_pixel]
    assert greens == sorted(greens) and greens[0] < greens[-1]


def test_a_frame_with_nan_images_and_scores_draws(view):
    run = image_frame(n=16, nan=True, steps=5)
    run.snapshot.fake_scores[:4] = np.nan
    run.snapshot.nearest_distance[:] = np.nan
    view.show_run(run)
    view.select_tile(0)
    assert (tile_pixels(view.generated, 0) == 128).all()
    assert "distance —" in view.nearest_caption.text
    view.grab()


def test_colour_images_and_points_frames(view):
    view.show_run(image_frame(n=9, size=32, channels=3))
    assert view.generated.layout.scale == 1
    points = SimpleNamespace(snapshot=SimpleNamespace(data_kind="points",
                                                      fake=np.zeros((5, 2))))
    view.show_run(points)  # not images: ignored
    view.set_title("Run A: minimax")
    assert view.title.text == "Run A: minimax"
    view.restart()


def lagging(run, iteration, images_iteration):
    run.snapshot.iteration, run.snapshot.images_iteration = iteration, images_iteration
    return run


def test_the_caption_names_the_pictures_iteration_only_when_they_lag_a_frame(view):
    now = [0.0]
    view.lag.clock = lambda: now[0]
    caption = view.generated_caption
    run = image_frame(n=16)
    for iteration, images_iteration in ((100, 100), (104, 100), (108, 104)):
        view.show_run(lagging(run, iteration, images_iteration))  # at most a frame behind
        assert caption.text == "Generated G(z), fixed z" and caption.toolTip() == ""
    view.show_run(lagging(run, 112, 104))  # older than the previous frame's 108
    assert caption.text == "Generated G(z), pictures from iteration 104"
    assert "helper thread" in caption.toolTip()
    now[0] = 0.5  # caught up, but a note stays a second so a late frame does not blink
    view.show_run(lagging(run, 116, 112))
    assert caption.text == "Generated G(z), pictures from iteration 112"
    now[0] = 1.2
    view.show_run(lagging(run, 120, 116))
    assert caption.text == "Generated G(z), fixed z" and caption.toolTip() == ""
    view.show_run(lagging(run, 130, 110))
    view.restart()  # new networks: the counter starts again
    view.show_run(lagging(run, 2, 0))
    assert caption.text == "Generated G(z), fixed z"
    view.show_run(lagging(run, 5, 5))  # paused or inline: the pictures are the counter's
    assert caption.text == "Generated G(z), fixed z"
