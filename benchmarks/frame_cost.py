"""What a full-speed frame costs the training thread, per field group and per part, with every
layer on: CPU time of the training thread (`time.thread_time`, robust to a loaded machine).

The frames are built as the worker builds them (`run_frames.take_run_frames` with the worker's
field schedule, the latent interpolation on), on the app benchmark's configuration (grid25,
3×128 networks, batch 256, one torch thread), a few training steps between frames:

- inline (before): every field on the training thread, one group per frame in turn;
- field thread (after): the frame itself on the training thread, its fields on the field
  thread (`training/field_thread.py`); the field thread's CPU time is shown beside it.

With `--worker-seconds S` it also runs the real worker (a thread here, no window) at full speed
for S seconds each way and prints its training thread's CPU time per iteration.

    python benchmarks/frame_cost.py [--frames 48] [--steps 4] [--worker-seconds 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.app_benchmark import points_config
from ganlab.core import fields, generator_curves
from ganlab.core.snapshot import SnapshotRequest
from ganlab.training.field_schedule import (
    FIELD_GROUPS,
    fields_for_frame,
    full_check_due,
    without_fields,
)
from ganlab.training.field_thread import FieldThread
from ganlab.training.network_copy import NetworkCopier
from ganlab.training.pending_changes import Interpolation, ViewRequest
from ganlab.training.run import Run
from ganlab.training.run_frames import take_run_frames

EVERY_LAYER = ViewRequest(critic=True, optimal_discriminator=True, target_density=True,
                          gradients=True, manifold=True, metrics=True, resolution=64)
INTERPOLATION = Interpolation(np.array([-0.8, -0.5]), np.array([0.7, 0.6]))
GROUP_NAMES = [" + ".join(group) for group in FIELD_GROUPS]


def cpu_ms(call) -> float:
    started = time.thread_time()
    call()
    return 1000 * (time.thread_time() - started)


def benchmark_run(size: str = "3×128, batch 256") -> Run:
    torch.manual_seed(0)
    run = Run(points_config(size), display_samples=512)
    run.trainer.train(200)
    return run


def frames(run: Run, count: int, steps: int, field_thread: FieldThread | None):
    """Training-thread ms of each full-speed frame, by the group the inline schedule puts in
    it, and the field thread's ms per frame."""
    by_group: dict[str, list[float]] = {name: [] for name in GROUP_NAMES}
    shown = fields_for_frame(EVERY_LAYER, 0, full_speed=False)
    field_started = field_thread.cpu_seconds if field_thread is not None else 0.0
    for sequence in range(count):
        run.trainer.train(steps)

        def frame(sequence=sequence):
            take_run_frames([run], fields_for_frame(EVERY_LAYER, sequence, True),
                            full_check=full_check_due(sequence, True), metrics={}, epoch=0,
                            interpolation=INTERPOLATION, field_thread=field_thread,
                            shown=shown)

        by_group[GROUP_NAMES[sequence % len(FIELD_GROUPS)]].append(cpu_ms(frame))
        if field_thread is not None:
            field_thread.wait_idle(10.0)  # as the ~33 ms between frames would allow
    field_ms = 0.0 if field_thread is None else (
        1000 * (field_thread.cpu_seconds - field_started) / count)
    return by_group, field_ms


def parts(run: Run, repeats: int = 9) -> list[tuple[str, float]]:
    """Training-thread ms of each part of a frame computed inline (median)."""
    trainer, snapshotter = run.trainer, run.snapshotter
    box, latent, density_latent = snapshotter.field_inputs(SnapshotRequest())
    bandwidth = fields.kernel_bandwidth(box, 64)
    p_data = fields.smoothed_target_density(trainer.target, box, 64, bandwidth)
    copier = NetworkCopier()

    def d_star():
        fake = trainer.sample(fields.DENSITY_SAMPLES, latent=density_latent)
        fields.optimal_discriminator_field(p_data, fake, box, 64, bandwidth)

    rows = [
        ("snapshot without fields (512 samples, losses)",
         lambda: snapshotter.take(without_fields(SnapshotRequest()))),
        ("D on the 64×64 grid", lambda: fields.critic_on_grid(trainer, box, 64)),
        (f"D*: G of {fields.DENSITY_SAMPLES:,} z + KDE + n_eff", d_star),
        ("G of 4,096 z alone", lambda: trainer.sample(fields.DENSITY_SAMPLES,
                                                       latent=density_latent)),
        ("gradient arrows (512)", lambda: fields.generator_gradients(trainer, latent)),
        ("latent manifold (22 × 64)", lambda: generator_curves.latent_manifold(trainer)),
        ("interpolation path (64)", lambda: generator_curves.interpolation_path(
            trainer, INTERPOLATION.start, INTERPOLATION.end)),
        ("NaN check of every weight", trainer.parameters_are_finite),
        ("copy of both networks for the field thread", lambda: copier.take(trainer)),
    ]
    for _, call in rows:
        call()
    return [(name, statistics.median(cpu_ms(call) for _ in range(repeats)))
            for name, call in rows]


def worker_cpu(seconds: float, off_thread: bool) -> dict:
    """The real worker at full speed for `seconds`, every layer on, a reader taking frames at
    30 Hz: CPU seconds of its training thread (and of the field thread) per iteration."""
    from ganlab.training import field_thread, worker
    from ganlab.training.frame_slot import FrameSlot
    from ganlab.training.pending_changes import PendingChanges

    if not off_thread:  # every field inline, as before the field thread
        original = field_thread.can_copy
        field_thread.can_copy = lambda trainer: False
    slot = FrameSlot()
    pending = PendingChanges((points_config("3×128, batch 256"),))
    pending.set_view(EVERY_LAYER)
    pending.set_interpolation(INTERPOLATION)
    training = worker.TrainingWorker(pending, slot, torch_threads=1)
    training.start()
    try:
        while slot.take() is None:
            time.sleep(0.01)
        pending.set_running(True)
        time.sleep(2.0)  # warm-up
        clock = time.pthread_getcpuclockid(training.ident)
        fields = training._fields
        field_clock = time.pthread_getcpuclockid(fields.ident)
        start = (time.clock_gettime(clock), time.clock_gettime(field_clock),
                 slot.published, training.runs[0].trainer.iteration)
        ended = time.perf_counter() + seconds
        while time.perf_counter() < ended:
            slot.take()
            time.sleep(1 / 30)
        end = (time.clock_gettime(clock), time.clock_gettime(field_clock),
               slot.published, training.runs[0].trainer.iteration)
    finally:
        training.stop(10.0)
        if not off_thread:
            field_thread.can_copy = original
    iterations = end[3] - start[3]
    return {"iterations": iterations, "frames": end[2] - start[2],
            "training_ms_per_iteration": 1000 * (end[0] - start[0]) / iterations,
            "field_ms_per_frame": 1000 * (end[1] - start[1]) / max(1, end[2] - start[2])}


def print_worker(seconds: float) -> None:
    print("\n| the worker at full speed | iterations | frames | training thread CPU ms per "
          "iteration | field thread CPU ms per frame |")
    print("|---|---|---|---|---|")
    trainer = benchmark_run().trainer  # the engine's own step, no frames, for reference
    steps = cpu_ms(lambda: trainer.train(100)) / 100
    print(f"| no frames (the trainer alone) | 100 | 0 | {steps:.2f} | |")
    for name, off_thread in (("fields inline", False), ("field thread", True)):
        result = worker_cpu(seconds, off_thread)
        print(f"| {name} | {result['iterations']} | {result['frames']} | "
              f"{result['training_ms_per_iteration']:.2f} | {result['field_ms_per_frame']:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--steps", type=int, default=4, help="training steps between frames")
    parser.add_argument("--worker-seconds", type=float, default=0.0,
                        help="also run the real worker this long, inline and off-thread")
    args = parser.parse_args()
    torch.set_num_threads(1)
    run = benchmark_run()
    print(f"# grid25, 3×128, batch 256, every layer on, 64×64 grid, 1 torch thread, torch "
          f"{torch.__version__}; CPU ms of the training thread (thread_time)")
    print("| part of a frame, inline | median ms |")
    print("|---|---|")
    for name, ms in parts(run):
        print(f"| {name} | {ms:.2f} |")
    frames(run, 8, args.steps, None)  # warm-up
    before, _ = frames(run, args.frames, args.steps, None)
    thread = FieldThread()
    thread.start()
    try:
        frames(run, 8, args.steps, thread)
        after, field_ms = frames(run, args.frames, args.steps, thread)
    finally:
        thread.stop()
    print()
    print("| frame (inline schedule's group) | inline: training thread ms | field thread: "
          "training thread ms |")
    print("|---|---|---|")
    for name in GROUP_NAMES:
        print(f"| {name} | {statistics.mean(before[name]):.2f} | "
              f"{statistics.mean(after[name]):.2f} |")
    mean_before = statistics.mean(x for v in before.values() for x in v)
    mean_after = statistics.mean(x for v in after.values() for x in v)
    print(f"| **mean per frame** | **{mean_before:.2f}** | **{mean_after:.2f}** |")
    print(f"| field thread per frame (its own CPU time) | | {field_ms:.2f} |")
    print(f"\nat 27 frames/s the frames take {27 * mean_before / 10:.1f}% of the training "
          f"thread inline and {27 * mean_after / 10:.1f}% with the field thread "
          f"({thread.computed} jobs computed, {thread.replaced} replaced)")
    if args.worker_seconds:
        print_worker(args.worker_seconds)


if __name__ == "__main__":
    main()

