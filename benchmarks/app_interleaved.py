"""The app's training speed against the bare loop measured in the same minute, slice by slice.

This VM's speed drifts by 10–40% within a minute (the bare loop alone: 100–185 it/s over ten
minutes on 2026-11-24), so a bare loop measured before and after a 20-second app run can sit in
another phase of the machine than the run itself. Here the app (every layer on, as
`app_benchmark.py`) and the bare loop take turns: `--slices` times, the app trains and draws
for `--slice-seconds` (its iterations, frames and GUI stalls counted), then it is paused and the
bare loop of `benchmarks/speed.py` (the best hand-written loop, one thread, in a child process
started once) runs for as long. The ratio is the app's iterations per second over all its
slices against the bare loop's over all of its slices; each pair is printed too.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/app_interleaved.py \\
        [--slices 6] [--slice-seconds 4] [--layers all|points] [--runs 5] [--images 16]

`--images 16` measures the app on the digits at 16×16 (the image recipe, image views showing)
against `image_speed.BareDcgan` on the same networks, as `app_image_benchmark.py` does.

Prints a markdown table per run and one line per run at the end (run it on a quiet machine).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))  # speed.py's own imports

from benchmarks.app_benchmark import (  # noqa: E402
    ALL_LAYERS,
    LAYER_SETS,
    open_training_window,
    points_config,
)

SETTLE_S = 0.6  # after a resume or a pause: frames flowing again / the training process idle


def best_bare_step(size: str, resolution: int | None):
    """The faster (fused or foreach Adam) of the best bare loops on the benchmark's networks:
    `benchmarks/speed.py`'s for points of `size`, `image_speed.BareDcgan` for the digits at
    `resolution` (the app's image recipe, as `app_image_benchmark.py`)."""
    import torch

    from benchmarks.speed import SIZES, BareLoop, engine, iterations_per_second

    if resolution is None:
        layers, width, batch = SIZES[size]
        trainer = engine(layers, width, batch, "cpu", threads=1)
        loops = [BareLoop(trainer, fused=True).step, BareLoop(trainer, fused=False).step]
    else:
        from app_image_benchmark import image_config
        from image_speed import BareDcgan

        from ganlab.core.trainer import Trainer

        torch.set_num_threads(1)
        trainer = Trainer(image_config(resolution))
        loops = [BareDcgan(trainer, fused=True).step, BareDcgan(trainer, fused=False).step]
    rates = [iterations_per_second(step, torch.device("cpu"), 1.0) for step in loops]
    return loops[rates.index(max(rates))]


def bare_loop_server(size: str, resolution: int | None, connection) -> None:
    """Child process: builds the best bare loop once, then answers each number of seconds sent
    with the iterations per second it ran for that long."""
    import torch

    from benchmarks.speed import iterations_per_second

    step = best_bare_step(size, resolution)
    connection.send("ready")
    while (seconds := connection.recv()) is not None:
        connection.send(iterations_per_second(step, torch.device("cpu"), seconds))


class BareLoopProcess:
    def __init__(self, size: str, resolution: int | None = None):
        context = multiprocessing.get_context("spawn")
        self._connection, child_end = context.Pipe()
        self._process = context.Process(target=bare_loop_server,
                                        args=(size, resolution, child_end),
                                        daemon=True)
        self._process.start()
        if self._connection.recv() != "ready":
            raise RuntimeError("the bare loop did not start")

    def rate(self, seconds: float) -> float:
        self._connection.send(seconds)
        return self._connection.recv()

    def close(self) -> None:
        self._connection.send(None)
        self._process.join(10)


def interleaved_run(config, bare: BareLoopProcess, slices: int, slice_seconds: float,
                    warmup: float = 8.0, shown_layers: tuple[str, ...] = ALL_LAYERS) -> dict:
    """The window training `config`; after `warmup` seconds from its first frame, `slices`
    turns of (app for `slice_seconds`, paused, bare loop for `slice_seconds`)."""
    from PySide6.QtCore import QTimer

    app, window = open_training_window(config, shown_layers)
    pairs: list[dict] = []
    gaps: list[float] = []
    last_tick = [time.perf_counter()]
    measuring = [False]
    state: dict = {}

    def tick() -> None:
        now = time.perf_counter()
        if measuring[0]:
            gaps.append(now - last_tick[0])
        last_tick[0] = now

    probe = QTimer()
    probe.setInterval(5)
    probe.timeout.connect(tick)
    probe.start()

    def begin_slice() -> None:
        measuring[0] = True
        last_tick[0] = time.perf_counter()
        state.update(time=time.perf_counter(), iteration=window.session.last_frame.iteration,
                     frames=window.presenter.frames_presented)
        QTimer.singleShot(int(slice_seconds * 1000), end_slice)

    def end_slice() -> None:
        elapsed = time.perf_counter() - state["time"]
        measuring[0] = False
        pairs.append({
            "app": (window.session.last_frame.iteration - state["iteration"]) / elapsed,
            "frames": (window.presenter.frames_presented - state["frames"]) / elapsed})
        window.session.pause()
        QTimer.singleShot(int(SETTLE_S * 1000), run_bare)

    def run_bare() -> None:  # blocks the (idle, paused) window: no stall is measured now
        pairs[-1]["bare"] = bare.rate(slice_seconds)
        if len(pairs) == slices:
            window.close()
            app.quit()
            return
        window.session.play()
        QTimer.singleShot(int(SETTLE_S * 1000), begin_slice)

    def warm_up() -> None:
        if window.session.last_frame is None:  # not started yet: look again soon
            QTimer.singleShot(250, warm_up)
            return
        QTimer.singleShot(int(warmup * 1000), begin_slice)

    warm_up()
    app.exec()
    stalls = sorted(gap - 0.005 for gap in gaps)
    app_rate = statistics.fmean(pair["app"] for pair in pairs)
    bare_rate = statistics.fmean(pair["bare"] for pair in pairs)
    return {"pairs": pairs, "app": app_rate, "bare": bare_rate, "ratio": app_rate / bare_rate,
            "frames": statistics.fmean(pair["frames"] for pair in pairs),
            "worst_stall_ms": 1000 * stalls[-1],
            "p99_stall_ms": 1000 * stalls[int(0.99 * (len(stalls) - 1))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=6)
    parser.add_argument("--slice-seconds", type=float, default=4.0)
    parser.add_argument("--size", default="3×128, batch 256")
    parser.add_argument("--layers", choices=sorted(LAYER_SETS), default="all")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--images", type=int, metavar="RESOLUTION", default=None,
                        help="the digits at this resolution with the image recipe, image views "
                             "showing (as app_image_benchmark.py), instead of points")
    args = parser.parse_args()
    bare = BareLoopProcess(args.size, args.images)
    summaries = []
    if args.images is None:
        shown = f"networks {args.size}, " + (
            "every layer on" if args.layers == "all" else "samples only")
    else:
        from app_image_benchmark import image_config

        shown = f"digits {args.images}×{args.images}, image recipe, image views"
    for run_index in range(1, args.runs + 1):
        started = time.strftime("%H:%M:%S")
        config = points_config(args.size) if args.images is None else image_config(args.images)
        run = interleaved_run(config, bare, args.slices, args.slice_seconds,
                              warmup=8.0 if args.images is None else 10.0,
                              shown_layers=LAYER_SETS[args.layers])
        print(f"# run {run_index} at {started}: {os.cpu_count()} cores, {shown}, "
              f"{args.slices} slices of {args.slice_seconds:g} s each side")
        print("| slice | app it/s | bare loop it/s | ratio | frames per s |")
        print("|---|---|---|---|---|")
        for index, pair in enumerate(run["pairs"], 1):
            print(f"| {index} | {pair['app']:.0f} | {pair['bare']:.0f} | "
                  f"{pair['app'] / pair['bare']:.2f} | {pair['frames']:.1f} |")
        summaries.append(
            f"run {run_index} ({started}): app {run['app']:.0f} it/s, bare {run['bare']:.0f} "
            f"it/s, **{run['ratio']:.2f}** of the bare loop, {run['frames']:.1f} frames/s, "
            f"longest stall {run['worst_stall_ms']:.0f} ms (p99 {run['p99_stall_ms']:.0f} ms)")
        print(summaries[-1], flush=True)
    bare.close()
    print("\n".join(["# summary", *summaries]))


if __name__ == "__main__":
    main()
