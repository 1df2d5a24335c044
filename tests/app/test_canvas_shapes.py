"""The data canvas's shapes as numbers, without Qt: arrows at a steady scale, broken polylines,
the travelling point, the off-screen markers' places."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab.app.views.canvas_shapes import (
    ARROW_LENGTH,
    ARROW_SHRINK,
    ArrowScale,
    edge_position,
    joined_polylines,
    point_along,
)
from ganlab.core.targets import ViewBox

BOX = ViewBox(low=(-2.0, -1.0), high=(2.0, 1.0))


def test_the_typical_arrow_is_a_fixed_fraction_of_the_view_and_points_down_the_gradient():
    scale = ArrowScale()
    fake = np.zeros((10, 2))
    gradients = np.tile([[3.0, 0.0]], (10, 1))
    arrows = scale.arrows(fake, gradients, BOX)
    assert arrows.median_norm == pytest.approx(3.0)
    np.testing.assert_allclose(arrows.tips, np.tile([[-ARROW_LENGTH * 4.0, 0.0]], (10, 1)))
    np.testing.assert_allclose(arrows.segments[0::2], fake)
    np.testing.assert_allclose(arrows.segments[1::2], arrows.tips)


def test_the_arrow_scale_jumps_up_and_forgets_slowly():
    scale = ArrowScale()
    fake = np.zeros((4, 2))
    scale.arrows(fake, np.tile([[10.0, 0.0]], (4, 1)), BOX)
    assert scale.reference == pytest.approx(10.0)
    scale.arrows(fake, np.tile([[1.0, 0.0]], (4, 1)), BOX)
    assert scale.reference == pytest.approx(10.0 * (1 - ARROW_SHRINK))
    scale.arrows(fake, np.tile([[20.0, 0.0]], (4, 1)), BOX)
    assert scale.reference == pytest.approx(20.0)


def test_non_finite_points_get_no_arrow():
    scale = ArrowScale()
    fake = np.array([[np.nan, 0.0], [0.0, 0.0]])
    gradients = np.array([[1.0, 0.0], [np.inf, 0.0]])
    assert scale.arrows(fake, gradients, BOX) is None
    assert scale.reference is None


def test_polylines_join_without_lines_between_them_or_from_non_finite_points():
    first = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    second = np.array([[0.0, 1.0], [np.nan, 1.0], [2.0, 1.0]])
    points, connect = joined_polylines([first, second])
    assert connect.tolist() == [True, True, False, True, False, False]
    assert np.isfinite(points).all()
    np.testing.assert_array_equal(points[4], [0.0, 0.0])


def test_the_travelling_point_moves_along_the_path():
    path = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 2.0]])
    np.testing.assert_allclose(point_along(path, 0.0), [0.0, 0.0])
    np.testing.assert_allclose(point_along(path, 0.25), [0.5, 0.0])
    np.testing.assert_allclose(point_along(path, 0.75), [1.0, 1.0])
    np.testing.assert_allclose(point_along(path, 1.0), [1.0, 2.0])
    np.testing.assert_allclose(point_along(path[:1], 0.6), [0.0, 0.0])


def test_off_screen_markers_sit_on_the_edge_they_point_to():
    assert edge_position(BOX, 2, 1) == (2.0, 0.0)
    assert edge_position(BOX, 0, 0) == (-2.0, -1.0)
    assert edge_position(BOX, 1, 2) == (0.0, 1.0)
