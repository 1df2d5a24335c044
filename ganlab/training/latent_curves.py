"""What a run's frame draws along latent paths the GUI asked for: the interpolation path
G(z(t)) (64 points of a 2D run, a row of 10 images of an image run) and an image run's latent
arithmetic G(z_a), G(z_b), G(z_c), G(z_a − z_b + z_c), marked with the iteration of the weights
that drew them.

A point run draws them on the training thread at every frame (~0.3 ms). An image run at full
speed draws them on the field thread (`field_thread.ImageJob`) from the same copy of the
networks as its pictures, so the row always belongs to the pictures' iteration and the
training thread only hands the request over.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganlab.core.generator_curves import arithmetic_images, interpolation_path
from ganlab.training.pending_changes import Interpolation

INTERPOLATION_POINTS = 64  # points along a 2D path
INTERPOLATION_IMAGES = 10  # images in a row: each must stay legible


@dataclass(frozen=True)
class LatentCurves:
    """G along the request `interpolation` (None: nothing asked), drawn by the weights of
    `iteration`: `path` (steps, *sample shape) and `arithmetic` (4, c, h, w), each None
    when not asked for or not drawable (wrong latent size, a points run's arithmetic)."""

    interpolation: Interpolation | None
    path: np.ndarray | None
    arithmetic: np.ndarray | None
    iteration: int


def latent_curves(source, interpolation: Interpolation | None, iteration: int
                  ) -> LatentCurves:
    """The curves of `interpolation` drawn by `source`: a trainer, or a frozen copy of its
    networks (`network_copy.NetworkCopy`), which gives the same numbers for the same weights."""
    return LatentCurves(interpolation, path(source, interpolation),
                        arithmetic(source, interpolation), iteration)


def path(source, interpolation: Interpolation | None) -> np.ndarray | None:
    """G(z(t)) from the request's start to its end (see `generator_curves.interpolation_path`)."""
    if interpolation is None or interpolation.start is None or interpolation.end is None or \
            len(interpolation.start) != source.config.model.latent_dim:
        return None
    steps = INTERPOLATION_IMAGES if source.target.data_kind == "images" else INTERPOLATION_POINTS
    return interpolation_path(source, interpolation.start, interpolation.end, steps,
                              interpolation.label, interpolation.spherical)


def arithmetic(source, interpolation: Interpolation | None) -> np.ndarray | None:
    """G(z_a), G(z_b), G(z_c), G(z_a − z_b + z_c) of an image run asked for them."""
    terms = interpolation.arithmetic if interpolation is not None else None
    dim = source.config.model.latent_dim
    if terms is None or source.target.data_kind != "images" or any(
            len(z) != dim for z in (terms.a, terms.b, terms.c)):
        return None
    return arithmetic_images(source, terms.a, terms.b, terms.c, terms.labels)
