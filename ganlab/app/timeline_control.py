"""Wires the timeline bar to the session, the charts and the settings (window process).

- Each frame's `extra["timeline"]` (a `TimelineState`) is shown on the bar; the charts show the
  current branch's own lines: each branch keeps a `RunHistory`, a new branch starting as a copy
  of its parent's up to the fork. While the run is shown away from a tip, nothing is added to
  the lines (`FrozenHistory`) and a vertical cursor marks the moment on every chart.
- Scrubbing sends `Seek` (the session pauses first); when the worker has answered it, the
  settings panels take the settings of that moment, so that "change any setting, then play"
  starts a branch with exactly that difference.
- "Compare with" asks the worker for compare mode with two branches side by side
  (`CompareBranches`): run A the branch shown, run B the chosen one at its tip, each drawing
  into its branch's own chart lines; the window enters compare mode with their settings.
  Unchecking Compare returns to the timeline with run A. In compare mode the bar is off and
  says why (`COMPARE_OFF`, `BRANCHES_OFF`).
- A long seek's progress is shown on the bar, whose "Stop replay" sends `CancelSeek`.
This slot runs before the frame presenter's (it is connected first), so the presenter already
draws into the right history.

While training runs, the bar's position, slider and branch list move with every frame (~27 a
second); rewriting them relaid out and repainted the bar and the window behind it (about ten
paints a frame, ~2.5 ms of the window's CPU). They follow at most `BAR_INTERVAL_S` apart then,
as the status bar's counters do; anything else (another branch, a renamed or new branch, an
answer, a pause, a seek) shows at once.
"""

from __future__ import annotations

import time

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from ganlab.app import theme
from ganlab.app.history import RunHistory
from ganlab.app.timeline_bar import TimelineBar
from ganlab.training import messages

COMPARE_OFF = ("The timeline follows one run, so it is off in compare mode. Uncheck Compare (C) "
               "to bring it back (it starts again with the next step). To compare two branches "
               "of a run side by side, use “compare with…” on the timeline instead.")
BRANCHES_OFF = ("Comparing {a} (run A) with {b} (run B) side by side: both train on, each "
                "recorded on its own branch. Uncheck Compare (C) to return to the timeline "
                "with {a}.")

BAR_INTERVAL_S = 0.25  # while training runs, the bar moves at most four times a second


def bar_shape(state) -> tuple | None:
    """What of a `TimelineState` must show at once: all of it but the tips and positions that
    move with every step while training runs."""
    if state is None:
        return None
    return (state.branch, state.answered, state.message,
            tuple((b.id, b.name, b.parent, b.fork, b.difference) for b in state.branches))


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
        self.comparing: tuple[int, int] | None = None  # the branches of runs A and B
        self._epoch: int | None = None
        self._seek_ticket = 0  # the last seek sent
        self._adopted_ticket = 0  # the last seek whose settings the panels took
        self.clock = time.perf_counter  # (tests may replace it)
        self._bar_shape: tuple | None = None  # `bar_shape` of the state last shown
        self._bar_shown = -BAR_INTERVAL_S  # when the bar last took a state
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
        self.bar.cancel_requested.connect(
            lambda: self.session.send_timeline(messages.CancelSeek()))
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
        """Compare the branch shown with `branch` side by side (None: nothing)."""
        if branch is not None:
            self.session.send_timeline(messages.CompareBranches(branch=branch))
            self.bar.compare.setCurrentIndex(0)  # the compare frames show the branch chosen

    # ------------------------------------------------------------------ showing
    def forget(self) -> None:
        self.histories = {}
        self.comparing = None
        self._epoch = None
        self.bar.set_state(None)

    def show_frame(self, frame) -> None:
        state = frame.extra.get("timeline")
        presenter = getattr(self.window, "presenter", None)
        if frame.epoch != self._epoch:  # a new run: new branches
            self.histories = {}
            self._epoch = frame.epoch
            self.comparing = None
            if presenter is not None:
                presenter.histories[0] = RunHistory()
        self._answer(frame)
        self.bar.show_progress(frame.extra.get("seek_progress"))
        comparing = frame.extra.get("branch_compare")
        if len(frame.runs) > 1:
            self._show_compare(frame, state, comparing, presenter)
            return
        if self.comparing is not None:  # back from a compare
            self.bar.compare.setCurrentIndex(0)
            if presenter is not None:
                presenter.histories[1] = RunHistory()
        self.comparing = None
        self.bar.set_off(None)
        self._show_state(state, moving=frame.running and "seek_progress" not in frame.extra)
        if state is None or presenter is None:
            self._show_cursor(None)
            return
        history = self._branch_histories(state, presenter)[state.branch]
        at_tip = state.position == state.tip
        if frame.extra.get("seek_progress") is not None:  # a frame from inside a replay:
            presenter.histories[0] = FrozenHistory(history)  # it adds nothing to the lines
            self._show_cursor(frame.iteration)
            return
        presenter.histories[0] = history if at_tip else FrozenHistory(history)
        self._show_cursor(None if at_tip else state.position)

    def _show_state(self, state, moving: bool) -> None:
        """The bar shows `state`; while training moves it on (`moving`), at most every
        `BAR_INTERVAL_S` unless more than the tips and positions changed."""
        now = self.clock()
        shape = bar_shape(state)
        if (moving and shape == self._bar_shape and self.bar.state is not None
                and now - self._bar_shown < BAR_INTERVAL_S):
            return
        self._bar_shape, self._bar_shown = shape, now
        self.bar.set_state(state)

    def _branch_histories(self, state, presenter) -> dict[int, RunHistory]:
        """Every branch's chart lines (new ones start as their parent's, up to the fork)."""
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
        return self.histories

    def _show_compare(self, frame, state, comparing, presenter) -> None:
        """Compare mode: the bar is off; with two branches, each run draws into its
        branch's lines and the window takes the runs' settings (once)."""
        self._show_cursor(None)
        if comparing is None or state is None or presenter is None:
            self.comparing = None
            self.bar.set_off(COMPARE_OFF)
            self.bar.set_state(None)
            return
        comparing = tuple(comparing)
        names = {branch.id: branch.name for branch in state.branches}
        a, b = (names.get(branch, "?") for branch in comparing)
        self.bar.set_off(BRANCHES_OFF.format(a=a, b=b), f"A: {a} · B: {b}")
        self.bar.set_state(state)
        self.bar.compare.setCurrentIndex(max(self.bar.compare.findData(comparing[1]), 0))
        histories = self._branch_histories(state, presenter)
        tips = {branch.id: branch.tip for branch in state.branches}
        for index, branch in enumerate(comparing):
            history = histories[branch]
            at_tip = frame.runs[index].snapshot.iteration == tips[branch]
            presenter.histories[index] = history if at_tip else FrozenHistory(history)
        if self.comparing is None and not self.session.compare \
                and all(run.config is not None for run in frame.runs[:2]):
            self.session.adopt_configs(tuple(run.config for run in frame.runs[:2]))
            window = self.window
            window.compare_action.setChecked(True)
            window.settings_tabs.addTab(window.control_panels[1], f"Run B ({b})")
        self.comparing = comparing

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
