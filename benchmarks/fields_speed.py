"""How long each field the views draw takes to compute, next to a 30-frames-per-second budget.

Every field is timed at the app's default resolution (64 cells per axis) and display batch (512
points) on the default 3×128 networks, after a warm-up; the median of many calls is reported.

    python benchmarks/fields_speed.py [--threads 1] [--target grid25]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from ganlab.core import fields, generator_curves
from ganlab.core.config import RunConfig
from ganlab.core.equilibrium import finite_batch_equilibrium
from ganlab.core.metrics import evaluate_samples
from ganlab.core.snapshot import SnapshotRequest, Snapshotter
from ganlab.core.trainer import Trainer

FRAME_MS = 1000 / 30


def median_ms(call, repeats: int = 30) -> float:
    for _ in range(3):
        call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def time_fields(target: str, objective: str) -> list[tuple[str, float]]:
    """Median milliseconds of each field for one trained-for-a-moment run."""
    config = RunConfig()
    config.target.name = target
    config.objective.name = objective
    trainer = Trainer(config)
    trainer.train(50)
    box, resolution = trainer.target.view_box, 64
    if objective in ("mmd", "sliced-wasserstein"):
        rows = []
        if objective == "mmd":
            rows.append(("critic on the grid (MMD witness)",
                         median_ms(lambda: fields.critic_on_grid(trainer, box, resolution))))
        shift, scale = trainer.shift.cpu(), trainer.scale.cpu()

        def standardised(n, generator):
            return (trainer.target.sample(n, generator) - shift) / scale

        rows.append((f"{objective} floor at batch 256 (once per setting)", median_ms(
            lambda: finite_batch_equilibrium(trainer.objective, standardised, 256), repeats=3)))
        return rows
    z = trainer.latent_batch(512, trainer.evaluation_rng)
    fake = trainer.sample(512, latent=z)
    bandwidth = fields.kernel_bandwidth(box, resolution)
    p_data = fields.smoothed_target_density(trainer.target, box, resolution, bandwidth)
    quasi_z = fields.quasi_random_latent(fields.DENSITY_SAMPLES, config.model.latent_dim,
                                         config.model.latent_distribution)
    snapshotter = Snapshotter(trainer)
    evaluation_fake = trainer.sample(2500)
    evaluation_real = trainer.sample_real(2500)

    def d_star():
        density_fake = trainer.sample(fields.DENSITY_SAMPLES, latent=quasi_z)
        return fields.optimal_discriminator_field(p_data, density_fake, box, resolution,
                                                  bandwidth)

    return [
        ("critic on the grid", median_ms(lambda: fields.critic_on_grid(trainer, box, resolution))),
        ("generated samples (512)", median_ms(lambda: trainer.sample(512, latent=z))),
        ("KDE of 512 display samples + D* (before)", median_ms(lambda: fields.optimal_discriminator(
            p_data, fields.kde_on_grid(fake, box, resolution, bandwidth)))),
        (f"D*: G of {fields.DENSITY_SAMPLES:,} quasi-random z + KDE + n_eff", median_ms(d_star)),
        ("generator gradients (512)", median_ms(lambda: fields.generator_gradients(trainer, z))),
        ("latent manifold (22 × 64)", median_ms(lambda: generator_curves.latent_manifold(trainer))),
        ("interpolation path (64)", median_ms(
            lambda: generator_curves.interpolation_path(trainer, np.zeros(2), np.ones(2)))),
        ("whole snapshot, every layer", median_ms(snapshotter.take)),
        ("metrics arithmetic (metrics thread, 2,500 samples)", median_ms(
            lambda: evaluate_samples(trainer.target, evaluation_fake, evaluation_real),
            repeats=7)),
        ("metrics with sampling (2,500 samples)", median_ms(
            lambda: snapshotter.take(SnapshotRequest(metrics=True)), repeats=5)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--target", default="grid25")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = (time_fields(args.target, "non-saturating") + time_fields(args.target, "mmd")
            + time_fields(args.target, "sliced-wasserstein"))
    print(f"# target {args.target}, resolution 64, {args.threads} thread(s), torch "
          f"{torch.__version__}; budget per frame at 30 fps: {FRAME_MS:.1f} ms")
    print("| field | median ms | share of a 30 fps frame |")
    print("|---|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:.2f} | {100 * ms / FRAME_MS:.0f}% |")


if __name__ == "__main__":
    main()
