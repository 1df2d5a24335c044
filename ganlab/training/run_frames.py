"""Each run's part of a frame: its snapshot (with the fields asked for), its configuration and
device, the latent interpolation path (and an image run's latent arithmetic) when the GUI asked
for them, and the metrics the metrics thread sampled in the run's current epoch. Also says
which runs are not finite: a NaN weight shows up in the losses and samples; the full weight
check (~1 ms) runs only when asked."""

from __future__ import annotations

import numpy as np

from ganlab.core.generator_curves import arithmetic_images, interpolation_path
from ganlab.training.frame import RunFrame
from ganlab.training.pending_changes import Interpolation

INTERPOLATION_POINTS = 64  # points along a 2D path
INTERPOLATION_IMAGES = 10  # images in a row: each must stay legible


def take_run_frames(runs: list, request, *, full_check: bool, metrics: dict, epoch: int,
                    interpolation: Interpolation | None, field_thread=None,
                    shown=None) -> tuple[list[RunFrame], list[int]]:
    """The `RunFrame` of each of `runs` (see `run.py`) for the field `request`, and the indices
    of those that are not finite; `metrics` maps a run's index to (epoch, values). With a
    `field_thread` (full speed), the fields `shown` are computed there where they can be (see
    `field_thread.FieldThread.snapshot`)."""
    run_frames = []
    failed = []
    for index, run in enumerate(runs):
        if field_thread is not None:
            snapshot = field_thread.snapshot(index, run, request, shown, epoch)
        else:
            snapshot = run.snapshotter.take(request)
        finite = snapshot.finite and (not full_check or run.trainer.parameters_are_finite())
        if not finite:
            failed.append(index)
        run_frames.append(
            RunFrame(
                snapshot=snapshot,
                config=run.trainer.config,
                device=str(run.trainer.device),
                interpolation_path=_path(run.trainer, interpolation) if finite else None,
                arithmetic_images=_arithmetic(run.trainer, interpolation) if finite else None,
                metrics=current_metrics(metrics.get(index), epoch),
            )
        )
    return run_frames, failed


def current_metrics(result: tuple[int, dict] | None, epoch: int) -> dict | None:
    """Metrics from the metrics thread, unless the run restarted since they were sampled."""
    if result is None or result[0] != epoch:
        return None
    return result[1]


def _path(trainer, interpolation: Interpolation | None) -> np.ndarray | None:
    if interpolation is None or interpolation.start is None or \
            len(interpolation.start) != trainer.config.model.latent_dim:
        return None
    steps = INTERPOLATION_IMAGES if trainer.target.data_kind == "images" else INTERPOLATION_POINTS
    return interpolation_path(trainer, interpolation.start, interpolation.end, steps,
                              interpolation.label, interpolation.spherical)


def _arithmetic(trainer, interpolation: Interpolation | None) -> np.ndarray | None:
    """G(z_a), G(z_b), G(z_c), G(z_a − z_b + z_c) of an image run asked for them."""
    arithmetic = interpolation.arithmetic if interpolation is not None else None
    dim = trainer.config.model.latent_dim
    if arithmetic is None or trainer.target.data_kind != "images" or any(
            len(z) != dim for z in (arithmetic.a, arithmetic.b, arithmetic.c)):
        return None
    return arithmetic_images(trainer, arithmetic.a, arithmetic.b, arithmetic.c,
                             arithmetic.labels)
