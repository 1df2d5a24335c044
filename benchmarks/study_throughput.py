"""Study throughput: the same small study run one run after another, on the local pool of
processes, and on the pool with batching (runs of one shape as one model per worker).

The study: ring8, GAN Lab-sized networks (2 hidden layers × 32, batch 128), `--objectives` ×
`--seeds` runs of `--iterations` each, evaluated `--evaluations` times (the last on 2,500
samples). Contestants, each into a fresh folder with `run_study` (as `ganlab study`):

- sequential: `--workers 1 --no-batch` (one worker process, one run at a time)
- pool: `--workers N --no-batch` (N processes, one run each at a time)
- batched: `--workers N` (the default: runs of one shape batched, split over the workers;
  `plan_batches` chooses one objective per batch or objectives mixed, whichever its cost model
  says ends sooner; the study's own process is one of the N workers: it trains the costliest
  batch in a thread while N − 1 worker processes start)

Reported per contestant: wall seconds and runs per minute (meaningful on a quiet machine
only), and the load-robust figures: CPU seconds of the whole study (this process and every
worker it started, imports included: `getrusage`), CPU seconds per run, and runs per
CPU-minute. On a quiet machine with N free cores the pool's runs/min ≈ N × sequential's;
batching also divides the CPU per run. Under load, wall-clock gains vanish when other
processes keep every core busy (see README "Studies: throughput"); the CPU figures do not.
The last lines give the ratios of in-run CPU per run (training and evaluation, no start-up):
what batching saves per run whatever the load.

    nice -n 15 python benchmarks/study_throughput.py [--objectives minimax,wgan-gp]
        [--seeds 4] [--iterations 2000] [--evaluations 2] [--workers 2] [--only pool,batched]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from ganlab.study.runner import run_study
from ganlab.study.study_file import spec_from_fields

NETWORK = {"g_layers": 2, "g_width": 32, "d_layers": 2, "d_width": 32, "batch_size": 128}


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its children that ended."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def contest(name: str, spec, workers: int, batching: bool, root: Path) -> dict:
    load = os.getloadavg()[0]
    cpu, wall = cpu_seconds(), time.perf_counter()
    summary = run_study(spec, root / name, workers=workers, batching=batching, progress=False)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    runs = sum(summary.ended.values())
    records = [json.loads(p.read_text()) for p in (root / name / "records").glob("*.json")]
    run_cpu = sum(r.get("cpu_seconds") or 0 for r in records)  # inside the runs (no imports)
    return {"contest": name, "workers": workers, "runs": runs, "wall": wall,
            "per_min": 60 * runs / wall, "cpu": cpu, "cpu_per_run": cpu / runs,
            "run_cpu_per_run": run_cpu / runs, "per_cpu_min": 60 * runs / cpu,
            "batched": sum(1 for r in records if r.get("batch")), "load": load,
            "status": dict(summary.ended)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", default="minimax,wgan-gp")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--evaluations", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="sequential,pool,batched")
    args = parser.parse_args()
    spec = spec_from_fields({"target": "ring8", "objectives": args.objectives.split(","),
                             "seeds": args.seeds, "iterations": [args.iterations],
                             "evaluations": args.evaluations, "samples": 2500,
                             "settings": NETWORK}, "study_throughput")
    contestants = {"sequential": (1, False), "pool": (args.workers, False),
                   "batched": (args.workers, True)}
    rows = []
    with tempfile.TemporaryDirectory(prefix="ganlab-throughput-") as root:
        for name in args.only.split(","):
            workers, batching = contestants[name]
            rows.append(contest(name, spec, workers, batching, Path(root)))
            print(f"{name}: done {rows[-1]['status']}", flush=True)
    print(f"\nring8, 2×32 batch 128, {args.objectives} × {args.seeds} seeds × "
          f"{args.iterations} iterations, {args.evaluations} evaluations; {os.cpu_count()} "
          "cores\n")
    print("| contestant | workers | runs | batched | wall s | runs/min | CPU s | CPU s/run "
          "| in-run CPU s/run | runs/CPU-min | load at start |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['contest']} | {r['workers']} | {r['runs']} | {r['batched']} | "
              f"{r['wall']:.1f} | {r['per_min']:.1f} | {r['cpu']:.1f} | {r['cpu_per_run']:.2f} "
              f"| {r['run_cpu_per_run']:.2f} | {r['per_cpu_min']:.1f} | {r['load']:.1f} |")
    base = rows[0]
    for r in rows[1:]:
        print(f"{r['contest']} / {base['contest']}: {r['per_min'] / base['per_min']:.2f}× "
              f"runs/min, {r['per_cpu_min'] / base['per_cpu_min']:.2f}× runs/CPU-min, "
              f"{base['run_cpu_per_run'] / r['run_cpu_per_run']:.2f}× in-run CPU per run")


if __name__ == "__main__":
    main()
