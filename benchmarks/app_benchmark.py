"""The desktop app under load: training speed against a bare loop, frames, stalls, launch, memory.

With every layer of the data canvas on (D heatmap, D* boundary, density, gradient arrows,
manifold, interpolation; `--layers points` for samples only) and the 30 Hz refresh running,
it measures:

- training iterations per second in the app (training in its own process, as the app runs),
  against the mean of the bare loop measured just before the app starts and just after it
  closes (this VM's speed drifts by ±10% within minutes; a reference taken on one side only
  moves the ratio by that much), the bare PyTorch loop of
  `benchmarks/speed.py` (the best hand-written loop: same networks, batch, objective, fused or
  foreach Adam; one torch thread, as the app's worker uses on a 2-core machine — the other
  core is the GUI's),
- frames drawn per second (frames the views actually drew),
- the longest stall of the GUI event loop (lateness of a 5 ms timer) and its 99th percentile,
- time from launching a fresh process to a visible, painted window (median of 3),
- resident memory growth (GUI process plus training process) between the end of the warm-up
  and the end of the run.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/app_benchmark.py \\
        [--seconds 30] [--memory-seconds 120] [--size "3×128, batch 256"]

Prints a markdown table. (Run it on a quiet machine: the numbers are CPU-bound.)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LAUNCH_PROBE = """
import time, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
from ganlab.app.main_window import build_window
window = build_window()

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(f"PAINTED {time.time():.6f}", flush=True)
            QTimer.singleShot(0, window.close)
            QTimer.singleShot(50, app.quit)
            watched.removeEventFilter(self)
        return False

probe = FirstPaint()
window.installEventFilter(probe)
window.show()
app.exec()
"""


def rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def app_rss_mb(window) -> float:
    """Resident memory of the app: the GUI process and its training process."""
    process = getattr(window.session.worker, "process", None)
    return rss_mb() + (rss_mb(process.pid) if process is not None else 0.0)


def training_cpu_s(window) -> float:
    """CPU seconds (user + system) the training process has used so far (NaN if none)."""
    process = getattr(window.session.worker, "process", None)
    if process is None:
        return float("nan")
    with open(f"/proc/{process.pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bare_loop_rate(size: str, seconds: float) -> float:
    """The best hand-written loop of `benchmarks/speed.py` (fused or foreach Adam, whichever is
    faster) on the same networks and batch, one thread."""
    import torch

    from benchmarks.speed import SIZES, BareLoop, engine, iterations_per_second

    layers, width, batch = SIZES[size]
    trainer = engine(layers, width, batch, "cpu", threads=1)
    loops = [BareLoop(trainer, fused=True).step, BareLoop(trainer, fused=False).step]
    return max(statistics.median(iterations_per_second(step, torch.device("cpu"), seconds)
                                 for _ in range(3)) for step in loops)


def launch_seconds(repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.time()
        result = subprocess.run([sys.executable, "-c", LAUNCH_PROBE], capture_output=True,
                                text=True, cwd=ROOT, timeout=120, env=os.environ.copy())
        painted = [line for line in result.stdout.splitlines() if line.startswith("PAINTED")]
        if not painted:
            raise RuntimeError(f"the launch probe failed:\n{result.stderr[-2000:]}")
        times.append(float(painted[0].split()[1]) - started)
    return statistics.median(times)


def wait_for_exit(pid: int | None, timeout: float = 15.0) -> None:
    """Wait until the training process `pid` has ended (its exit must not overlap a
    measurement)."""
    ended = time.perf_counter() + timeout
    while pid is not None and time.perf_counter() < ended:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return
        except OSError:
            return
        time.sleep(0.05)


ALL_LAYERS = ("real", "generated", "discriminator", "optimal_discriminator", "density",
              "gradients", "manifold", "interpolation")
LAYER_SETS = {"all": ALL_LAYERS, "points": ("real", "generated")}


def points_config(size: str):
    """The app's defaults on grid25 with `size`'s networks and batch, no R1 (as the bare loop)."""
    from benchmarks.speed import SIZES
    from ganlab.app.lessons import app_defaults

    layers, width, batch = SIZES[size]
    config = app_defaults()
    config.target.name = "grid25"
    for net in (config.model.generator, config.model.discriminator):
        net.hidden_layers, net.width = layers, width
    config.training.batch_size = batch
    config.training.device = "cpu"
    config.objective.r1_gamma = 0.0
    return config


def open_training_window(config, shown_layers: tuple[str, ...] = ALL_LAYERS):
    """The QApplication and a shown 1600×1000 window training `config` with `shown_layers`."""
    from PySide6.QtWidgets import QApplication

    from ganlab.app.main_window import build_window

    app = QApplication.instance() or QApplication(sys.argv)
    window = build_window(config)
    window.resize(1600, 1000)
    window.show()
    for name in ALL_LAYERS:
        window.set_layer(name, name in shown_layers)
    window.session.play()
    return app, window


def app_run(config, seconds: float, memory_seconds: float, warmup: float = 8.0,
            shown_layers: tuple[str, ...] = ALL_LAYERS, on_start=None, on_measured=None) -> dict:
    """The window training `config` for `warmup` (counted from the first frame: on a loaded
    machine the training process takes longer to start) + `seconds` (and on to
    `memory_seconds`): iterations and frames per second, GUI stalls, memory growth.
    `on_start(window)` and `on_measured(window)` are called as the measured window opens and
    closes."""
    from PySide6.QtCore import QTimer

    app, window = open_training_window(config, shown_layers)
    result: dict = {}
    gaps: list[float] = []
    last_tick = [time.perf_counter()]
    measuring = [False]

    def tick() -> None:
        now = time.perf_counter()
        if measuring[0]:
            gaps.append(now - last_tick[0])
            if gaps[-1] >= max(gaps):
                result["worst_stall_ends_at"] = now
        last_tick[0] = now

    probe = QTimer()
    probe.setInterval(5)
    probe.timeout.connect(tick)
    probe.start()
    state: dict = {}

    def start() -> None:
        measuring[0] = True
        if on_start is not None:
            on_start(window)
        last_tick[0] = time.perf_counter()
        state.update(time=time.perf_counter(), frames=window.presenter.frames_presented,
                     iteration=window.session.last_frame.iteration, rss=app_rss_mb(window),
                     published=window.session.last_frame.sequence,
                     training_cpu=training_cpu_s(window))

    def measure() -> None:
        elapsed = time.perf_counter() - state["time"]
        measuring[0] = False
        if on_measured is not None:
            on_measured(window)
        result["iterations_per_second"] = (
            window.session.last_frame.iteration - state["iteration"]) / elapsed
        result["frames_per_second"] = (
            window.presenter.frames_presented - state["frames"]) / elapsed
        # load-robust counts: iterations and frames over the window, the training process's CPU
        result["iterations_counted"] = window.session.last_frame.iteration - state["iteration"]
        result["frames_published"] = window.session.last_frame.sequence - state["published"]
        result["frames_drawn"] = window.presenter.frames_presented - state["frames"]
        result["training_cpu_s"] = training_cpu_s(window) - state["training_cpu"]
        stalls = sorted(gap - 0.005 for gap in gaps)
        result["worst_stall_ms"] = 1000 * stalls[-1]
        result["p99_stall_ms"] = 1000 * stalls[int(0.99 * (len(stalls) - 1))]

    def finish() -> None:
        result["rss_start_mb"] = state["rss"]
        result["rss_end_mb"] = app_rss_mb(window)
        result["memory_window_s"] = memory_seconds
        result["iterations"] = window.session.last_frame.iteration
        process = getattr(window.session.worker, "process", None)
        result["training_pid"] = process.pid if process is not None else None
        window.close()
        app.quit()

    def warm_up() -> None:
        if window.session.last_frame is None:  # not started yet: look again soon
            QTimer.singleShot(250, warm_up)
            return
        QTimer.singleShot(int(warmup * 1000), start)
        QTimer.singleShot(int((warmup + seconds) * 1000), measure)
        QTimer.singleShot(int((warmup + max(seconds, memory_seconds)) * 1000), finish)

    warm_up()
    app.exec()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="throughput window")
    parser.add_argument("--memory-seconds", type=float, default=120.0,
                        help="run length for the memory measurement (after warm-up)")
    parser.add_argument("--size", default="3×128, batch 256")
    parser.add_argument("--layers", choices=sorted(LAYER_SETS), default="all",
                        help="all: every layer of the canvas; points: samples only")
    args = parser.parse_args()
    bare_before = bare_loop_rate(args.size, 3.0)
    launch = launch_seconds()
    run = app_run(points_config(args.size), args.seconds, args.memory_seconds,
                  shown_layers=LAYER_SETS[args.layers])
    wait_for_exit(run["training_pid"])
    bare_after = bare_loop_rate(args.size, 3.0)
    bare = (bare_before + bare_after) / 2
    platform_name = os.environ.get("QT_QPA_PLATFORM") or "xcb (Xvfb)"
    shown = "every layer on" if args.layers == "all" else "samples only"
    print(f"# {platform.machine()}, {os.cpu_count()} cores, {platform_name}, networks "
          f"{args.size}, {shown}, 30 Hz refresh")
    print("| measure | value |")
    print("|---|---|")
    print(f"| bare loop (1 thread), before / after the app | {bare_before:.0f} / "
          f"{bare_after:.0f} it/s (mean {bare:.0f}) |")
    ratio = run["iterations_per_second"] / bare
    print(f"| app, training while drawing | {run['iterations_per_second']:.0f} it/s "
          f"({ratio:.2f} of the bare loop's mean; {run['iterations_per_second'] / bare_before:.2f}"
          f" of the one before) |")
    print(f"| frames drawn | {run['frames_per_second']:.1f} per second |")
    print(f"| longest GUI stall (5 ms timer lateness) | {run['worst_stall_ms']:.0f} ms "
          f"(99th percentile {run['p99_stall_ms']:.0f} ms) |")
    print(f"| launch to visible window | {launch:.2f} s |")
    growth = run["rss_end_mb"] - run["rss_start_mb"]
    print(f"| memory growth over {run['memory_window_s']:.0f} s of training "
          f"({run['iterations']:,} iterations) | {growth:+.1f} MB "
          f"({run['rss_start_mb']:.0f} → {run['rss_end_mb']:.0f} MB) |")


if __name__ == "__main__":
    main()
