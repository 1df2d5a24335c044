"""What a frame of the app draws, as data: `SnapshotRequest` (which parts to compute) and
`Snapshot` (plain numpy arrays and floats). numpy only: the app's window unpickles snapshots
from the training process without importing torch; `snapshot.Snapshotter` builds them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganlab.core.targets.base import ViewBox


@dataclass(frozen=True)
class SnapshotRequest:
    """Which parts of a snapshot to compute (the app asks only for layers that are shown)."""

    resolution: int = 64  # grid cells per axis of the fields
    critic: bool = True  # D(x) (or the critic / witness) on the grid
    optimal_discriminator: bool = True  # D*_h = p_data / (p_data + p_g) on the grid
    target_density: bool = True  # the (smoothed) target density on the grid
    gradients: bool = True  # ∂L_G/∂x on every displayed generated sample
    manifold: bool = True  # image of a latent grid under G
    metrics: bool = False  # modes, JS/KL, W1, value gap on 2,500 samples (slower: ~2 per second)
    box: ViewBox | None = None  # None: the target's view box


@dataclass(frozen=True)
class Snapshot:
    iteration: int
    critic_updates: int
    generator_updates: int
    discriminator_loss: float | None  # mean over updates since the previous snapshot
    generator_loss: float | None
    objective: str
    output_kind: str  # how to read `critic`: see Objective.output_kind
    box: ViewBox
    real: np.ndarray  # (n, dim) fixed real display points
    fake: np.ndarray  # (n, dim) G(fixed display z) (from θ_avg when averaging is on)
    latent: np.ndarray  # (n, latent_dim) the fixed display z
    #: (n, dim) the raw generator's G(fixed display z) when a weight average is on (else None)
    raw_fake: np.ndarray | None = None
    critic: np.ndarray | None = None  # (res, res) [ix, iy] or (res,)
    optimal_discriminator: np.ndarray | None = None
    target_density: np.ndarray | None = None
    gradients: np.ndarray | None = None  # (n, dim), rows match `fake`
    manifold: list[np.ndarray] | None = None
    pushforward: tuple[np.ndarray, np.ndarray] | None = None  # (z, G(z)) along latent axis 0
    metrics: dict | None = None
    #: generated display points by where they lie against the box: [i, j] counts the points
    #: with x below (i = 0), inside (1) or above (2) the box's x range, and likewise j for y;
    #: [1, 1] are on screen. (3,) for 1D data. See `fields.outside_counts`.
    outside_counts: np.ndarray | None = None
    #: (D loss, G loss) a perfect generator reaches with this objective, data and batch size
    #: (None where theory gives no value): the charts' reference lines
    reference_losses: tuple[float | None, float | None] = (None, None)
    finite: bool = True  # False when a loss or a generated point is NaN or infinite
    # ---- images (data_kind "images"): real and fake are (n, c, h, w) in [0, 1]
    data_kind: str = "points"
    real_labels: np.ndarray | None = None  # (n,) int64, labelled targets
    fake_labels: np.ndarray | None = None  # (n,) conditional models: class by class
    class_names: tuple[str, ...] = ()
    real_scores: np.ndarray | None = None  # D's output on `real` (see image_snapshot.scores)
    fake_scores: np.ndarray | None = None
    nearest_real: np.ndarray | None = None  # (n, c, h, w) nearest training image of each fake
    nearest_distance: np.ndarray | None = None  # (n,) its pixel-space distance
    nearest_labels: np.ndarray | None = None  # (n,) its class, labelled targets
    #: the iteration of the weights `fake` and the scores came from: `iteration` when taken
    #: inline, a few iterations earlier when computed off the training thread (`field_thread`)
    images_iteration: int | None = None
    #: colour levels and label for `critic`, as the objective declares them (None: adaptive):
    #: see Objective.heatmap_levels. The app reads them here and never imports the objectives
    heatmap_levels: tuple[float, float] | None = (0.0, 1.0)
    heatmap_label: str = "D(x)  (1 = real)"
    #: a VAE run (`vae_trainer`): the mean ELBO terms since the previous snapshot, in nats per
    #: standardised point: {"reconstruction": E_q log p(x|z), "kl": KL(q‖p), "elbo": their
    #: difference}; None for a GAN run (or no update since)
    elbo_terms: dict | None = None
