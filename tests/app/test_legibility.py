"""Every label readable (issue 16): colour bars with numbers, the MMD witness drawn, no stale
colour bar without a discriminator, a diagram that agrees with the objective, chart labels that
never touch at 1366 and 1920 pixels, and status metrics that leave the counters alone (the 1D
view's labels: test_line_view_labels)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganlab.app.layers import Layers
from ganlab.core.snapshot import Snapshot
from ganlab.core.targets import ViewBox
from ganlab.training.frame import RunFrame

BOX = ViewBox((-2.0, -2.0), (2.0, 2.0))
RNG = np.random.default_rng(0)


def run_frame(objective: str, output_kind: str, critic=None, d_star=None, levels=None,
              label: str = "critic d(x)  (high = real)", box: ViewBox = BOX, latent_dim: int = 2,
              pushforward=None) -> RunFrame:
    """A frame as the worker sends it, with only the fields a test needs."""
    dim = len(box.low)
    snapshot = Snapshot(
        iteration=10, critic_updates=10, generator_updates=10, discriminator_loss=None,
        generator_loss=None, objective=objective, output_kind=output_kind, box=box,
        real=RNG.normal(size=(64, dim)), fake=RNG.normal(size=(64, dim)),
        latent=RNG.normal(size=(64, latent_dim)), critic=critic, optimal_discriminator=d_star,
        heatmap_levels=levels, heatmap_label=label, pushforward=pushforward)
    return RunFrame(snapshot=snapshot, config=None, device="cpu")


@pytest.fixture
def canvas(qtbot):
    from ganlab.app.views.data_canvas import DataCanvas

    canvas = DataCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(700, 520)
    canvas.show()
    return canvas


def picture(canvas):
    return canvas.layers["discriminator"].picture


def colour_bar_numbers(canvas) -> list[float]:
    """The numbers written beside the colour bar, as its axis would draw them now."""
    from PySide6.QtGui import QImage, QPainter

    axis = picture(canvas).colour_bar.getAxis("right")
    assert axis.isVisible() and axis.style["showValues"]
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        texts = axis.generateDrawSpecs(painter)[2]
    finally:
        painter.end()
    return [float(text.replace("−", "-")) for _, _, text in texts]


@pytest.mark.parametrize("spread", [2e-4, 1e-3, 0.04, 300.0])
def test_the_critic_colour_bar_writes_numbers_spanning_its_levels(canvas, qtbot, spread):
    x = np.linspace(-1, 1, 64)
    field = spread * np.add.outer(x, 0.5 * x)  # an unbounded critic: levels adapt to it
    canvas.show_run(run_frame("wgan", "critic", critic=field))
    qtbot.wait(50)
    bar = picture(canvas).colour_bar
    low, high = bar.levels()
    assert low < 0 < high and high <= 1.5 * spread * 1.01  # the field's robust range
    numbers = colour_bar_numbers(canvas)
    assert len(numbers) >= 3
    assert all(low - 1e-12 <= n <= high + 1e-12 for n in numbers)
    assert max(numbers) - min(numbers) >= 0.4 * (high - low)  # real values, not a rescaling


def test_the_mmd_witness_is_drawn_and_stays_between_field_frames(canvas, qtbot):
    witness = np.outer(np.linspace(-0.2, 0.3, 64), np.ones(64))
    canvas.show_run(run_frame("wgan", "critic", critic=-witness))
    canvas.show_run(run_frame("mmd", "none", label="MMD witness"))  # no field in this frame
    shown = picture(canvas)
    assert shown.heatmap.image is None  # the previous objective's picture is gone...
    assert not shown.colour_bar.isVisible()
    canvas.show_run(run_frame("mmd", "none", critic=witness, label="MMD witness"))
    canvas.show_run(run_frame("mmd", "none", label="MMD witness"))  # ...this one's stays
    assert shown.heatmap.isVisible() and shown.colour_bar.isVisible()
    np.testing.assert_array_equal(shown.heatmap.image, witness)
    assert shown.colour_bar.getAxis("left").labelText == "MMD witness"


def test_sliced_wasserstein_shows_no_stale_colour_bar(canvas):
    witness = np.outer(np.linspace(-0.2, 0.3, 64), np.ones(64))
    canvas.show_run(run_frame("mmd", "none", critic=witness, label="MMD witness"))
    canvas.show_run(run_frame("sliced-wasserstein", "none"))
    shown = picture(canvas)
    assert not shown.colour_bar.isVisible() and not shown.heatmap.isVisible()
    assert shown.heatmap.image is None
    # with the D* layer on, D* takes the heatmap and the bar says so; no D* = ½ contour
    canvas.set_layers(Layers(optimal_discriminator=True))
    d_star = np.outer(np.linspace(0, 1, 64), np.ones(64))
    canvas.show_run(run_frame("sliced-wasserstein", "none", d_star=d_star))
    assert shown.colour_bar.isVisible()
    assert shown.colour_bar.getAxis("left").labelText.startswith("D*(x)")
    np.testing.assert_array_equal(shown.heatmap.image, d_star)
    assert not shown.boundary.isVisible()
    assert "D* = ½" not in canvas.legend.listed()
    canvas.show_run(run_frame("minimax", "probability", critic=d_star, levels=(0.0, 1.0),
                              label="D(x)  (1 = real)"))
    assert "D* = ½" in canvas.legend.listed() and shown.boundary.isVisible()


@pytest.mark.parametrize(("objective", "both", "critic_phase"), [
    ("minimax", "updating D and G in turn", "updating D (critic steps)"),
    ("wgan-gp", "updating D and G in turn", "updating D (critic steps)"),
    ("mmd", "updating G (no discriminator)", "updating G (no discriminator)"),
    ("sliced-wasserstein", "updating G (no discriminator)", "updating G (no discriminator)")])
def test_the_diagram_caption_agrees_with_the_objective(qtbot, objective, both, critic_phase):
    from ganlab.app.views.model_diagram import ModelDiagram

    diagram = ModelDiagram()
    qtbot.addWidget(diagram)
    diagram.set_objective(objective, 5, 1)
    diagram.set_phase("both")
    assert diagram.canvas.caption() == both
    diagram.set_phase("discriminator")
    assert diagram.canvas.caption() == critic_phase
    diagram.set_phase("generator")
    assert diagram.canvas.caption() == "updating G"


def _overlaps(rects) -> list:
    return [(a.getRect(), b.getRect()) for i, a in enumerate(rects) for b in rects[i + 1:]
            if a.intersects(b)]


@pytest.mark.parametrize("width", [1366, 1920])
@pytest.mark.parametrize("objectives", [
    ["minimax"], ["lsgan"], ["non-saturating", "minimax"], ["lsgan", "hinge"],
    ["minimax", "mmd"]])
def test_chart_labels_never_touch_each_other_nor_leave_their_chart(qtbot, width, objectives):
    from ganlab.app.history import RunHistory
    from ganlab.app.views.charts import Charts

    charts = Charts()
    qtbot.addWidget(charts)
    charts.resize(width - 20, charts.minimumHeight())  # the charts dock of a maximised window
    charts.show()
    charts.set_run_count(len(objectives))
    # MMD's line is its finite-batch floor, which the worker measures
    references = [None, (None, 0.043)] if objectives[-1] == "mmd" else None
    charts.set_objectives(objectives, references)
    charts.set_w1_floor(0.058)
    history = RunHistory()
    for step in range(1, 40):
        history.add_losses(10 * step, 1.3 + 0.1 * math.sin(step), 0.7)
    charts.show_histories([history] * len(objectives))
    qtbot.wait(50)
    shown = 0
    for chart in charts.chart_names:
        plot, labels = charts.all_plots[chart], charts.labels[chart]
        rects = labels.label_rects()
        shown += len(rects)
        assert not _overlaps(rects), chart
        area = plot.sceneBoundingRect()
        view = plot.vb.sceneBoundingRect()
        for rect in rects:  # inside its chart, right of the curves, within the plot's height
            assert area.contains(rect) and rect.left() >= view.right()
            assert view.top() - 0.5 <= rect.top() and rect.bottom() <= view.bottom() + 0.5
    lines = sum(line.isVisible() for line in charts.reference_lines.values())
    assert shown == lines + 2  # every loss line, JS's ceiling and W1's floor are labelled
    assert_charts_side_by_side(charts)


def assert_charts_side_by_side(charts) -> None:
    """The charts share the width: none spills into its neighbour or out of the widget, and
    each chart's labels stay inside it."""
    plots = [charts.all_plots[chart].sceneBoundingRect() for chart in charts.chart_names]
    assert not _overlaps(plots)
    assert all(rect.left() >= 0 and rect.right() <= charts.width() for rect in plots)
    for chart in charts.chart_names:
        area = charts.all_plots[chart].sceneBoundingRect()
        assert all(area.contains(rect) for rect in charts.labels[chart].label_rects()), chart


@pytest.mark.parametrize("runs", [1, 2])
def test_image_charts_fit_side_by_side_at_1366(qtbot, runs):
    from ganlab.app.history import RunHistory
    from ganlab.app.views.charts import Charts
    from tests.app.test_image_window import METRICS_ROW

    charts = Charts()
    qtbot.addWidget(charts)
    charts.resize(1346, charts.minimumHeight())
    charts.show()
    charts.set_data_kind("images", 10)
    charts.set_run_count(runs)
    charts.set_objectives(["non-saturating", "minimax"][:runs])
    history = RunHistory()
    history.add_losses(40, 1.3, 0.7)
    history.add_metrics(METRICS_ROW)
    charts.show_histories([history] * runs)
    qtbot.wait(50)
    assert len(charts.chart_names) == 5
    assert_charts_side_by_side(charts)
    labelled = sum(len(charts.labels[chart].label_rects()) for chart in charts.chart_names)
    assert labelled == 1 + runs + 4  # D and G (and B's other G line), 4 "perfect" values


def test_the_spread_keeps_labels_apart_and_inside():
    from ganlab.app.views.chart_labels import spread

    tops = spread([50.0, 52.0, 53.0, 98.0], [14.0] * 4, 0.0, 100.0)
    bottoms = [top + 14.0 for top in tops]
    assert all(bottoms[i] < tops[i + 1] for i in range(3))
    assert tops[0] >= 0 and bottoms[-1] <= 100.0
    assert tops == [41.0, 56.0, 71.0, 86.0]  # stacked up from the bottom edge, 1 px apart
    assert spread([20.0, 22.0, 60.0], [14.0] * 3, 0.0, 100.0) == [13.0, 28.0, 53.0]
    assert spread([30.0], [14.0], 0.0, 100.0) == [23.0]


def test_compare_mode_metrics_never_squeeze_the_counter(qtbot):
    import dataclasses

    from PySide6.QtWidgets import QMainWindow

    from ganlab.app.views.status_line import StatusLine
    from ganlab.training.frame import Frame

    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(1366, 200)
    status = StatusLine(window.statusBar())
    window.show()
    metrics = {"modes_covered": 22, "total_modes": 25, "high_quality_fraction": 0.02,
               "js": 0.6512, "w1": 0.944, "w1_floor": 0.249}
    runs = tuple(dataclasses.replace(run_frame("minimax", "probability"), metrics=metrics)
                 for _ in range(2))
    frame = Frame(sequence=1, runs=runs, running=False, phase="idle",
                  iterations_per_second=0.0, epoch=0, target_epoch=0)
    status.show_frame(frame)
    text = status.metrics.text()
    assert text.startswith("A: modes 22/25") and "B: modes 22/25" in text
    assert text.count("0.25") == 1 and text.endswith("(perfect W1: 0.25)")  # said once
    status.metrics.setText(text * 3)  # far longer than the bar: it is cut, nothing moves
    qtbot.wait(50)
    counter = status.iteration
    assert counter.width() >= counter.sizeHint().width()
    assert status.metrics.geometry().right() < counter.geometry().left()
    # a temporary message takes the metrics' place, left of the counters, which stay put
    where = counter.geometry()
    window.statusBar().showMessage("Saved a recording of 300 frames to /tmp/run.gif")
    qtbot.wait(50)
    assert not status.metrics.isVisible() and counter.geometry() == where
    window.statusBar().clearMessage()
    qtbot.wait(50)
    assert status.metrics.isVisible()


def test_a_message_shown_before_the_window_is_never_drawn_over_the_metrics(qtbot):
    """The start-up hint is shown while the window is built, before it is visible: Qt then
    left the metrics label visible under it (the two texts drawn over each other)."""
    from PySide6.QtWidgets import QMainWindow

    from ganlab.app.views.status_line import StatusLine

    window = QMainWindow()
    qtbot.addWidget(window)
    status = StatusLine(window.statusBar())
    status.metrics.setText("modes 3/25 · HQ 10% · JS 0.672 · W1 1.92 (perfect: 0.25)")
    window.statusBar().showMessage("Press Space to train, → to step once.", 10000)
    window.show()
    qtbot.waitExposed(window)
    assert window.statusBar().currentMessage().startswith("Press Space")
    assert not status.metrics.isVisible()
    window.statusBar().clearMessage()
    assert status.metrics.isVisible()


def test_the_window_fits_a_1366_pixel_screen_with_the_show_row_wrapped(qtbot):
    """The ten "Show:" boxes in one row set a 1446-pixel minimum width; the row now wraps."""
    from ganlab.app.main_window import build_window

    window = build_window()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    assert window.minimumSizeHint().width() <= 1366 and window.width() == 1366
    boxes = list(window.layer_boxes.values())
    qtbot.waitUntil(lambda: all(box.isVisible() for box in boxes))
    central = window.centralWidget()
    assert all(box.geometry().right() < central.width() for box in boxes)
    rows = sorted({box.geometry().top() for box in boxes})
    assert len(rows) == 2  # wrapped, and nothing overlaps
    tops = [box.geometry() for box in boxes]
    assert not any(a.intersects(b) for i, a in enumerate(tops) for b in tops[i + 1:])
    window.resize(1920, 1000)
    qtbot.waitUntil(lambda: len({box.geometry().top() for box in boxes}) == 1)  # one row


def test_a_flow_layout_wraps_and_asks_for_the_height_of_its_rows(qtbot):
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QPushButton, QWidget

    from ganlab.app.views.flow_layout import FlowLayout

    holder = QWidget()
    qtbot.addWidget(holder)
    layout = FlowLayout(holder, spacing=4)
    buttons = [QPushButton(f"button {i}") for i in range(4)]
    for button in buttons:
        button.setFixedSize(100, 20)
        layout.addWidget(button)
    assert layout.minimumSize().width() == 100 and layout.sizeHint().width() == 4 * 100 + 3 * 4
    assert layout.heightForWidth(412) == 20  # one row
    assert layout.heightForWidth(312) == 44  # three, then one: two rows and a gap
    assert layout.heightForWidth(300) == 44  # two and two
    assert layout.heightForWidth(100) == 4 * 20 + 3 * 4  # one per row
    layout.setGeometry(QRect(0, 0, 312, 100))
    assert [b.geometry().topLeft().toTuple() for b in buttons] == [
        (0, 0), (104, 0), (208, 0), (0, 24)]
