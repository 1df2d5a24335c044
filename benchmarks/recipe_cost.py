"""CPU cost per iteration of candidate points recipes, relative to the 3×128 one (issue 15).

Quality depends on iterations, the 60-second goal on CPU per run: a candidate's cost per run is
(its CPU time per iteration × its iterations) / (the 3×128 recipe's × 9,000). Each candidate is
a `Trainer` on grid25 with `RunConfig()`'s defaults (3×128 on both sides, the points recipe
before issue 15's last screen) and a few settings laid over them; all train in
one process, one torch thread, in interleaved rounds of `--steps` iterations whose order
rotates, timed with `time.process_time()` (the CPU this process ran: waiting for a core on a
busy machine does not count; shared caches still do) and wall time. Reported: the median over
rounds of ms per iteration and of the per-round ratio to the 3×128 recipe, and per run (× its
iterations). `--threads-check` instead compares the 3×128 step at 1 and 2 torch threads
(process CPU and wall, interleaved).

    python benchmarks/recipe_cost.py [--rounds 5] [--steps 150] [--threads-check]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch

from ganlab.core.config import RunConfig
from ganlab.core.trainer import Trainer

SHIPPED_ITERATIONS = 9000
CANDIDATES = {  # name: (settings laid over the defaults, iterations per run)
    "3×128 both, B256 (RunConfig(), shipped before)": ({}, 9000),
    "D 3×64 (points recipe, issue 15)": ({"model": {"discriminator": {"width": 64}}}, 9000),
    "B128": ({"training": {"batch_size": 128}}, 8500),
    "3×64": ({"model": {"generator": {"width": 64}, "discriminator": {"width": 64}}}, 11000),
    "R1 every 16": ({"objective": {"r1_interval": 16}}, 9000),
    "G 3×128, D 2×128": ({"model": {"discriminator": {"hidden_layers": 2}}}, 9000),
    "G 2×128, D 3×128": ({"model": {"generator": {"hidden_layers": 2}}}, 9000),
    "3×96": ({"model": {"generator": {"width": 96}, "discriminator": {"width": 96}}}, 9000),
}


def trainer_for(settings: dict) -> Trainer:
    config = RunConfig().merged(settings).merged({"target": {"name": "grid25"}}).validate()
    trainer = Trainer(config)
    trainer.train(30)  # warm-up: allocator, Adam state
    return trainer


def timed(trainer: Trainer, steps: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of `steps` iterations."""
    cpu, wall = time.process_time(), time.perf_counter()
    trainer.train(steps)
    return time.process_time() - cpu, time.perf_counter() - wall


def compare(rounds: int, steps: int) -> None:
    torch.set_num_threads(1)
    trainers = {name: trainer_for(settings) for name, (settings, _) in CANDIDATES.items()}
    cpu = {name: [] for name in trainers}
    names = list(trainers)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            cpu[name].append(timed(trainers[name], steps)[0] / steps)
    base = cpu[names[0]]
    print(f"load {os.getloadavg()[0]:.1f}; {rounds} rounds × {steps} iterations, one thread")
    print("| candidate | iterations | CPU ms / it | per it vs 3×128 | per run vs 3×128 |")
    print("|---|---|---|---|---|")
    for name in names:
        iterations = CANDIDATES[name][1]
        ratio = statistics.median(c / b for c, b in zip(cpu[name], base, strict=True))
        print(f"| {name} | {iterations:,} | {1e3 * statistics.median(cpu[name]):.2f} | "
              f"{ratio:.2f} | {ratio * iterations / SHIPPED_ITERATIONS:.2f} |")


def threads_check(rounds: int, steps: int) -> None:
    trainer = trainer_for({})
    rows = {1: [], 2: []}
    for r in range(rounds):
        for threads in ((1, 2) if r % 2 == 0 else (2, 1)):
            torch.set_num_threads(threads)
            rows[threads].append(timed(trainer, steps))
    print(f"load {os.getloadavg()[0]:.1f}; 3×128 step, {rounds} rounds × {steps} iterations")
    for threads, samples in rows.items():
        cpu = statistics.median(c for c, _ in samples) / steps * 1e3
        wall = statistics.median(w for _, w in samples) / steps * 1e3
        print(f"{threads} thread(s): CPU {cpu:.2f} ms/it, wall {wall:.2f} ms/it "
              f"({1e3 / wall:.0f} it/s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--threads-check", action="store_true")
    args = parser.parse_args()
    (threads_check if args.threads_check else compare)(args.rounds, args.steps)
