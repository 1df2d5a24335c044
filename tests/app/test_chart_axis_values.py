"""The charts' value axes show the values themselves: no automatic SI prefix, which pyqtgraph
applies to any labelled axis whose range lies within (0, 1] (a coverage of 0.6-0.8 read
"600-800" under a "(x0.001)" label that ran into the chart's title)."""

from __future__ import annotations

import pytest

from tests.app.test_image_window import METRICS_ROW


def two_runs():
    from ganlab.app.history import RunHistory

    histories = []
    for shift in (0.0, 0.1):  # run B a little above run A, all below 1
        history = RunHistory()
        for step in range(1, 11):
            history.add_losses(100 * step, 1.3, 0.7)
            history.add_metrics(METRICS_ROW | {
                "iteration": 100 * step, "class_kl": 0.3 + shift, "coverage": 0.6 + shift,
                "density": 0.7 + shift, "mean_confidence": 0.75 + shift})
        histories.append(history)
    return histories


@pytest.mark.parametrize("runs", [1, 2])
def test_value_axes_show_plain_values_in_single_and_compare_mode(qtbot, runs):
    from ganlab.app.views.charts import Charts

    charts = Charts()
    qtbot.addWidget(charts)
    charts.resize(1346, charts.minimumHeight())
    charts.show()
    charts.set_data_kind("images", 10)
    charts.set_run_count(runs)
    charts.show_histories(two_runs()[:runs])
    qtbot.wait(20)
    for chart in ("class_kl", "coverage"):
        axis = charts.all_plots[chart].getAxis("left")
        low, high = charts.all_plots[chart].vb.viewRange()[1]
        assert 0.0 <= low < high <= 1.5, chart  # the values' own range, fractions and nats
        assert axis.autoSIPrefixScale == 1.0, chart
        assert "(x" not in axis.labelString(), chart
        assert axis.labelText in ("nats", "fraction"), chart
        # the tick labels are the values: numbers within the range, none scaled by 1000
        levels = axis.tickValues(low, high, charts.all_plots[chart].vb.height())
        spacing, values = levels[0]
        texts = axis.tickStrings(values, axis.autoSIPrefixScale * axis.scale, spacing)
        numbers = [float(text) for text in texts]
        assert len(numbers) >= 2, chart
        assert all(low - 1e-9 <= number <= high + 1e-9 for number in numbers), (chart, texts)
    for chart in charts.chart_names:  # and no chart of the row scales its values
        assert charts.all_plots[chart].getAxis("left").autoSIPrefixScale == 1.0, chart
