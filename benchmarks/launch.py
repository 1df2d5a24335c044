"""Launching the app: time to a visible window, to the target drawn, to the first frame; memory.

Each run starts `ganlab` (the `ganlab.cli.main` the installed command calls) in a fresh Python
process, with a probe wrapped around `QApplication.exec` that records, as wall-clock times from
the launch:

- *window*: the main window's first paint,
- *target drawn*: the first paint of run A's canvas once it shows the target's real points
  (painted from the configuration in the window, or from the training process's first frame),
- *first frame*: the first paint of the canvas after the training process's first frame,

and then, one second after the first frame, the resident memory (VmRSS) of the window's process
and of its training process; then it closes the window.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/launch.py [--runs 5] \
        [--compare-with /path/to/another/checkout]

Prints a markdown table of medians (and each run's numbers). The machine may be shared: take
the median of several runs. `--compare-with` launches another checkout of ganlab (say, an older
commit: `git archive <commit> | tar -x -C DIR`) in turn with this one, run for run, with the
same Python, so that both see the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import json, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

marks = {}

def rss_mb(pid="self"):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")

def target_shown(window):
    scatter = window.presenter.panes[0].canvas.layers["real"].scatter
    return len(scatter.data) > 0

class Paints(QObject):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.frames = 0

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            now = time.time()
            if watched is self.window:
                marks.setdefault("window", now)
            elif target_shown(self.window):
                marks.setdefault("target", now)
                if self.window.presenter.frames_presented and "frame" not in marks:
                    marks["frame"] = now
                    QTimer.singleShot(1000, finish)
        return False

def finish():
    window = probe.window
    process = getattr(window.session.worker, "process", None)
    marks["gui_rss_mb"] = rss_mb()
    marks["training_rss_mb"] = rss_mb(process.pid) if process is not None else float("nan")
    marks["torch_in_gui"] = "torch" in sys.modules
    print("MARKS " + json.dumps(marks), flush=True)
    window.close()

original_exec = QApplication.exec
probe = None

def exec_with_probe(*args):
    global probe
    from ganlab.app.main_window import MainWindow
    app = QApplication.instance()
    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
    probe = Paints(window)
    window.installEventFilter(probe)
    window.presenter.panes[0].canvas.viewport().installEventFilter(probe)
    QTimer.singleShot(60000, window.close)  # never hang the benchmark
    return original_exec()  # a static method: no instance to pass

QApplication.exec = exec_with_probe
from ganlab.cli import main
sys.argv = ["ganlab"]
sys.exit(main([]))
"""

MEASURES = (("window", "launch to visible window", "s"),
            ("target", "launch to the target drawn on the canvas", "s"),
            ("frame", "launch to the first frame from training", "s"),
            ("gui_rss_mb", "window process memory (RSS, 1 s after the first frame)", "MB"),
            ("training_rss_mb", "training process memory (RSS)", "MB"))


def one_launch(home: Path, root: Path = ROOT) -> dict:
    env = os.environ.copy()
    env["GANLAB_DATA_DIR"] = str(home)  # a clean autosave folder: no crashed run to offer
    started = time.time()
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            cwd=root, timeout=120, env=env)
    lines = [line for line in result.stdout.splitlines() if line.startswith("MARKS ")]
    if not lines:
        raise RuntimeError(f"the launch probe failed:\n{result.stderr[-3000:]}")
    marks = json.loads(lines[0][len("MARKS "):])
    for key in ("window", "target", "frame"):
        marks[key] = marks[key] - started if key in marks else float("nan")
    return marks


def table(runs: list[dict]) -> list[str]:
    rows = []
    for key, label, unit in MEASURES:
        values = [run[key] for run in runs]
        digits = 2 if unit == "s" else 0
        each = ", ".join(f"{value:.{digits}f}" for value in values)
        rows.append(f"| {label} | {statistics.median(values):.{digits}f} {unit} | {each} |")
    torch = "yes" if any(run["torch_in_gui"] for run in runs) else "no"
    rows.append(f"| torch imported in the window process | {torch} | |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare-with", type=Path, default=None,
                        help="another checkout of ganlab, launched in turn with this one")
    args = parser.parse_args()
    roots = [ROOT] + ([args.compare_with.resolve()] if args.compare_with else [])
    runs: dict[Path, list[dict]] = {root: [] for root in roots}
    with tempfile.TemporaryDirectory() as home:
        for root in roots:
            one_launch(Path(home), root)  # warm the file cache: every run then starts alike
        for _ in range(args.runs):
            for root in roots:
                runs[root].append(one_launch(Path(home), root))
    platform_name = os.environ.get("QT_QPA_PLATFORM") or "xcb (Xvfb)"
    for root in roots:
        print(f"# {root}: {platform.machine()}, {os.cpu_count()} cores, {platform_name}, "
              f"median of {args.runs} launches of `ganlab` (after one warm-up launch)")
        print("| measure | median | runs |")
        print("|---|---|---|")
        print("\n".join(table(runs[root])))


if __name__ == "__main__":
    main()
