"""Wires the timeline bar to the session, the charts and the settings (window process).

- Each frame's `extra["timeline"]` (a `TimelineState`) is shown on the bar; the charts show the
  current branch's own lines: each branch keeps a `RunHistory`, a new branch starting as a copy
  of its parent's up to the fork. While the run is shown away from a tip, nothing is added to
  the lines (`FrozenHistory`) and a vertical cursor marks the moment on every chart.
- Scrubbing sends `Seek` (the session pauses first); when the worker has answered it, the
  settings panels take the settings of that moment, so that "change any setting, then play"
  starts a branch with exactly that difference.
- "Compare with" draws another branch's lines dashed, as run B's are in compare mode.
This slot runs before the frame presenter's (it is connected first), so the presenter already
draws into the right history.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from ganlab.app import theme
from ganlab.app.history import RunHistory
from ganlab.app.timeline_bar import TimelineBar
from ganlab.training import messages

SHORTCUTS = (("Alt+Left", "Previous keyframe", lambda bar: bar.step_keyframe(-1)),
             ("Alt+Right", "Next keyframe", lambda bar: bar.step_keyframe(1)),
             ("Alt+End", "Tip of the branch", lambda bar: bar.to_tip()),
             ("Alt+Up", "Previous branch", lambda bar: bar.step_branch(-1)),
             ("Alt+Down", "Next branch", lambda bar: bar.step_branch(1)))


class FrozenHistory(RunHistory):
    """A branch's lines, read-only: frames of a past moment add nothing to them."""

    def __init__(self, history: RunHistory):  # shares the series; no RunHistory.__init__
        self.series = history.series
        self.last_iteration = history.last_iteration

    def clear(self) -> None:
        pass

    def add_losses(self, *args) -> None:
        pass

    def add_metrics(self, *args) -> None:
        pass


def history_until(history: RunHistory, iteration: int) -> RunHistory:
    """A copy of `history`'s points at iterations ≤ `iteration` (a new branch's past)."""
    copy = RunHistory()
    for name, series in history.series.items():
        for x, y in zip(series.x, series.y, strict=True):
            if x <= iteration:
                copy.series[name].append(float(x), float(y))
    copy.last_iteration = min(history.last_iteration, iteration)
    return copy


class TimelineControl(QObject):
    """The bar under the canvas and what it drives; `window` has `session`, `charts` and
    (from the first frame on) `presenter`."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.bar = TimelineBar()
        window.centralWidget().layout().addWidget(self.bar)
        self.histories: dict[int, RunHistory] = {}
        self.compare_branch: int | None = None
        self._epoch: int | None = None
        self._seek_ticket = 0  # the last seek sent
        self._adopted_ticket = 0  # the last seek whose settings the panels took
        self.cursors = {}
        for chart, plot in window.charts.all_plots.items():
            line = pg.InfiniteLine(angle=90, movable=False, pen=theme.pen(theme.NEUTRAL_TEXT, 1.0))
            line.setVisible(False)
            plot.addItem(line, ignoreBounds=True)
            self.cursors[chart] = line
        self.bar.seek_requested.connect(self.seek)
        self.bar.continue_requested.connect(self.session.play)
        self.bar.rename_requested.connect(
            lambda branch, name: self.session.send_timeline(messages.RenameBranch(
                branch=branch, name=name)))
        self.bar.compare_chosen.connect(self.set_compare_branch)
        self.bar.save_all_toggled.connect(lambda keep: self.session.send_timeline(
            messages.SaveAllBranches(all_branches=keep)))
        self.bar.budget_chosen.connect(lambda megabytes: self.session.send_timeline(
            messages.SetKeyframeBudget(budget_bytes=megabytes * 2**20)))
        self.session.frame_received.connect(self.show_frame)
        self.session.training_restarted.connect(self.forget)
        self.actions = []
        for shortcut, text, slot in SHORTCUTS:
            action = QAction(text, window)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, slot=slot: slot(self.bar))
            window.addAction(action)
            self.actions.append(action)

    # ------------------------------------------------------------------ asking
    def seek(self, branch: int, iteration: int) -> None:
        command = self.session.send_timeline(messages.Seek(branch=branch, iteration=iteration))
        self._seek_ticket = command.ticket

    def set_compare_branch(self, branch: int | None) -> None:
        self.compare_branch = branch
        if branch is None:
            self.window.charts.set_run_count(1)
        self._draw_compare()

    # ------------------------------------------------------------------ showing
    def forget(self) -> None:
        self.histories = {}
        self.compare_branch = None
        self._epoch = None
        self.bar.set_state(None)

    def show_frame(self, frame) -> None:
        state = frame.extra.get("timeline")
        presenter = getattr(self.window, "presenter", None)
        if frame.epoch != self._epoch:  # a new run: new branches
            self.histories = {}
            self._epoch = frame.epoch
            if self.compare_branch is not None:
                self.set_compare_branch(None)
            if presenter is not None:
                presenter.histories[0] = RunHistory()
        self._answer(frame)
        self.bar.set_state(state)
        if state is None or presenter is None:
            self._show_cursor(None)
            return
        if not self.histories:  # the current branch continues the lines drawn so far (an
            # opened session's: its ancestors get their part of them, up to each fork)
            base = presenter.histories[0]
            base = RunHistory() if isinstance(base, FrozenHistory) else base
            self.histories[state.branch] = base
            by_id = {branch.id: branch for branch in state.branches}
            child = by_id[state.branch]
            while child.parent is not None:
                self.histories[child.parent] = history_until(base, child.fork)
                child = by_id[child.parent]
        for branch in state.branches:
            if branch.id not in self.histories:
                parent = self.histories.get(branch.parent, RunHistory())
                self.histories[branch.id] = history_until(parent, branch.fork)
        history = self.histories[state.branch]
        at_tip = state.position == state.tip
        presenter.histories[0] = history if at_tip else FrozenHistory(history)
        self._show_cursor(None if at_tip else state.position)
        if self.compare_branch is not None:
            self._draw_compare()

    def _answer(self, frame) -> None:
        answered, message = frame.extra.get("timeline_answer", (0, None))
        if answered >= self._seek_ticket > self._adopted_ticket and frame.runs:
            self._adopted_ticket = self._seek_ticket
            config = frame.runs[0].config
            if config is not None and len(self.session.configs) == 1 \
                    and config != self.session.configs[0]:
                self.session.adopt_configs((config,))
        if message and answered >= self._seek_ticket and message != getattr(
                self, "_said", None):
            self._said = message
            self.window.statusBar().showMessage(f"Timeline: {message}", 6000)

    def _show_cursor(self, iteration: int | None) -> None:
        for line in self.cursors.values():
            line.setVisible(iteration is not None)
            if iteration is not None:
                line.setValue(iteration)

    def _draw_compare(self) -> None:
        other = self.histories.get(self.compare_branch) if self.compare_branch is not None \
            else None
        state = self.bar.state
        if other is None or state is None:
            return
        charts = self.window.charts
        charts.set_run_count(2)
        charts.show_histories([self.histories[state.branch], other])
