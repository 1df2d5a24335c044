"""Plain words for a run that went non-finite: which run, what blew up, at which rates."""

from __future__ import annotations

import numpy as np

from ganlab.training.frame import RunFrame


def failure_message(run_frames: list[RunFrame], failed: list[int]) -> str:
    """Plain words for a teacher: which run, what went non-finite, at what learning rate."""
    parts = []
    for index in failed:
        frame = run_frames[index]
        snapshot = frame.snapshot
        what = []
        if snapshot.discriminator_loss is not None and not np.isfinite(snapshot.discriminator_loss):
            what.append("the discriminator loss")
        if snapshot.generator_loss is not None and not np.isfinite(snapshot.generator_loss):
            what.append("the generator loss")
        if not np.isfinite(snapshot.fake).all():
            what.append("the generated points")
        if not what:
            what.append("the network weights")
        config = frame.config
        name = "" if len(run_frames) == 1 else f"Run {'AB'[index]}: "
        parts.append(
            f"{name}{' and '.join(what)} became NaN or infinite at iteration "
            f"{snapshot.iteration} (learning rates G {config.generator_optimizer.learning_rate:.2g}"
            f", D {config.discriminator_optimizer.learning_rate:.2g})."
        )
    return (
        " ".join(parts)
        + " The updates were too large for the numbers to stay finite — usually the learning "
        "rate is too high. Training is paused."
    )
