"""The timeline bar under the canvas: a slider over the current branch with its keyframes as
ticks, the branch selector, "continue here", rename, the branch to compare with side by side,
and a long seek's progress with a button that stops it. It only shows a `TimelineState` and
says what the user asked (signals); the window process never trains (see
`timeline_control.py`). In compare mode it is off and says why and what to do (`set_off`)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QProgressBar,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

TIP = 2**31 - 1  # an iteration past any tip: the seek is clamped to it (a Qt int)
MIN_BUDGET_MB, MAX_BUDGET_MB = 16, 65_536
KEYFRAME_COLOUR = QColor(120, 160, 220)
NO_TIMELINE = ("No timeline yet: it starts with the first step of a single run (compare mode "
               "has none).")


class KeyframeSlider(QSlider):
    """A horizontal slider that draws a tick under each keyframe's iteration."""

    def __init__(self, parent=None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.keyframes: tuple[int, ...] = ()
        self.setMinimumHeight(26)

    def set_keyframes(self, keyframes: tuple[int, ...]) -> None:
        if keyframes != self.keyframes:
            self.keyframes = keyframes
            self.update()

    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.keyframes or self.maximum() <= self.minimum():
            return
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        groove = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                             QStyle.SubControl.SC_SliderGroove, self)
        handle = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                             QStyle.SubControl.SC_SliderHandle, self)
        span = groove.width() - handle.width()
        painter = QPainter(self)
        painter.setPen(QPen(KEYFRAME_COLOUR, 1))
        for iteration in self.keyframes:
            if self.minimum() <= iteration <= self.maximum():
                x = groove.x() + handle.width() // 2 + QStyle.sliderPositionFromValue(
                    self.minimum(), self.maximum(), iteration, span)
                painter.drawLine(x, self.height() - 5, x, self.height() - 1)
        painter.end()


class TimelineBar(QWidget):
    seek_requested = Signal(int, int)  # branch, iteration
    continue_requested = Signal()
    rename_requested = Signal(int, str)  # branch, name
    compare_chosen = Signal(object)  # a branch id, or None: no comparison
    budget_chosen = Signal(int)  # MB the keyframes may take
    save_all_toggled = Signal(bool)  # saved sessions keep every branch (else the current)
    cancel_requested = Signal()  # stop a long seek's replay where it is

    def __init__(self, parent=None):
        super().__init__(parent)
        self.state = None
        self._updating = False
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 2, 0, 2)
        rows.setSpacing(2)
        top, layout = QHBoxLayout(), QHBoxLayout()  # the slider's row, the buttons' row
        rows.addLayout(top)
        rows.addLayout(layout)
        title = QLabel("Timeline")
        title.setToolTip("Drag to go back through the run; press play (or “Continue here”) "
                         "to train on from there as a new branch, after changing any setting "
                         "if you like.")
        top.addWidget(title)
        self.branches = QComboBox()
        self.branches.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.branches.setToolTip("The branch shown: switching jumps to its last iteration "
                                 "(Alt+Up / Alt+Down).")
        layout.addWidget(self.branches)
        self.slider = KeyframeSlider()
        self.slider.setToolTip("Iteration shown: drag to scrub through the keyframes (ticks); "
                               "where you let go, the run is replayed exactly to that "
                               "iteration. Alt+Left / Alt+Right: the "
                               "previous / next keyframe, Alt+End: the branch's tip.")
        top.addWidget(self.slider, stretch=1)
        self.position = QLabel()
        self.position.setMinimumWidth(110)
        top.addWidget(self.position)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setFormat("replaying %p%")
        self.progress.setToolTip("The run is replayed exactly from the nearest keyframe to the "
                                 "iteration asked for.")
        self.progress.hide()
        top.addWidget(self.progress)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Stop replay")
        self.cancel_button.setToolTip("Stop the replay where it is: the run stays at the "
                                      "iteration reached (any other timeline move stops it "
                                      "too).")
        self.cancel_button.hide()
        top.addWidget(self.cancel_button)
        self.continue_button = QToolButton()
        self.continue_button.setText("Continue here")
        self.continue_button.setToolTip("Train on from the iteration shown: a new branch "
                                        "unless this is the branch's tip.")
        layout.addWidget(self.continue_button)
        self.rename_button = QToolButton()
        self.rename_button.setText("Rename…")
        self.rename_button.setToolTip("Give the branch shown a name.")
        layout.addWidget(self.rename_button)
        self.compare = QComboBox()
        self.compare.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.compare.setToolTip("Compare another branch side by side: compare mode with this "
                                "branch as run A (as shown) and the chosen one as run B (at its "
                                "tip), both able to train on; uncheck Compare (C) to come back.")
        layout.addWidget(self.compare)
        self.budget_button = QToolButton()
        self.budget_button.setText("Memory…")
        self.budget_button.setToolTip("How much memory the keyframes may take: more keeps "
                                      "them closer together (shorter replays when you scrub).")
        layout.addWidget(self.budget_button)
        self.save_all = QToolButton()
        self.save_all.setText("Save all branches")
        self.save_all.setCheckable(True)
        self.save_all.setChecked(True)
        self.save_all.setToolTip("Saved sessions (and autosaves) keep every branch of the "
                                 "timeline; off: only the branch shown and those it came from.")
        layout.addWidget(self.save_all)
        layout.addStretch(1)
        self.slider.valueChanged.connect(self._slider_moved)
        self.slider.sliderReleased.connect(lambda: self._slider_moved(self.slider.value()))
        self.branches.activated.connect(self._branch_chosen)
        self.compare.activated.connect(lambda index: self.compare_chosen.emit(
            self.compare.itemData(index)))
        self.continue_button.clicked.connect(self.continue_requested)
        self.rename_button.clicked.connect(self.ask_name)
        self.budget_button.clicked.connect(self.ask_budget)
        self.save_all.toggled.connect(self.save_all_toggled)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.off_reason: str | None = None
        self.off_label = "off"
        self.set_state(None)

    # ------------------------------------------------------------------ showing
    def set_state(self, state) -> None:
        """Show a `TimelineState` (None: no timeline); the slider is left alone while held."""
        self.state = state
        self._updating = True
        try:
            enabled = state is not None and self.off_reason is None
            for widget in (self.branches, self.slider, self.continue_button,
                           self.rename_button, self.compare):
                widget.setEnabled(enabled)
            if state is None:
                self.branches.clear()
                self.compare.clear()
            else:  # (off, the branches compared are still named)
                self._fill_branches(state)
            if state is None or self.off_reason is not None:
                self.position.setText(self.off_label if self.off_reason else "—")
                self.position.setToolTip(self.off_reason or NO_TIMELINE)
                self.setToolTip(self.off_reason or "")
                return
            if not self.slider.isSliderDown():
                self.slider.setRange(state.start, max(state.tip, state.start))
                self.slider.setValue(state.position)
            self.slider.set_keyframes(state.keyframes)
            self.continue_button.setEnabled(state.position != state.tip)
            self.position.setText(f"{state.position:,} / {state.tip:,}")
            self.position.setToolTip(
                f"{len(state.keyframes)} keyframes along this branch, one every "
                f"{state.spacing:,} iterations; all branches: {state.nbytes / 2**20:.1f} MB of "
                f"{state.budget_bytes / 2**20:.0f} MB (older keyframes are thinned to fit).")
        finally:
            self._updating = False

    def set_off(self, reason: str | None, label: str = "off") -> None:
        """Off (compare mode), with the reason and what to do as the bar's tooltip and `label`
        in place of the position; None: on."""
        if (reason, label) != (self.off_reason, self.off_label):
            self.off_reason, self.off_label = reason, label
            self.setToolTip(reason or "")
            self.set_state(self.state)

    def show_progress(self, progress: tuple[int, int] | None) -> None:
        """A long seek's (replayed, total) iterations, or None when none is under way."""
        self.progress.setVisible(progress is not None)
        self.cancel_button.setVisible(progress is not None)
        if progress is not None:
            self.progress.setRange(0, max(progress[1], 1))
            self.progress.setValue(progress[0])
            self.progress.setToolTip(f"Replaying {progress[0]:,} of {progress[1]:,} "
                                     "iterations exactly from the nearest keyframe.")

    def _fill_branches(self, state) -> None:
        items = [(b.id, branch_label(b)) for b in state.branches]
        current = [(self.branches.itemData(i), self.branches.itemText(i))
                   for i in range(self.branches.count())]
        if [i for i, _ in items] == [i for i, _ in current]:  # the same branches: new tips
            for index, (_, label) in enumerate(items):  # (clearing the lists repainted them
                if label != current[index][1]:  # four times and relaid out the window)
                    self.branches.setItemText(index, label)
                    self.compare.setItemText(index + 1, label)
        elif items != current:
            self.branches.clear()
            for branch_id, label in items:
                self.branches.addItem(label, branch_id)
            for index, branch in enumerate(state.branches):
                self.branches.setItemData(index, branch_tooltip(branch),
                                          Qt.ItemDataRole.ToolTipRole)
            chosen = self.compare.currentData()
            self.compare.clear()
            self.compare.addItem("compare with…", None)
            for branch_id, label in items:
                self.compare.addItem(label, branch_id)
            index = self.compare.findData(chosen)
            self.compare.setCurrentIndex(max(index, 0))
        self.branches.setCurrentIndex(self.branches.findData(state.branch))

    # ------------------------------------------------------------------ asking
    def _slider_moved(self, value: int) -> None:
        """While dragged, show the keyframe at or before `value` (no replay: cheap); where it
        is let go (or moved by the keyboard), the exact iteration."""
        if self._updating or self.state is None:
            return
        if self.slider.isSliderDown():
            value = max([k for k in self.state.keyframes if k <= value], default=value)
        self.seek_requested.emit(self.state.branch, value)

    def _branch_chosen(self, index: int) -> None:
        branch = self.branches.itemData(index)
        if self.state is not None and branch is not None:
            self.seek_requested.emit(branch, TIP)

    def step_keyframe(self, direction: int) -> None:
        """To the previous (−1) or next (+1) keyframe of the branch shown."""
        state = self.state
        if state is None:
            return
        if direction < 0:
            earlier = [k for k in state.keyframes if k < state.position]
            target = earlier[-1] if earlier else state.start
        else:
            later = [k for k in state.keyframes if k > state.position]
            target = later[0] if later and later[0] <= state.tip else state.tip
        self.seek_requested.emit(state.branch, target)

    def to_tip(self) -> None:
        if self.state is not None:
            self.seek_requested.emit(self.state.branch, self.state.tip)

    def step_branch(self, direction: int) -> None:
        count = self.branches.count()
        if count:
            self._branch_chosen((self.branches.currentIndex() + direction) % count)

    def ask_budget(self) -> None:
        current = round(self.state.budget_bytes / 2**20) if self.state is not None else 256
        megabytes, ok = QInputDialog.getInt(self, "Keyframe memory", "Megabytes for keyframes:",
                                            current, MIN_BUDGET_MB, MAX_BUDGET_MB)
        if ok:
            self.budget_chosen.emit(megabytes)

    def ask_name(self) -> None:
        if self.state is None:
            return
        current = next(b for b in self.state.branches if b.id == self.state.branch)
        name, ok = QInputDialog.getText(self, "Rename branch", "Name:", text=current.name)
        if ok and name.strip():
            self.rename_requested.emit(current.id, name.strip())


def branch_label(branch) -> str:
    return f"{branch.name}  ({branch.fork:,}–{branch.tip:,})"


def branch_tooltip(branch) -> str:
    if branch.parent is None:
        return "The run as it started."
    changes = "\n".join(branch.difference) or "no settings changed"
    return f"Forked at iteration {branch.fork:,}; changed from its parent:\n{changes}"

