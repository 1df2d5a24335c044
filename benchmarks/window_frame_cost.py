"""The window's own cost per frame, without a training process beside it: CPU time of the GUI
thread (`time.thread_time`, robust to a loaded machine) and paint events per frame per widget.

Frames are made once, in this process, as the worker makes them at full speed (grid25, 3×128,
batch 256, 512 display samples, a few training steps between frames, one field group per
frame, the latent interpolation, metrics every 54 frames, the timeline's state); then the
window (1600×1000, every layer or samples only, `start=False`: no training process) is sent
them through `TrainingSession.frame_received` every 1/27 s, as the app receives them, for
`--rounds` rounds after one warm-up round. What the app pays on top (unpickling the frames,
polling the training process) is not in it.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/window_frame_cost.py \\
        [--layers all|points] [--frames 108] [--rounds 3] [--paints]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # speed.py's own imports

from benchmarks.app_benchmark import ALL_LAYERS, LAYER_SETS, points_config

FRAME_INTERVAL_MS = 37  # ~27 frames a second, as the app's pacer sends them
METRICS_EVERY = 54  # frames between two metrics evaluations (~2 s)


def make_frames(count: int, layers: tuple[str, ...], steps: int = 3) -> list:
    """`count` frames of one grid25 run as the worker publishes them at full speed."""
    import numpy as np
    import torch

    from ganlab.core.metrics import evaluate
    from ganlab.core.timeline_state import BranchSummary, TimelineState
    from ganlab.training.field_schedule import fields_for_frame
    from ganlab.training.frame import Frame
    from ganlab.training.pending_changes import Interpolation, ViewRequest
    from ganlab.training.run import Run
    from ganlab.training.run_frames import take_run_frames

    torch.set_num_threads(1)
    torch.manual_seed(0)
    view = ViewRequest(critic="discriminator" in layers,
                       optimal_discriminator="optimal_discriminator" in layers,
                       target_density="density" in layers, gradients="gradients" in layers,
                       manifold="manifold" in layers, metrics=True, resolution=64)
    interpolation = (Interpolation(np.array([-0.8, -0.5]), np.array([0.7, 0.6]))
                     if "interpolation" in layers else None)
    run = Run(points_config("3×128, batch 256"), display_samples=512)
    run.trainer.train(200)
    frames = []
    for sequence in range(count):
        run.trainer.train(steps)
        metrics = ({0: (0, evaluate(run.trainer, 500))} if sequence % METRICS_EVERY == 0
                   else {})
        run_frames, _ = take_run_frames([run], fields_for_frame(view, sequence, True),
                                        full_check=False, metrics=metrics, epoch=0,
                                        interpolation=interpolation)
        iteration = run.trainer.iteration
        timeline = TimelineState(  # one branch, a keyframe every 500 iterations
            branch=0, position=iteration,
            branches=(BranchSummary(0, "main", None, 0, iteration, ()),),
            keyframes=tuple(range(0, iteration + 1, 500)), spacing=500, nbytes=2**20,
            budget_bytes=2**28)
        frames.append(Frame(sequence=sequence + 1, runs=tuple(run_frames), running=True,
                            phase="both", iterations_per_second=150.0, epoch=0,
                            target_epoch=0, extra={"timeline": timeline}))
    return frames


def widget_name(widget) -> str:
    parent = widget.parent()
    owner = type(parent).__name__ + "." if parent is not None else ""
    return owner + type(widget).__name__


def replay(window, frames: list, rounds: int, count_paints: bool) -> dict:
    """Send `frames` to the window (one warm-up round, then `rounds`); the GUI thread's CPU ms
    per frame and, with `count_paints`, paint events per frame by widget."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    loop = QEventLoop()  # not app.exec(): app.quit() would close the window
    paints: Counter = Counter()

    class PaintCounter(QObject):
        def eventFilter(self, watched, event):  # Qt's name
            if event.type() == QEvent.Type.Paint:
                paints[widget_name(watched)] += 1
            return False

    counter = PaintCounter()
    schedule = [frame for _ in range(rounds + 1) for frame in frames]
    state = {"next": 0}
    timer = QTimer()
    timer.setInterval(FRAME_INTERVAL_MS)

    def send() -> None:
        index = state["next"]
        if index == len(frames):  # the warm-up round is over: measure from here
            if count_paints:
                app.installEventFilter(counter)
            state["cpu"], state["wall"] = time.thread_time(), time.perf_counter()
        if index == len(schedule):
            state["cpu"] = time.thread_time() - state["cpu"]
            state["wall"] = time.perf_counter() - state["wall"]
            timer.stop()
            app.removeEventFilter(counter)
            loop.quit()
            return
        window.session.frame_received.emit(schedule[index])
        state["next"] = index + 1

    timer.timeout.connect(send)
    timer.start()
    loop.exec()
    measured = len(schedule) - len(frames)
    return {"cpu_ms": 1000 * state["cpu"] / measured, "seconds": state["wall"],
            "frames": measured, "paints": {name: n / measured for name, n in paints.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", choices=sorted(LAYER_SETS), default="all")
    parser.add_argument("--frames", type=int, default=108)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--paints", action="store_true",
                        help="also count paint events per frame by widget (a separate round)")
    args = parser.parse_args()
    layers = LAYER_SETS[args.layers]
    frames = make_frames(args.frames, layers)

    from PySide6.QtWidgets import QApplication

    from ganlab.app.main_window import build_window

    app = QApplication.instance() or QApplication(sys.argv)
    window = build_window(points_config("3×128, batch 256"), start=False)
    window.resize(1600, 1000)
    window.show()
    for name in ALL_LAYERS:
        window.set_layer(name, name in layers)
    app.processEvents()
    result = replay(window, frames, args.rounds, count_paints=False)
    print(f"# {args.layers} layers, {result['frames']} frames in {result['seconds']:.1f} s, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"GUI thread CPU ms per frame: {result['cpu_ms']:.2f}")
    if args.paints:
        counted = replay(window, frames, 1, count_paints=True)
        print("| widget | paints per frame |\n|---|---|")
        for name, per_frame in sorted(counted["paints"].items(), key=lambda kv: -kv[1]):
            print(f"| {name} | {per_frame:.2f} |")
    window.close()


if __name__ == "__main__":
    main()
