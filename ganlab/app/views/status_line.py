"""The status bar's permanent fields: iteration, speed, frames drawn, device, headline metrics.

The counters are permanent widgets on the right. The metrics are an ordinary widget on the left
that takes the room the counters leave and never more (a long text is cut, it never squeezes a
counter), and that Qt hides while a temporary message ("Press Space to train…", "Saved…") is
shown in its place: a message then has the whole left part and no longer runs into the counters
drawn over it. In compare mode W1's floor, the same for both runs (they share the data), is said
once, at the end."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar

from ganlab.training.frame import Frame

TEXT_INTERVAL_S = 0.25


def headline_metrics(metrics: dict | None, with_floor: bool = True) -> str:
    """'modes 7/8 · HQ 64% · JS 0.12 · W1 0.31 (perfect: 0.25)' from whatever the metrics
    hold; W1 beside its floor, the W1 a perfect generator reads with as many points (unless
    `with_floor` is False: the caller says it once for two runs)."""
    if not metrics:
        return ""
    parts = []
    if metrics.get("total_modes"):
        parts.append(f"modes {metrics.get('modes_covered', 0)}/{metrics['total_modes']}")
        high_quality = metrics.get("high_quality_fraction")
        if high_quality is not None:
            parts.append(f"HQ {100 * high_quality:.0f}%")
    for key, label in (("js", "JS"), ("w1", "W1")):
        value = metrics.get(key)
        if value is not None and math.isfinite(value):
            parts.append(f"{label} {value:.3g}")
    floor = metrics.get("w1_floor")
    if (with_floor and parts and parts[-1].startswith("W1") and floor is not None
            and math.isfinite(floor)):
        parts[-1] += f" (perfect: {floor:.2g})"
    return " · ".join(parts)


def per_second(value: float) -> str:
    """'0.5', '2.5', '27', '1,250': a decimal below 10 (slow motion is 0.5 it/s, not 0)."""
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


class StatusLine:
    """Owns the labels it adds to a QStatusBar."""

    def __init__(self, bar: QStatusBar):
        self.bar = bar
        self.iteration = QLabel("iteration 0")
        self.speed = QLabel("0 it/s")
        self.fps = QLabel("0 fps")
        self.device = QLabel("cpu")
        self.metrics = QLabel("")
        tips = {
            self.iteration: "Training iterations so far (k critic + g generator updates each).",
            self.speed: "Training iterations per second, measured by the worker.",
            self.fps: "Frames drawn per second by the views.",
            self.device: "The device the networks train on.",
            self.metrics: "Run A's latest metrics: modes covered, % high quality, JS, and W1 "
                          "beside what a perfect generator reads (W1's floor).",
        }
        for label, tip in tips.items():
            label.setToolTip(tip)
            label.setMinimumWidth(70)
            if label is self.metrics:  # hidden by Qt while a temporary message shows
                bar.addWidget(label, 1)
            else:
                bar.addPermanentWidget(label)
        # Qt hides the metrics for a message only if they were visible when it came: one shown
        # before the window was (the start-up hint) was drawn over them; so say it here too
        bar.messageChanged.connect(lambda message: self.metrics.setVisible(not message))
        # the metrics get what is left: their text never pushes into the counters
        self.metrics.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.metrics.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._frames = 0
        self._clock = time.perf_counter()
        self.frames_per_second = 0.0
        self._metrics_by_run: dict[int, str] = {}
        self._floor = ""  # compare mode: W1's floor, said once after both runs
        self._last_text = 0.0

    def show_frame(self, frame: Frame) -> None:
        self._frames += 1
        now = time.perf_counter()
        if now - self._clock >= 1.0:
            self.frames_per_second = self._frames / (now - self._clock)
            self._frames, self._clock = 0, now
        compare = len(frame.runs) > 1
        for index, run in enumerate(frame.runs):
            if run.metrics:
                self._metrics_by_run[index] = headline_metrics(run.metrics, not compare)
                floor = run.metrics.get("w1_floor")
                if index == 0 and floor is not None and math.isfinite(floor):
                    self._floor = f"(perfect W1: {floor:.2g})"
        # text changes relayout the status bar: four times a second is plenty to read
        if frame.running and now - self._last_text < TEXT_INTERVAL_S:
            return
        self._last_text = now
        self.iteration.setText(f"iteration {frame.iteration:,}")
        self.speed.setText(f"{per_second(frame.iterations_per_second)} it/s")
        self.fps.setText(f"{per_second(self.frames_per_second)} fps" if frame.running
                         else "paused")
        if frame.runs:
            self.device.setText(frame.runs[0].device)
        texts = [f"{'AB'[i]}: {t}" if compare else t
                 for i, t in sorted(self._metrics_by_run.items()) if i < len(frame.runs) and t]
        if compare and texts and self._floor:
            texts.append(self._floor)
        self.metrics.setText("   ".join(texts))

    def clear_metrics(self) -> None:
        self._metrics_by_run.clear()
        self._floor = ""
        self.metrics.setText("")
