"""Before the training process's first frame, run A's pane shows the target and a notice."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab.app.start_up_view import NOTICE, PREVIEW_SAMPLES, StartUpView
from ganlab.core.config import TargetConfig
from tests.app.conftest import small_config


def _unstarted_window(qtbot):
    from ganlab.app.main_window import build_window

    window = build_window(small_config(), start=False, training="thread")
    qtbot.addWidget(window)
    window.show()
    return window


def test_the_target_is_drawn_and_the_notice_shown_until_training_answers(qtbot):
    window = _unstarted_window(qtbot)
    pane = window.panes[0]
    view = StartUpView(window.session, pane, window)
    assert view.notice.isVisible() and view.notice.text() == NOTICE
    points = np.column_stack(pane.canvas.layers["real"].scatter.getData())
    assert points.shape == (PREVIEW_SAMPLES, 2)
    centres = np.array([[np.cos(a), np.sin(a)] for a in np.arange(8) * np.pi / 4])
    nearest = np.min(np.linalg.norm(points[:, None] - centres[None], axis=2), axis=1)
    assert nearest.max() < 0.1  # ring8: every point next to one of its 8 modes (σ = 0.01)

    window.session.set_target(TargetConfig(name="exponential"))  # chosen while waiting
    assert pane.current_view is pane.line_view
    edges, density = pane.line_view.real_histogram.getData()
    assert edges[0] == -1.0 and edges[-1] == 6.0
    assert np.sum(density * np.diff(edges)) == pytest.approx(1.0)  # a density histogram

    window.session.training_stopped.emit("the training process ended")
    assert not view.notice.isVisible()
    window.session.set_target(TargetConfig(name="grid25"))  # no longer waiting: nothing drawn
    assert pane.current_view is pane.line_view
