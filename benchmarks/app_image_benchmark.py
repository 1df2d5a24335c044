"""The desktop app training on pictures: speed against a bare DCGAN loop, frames, stalls.

The app opens on the digits with the image recipe (as picking "digits" in the gallery does) at
`--resolution`, with the image views showing (the generated grid from a fixed z with D's score
under each image, the real grid, the nearest training image, the charts), and trains for
`--seconds` after a warm-up. Measured as `app_benchmark.py` does for points:

- training iterations per second in the app (its training process, one torch thread as on a
  2-core machine), against the best bare PyTorch loop of the same networks and batch
  (`image_speed.BareDcgan`, fused and foreach Adam, one thread, the faster of the two);
- frames drawn per second (frames the views actually drew);
- the longest stall of the GUI event loop (lateness of a 5 ms timer) and its 99th percentile.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/app_image_benchmark.py \\
        [--resolution 8] [--seconds 30] [--runs 1]

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


def bare_rate(resolution: int, seconds: float) -> float:
    import torch
    from image_bench_common import image_recipe_config
    from image_speed import BareDcgan, iterations_per_second

    from ganlab.core.trainer import Trainer

    torch.set_num_threads(1)
    trainer = Trainer(image_recipe_config(resolution, dcgan=True))
    loops = [BareDcgan(trainer, fused=True).step, BareDcgan(trainer, fused=False).step]
    return max(statistics.median(iterations_per_second(step, trainer.device, seconds)
                                 for _ in range(3)) for step in loops)


def image_config(resolution: int):
    """The digits with the image recipe, as picking them in the gallery gives them."""
    from ganlab.app.lessons import app_defaults
    from ganlab.core.recipes import DIGITS_DCGAN_RECIPE

    # the gallery's digits: their DCGAN (`recipes.kind_switch`)
    return app_defaults().merged(DIGITS_DCGAN_RECIPE).merged(
        {"target": {"name": "digits", "resolution": resolution},
         "training": {"device": "cpu"}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=8, choices=(8, 16, 32))
    parser.add_argument("--seconds", type=float, default=30.0, help="throughput window")
    parser.add_argument("--runs", type=int, default=1, help="consecutive app runs")
    args = parser.parse_args()
    bare = bare_rate(args.resolution, 3.0)
    runs = [app_run(image_config(args.resolution), args.seconds, args.seconds, warmup=10.0)
            for _ in range(args.runs)]
    platform_name = os.environ.get("QT_QPA_PLATFORM") or "xcb (Xvfb)"
    print(f"# {platform.machine()}, {os.cpu_count()} cores, {platform_name}, digits "
          f"{args.resolution}×{args.resolution}, image recipe, image views showing")
    print(f"bare DCGAN loop (1 thread, best of fused/foreach Adam): {bare:.1f} it/s")
    print("| run | app it/s | of the bare loop | frames drawn per s | longest stall | "
          "99th percentile stall |")
    print("|---|---|---|---|---|---|")
    for number, run in enumerate(runs, 1):
        print(f"| {number} | {run['iterations_per_second']:.1f} | "
              f"{run['iterations_per_second'] / bare:.2f} | {run['frames_per_second']:.1f} | "
              f"{run['worst_stall_ms']:.0f} ms | {run['p99_stall_ms']:.0f} ms |")


if __name__ == "__main__":
    main()
