"""Snapshots: everything a frame of the app draws, as plain numpy arrays and floats.

A `Snapshotter` keeps a fixed display batch (the same z and the same real points from frame to
frame, so points move smoothly instead of flickering), a larger fixed quasi-random z batch for
the optimal discriminator (see `fields`), and builds an immutable `Snapshot` from the trainer
when asked. This is the only place the device is synchronised while training runs.
Views draw from the evaluation random stream, so taking snapshots never changes the training.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from ganlab.core import fields, generator_curves, image_snapshot
from ganlab.core.equilibrium import finite_batch_equilibrium
from ganlab.core.metrics import evaluate
from ganlab.core.nets import sample_latent
from ganlab.core.snapshot_data import Snapshot, SnapshotRequest
from ganlab.core.targets import Target

__all__ = ["DISPLAY_SAMPLES", "FIELD_NAMES", "Snapshot", "SnapshotRequest", "Snapshotter",
           "field_parts"]

DISPLAY_SAMPLES = 512
EVERYTHING = SnapshotRequest()  # every field, no metrics
#: the parts of a snapshot computed from the networks on a grid or a latent grid (`field_parts`)
FIELD_NAMES = ("critic", "optimal_discriminator", "target_density", "gradients", "manifold")


def field_parts(source, request: SnapshotRequest, box, latent: torch.Tensor,
                density_latent: torch.Tensor | None) -> dict:
    """The fields `request` asks for (of `FIELD_NAMES`), computed from `source`: a trainer, or
    anything with the attributes the field functions read from one (a frozen copy of its
    networks, `training.network_copy`), which gives the same numbers for the same weights.
    `latent` is the display batch (gradients are taken at G(latent)) and `density_latent` the
    fixed quasi-random batch behind D* (needed only when D* is asked for)."""
    parts: dict = {}
    resolution = request.resolution
    if request.critic:
        parts["critic"] = fields.critic_on_grid(source, box, resolution)
    if request.target_density or request.optimal_discriminator:
        bandwidth = fields.kernel_bandwidth(box, resolution)
        p_data = fields.smoothed_target_density(source.target, box, resolution, bandwidth)
        if request.target_density:
            parts["target_density"] = p_data
        if request.optimal_discriminator:
            density_fake = source.sample(fields.DENSITY_SAMPLES, latent=density_latent)
            if np.isfinite(density_fake).all():
                parts["optimal_discriminator"] = fields.optimal_discriminator_field(
                    p_data, density_fake, box, resolution, bandwidth)
    if request.gradients:
        parts["gradients"] = fields.generator_gradients(source, latent)[1]
    if request.manifold:
        parts["manifold"] = generator_curves.latent_manifold(source)
    return parts


class Snapshotter:
    """Builds snapshots of one trainer (whose target and latent size may change)."""

    def __init__(self, trainer, display_samples: int = DISPLAY_SAMPLES, seed: int = 99):
        self.trainer = trainer
        self.display_samples = display_samples
        self._rng = torch.Generator().manual_seed(seed)
        self._real_for: Target | None = None
        self._real = np.zeros((0, 1))
        self._real_labels: np.ndarray | None = None
        self._nearest_pool: tuple | None = None  # images: (pool, flattened tensor, labels)
        self._image_latent_key: tuple | None = None
        self._base_latent = torch.zeros(0, 0)  # images: the grid's z (a row's, when conditional)
        self._latent = torch.zeros(0, 0)
        self._latent_distribution: str | None = None
        self._density_latent = torch.zeros(0, 0)
        self._density_latent_key: tuple | None = None
        self._references: dict[tuple, tuple[float | None, float | None]] = {}

    def _reference_losses(self) -> tuple[float | None, float | None]:
        """`finite_batch_equilibrium` for the trainer's settings, computed once per setting."""
        trainer = self.trainer
        objective = trainer.objective
        if trainer.model_family == "vae":
            return None, None
        batch_size = trainer.config.training.batch_size
        shift, scale = trainer.shift.cpu(), trainer.scale.cpu()
        real_label = trainer.config.objective.real_label
        key = (objective.name, trainer.target, batch_size, tuple(shift.tolist()),
               tuple(scale.tolist()), real_label)
        if key not in self._references:
            target = trainer.target

            def sample_standardised(n, generator):  # flattened: images are vectors here
                return ((target.sample(n, generator) - shift) / scale).flatten(1)

            self._references = {key: finite_batch_equilibrium(
                objective, sample_standardised, batch_size, real_label=real_label)}
        return self._references[key]

    def _density_batch(self) -> torch.Tensor:
        """DENSITY_SAMPLES fixed quasi-random z (scrambled Sobol, seed fixed) for D*."""
        model = self.trainer.config.model
        key = (model.latent_dim, model.latent_distribution)
        if key != self._density_latent_key:
            self._density_latent = fields.quasi_random_latent(
                fields.DENSITY_SAMPLES, model.latent_dim, model.latent_distribution)
            self._density_latent_key = key
        return self._density_latent

    def field_inputs(self, request: SnapshotRequest) -> tuple:
        """(box, display z, D*'s quasi-random z or None): what `field_parts` needs besides the
        networks, for computing a point run's fields elsewhere (the tensors are never changed
        in place, only replaced, so holding them is safe)."""
        _, latent = self._display_batch()
        density_latent = self._density_batch() if request.optimal_discriminator else None
        return request.box or self.trainer.target.view_box, latent, density_latent

    def _display_batch(self) -> tuple[np.ndarray, torch.Tensor]:
        trainer = self.trainer
        if self._real_for is not trainer.target:
            self._real = trainer.target.sample(self.display_samples, self._rng).numpy()
            self._real_for = trainer.target
        model = trainer.config.model
        shape = (self.display_samples, model.latent_dim)
        if self._latent.shape != shape or self._latent_distribution != model.latent_distribution:
            self._latent = sample_latent(*shape, model.latent_distribution, self._rng)
            self._latent_distribution = model.latent_distribution
        return self._real, self._latent

    def take(self, request: SnapshotRequest = EVERYTHING) -> Snapshot:
        if self.trainer.target.data_kind == "images":
            return self._take_images(request)
        trainer = self.trainer
        if trainer.model_family == "vae":  # no discriminator: no D, D* or G-loss gradients
            request = dataclasses.replace(request, critic=False, optimal_discriminator=False,
                                          gradients=False)
        real, latent = self._display_batch()
        box = request.box or trainer.target.view_box
        d_loss, g_loss = trainer.read_losses()
        elbo = trainer.elbo_terms if trainer.model_family == "vae" else None
        fake = trainer.sample(len(latent), latent=latent)
        finite = bool(np.isfinite(fake).all()) and all(
            v is None or np.isfinite(v) for v in (d_loss, g_loss, *(elbo or {}).values())
        )
        parts: dict = {"outside_counts": fields.outside_counts(fake, box), "elbo_terms": elbo}
        if finite and trainer.generator_average is not None:  # the raw G too, same z
            parts["raw_fake"] = trainer.sample(len(latent), latent=latent, averaged=False)
        if finite:
            density_latent = self._density_batch() if request.optimal_discriminator else None
            parts.update(field_parts(trainer, request, box, latent, density_latent))
            if trainer.target.dim == 1:
                parts["pushforward"] = generator_curves.pushforward_curve(trainer)
            if request.metrics:
                parts["metrics"] = evaluate(trainer)
        return Snapshot(
            iteration=trainer.iteration,
            critic_updates=trainer.critic_updates,
            generator_updates=trainer.generator_updates,
            discriminator_loss=d_loss,
            generator_loss=g_loss,
            objective=trainer.objective.name,
            output_kind=trainer.objective.output_kind,
            heatmap_levels=trainer.objective.heatmap_levels,
            heatmap_label=trainer.objective.heatmap_label,
            box=box,
            real=real,
            fake=fake,
            latent=latent.numpy(),
            finite=finite,
            reference_losses=self._reference_losses(),
            **parts,
        )

    def _image_batch(self) -> tuple:
        """Fixed real images (and labels), fixed z and, for a conditional model, labels."""
        trainer = self.trainer
        target = trainer.target
        if self._real_for is not target:
            x, y = target.sample_labelled(image_snapshot.REAL_SHOWN, self._rng)
            self._real = x.numpy()
            self._real_labels = y.numpy() if y is not None else None
            self._nearest_pool = image_snapshot.nearest_pool(target)
            self._real_for = target
        labels = image_snapshot.display_labels(trainer.classes) if trainer.conditional else None
        model = trainer.config.model
        # conditional: one row per class, and column j has the same z in every row, so a row
        # shows the class and a column the style
        per_row = len(labels) // trainer.classes if labels is not None else None
        shape = (per_row or image_snapshot.GENERATED_SHOWN, model.latent_dim)
        key = (shape, model.latent_distribution)
        if self._image_latent_key != key:
            self._base_latent = sample_latent(*shape, model.latent_distribution, self._rng)
            self._image_latent_key = key
        latent = self._base_latent
        if labels is not None:
            latent = latent.repeat(trainer.classes, 1)
        return self._real, self._real_labels, latent, labels

    def image_inputs(self) -> tuple:
        """(real, real labels, z, labels, nearest pool): what `image_snapshot.image_parts`
        needs besides the networks, for computing an image run's pictures elsewhere (never
        changed in place, only replaced, so holding them is safe)."""
        real, real_labels, latent, labels = self._image_batch()
        return real, real_labels, latent, labels, self._nearest_pool

    def take_images(self, request: SnapshotRequest, computed: dict | None = None) -> Snapshot:
        """An image run's snapshot; `computed`: its `image_parts` computed elsewhere from a
        copy of the networks (with `images_iteration`, the iteration of those weights), else
        they are computed here from the trainer."""
        return self._take_images(request, computed)

    def _take_images(self, request: SnapshotRequest, computed: dict | None = None
                     ) -> Snapshot:
        trainer = self.trainer
        real, real_labels, latent, labels = self._image_batch()
        d_loss, g_loss = trainer.read_losses()
        if computed is None:
            computed = {**image_snapshot.image_parts(trainer, real, real_labels, latent, labels,
                                                     self._nearest_pool),
                        "images_iteration": trainer.iteration}
        parts = dict(computed)
        fake = parts.pop("fake")
        finite = bool(np.isfinite(fake).all()) and all(
            v is None or np.isfinite(v) for v in (d_loss, g_loss))
        if not finite:  # nothing but the pictures of a failed frame
            parts = {"images_iteration": parts.get("images_iteration")}
        elif request.metrics:
            parts["metrics"] = evaluate(trainer)
        objective = trainer.objective
        return Snapshot(
            iteration=trainer.iteration, critic_updates=trainer.critic_updates,
            generator_updates=trainer.generator_updates, discriminator_loss=d_loss,
            generator_loss=g_loss, objective=objective.name,
            output_kind=objective.output_kind, box=trainer.target.view_box, real=real,
            fake=fake, latent=latent.numpy(), finite=finite,
            reference_losses=self._reference_losses(),
            heatmap_levels=objective.heatmap_levels, heatmap_label=objective.heatmap_label,
            data_kind="images", real_labels=real_labels, fake_labels=labels,
            class_names=trainer.target.class_names, **parts)
