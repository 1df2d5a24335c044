"""The desktop app training on pictures: speed against a bare DCGAN loop, frames, stalls.

The app opens on the digits at `--resolution`: at 8×8 with their DCGAN recipe (as picking
"digits" in the gallery does), at 16×16 or 32×32 with the image recipe (as lesson 8, "a DCGAN
on digits", does; `--width` overrides G's and D's width), with the image views showing (the
generated grid from a fixed z with D's score under each image, the real grid, the nearest
training image, the charts), and trains for `--seconds` after a warm-up. Measured as
`app_benchmark.py` does for points:

- training iterations per second in the app (its training process, one torch thread as on a
  2-core machine), against the best bare PyTorch loop of the same networks and batch
  (`image_speed.BareDcgan`, fused and foreach Adam, one thread, the faster of the two);
- frames drawn per second (frames the views actually drew);
- the longest stall of the GUI event loop (lateness of a 5 ms timer) and its 99th percentile;
- load-robust counts for a busy machine: the training process's CPU milliseconds per iteration
  (training, snapshots and its helper threads) against the bare loop's CPU milliseconds per
  step, and frames published and drawn per iteration (1.0: a frame for every step); of that,
  the training thread's and the field thread's (which computes the pictures at full speed)
  CPU milliseconds per iteration.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/app_image_benchmark.py \\
        [--resolution 8] [--seconds 30] [--runs 1] [--width W]

Prints a markdown table. Run it on a quiet machine: the numbers are CPU-bound.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from app_benchmark import app_run  # noqa: E402  (the same window run, stall probe and counts)
from app_thread_cpu import thread_cpu  # noqa: E402

TRAINING_THREADS = ("ganlab-training", "ganlab-fields")


def measured_run(config, seconds: float) -> dict:
    """`app_run` with the CPU seconds of the training process's training and field threads
    over the measured window."""
    from PySide6.QtCore import QTimer

    cpu: dict = {}
    pictures: set = set()  # the distinct `images_iteration`s of the frames received
    probe = QTimer()
    probe.setInterval(10)

    def threads(window) -> dict[str, float]:
        process = getattr(window.session.worker, "process", None)
        return thread_cpu(process.pid) if process is not None else {}

    def on_start(window) -> None:
        cpu["start"] = threads(window)

        def look() -> None:
            frame = window.session.last_frame
            if frame is not None and frame.runs:
                pictures.add(frame.runs[0].snapshot.images_iteration)

        probe.timeout.connect(look)
        probe.start()

    def on_measured(window) -> None:
        cpu["end"] = threads(window)
        probe.stop()

    run = app_run(config, seconds, seconds, warmup=10.0, on_start=on_start,
                  on_measured=on_measured)
    for name in TRAINING_THREADS:
        run[name] = cpu["end"].get(name, 0.0) - cpu["start"].get(name, 0.0)
    run["pictures"] = len(pictures)
    return run


def bare_rate(config, seconds: float) -> tuple[float, float]:
    """(iterations per second, CPU milliseconds per step) of the best bare loop on `config`'s
    networks and batch, one thread."""
    import time

    import torch
    from image_speed import BareDcgan, iterations_per_second

    from ganlab.core.trainer import Trainer

    torch.set_num_threads(1)
    trainer = Trainer(config)
    loops = [BareDcgan(trainer, fused=True).step, BareDcgan(trainer, fused=False).step]
    rates = [statistics.median(iterations_per_second(step, trainer.device, seconds)
                               for _ in range(3)) for step in loops]
    best = loops[rates.index(max(rates))]
    started = time.process_time()
    for _ in range(20):
        best()
    return max(rates), (time.process_time() - started) / 20 * 1000


def image_config(resolution: int, width: int | None = None):
    """The digits as the app gives them: at 8×8 their DCGAN recipe (the gallery,
    `recipes.kind_switch`), larger with the image recipe (lesson 8)."""
    from ganlab.app.lessons import app_defaults
    from ganlab.core.recipes import DIGITS_DCGAN_RECIPE, IMAGE_RECIPE

    recipe = DIGITS_DCGAN_RECIPE if resolution == 8 else IMAGE_RECIPE
    options: dict = {"target": {"name": "digits", "resolution": resolution},
                     "training": {"device": "cpu"}}
    if width is not None:
        options["model"] = {"generator": {"width": width}, "discriminator": {"width": width}}
    return app_defaults().merged(recipe).merged(options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=8, choices=(8, 16, 32))
    parser.add_argument("--seconds", type=float, default=30.0, help="throughput window")
    parser.add_argument("--runs", type=int, default=1, help="consecutive app runs")
    parser.add_argument("--width", type=int, default=None, help="G's and D's DCGAN width")
    args = parser.parse_args()
    config = image_config(args.resolution, args.width)
    bare, bare_cpu_ms = bare_rate(config, 3.0)
    runs = [measured_run(config, args.seconds) for _ in range(args.runs)]
    model = config.model
    platform_name = os.environ.get("QT_QPA_PLATFORM") or "xcb (Xvfb)"
    print(f"# {platform.machine()}, {os.cpu_count()} cores, {platform_name}, digits "
          f"{args.resolution}×{args.resolution}, DCGAN width {model.generator.width}/"
          f"{model.discriminator.width}, image views showing")
    print(f"bare DCGAN loop (1 thread, best of fused/foreach Adam): {bare:.1f} it/s, "
          f"{bare_cpu_ms:.1f} CPU ms per step")
    print("| run | app it/s | of the bare loop | frames drawn per s | longest stall | "
          "99th percentile stall |")
    print("|---|---|---|---|---|---|")
    for number, run in enumerate(runs, 1):
        print(f"| {number} | {run['iterations_per_second']:.1f} | "
              f"{run['iterations_per_second'] / bare:.2f} | {run['frames_per_second']:.1f} | "
              f"{run['worst_stall_ms']:.0f} ms | {run['p99_stall_ms']:.0f} ms |")
    print("| run | iterations | training process CPU ms per iteration | frames published per "
          "iteration | frames drawn per iteration | training thread CPU ms per iteration | "
          "field thread CPU ms per iteration | new pictures per s |")
    print("|---|---|---|---|---|---|---|---|")
    for number, run in enumerate(runs, 1):
        count = max(run["iterations_counted"], 1)
        print(f"| {number} | {run['iterations_counted']} | "
              f"{1000 * run['training_cpu_s'] / count:.1f} | "
              f"{run['frames_published'] / count:.2f} | {run['frames_drawn'] / count:.2f} | "
              f"{1000 * run['ganlab-training'] / count:.1f} | "
              f"{1000 * run['ganlab-fields'] / count:.1f} | "
              f"{run['pictures'] / args.seconds:.1f} |")


if __name__ == "__main__":
    main()
