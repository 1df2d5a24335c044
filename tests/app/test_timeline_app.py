"""The timeline bar under the canvas, driven as a user would: scrub back, change a setting and
step (a branch with its difference), switch branches (the settings panel follows), a keyframe
shortcut, two branches side by side in compare mode and back, and a long seek's progress."""

from __future__ import annotations

import dataclasses

import pytest

from ganlab.app.timeline_control import COMPARE_OFF, FrozenHistory
from tests.app.conftest import _started_window, trainer_of


@pytest.fixture
def slow_start_window(qtbot):
    """The thread-mode window, given a minute to start on a loaded machine (a hang guard)."""
    yield from _started_window(qtbot, 60_000, training="thread")


def wait_frame(qtbot, window, condition, timeout=30_000):
    qtbot.waitUntil(lambda: window.session.last_frame is not None
                    and condition(window.session.last_frame), timeout=timeout)
    return window.session.last_frame


def timeline_of(frame):
    return frame.extra.get("timeline")


def test_scrub_branch_switch_and_compare(qtbot, slow_start_window, monkeypatch):
    window = slow_start_window
    bar, control = window.timeline.bar, window.timeline
    window.session.step(70)  # (a frame, with its losses, may be dropped: latest-only slot)
    wait_frame(qtbot, window, lambda f: f.iteration == 70 and timeline_of(f) is not None)
    assert (bar.slider.minimum(), bar.slider.maximum(), bar.slider.value()) == (0, 70, 70)
    assert bar.slider.keyframes == (0, 64) and bar.position.text() == "70 / 70"
    assert not bar.continue_button.isEnabled()  # at the tip: play simply goes on
    bar.slider.setValue(7)  # a drag or the arrow keys
    wait_frame(qtbot, window, lambda f: f.iteration == 7)
    assert trainer_of(window).iteration == 7 and bar.continue_button.isEnabled()
    assert isinstance(window.presenter.histories[0], FrozenHistory)
    cursor = control.cursors["losses"]
    assert cursor.isVisible() and cursor.value() == 7
    main_losses = len(control.histories[0].series["discriminator_loss"])
    # change a setting in the panel, then step: a branch from 7, named by its difference
    config = window.session.configs[0]
    config.training.critic_steps = 2
    window.control_panels[0].config_edited.emit(config)
    window.session.step(3)
    wait_frame(qtbot, window, lambda f: f.iteration == 10)
    assert bar.branches.count() == 2 and bar.branches.currentData() == 1
    assert "training.critic_steps: 1 → 2" in bar.branches.itemData(1, 3)  # its tooltip
    assert not cursor.isVisible()
    # (a frame may be dropped from the latest-only slot: a point at 10 is not certain)
    branch_losses = control.histories[1].series["discriminator_loss"]
    assert (branch_losses.x <= 10).all()  # main's points after the fork (70) are not its
    assert len(control.histories[0].series["discriminator_loss"]) == main_losses
    # back to main by the selector: its tip, and its settings in the panel
    bar.branches.activated.emit(0)
    wait_frame(qtbot, window, lambda f: f.iteration == 70 and timeline_of(f).branch == 0)
    qtbot.waitUntil(lambda: window.session.configs[0].training.critic_steps == 1)
    assert window.control_panels[0].config().training.critic_steps == 1
    # Alt+Left: the previous keyframe
    next(a for a in control.actions if a.text() == "Previous keyframe").trigger()
    wait_frame(qtbot, window, lambda f: f.iteration == 64)
    # compare with the branch side by side: main as shown (64) is run A, the branch at its
    # tip (10, k = 2) run B; the window enters compare mode with their settings
    branch_x = list(branch_losses.x)
    bar.compare.activated.emit(bar.compare.findData(1))
    frame = wait_frame(qtbot, window, lambda f: len(f.runs) == 2)
    assert [run.snapshot.iteration for run in frame.runs] == [64, 10]
    assert window.session.compare and window.compare_action.isChecked()
    assert [c.training.critic_steps for c in window.session.configs] == [1, 2]
    assert window.control_panels[1].config().training.critic_steps == 2
    assert window.settings_tabs.tabText(1) == "Run B (branch 1)"
    assert window.panes[1].isVisibleTo(window)
    assert not bar.slider.isEnabled() and "Uncheck Compare (C)" in bar.toolTip()
    assert bar.position.text() == "A: main · B: branch 1"
    curve = window.charts.curves[(1, "discriminator_loss")]
    qtbot.waitUntil(lambda: list(curve.getData()[0] if curve.getData()[0] is not None
                                 else []) == branch_x)
    assert trainer_of(window, 1).iteration == 10
    window.session.step(2)  # both train on: main from 64 forks branch 2, branch 1 grows
    frame = wait_frame(qtbot, window,
                       lambda f: [r.snapshot.iteration for r in f.runs] == [66, 12])
    assert frame.extra["branch_compare"] == (2, 1)
    titles = [pane.current_view.plot.titleLabel.text for pane in window.panes]
    assert titles[0].startswith("Run A (branch 2): ")  # the canvases name their branches
    assert titles[1].startswith("Run B (branch 1): ")
    # leaving compare mode returns to the timeline with run A's branch
    window.compare_action.trigger()
    frame = wait_frame(qtbot, window, lambda f: len(f.runs) == 1)
    assert not window.session.compare and window.settings_tabs.count() == 1
    assert bar.slider.isEnabled() and bar.branches.currentData() == 2
    assert frame.iteration == 66 and bar.position.text() == "66 / 66"
    # a long seek's progress (the worker sends it with frames) and its stop button
    sent = []
    monkeypatch.setattr(window.session, "send_timeline", sent.append)  # what "stop" asks
    last = window.session.last_frame
    inside = dataclasses.replace(last, extra={**last.extra, "seek_progress": (320, 1000)})
    control.show_frame(inside)  # a frame published from inside a replay
    assert isinstance(window.presenter.histories[0], FrozenHistory)  # adds no points
    assert cursor.isVisible() and cursor.value() == inside.iteration
    assert bar.progress.isVisibleTo(window) and bar.progress.value() == 320
    assert "320 of 1,000" in bar.progress.toolTip()
    bar.cancel_button.click()
    assert [type(message).__name__ for message in sent] == ["CancelSeek"]
    bar.show_progress(None)
    assert not bar.progress.isVisibleTo(window) and not bar.cancel_button.isVisibleTo(window)
    # plain compare mode (two runs of their own settings): the bar is off and says why
    window.set_compare(True)
    wait_frame(qtbot, window, lambda f: len(f.runs) == 2 and not f.extra["branch_compare"])
    qtbot.waitUntil(lambda: bar.toolTip() == COMPARE_OFF)
    qtbot.waitUntil(lambda: window.panes[1].current_view.plot.titleLabel.text.startswith(
        "Run B: "))  # two runs of their own settings: no branch names over the canvases
    assert not bar.slider.isEnabled() and bar.position.text() == "off"
