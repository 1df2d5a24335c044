"""Iteration ticks never run together: the step grows with the labels' width against the
chart's, and every image chart at 1366×768 (the narrowest, "Class KL to real", included) gets
labels a step apart wider than the widest of them."""

from __future__ import annotations

import pytest

from ganlab.app.views.chart_ticks import GAP, iteration_label, iteration_ticks


def five_pixels_a_character(text: str) -> float:
    return 5.0 * len(text)


def test_the_step_is_the_finest_nice_one_whose_labels_fit():
    # 0..20000 over 400 px: 1k steps are 20 px < "10k" (15 px) + 8; 2k steps are 40 px: fit
    majors, minors = iteration_ticks(0, 20000, 400, five_pixels_a_character)
    assert [value for value, _ in majors] == [2000.0 * k for k in range(11)]
    assert majors[5] == (10000.0, "10k") and majors[0] == (0.0, "0")
    assert [value for value, _ in minors] == [1000.0 + 2000.0 * k for k in range(10)]
    assert all(text == "" for _, text in minors)
    # narrower: 100 px → 10k steps (50 px ≥ 23); 5k steps would be 25 px ≥ 23 too
    assert [t for _, t in iteration_ticks(0, 20000, 100, five_pixels_a_character)[0]] == \
        ["0", "5k", "10k", "15k", "20k"]
    assert [t for _, t in iteration_ticks(0, 20000, 80, five_pixels_a_character)[0]] == \
        ["0", "10k", "20k"]
    # below a step of 1,000 the numbers are written out
    assert [t for _, t in iteration_ticks(0, 1000, 200, five_pixels_a_character)[0]] == \
        ["0", "200", "400", "600", "800", "1000"]
    assert iteration_ticks(5, 5, 100, five_pixels_a_character) == [[], []]
    assert iteration_ticks(0, 10, 0, five_pixels_a_character) == [[], []]


@pytest.mark.parametrize(("low", "high", "pixels"), [(0, 20000, 80), (0, 50000, 130),
                                                     (0, 200, 60), (0, 2e6, 90),
                                                     (123, 4567, 70)])
def test_neighbouring_labels_never_touch(low, high, pixels):
    majors, _ = iteration_ticks(low, high, pixels, five_pixels_a_character)
    assert majors and all(low <= value <= high for value, _ in majors)
    step = majors[1][0] - majors[0][0] if len(majors) > 1 else high - low
    widest = max(five_pixels_a_character(text) for _, text in majors)
    assert step / (high - low) * pixels >= widest + GAP
    assert iteration_label(2.5e6, 1e6) == "2500k" and iteration_label(1500, 500) == "1500"


def test_every_image_chart_at_1366_gets_ticks_that_fit(qtbot):
    from PySide6.QtGui import QFontMetricsF

    from ganlab.app.history import RunHistory
    from ganlab.app.views.charts import Charts
    from tests.app.test_image_window import METRICS_ROW

    charts = Charts()
    qtbot.addWidget(charts)
    charts.resize(1346, charts.minimumHeight())  # the charts dock of a maximised 1366 window
    charts.show()
    charts.set_data_kind("images", 10)
    history = RunHistory()
    for step in range(1, 21):
        history.add_losses(1000 * step, 1.3, 0.7)
        history.add_metrics(METRICS_ROW | {"iteration": 1000 * step})
    charts.show_histories([history])
    qtbot.wait(50)
    for chart in charts.chart_names:
        plot = charts.all_plots[chart]
        axis = plot.getAxis("bottom")
        majors = axis._iteration_ticks[0]
        assert len(majors) >= 2, chart  # at least two labels, whatever the chart's width
        metrics = QFontMetricsF(axis.style["tickFont"])
        widest = max(metrics.horizontalAdvance(text) for _, text in majors)
        low, high = plot.vb.viewRange()[0]
        spacing = (majors[1][0] - majors[0][0]) / (high - low) * plot.vb.width()
        assert spacing >= widest + GAP, chart
