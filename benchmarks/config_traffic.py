"""What a settings edit costs with a large painted target: bytes per frame and slider latency.

The app trains on 20,000 painted points (the painting tool's "Train on drawing"), training runs
in its own process as in the app, and the benchmark drives the real settings panel:

- bytes per frame: the pickled size of each frame as it crosses the process pipe (the child
  pickles exactly this), median over the frames of the run;
- GUI time per edit: how long one learning-rate edit in the panel keeps the GUI thread busy
  (validation, copies, sending);
- edit to trainer: from the edit to the first frame whose trainer uses the new value
  (includes up to one frame interval, ~33 ms);
- config copy: one `RunConfig.copy()` of the run's configuration.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/config_traffic.py [--points 20000]

Prints a markdown table (medians over `--edits` edits).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pickle
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the run's autosave goes to a scratch folder, never over the user's own autosave
os.environ.setdefault("GANLAB_DATA_DIR", tempfile.mkdtemp(prefix="ganlab-benchmark-"))

LR_PATH = "discriminator_optimizer.learning_rate"


def painted_target(n: int):
    """A custom target of `n` painted points, as the painting tool makes it (either form)."""
    import numpy as np

    from ganlab.core.config import TargetConfig

    rng = np.random.default_rng(0)
    points = (rng.normal(size=(n, 2)) * 0.5).round(4)
    names = {f.name for f in dataclasses.fields(TargetConfig)}
    if "data" in names:  # the data lives outside the config, referenced by its content hash
        from ganlab.core.data_store import DATA

        return TargetConfig(name="custom", data=DATA.put(points))
    return TargetConfig(name="custom", points=points.tolist())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20000)
    parser.add_argument("--edits", type=int, default=15)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    from ganlab.app.main_window import build_window

    window = build_window()
    window.show()
    session = window.session
    frame_sizes: list[int] = []

    def count_bytes(frame) -> None:
        # what crossed the pipe: the process's own count where it keeps one; before the data
        # left the config, every frame crossed whole, as pickled here
        crossed = getattr(session.worker, "last_frame_bytes", None)
        frame_sizes.append(crossed if crossed is not None else len(pickle.dumps(frame)))

    session.frame_received.connect(count_bytes)

    def wait(condition, timeout: float = 30.0) -> float:
        started = time.perf_counter()
        while not condition():
            app.processEvents()
            if time.perf_counter() - started > timeout:
                raise TimeoutError("no frame came")
            time.sleep(0.001)
        return time.perf_counter() - started

    # (before the data left the config, a target set before the training process started
    # blocked the GUI thread forever on a full pipe: start first, for a fair comparison)
    wait(lambda: session.last_frame is not None, 120)
    session.set_target(painted_target(args.points))
    session.play()
    wait(lambda: session.last_frame is not None and session.last_frame.iteration > 50)
    config = session.configs[0]
    copies = []
    for _ in range(5):
        started = time.perf_counter()
        config.copy()
        copies.append(time.perf_counter() - started)
    panel = window.control_panels[0]
    gui_times, latencies = [], []
    for edit in range(args.edits):
        value = 1e-4 * (1 + edit % 5) + 1e-6 * edit
        frame_sizes.clear()
        started = time.perf_counter()
        panel.edit(LR_PATH, value)
        gui_times.append(time.perf_counter() - started)

        def applied(value=value):
            frame = session.last_frame
            return frame is not None and frame.runs[0].config.value_at(LR_PATH) == value

        latencies.append(time.perf_counter() - started + wait(applied) - 0.0)
        wait(lambda: len(frame_sizes) >= 5)  # a few frames after the change
    sizes = list(frame_sizes)
    session.frame_received.disconnect()
    window.close()
    ms = 1000
    print(f"config traffic — {args.points:,} painted points, {platform.node()}, "
          f"{time.strftime('%Y-%m-%d')}")
    print()
    print("| | median | max |")
    print("|---|---|---|")
    print(f"| bytes per frame (pickled) | {statistics.median(sizes):,.0f} | {max(sizes):,} |")
    print(f"| GUI time per edit | {statistics.median(gui_times) * ms:.1f} ms "
          f"| {max(gui_times) * ms:.1f} ms |")
    print(f"| edit to trainer | {statistics.median(latencies) * ms:.0f} ms "
          f"| {max(latencies) * ms:.0f} ms |")
    print(f"| one config copy | {statistics.median(copies) * ms:.2f} ms "
          f"| {max(copies) * ms:.2f} ms |")


if __name__ == "__main__":
    main()
