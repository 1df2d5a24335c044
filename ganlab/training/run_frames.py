"""Each run's part of a frame: its snapshot (with the fields asked for), its configuration and
device, the latent interpolation path (and an image run's latent arithmetic) when the GUI asked
for them (`latent_curves`: an image run's at full speed come from the field thread with its
pictures), and the metrics the metrics thread sampled in the run's current epoch. Also says
which runs are not finite: a NaN weight shows up in the losses and samples; the full weight
check (~1 ms) runs only when asked."""

from __future__ import annotations

from ganlab.training.frame import RunFrame
from ganlab.training.latent_curves import LatentCurves, latent_curves
from ganlab.training.pending_changes import Interpolation


def take_run_frames(runs: list, request, *, full_check: bool, metrics: dict, epoch: int,
                    interpolation: Interpolation | None, field_thread=None,
                    shown=None) -> tuple[list[RunFrame], list[int]]:
    """The `RunFrame` of each of `runs` (see `run.py`) for the field `request`, and the indices
    of those that are not finite; `metrics` maps a run's index to (epoch, values). With a
    `field_thread` (full speed), the fields `shown` are computed there where they can be (see
    `field_thread.FieldThread.snapshot`), and so are an image run's latent curves."""
    run_frames = []
    failed = []
    for index, run in enumerate(runs):
        curves: LatentCurves | None = None
        if field_thread is not None:
            snapshot, curves = field_thread.snapshot(index, run, request, shown, epoch,
                                                     interpolation)
        else:
            snapshot = run.snapshotter.take(request)
        finite = snapshot.finite and (not full_check or run.trainer.parameters_are_finite())
        if not finite:
            failed.append(index)
            curves = None
        elif curves is None:
            curves = latent_curves(run.trainer, interpolation, run.trainer.iteration)
        drawn = curves is not None and (curves.path is not None or
                                        curves.arithmetic is not None)
        run_frames.append(
            RunFrame(
                snapshot=snapshot,
                config=run.trainer.config,
                device=str(run.trainer.device),
                interpolation_path=curves.path if drawn else None,
                arithmetic_images=curves.arithmetic if drawn else None,
                interpolation_iteration=curves.iteration if drawn else None,
                metrics=current_metrics(metrics.get(index), epoch),
            )
        )
    return run_frames, failed


def current_metrics(result: tuple[int, dict] | None, epoch: int) -> dict | None:
    """Metrics from the metrics thread, unless the run restarted since they were sampled."""
    if result is None or result[0] != epoch:
        return None
    return result[1]
