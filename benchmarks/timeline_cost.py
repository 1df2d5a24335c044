"""What the timeline costs a run: training CPU time with and without keyframes and records,
the size and copy time of one keyframe, and the time of a seek (keyframe + exact replay).

CPU time (`time.process_time`, one thread) rather than wall time, so the numbers mean something
on a busy machine too. The runs alternate (without, with, without, with) and the best of each
is reported.

    python benchmarks/timeline_cost.py [--iterations 2000] [--budget-mb 256]
"""

from __future__ import annotations

import argparse
import time

import torch

from ganlab.core.config import RunConfig
from ganlab.core.keyframes import take_keyframe
from ganlab.core.timeline import Timeline
from ganlab.core.trainer import Trainer


def train_cpu_s(config: RunConfig, iterations: int, timeline_budget: int | None):
    trainer = Trainer(config)
    timeline = Timeline(trainer, timeline_budget) if timeline_budget else None
    started = time.process_time()
    own = 0.0  # CPU time inside the timeline's calls: its cost, whatever the machine's load
    for _ in range(iterations):
        if timeline is not None:
            before = time.process_time()
            timeline.before_step(trainer)
            own += time.process_time() - before
        trainer.step()
        if timeline is not None:
            before = time.process_time()
            timeline.stepped(trainer, True, True, True)
            own += time.process_time() - before
    return time.process_time() - started, trainer, timeline, own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--budget-mb", type=float, default=256)
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = RunConfig()
    config.training.device = "cpu"
    budget = int(args.budget_mb * 2**20)
    plain = min(train_cpu_s(config, args.iterations, None)[0] for _ in range(2))
    timed = [train_cpu_s(config, args.iterations, budget) for _ in range(2)]
    kept, trainer, timeline, own = min(timed, key=lambda run: run[0])
    keyframe = take_keyframe(trainer)
    started = time.process_time()
    for _ in range(20):
        take_keyframe(trainer)
    copy_ms = (time.process_time() - started) / 20 * 1e3
    worst = (args.iterations // timeline.store.spacing) * timeline.store.spacing - 1
    started = time.process_time()
    timeline.seek(trainer, 0, worst)
    seek_ms = (time.process_time() - started) * 1e3
    store = timeline.store
    print(f"| {args.iterations:,} iterations, 3×128 nets, 1 thread | CPU s |")
    print("|---|---|")
    print(f"| training without the timeline | {plain:.2f} |")
    print(f"| training with it (overhead {100 * (kept / plain - 1):+.1f}%) | {kept:.2f} |")
    print(f"| of which inside the timeline's calls ({100 * own / plain:.1f}% of training) "
          f"| {own:.2f} |")
    print(f"| one keyframe: {keyframe.nbytes / 2**20:.2f} MB, copied in | {copy_ms / 1e3:.4f} |")
    print(f"| kept: {len(store)} keyframes, spacing {store.spacing}, "
          f"{store.nbytes / 2**20:.0f} of {budget / 2**20:.0f} MB | |")
    print(f"| seek to {worst:,} (replays {store.spacing - 1} iterations) | {seek_ms / 1e3:.3f} |")


if __name__ == "__main__":
    main()
