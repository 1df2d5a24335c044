"""What work beside training costs the training loop: the bare loop of `speed.py` (one thread,
3×128, batch 256) while a second process replays one kind of work at the app's duty cycle.

On the 2-vCPU VM the app targets, the window's drawing, the field thread and the metrics thread
run on the core the training thread does not use, and what they do there slows training more
than by their share of the machine: numeric work (vector units, caches) interferes, pure Python
did not (README, "The app under load"). Each replay is a process busy `--busy-ms` of every
`--frame-ms` (the app: ~19 ms of window CPU in every 37 ms frame), doing one of:

- `none`: nothing (the reference),
- `python`: an interpreter loop (integer work, no vector units),
- `blend`: full-canvas pixel arithmetic (numpy on an 840×600 RGBA canvas, as painting blends
  cached layers: vector units and memory),
- `matmul`: 512×512 single-precision matrix products (vector units),
- `fields`: the engine's own field functions for a 3×128 run (what the field thread computes).

`--idle-policy` runs the replay under SCHED_IDLE (as the app's field and metrics threads now
do): if the loss comes from being preempted, it shrinks; if from sharing the hardware, it does
not. Replays alternate over `--rounds` rounds so that drifts of the machine hit them alike.
Prints each replay's bare-loop rate and its ratio to `none` (run it on a quiet machine):

    nice -n 0 .venv/bin/python benchmarks/interference.py [--rounds 3] [--seconds 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # speed.py's own imports

REPLAYS = ("none", "python", "blend", "matmul", "fields")


def _work(kind: str):
    """A function doing one small piece of `kind` of work (~0.1-1 ms)."""
    if kind == "python":
        def python_piece() -> None:
            total = 0
            for i in range(2000):
                total += i * i % 7
        return python_piece
    import numpy as np
    if kind == "blend":
        layer = np.random.default_rng(0).integers(0, 255, (600, 840, 4), dtype=np.uint16)
        canvas = np.zeros_like(layer)

        def blend_piece() -> None:  # source-over of a premultiplied layer, in integers
            np.multiply(canvas, 255 - layer[..., 3:4], out=canvas)
            np.right_shift(canvas, 8, out=canvas)
            np.add(canvas, layer, out=canvas)
        return blend_piece
    import torch
    torch.set_num_threads(1)
    if kind == "matmul":
        a, b = torch.randn(512, 512), torch.randn(512, 512)
        return lambda: torch.mm(a, b)
    if kind == "fields":
        from benchmarks.speed import engine
        from ganlab.core.snapshot import SnapshotRequest, field_parts

        trainer = engine(3, 128, 256, "cpu", threads=1)
        box = trainer.target.view_box
        latent = torch.randn(512, trainer.config.model.latent_dim)
        request = SnapshotRequest(critic=True, gradients=True, resolution=64)
        return lambda: field_parts(trainer, request, box, latent, None)
    raise ValueError(kind)


def replay(kind: str, busy_ms: float, frame_ms: float, idle_policy: bool, ready, stop) -> None:
    """A process: `busy_ms` of `kind` work at the start of every `frame_ms`, until `stop`."""
    if idle_policy and hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    piece = _work(kind)
    piece()
    ready.set()
    frame_start = time.perf_counter()
    while not stop.is_set():
        busy_until = frame_start + busy_ms / 1000
        while time.perf_counter() < busy_until:
            piece()
        frame_start += frame_ms / 1000
        time.sleep(max(0.0, frame_start - time.perf_counter()))
        frame_start = max(frame_start, time.perf_counter() - frame_ms / 1000)


def bare_rate(loop, seconds: float) -> float:
    import torch

    from benchmarks.speed import iterations_per_second

    return iterations_per_second(loop.step, torch.device("cpu"), seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--busy-ms", type=float, default=19.0)
    parser.add_argument("--frame-ms", type=float, default=37.0)
    parser.add_argument("--idle-policy", action="store_true")
    parser.add_argument("--replays", default=",".join(REPLAYS))
    args = parser.parse_args()
    from benchmarks.speed import BareLoop, engine

    loop = BareLoop(engine(3, 128, 256, "cpu", threads=1), fused=True)
    context = multiprocessing.get_context("spawn")
    kinds = args.replays.split(",")
    rates: dict[str, list[float]] = {kind: [] for kind in kinds}
    busy: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(args.rounds):
        for kind in kinds:
            helper = None
            if kind != "none":
                ready, stop = context.Event(), context.Event()
                helper = context.Process(target=replay, daemon=True, args=(
                    kind, args.busy_ms, args.frame_ms, args.idle_policy, ready, stop))
                helper.start()
                ready.wait(60)
                time.sleep(0.3)
                before = _cpu_seconds(helper.pid)
            started = time.perf_counter()
            rates[kind].append(bare_rate(loop, args.seconds))
            if helper is not None:
                busy[kind].append((_cpu_seconds(helper.pid) - before)
                                  / (time.perf_counter() - started))
                stop.set()
                helper.join(10)
    reference = statistics.median(rates["none"]) if "none" in rates else None
    print(f"# bare loop (3×128, batch 256, 1 thread) beside a replay busy {args.busy_ms:.0f} ms "
          f"of every {args.frame_ms:.0f} ms{' under SCHED_IDLE' if args.idle_policy else ''}; "
          f"{args.rounds} rounds of {args.seconds:.0f} s, {os.cpu_count()} CPUs")
    print("| replay | bare loop it/s (median, range) | of `none` | replay's share of a core |")
    print("|---|---|---|---|")
    for kind in kinds:
        median = statistics.median(rates[kind])
        ratio = f"{median / reference:.2f}" if reference else ""
        share = f"{statistics.median(busy[kind]):.2f}" if busy[kind] else ""
        print(f"| {kind} | {median:.0f} ({min(rates[kind]):.0f}–{max(rates[kind]):.0f}) | "
              f"{ratio} | {share} |")


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
