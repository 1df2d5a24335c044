"""Throughput of R small points GANs trained as one batched model (`BatchedTrainer`) against
the same runs trained one after another with `Trainer`.

Runs are the default recipe (`RunConfig()`: grid25, non-saturating with R1 γ = 0.1, k = 1,
Adam, cosine schedule) at GAN Lab sizes, seeds 0..R−1. Throughput is run-iterations per second:
R × steps per second for the batched model; for runs one after another it is one Trainer's
iterations per second (each run of the same shape trains at that speed, whichever its seed).
Every contestant of a size runs in one process in interleaved rounds whose order rotates, each
`--seconds` long after a few warm-up steps; reported are medians over rounds and batched /
one after another as the median of the per-round ratios with its range (the goal of issue 15:
≥ 3×), with the load average before and after each size.

    python benchmarks/batched_speed.py [--seconds 2] [--rounds 5] [--runs 1 4 8 16]
        [--objective non-saturating] [--critic-steps 1] [--clock wall|cpu]
        [--no-save | --out FILE]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch
from image_bench_common import machine_line, save_results

from ganlab.core.batched_trainer import BatchedTrainer
from ganlab.core.config import RunConfig
from ganlab.core.trainer import Trainer

SIZES = {  # name: (hidden layers, width, batch)
    "1×8, batch 64": (1, 8, 64),
    "2×16, batch 64": (2, 16, 64),
    "2×32, batch 128": (2, 32, 128),
}
CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}  # cpu: time this thread ran
WARMUP_STEPS = 10  # per round, before the clock starts


def run_config(size: str, seed: int, objective: str, critic_steps: int) -> RunConfig:
    layers, width, batch = SIZES[size]
    net = {"hidden_layers": layers, "width": width}
    return RunConfig().merged({
        "model": {"generator": net, "discriminator": net},
        "objective": {"name": objective},
        "training": {"seed": seed, "batch_size": batch, "critic_steps": critic_steps,
                     "device": "cpu"},
    })


def run_iterations_per_second(step, runs: int, seconds: float, clock=time.perf_counter
                              ) -> float:
    """Run-iterations per second of `step`, which advances `runs` runs by one iteration."""
    for _ in range(WARMUP_STEPS):
        step()
    count, start = 0, clock()
    while clock() - start < seconds:
        step()
        count += 1
    return runs * count / (clock() - start)


def measure(size: str, runs: list[int], objective: str, critic_steps: int, seconds: float,
            rounds: int, clock: str = "wall") -> dict:
    contestants = {"one after another": (Trainer(run_config(size, 0, objective,
                                                              critic_steps)).step, 1)}
    for r in runs:
        batched = BatchedTrainer([run_config(size, seed, objective, critic_steps)
                                  for seed in range(r)])
        contestants[f"batched R={r}"] = (batched.step, r)
    speeds: dict[str, list[float]] = {name: [] for name in contestants}
    names = list(contestants)
    load_before = os.getloadavg()[0]
    for round_ in range(rounds):  # the order rotates, so no contestant always goes first
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            step, r = contestants[name]
            speeds[name].append(run_iterations_per_second(step, r, seconds, CLOCKS[clock]))
    sequential = speeds["one after another"]
    row = {"size": size, "sequential": statistics.median(sequential),
           "load": (load_before, os.getloadavg()[0]), "batched": {}}
    for r in runs:
        values = speeds[f"batched R={r}"]
        ratios = [b / s for b, s in zip(values, sequential, strict=True)]
        row["batched"][r] = (statistics.median(values), statistics.median(ratios),
                             min(ratios), max(ratios))
    return row


def table(rows: list[dict], runs: list[int]) -> str:
    head = " | ".join(f"R = {r}: run-it/s (× one after another, min–max)" for r in runs)
    lines = [f"| networks | one after another run-it/s | {head} | load before → after |",
             "|---" * (len(runs) + 3) + "|"]
    for row in rows:
        cells = " | ".join(f"{v:.0f} ({ratio:.2f}×, {low:.2f}–{high:.2f})"
                           for v, ratio, low, high in (row["batched"][r] for r in runs))
        lines.append(f"| {row['size']} | {row['sequential']:.0f} | {cells} | "
                     f"{row['load'][0]:.1f} → {row['load'][1]:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per contestant")
    parser.add_argument("--runs", type=int, nargs="+", default=[1, 4, 8, 16])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--objective", default="non-saturating")
    parser.add_argument("--critic-steps", type=int, default=1)
    parser.add_argument("--clock", choices=list(CLOCKS), default="wall",
                        help="wall time, or the CPU time the thread ran (steadier on a busy "
                        "machine)")
    parser.add_argument("--no-save", action="store_true", help="print only")
    parser.add_argument("--out", default=None,
                        help="results file (default benchmarks/results/batched_speed_<date>.txt)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    header = (f"# {machine_line(1)}; default recipe ({args.objective}, k = "
              f"{args.critic_steps}, R1 0.1, cosine); {args.rounds} interleaved rotating "
              f"rounds of {args.seconds:g} s ({args.clock} clock) per contestant, medians")
    print(header, flush=True)
    rows = []
    for size in args.sizes:
        rows.append(measure(size, args.runs, args.objective, args.critic_steps, args.seconds,
                            args.rounds, args.clock))
        row = rows[-1]
        print(f"  {size}: one after another {row['sequential']:.0f} run-it/s; " + ", ".join(
            f"R={r} {v[0]:.0f} ({v[1]:.2f}×)" for r, v in row["batched"].items()), flush=True)
    text = f"{header}\n{table(rows, args.runs)}"
    print(table(rows, args.runs))
    if not args.no_save:
        print(f"# saved to {save_results('batched_speed', text, args.out)}")


if __name__ == "__main__":
    main()
