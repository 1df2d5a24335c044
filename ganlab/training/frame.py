"""What the worker publishes for the GUI to draw: one `Frame` per refresh, immutable.

A frame holds one engine `Snapshot` per run (two in compare mode) plus what the app adds around
it: which network was updated since the last frame, the training speed, the path of the latent
interpolation, and why training stopped if it did (a NaN, a bad setting). The worker never
touches a frame again after publishing it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from ganlab.core.config import RunConfig
from ganlab.core.snapshot_data import Snapshot

PHASES = ("idle", "discriminator", "generator", "both")


@dataclass(frozen=True)
class RunFrame:
    """One run's part of a frame."""

    snapshot: Snapshot
    #: the configuration the trainer was using for this snapshot (None only on the pipe from
    #: a training process, when unchanged since the last frame: see `process.py`)
    config: RunConfig | None
    device: str  # the torch device the run trains on, e.g. "cpu"
    interpolation_path: np.ndarray | None = None  # (steps, dim) data points of G along z0 → z1
    #: (4, c, h, w): G(z_a), G(z_b), G(z_c), G(z_a − z_b + z_c), when an image view asked
    arithmetic_images: np.ndarray | None = None
    #: the iteration of the weights that drew the two above (None when neither is drawn): an
    #: image run's at full speed are its pictures' (`Snapshot.images_iteration`)
    interpolation_iteration: int | None = None
    metrics: dict | None = None  # freshly evaluated metrics, only in the frame that computed them


@dataclass(frozen=True)
class Frame:
    sequence: int  # counts published frames
    runs: tuple[RunFrame, ...]
    running: bool  # the worker is training continuously
    phase: str  # which network changed since the previous frame: one of PHASES
    iterations_per_second: float  # measured over the last second or so
    epoch: int  # increments whenever the networks restart from scratch (reset, rebuild)
    target_epoch: int  # increments whenever the target changes
    failure: str | None = None  # why training paused on its own (NaN / Inf), for the banner
    failed_runs: tuple[int, ...] = ()  # which runs went non-finite
    error: str | None = None  # a setting the worker could not apply, for the status bar
    can_restore: bool = False  # a last good state exists
    extra: dict = field(default_factory=dict)

    @property
    def iteration(self) -> int:
        return self.runs[0].snapshot.iteration if self.runs else 0


def without_unchanged_configs(frame: Frame, sent: dict[int, RunConfig]) -> Frame:
    """`frame` with `config=None` in each run whose configuration equals the one last sent
    for that run (`sent` is updated)."""
    runs = []
    for index, run in enumerate(frame.runs):
        if sent.get(index) == run.config:
            runs.append(dataclasses.replace(run, config=None))
        else:
            sent[index] = run.config
            runs.append(run)
    return dataclasses.replace(frame, runs=tuple(runs))


def complete_configs(frame: Frame, received: dict[int, RunConfig]) -> Frame:
    """The inverse of `without_unchanged_configs`, on the GUI's side of the pipe."""
    runs = []
    for index, run in enumerate(frame.runs):
        if run.config is None:
            run = dataclasses.replace(run, config=received[index])
        received[index] = run.config
        runs.append(run)
    return dataclasses.replace(frame, runs=tuple(runs))
