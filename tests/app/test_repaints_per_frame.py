"""Which widgets repaint when a frame arrives: the canvas, whose samples move, once; the views
whose content did not change (the diagram, the lesson, the toggles, the settings), never; the
throttled ones (status counters, timeline bar, charts, off-screen counts: at most a few times a
second) not again while their clocks stand still. A regression here costs the window CPU at
every one of ~27 frames a second, beside the training process's core."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from tests.training.conftest import small_config

GROUPS = 4  # frames made: one per field group (D(x); D* and density; gradients; manifold)
ROUNDS = 3  # the frames are sent in turn: one round settles the layout and the first texts,
FRAMES = GROUPS * (ROUNDS - 1)  # the others are measured
ALL_LAYERS = ("real", "generated", "discriminator", "optimal_discriminator", "density",
              "gradients", "manifold", "interpolation")


def make_frames(count: int, layers: tuple[str, ...]) -> list:
    """Frames of one small ring8 run as the worker publishes them at full speed (one field
    group per frame, the interpolation path, a timeline state)."""
    import torch

    from ganlab.core.timeline_state import BranchSummary, TimelineState
    from ganlab.training.field_schedule import fields_for_frame
    from ganlab.training.frame import Frame
    from ganlab.training.pending_changes import Interpolation, ViewRequest
    from ganlab.training.run import Run
    from ganlab.training.run_frames import take_run_frames

    torch.manual_seed(0)
    view = ViewRequest(critic="discriminator" in layers,
                       optimal_discriminator="optimal_discriminator" in layers,
                       target_density="density" in layers, gradients="gradients" in layers,
                       manifold="manifold" in layers, resolution=32)
    interpolation = Interpolation(np.array([-0.8, -0.5]), np.array([0.7, 0.6]))
    run = Run(small_config(), display_samples=256)
    frames = []
    for sequence in range(count):
        run.trainer.train(2)
        run_frames, _ = take_run_frames([run], fields_for_frame(view, sequence, True),
                                        full_check=False, metrics={}, epoch=0,
                                        interpolation=interpolation)
        tip = run.trainer.iteration
        timeline = TimelineState(branch=0, position=tip,
                                 branches=(BranchSummary(0, "main", None, 0, tip, ()),),
                                 keyframes=(0,), spacing=500, nbytes=1, budget_bytes=2**20)
        frames.append(Frame(sequence=sequence + 1, runs=tuple(run_frames), running=True,
                            phase="both", iterations_per_second=100.0, epoch=0,
                            target_epoch=0, extra={"timeline": timeline}))
    return frames


class PaintCounter(QObject):
    def __init__(self):
        super().__init__()
        self.paints: Counter = Counter()

    def eventFilter(self, watched, event):  # Qt's name
        if event.type() == QEvent.Type.Paint:
            self.paints[watched] += 1
        return False


def owner(widget) -> str:
    """The widget's class and its parent's, e.g. 'DataCanvas.QWidget' (a view's viewport)."""
    parent = widget.parent()
    return (type(parent).__name__ + "." if parent is not None else "") + type(widget).__name__


@pytest.mark.parametrize("layers", [("real", "generated"), ALL_LAYERS],
                         ids=["samples only", "every layer"])
def test_a_frame_repaints_the_canvas_once_and_nothing_that_did_not_change(qtbot, monkeypatch,
                                                                          layers):
    from ganlab.app import frame_presenter
    from ganlab.app.main_window import build_window
    from ganlab.app.views import status_line

    frames = make_frames(GROUPS, layers) * ROUNDS  # each differs from the one before it
    window = build_window(small_config(), start=False)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    for name in ALL_LAYERS:
        window.set_layer(name, name in layers)
    window.show()
    qtbot.waitExposed(window)
    # the clocks of every throttle stand still: what repaints then, repaints at every frame
    still = SimpleNamespace(perf_counter=lambda: 1000.0)
    monkeypatch.setattr(status_line, "time", still)
    monkeypatch.setattr(frame_presenter, "time", still)
    window.timeline.clock = still.perf_counter
    canvas = window.panes[0].canvas
    canvas.layers["generated"].offscreen._clock = still.perf_counter
    counter = PaintCounter()
    for index, frame in enumerate(frames):
        if index == GROUPS:
            QApplication.instance().installEventFilter(counter)
        window.session.frame_received.emit(frame)
        qtbot.wait(20)  # the repaint the frame asked for
    QApplication.instance().removeEventFilter(counter)
    painted = {owner(widget): count for widget, count in counter.paints.items()}
    assert counter.paints[canvas.viewport()] == FRAMES, painted  # its samples moved
    others = {name: count for widget, count in counter.paints.items()
              if widget is not canvas.viewport() for name in [owner(widget)]}
    assert sum(others.values()) == 0, others


def test_an_off_screen_count_changes_at_most_four_times_a_second_but_appears_at_once(qtbot):
    from ganlab.app.views.data_canvas import DataCanvas
    from ganlab.app.views.offscreen_marks import TEXT_INTERVAL_S
    from ganlab.core.targets import ViewBox

    canvas = DataCanvas()
    qtbot.addWidget(canvas)
    now = [10.0]
    marks = canvas.layers["generated"].offscreen
    marks._clock = lambda: now[0]
    box = ViewBox((-1.0, -1.0), (1.0, 1.0))
    right, left = marks.labels[(2, 1)], marks.labels[(0, 1)]

    def counts(to_the_right: int, to_the_left: int = 0) -> np.ndarray:
        result = np.zeros((3, 3), dtype=int)
        result[2, 1], result[0, 1] = to_the_right, to_the_left
        return result

    marks.show(counts(3), box, shown=True)
    assert right.toPlainText() == "→ 3 of 3 off-screen"
    now[0] += TEXT_INTERVAL_S / 2
    marks.show(counts(5, 1), box, shown=True)
    assert right.toPlainText() == "→ 3 of 3 off-screen"  # not yet
    assert left.isVisible() and left.toPlainText() == "← 1 of 6 off-screen"  # new: at once
    now[0] += TEXT_INTERVAL_S / 2
    marks.show(counts(5, 1), box, shown=True)
    assert right.toPlainText() == "→ 5 of 6 off-screen"
    marks.show(counts(0, 1), box, shown=True)  # gone at once
    assert not right.isVisible()


def test_a_hidden_interpolation_path_shows_the_newest_frame_when_shown(qtbot):
    from ganlab.app.views.data_canvas import DataCanvas

    canvas = DataCanvas()
    qtbot.addWidget(canvas)
    frames = make_frames(2, ("real", "generated"))
    layer = canvas.layers["interpolation"]
    layer.set_visible(False)
    for frame in frames:
        canvas.show_run(frame.runs[0])
    assert layer.path.xData is None  # nothing drawn while hidden
    layer.set_visible(True)
    newest = frames[-1].runs[0].interpolation_path
    np.testing.assert_allclose(layer.path.xData, newest[:, 0])
    np.testing.assert_allclose(layer.ends.data["y"], newest[[0, -1], 1])
