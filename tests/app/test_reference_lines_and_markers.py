"""Charts draw what a perfect generator reaches; the canvas says where generated points left."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab.core.targets import ViewBox


def test_reference_lines_are_finite_batch_floors_and_hinge_equilibrium(qtbot):
    from ganlab.app.views.charts import Charts

    charts = Charts()
    qtbot.addWidget(charts)
    lines = charts.reference_lines
    charts.set_objectives(["mmd"], [(None, 0.0428)])
    assert not lines[(0, "discriminator")].isVisible()
    assert lines[(0, "generator")].isVisible()
    assert lines[(0, "generator")].value() == pytest.approx(0.0428)
    # labelled beside the chart: a sample distance's floor is what p_g = p_data reads
    assert charts.labels["losses"].text_of(lines[(0, "generator")]) == "G 0.0428"
    assert charts.labels["losses"].text_of(lines[(0, "discriminator")]) is None
    charts.set_objectives(["hinge"], [(2.0, None)])
    assert lines[(0, "discriminator")].value() == 2.0
    assert not lines[(0, "generator")].isVisible()
    charts.set_objectives(["hinge"])  # without the worker's values: the theory values
    assert lines[(0, "discriminator")].value() == 2.0
    charts.set_w1_floor(0.25)
    assert charts.w1_floor.isVisible() and charts.w1_floor.value() == 0.25
    charts.set_w1_floor(None)
    assert not charts.w1_floor.isVisible()


def test_canvas_marks_points_off_the_view_at_their_edge(qtbot):
    from ganlab.app.views.data_canvas import DataCanvas
    from ganlab.core.fields import outside_counts

    canvas = DataCanvas()
    qtbot.addWidget(canvas)
    box = ViewBox((-1.0, -1.0), (1.0, 1.0))
    points = np.array([[0.0, 0.0]] * 5 + [[4.0, 0.0]] * 3 + [[-3.0, 5.0]])
    generated = canvas.layers["generated"]
    labels = generated.offscreen.labels
    generated.show_offscreen(outside_counts(points, box), box)
    right = labels[(2, 1)]
    corner = labels[(0, 2)]
    assert right.isVisible() and right.toPlainText() == "→ 3 of 9 off-screen"
    # at the right edge, half a label's height below the middle (the left label is above it)
    assert right.pos().x() == 1.0 and -0.5 < right.pos().y() < 0
    assert corner.isVisible() and corner.toPlainText() == "↖ 1 of 9 off-screen"
    hidden = [key for key, label in labels.items() if not label.isVisible()]
    assert len(hidden) == 6
    generated.show_offscreen(outside_counts(points[:5], box), box)
    assert not any(label.isVisible() for label in labels.values())


def test_offscreen_counts_in_every_direction_never_overlap_in_a_narrow_view(qtbot):
    """Compare mode at 1366×768 gives each canvas ~380 px: the left and right counts, and the
    three along an edge, used to run into each other there."""
    from ganlab.app.views.data_canvas import DataCanvas

    canvas = DataCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(380, 420)  # a run's canvas in compare mode at 1366×768
    canvas.show()
    qtbot.waitExposed(canvas)
    box = ViewBox((-1.0, -1.0), (1.0, 1.0))
    canvas.plot.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)
    counts = np.full((3, 3), 123)
    counts[1, 1] = 0
    labels = canvas.layers["generated"].offscreen
    labels.show(counts, box, shown=True)
    qtbot.wait(50)
    rects = {key: label.sceneBoundingRect() for key, label in labels.labels.items()}
    assert all(label.isVisible() for label in labels.labels.values())
    for a in rects:
        for b in rects:
            if a < b:
                assert not rects[a].intersects(rects[b]), (a, b)
