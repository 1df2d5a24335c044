"""Mode coverage on ring8 and grid25 for every objective, by the PacGAN protocol (theory §8).

Each run trains for a fixed number of iterations on one CPU thread, then draws 2,500 samples
and reports modes covered, % high-quality samples and the reverse KL of the mode histogram.
Rows are mean ± standard error over seeds, next to PacGAN's Table 1.

Two studies:
- `recipe`: the shipped default recipe at its full budget, each run exactly as `ganlab train`
  with no options runs it (`run_headless`: 10 evaluations along the way, the final one on
  2,500 samples); "s / run" is the whole run's wall time, evaluations included.
- `objectives`: the same recipe with only the objective swapped (for the WGANs k = 5 and no
  R1, their own constraint instead), at a shorter budget, the same iterations for every variant.

    python benchmarks/quality.py recipe --seeds 5 --jobs 2
    python benchmarks/quality.py objectives --seeds 5 --iterations 3000 --jobs 2
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

PACGAN = {  # PacGAN Table 1, GAN (10 trials): modes, % high quality
    "ring8": (6.3, 98.2),
    "grid25": (17.3, 94.8),
}


def run_one(job: tuple) -> dict:
    target, objective, seed, iterations, whole_run = job
    import torch

    torch.set_num_threads(1)
    from ganlab.core.config import RunConfig
    from ganlab.core.headless import run_headless
    from ganlab.core.metrics import evaluate
    from ganlab.core.trainer import Trainer

    config = RunConfig()
    config.target.name = target
    config.objective.name = objective
    config.training.seed = seed
    config.training.iterations = iterations
    if objective in ("wgan", "wgan-gp"):  # their own Lipschitz constraint replaces R1
        config.training.critic_steps = 5
        config.objective.r1_gamma = 0.0
    if whole_run:  # as `ganlab train` runs it, evaluations included
        run = run_headless(config, progress=False)
        result = dict(run.final)
        result.update(target=target, objective=objective, seed=seed, seconds=run.seconds)
        return result
    started = time.perf_counter()
    trainer = Trainer(config)
    trainer.train(iterations)
    seconds = time.perf_counter() - started
    result = evaluate(trainer)
    result.update(target=target, objective=objective, seed=seed, seconds=seconds)
    return result


def _mean_se(values: list[float], digits: int = 2) -> str:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return "∞"
    mean = statistics.fmean(finite)
    se = statistics.stdev(finite) / math.sqrt(len(finite)) if len(finite) > 1 else 0.0
    note = "" if len(finite) == len(values) else f" ({len(values) - len(finite)} × ∞)"
    return f"{mean:.{digits}f} ± {se:.{digits}f}{note}"


def table(rows: list[dict]) -> str:
    lines = [
        "| target | objective | modes | high quality % | reverse KL | s / run |",
        "|---|---|---|---|---|---|",
    ]
    keys = sorted({(r["target"], r["objective"]) for r in rows}, key=lambda k: (k[0] != "ring8", k))
    for target, objective in keys:
        group = [r for r in rows if r["target"] == target and r["objective"] == objective]
        lines.append(
            f"| {target} | {objective} | {_mean_se([r['modes_covered'] for r in group], 1)}"
            f" / {group[0]['total_modes']} | "
            f"{_mean_se([100 * r['high_quality_fraction'] for r in group], 1)} | "
            f"{_mean_se([r['reverse_kl'] for r in group], 3)} | "
            f"{statistics.fmean(r['seconds'] for r in group):.0f} |"
        )
    for target, (modes, hq) in PACGAN.items():
        lines.append(f"| {target} | PacGAN Table 1, GAN | {modes} | {hq} | | |")
    return "\n".join(lines)


def main() -> None:
    from ganlab.core.objectives import OBJECTIVES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=["recipe", "objectives"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=2, help="runs in parallel (one thread each)")
    parser.add_argument("--targets", nargs="+", default=["ring8", "grid25"])
    parser.add_argument("--objectives", nargs="+", default=list(OBJECTIVES))
    args = parser.parse_args()
    if args.study == "recipe":
        from ganlab.core.config import RunConfig

        iterations = args.iterations or RunConfig().training.iterations
        objectives = [RunConfig().objective.name]
    else:
        iterations = args.iterations or 3000
        objectives = args.objectives
    jobs = [(t, o, s, iterations, args.study == "recipe") for t in args.targets
            for o in objectives for s in range(args.seeds)]
    print(f"# {args.study}: {len(jobs)} runs of {iterations} iterations, {args.jobs} at a time, "
          "1 thread each")
    started = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = []
        for row in pool.map(run_one, jobs):
            rows.append(row)
            print(f"  {row['target']} {row['objective']} seed {row['seed']}: "
                  f"{row.get('modes_covered')} modes, {100 * row['high_quality_fraction']:.1f}% HQ,"
                  f" {row['seconds']:.0f} s", flush=True)
    print(f"# {time.perf_counter() - started:.0f} s in all")
    print(table(rows))


if __name__ == "__main__":
    main()
