"""Moving the generated samples in place draws exactly what rebuilding the scatter draws."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from ganlab.app.views.moving_points import move_points


def styled_scatter() -> pg.ScatterPlotItem:  # as the canvas's generated samples
    return pg.ScatterPlotItem(size=6, pen=pg.mkPen("#2a0d3f", width=0.8),
                              brush=pg.mkBrush(150, 80, 220, 230))


@pytest.fixture
def two_plots(qtbot):
    plots = []
    for _ in range(2):
        widget = pg.PlotWidget()
        widget.resize(300, 240)
        widget.setRange(xRange=(-3, 3), yRange=(-3, 3), padding=0)
        widget.disableAutoRange()
        qtbot.addWidget(widget)
        widget.show()
        scatter = styled_scatter()
        widget.addItem(scatter)
        plots.append((widget, scatter))
    qtbot.waitExposed(plots[1][0])
    return plots


def pixels(widget) -> bytes:
    image = widget.grab().toImage()
    return bytes(image.constBits())


def test_moved_points_draw_the_same_pixels_as_set_data(two_plots):
    (rebuilt_view, rebuilt), (moved_view, moved) = two_plots
    rng = np.random.default_rng(3)
    first = rng.normal(size=(512, 2)).astype(np.float32)
    rebuilt.setData(pos=first)
    moved.setData(pos=first)
    before = pixels(moved_view)
    for _ in range(3):
        positions = rng.normal(scale=1.5, size=(512, 2)).astype(np.float32)
        rebuilt.setData(pos=positions)
        move_points(moved, positions)
        after = pixels(moved_view)
        assert after != before  # the points moved on screen
        assert after == pixels(rebuilt_view)
        before = after
        np.testing.assert_array_equal(np.column_stack(moved.getData()), positions)
        for axis in (0, 1):  # the cached bounds follow the points
            assert moved.dataBounds(axis) == pytest.approx(rebuilt.dataBounds(axis))


def test_another_count_rebuilds_the_scatter(two_plots):
    (_, scatter), _ = two_plots
    scatter.setData(pos=np.zeros((4, 2)))
    move_points(scatter, np.ones((7, 2)))
    assert len(scatter.data) == 7 and np.all(scatter.data["x"] == 1)
    move_points(scatter, np.empty((0, 2)))
    assert len(scatter.data) == 0
