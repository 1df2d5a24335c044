"""Closing the window while it trains, on a busy machine: how long until the app is gone.

Each round opens the main window (training in its child process, as the app runs, with the
app's default settings), trains for a moment at full speed, then closes the window and measures

- `close`: how long `close()` takes (the GUI is frozen meanwhile; the window is hidden at once),
- `ended`: from the close to the training process having exited (what the app waits for
  before its own process ends),

and checks that the save on exit happened: the autosave holds at least the iteration of the
last frame drawn before the close. Meanwhile `--busy` processes spin on the CPU (default: one
per core), so the numbers are those of a loaded machine.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/close_time.py [--rounds 12] [--busy 2]

Prints a markdown table of min / median / max.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TRAIN_S = 1.0  # training before each close
START_TIMEOUT_S = 60.0


def spin(stop) -> None:
    """A busy process: pure Python arithmetic until told to stop."""
    value = 0
    while not stop.is_set():
        for step in range(100_000):
            value = (value + step) % 1_000_003


def wait_until(app, condition, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.005)
    return False


def one_round(app, folder: Path) -> dict:
    from ganlab.app.main_window import build_window
    from ganlab.core.autosave import Autosave
    from ganlab.core.session_file import load_session

    autosave = Autosave(folder, interval_s=1e9)  # only the save on exit
    window = build_window(autosave=autosave)
    window.show()
    if not wait_until(app, lambda: window.session.last_frame is not None, START_TIMEOUT_S):
        raise RuntimeError("no first frame")
    window.session.play()
    started = time.perf_counter()
    wait_until(app, lambda: time.perf_counter() - started > TRAIN_S
               and window.session.last_frame.iteration > 0, START_TIMEOUT_S)
    iteration = window.session.last_frame.iteration
    began = time.perf_counter()
    window.close()
    closed = time.perf_counter()
    window.session.wait_for_worker(30.0)
    ended = time.perf_counter()
    saved = autosave.path.exists() and load_session(autosave.path).trainer.iteration >= iteration
    window.deleteLater()
    app.processEvents()
    return {"close": closed - began, "ended": ended - began, "saved": saved}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)  # ~2 min on 2 busy cores
    parser.add_argument("--busy", type=int, default=os.cpu_count() or 2,
                        help="busy processes spinning meanwhile (default: one per core)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    busy = [context.Process(target=spin, args=(stop,), daemon=True) for _ in range(args.busy)]
    for process in busy:
        process.start()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for index in range(args.rounds):
                row = one_round(app, Path(folder) / str(index))
                rows.append(row)
                logging.warning("round %d: close %.2f s, ended %.2f s, saved %s", index + 1,
                                row["close"], row["ended"], row["saved"])
    finally:
        stop.set()
        for process in busy:
            process.join(5.0)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{len(rows)} closes while training, {args.busy} busy processes, "
          f"{os.cpu_count()} cores, load average {load:.1f} at the end\n")
    print("| measure | min | median | max |")
    print("|---|---|---|---|")
    for key in ("close", "ended"):
        values = [row[key] for row in rows]
        print(f"| {key} (s) | {min(values):.2f} | {statistics.median(values):.2f} "
              f"| {max(values):.2f} |")
    print(f"\nsaved on exit: {sum(row['saved'] for row in rows)} of {len(rows)}")


if __name__ == "__main__":
    main()
