"""What the generator draws as curves, in data coordinates: the warped latent grid (the image
under G of a grid in z), the 1D pushforward z → G(z) of theory §1, and a latent interpolation
path G(z(t)) from z0 to z1 (straight or spherical), and latent arithmetic
G(z_a − z_b + z_c) (the latent maths is `latent_algebra`)."""

from __future__ import annotations

import numpy as np
import torch

from ganlab.core.latent_algebra import latent_arithmetic, latent_extent, latent_path


@torch.no_grad()
def latent_manifold(trainer, lines: int = 11, points_per_line: int = 64) -> list[np.ndarray]:
    """The image under G of a grid in the first two latent dimensions (others held at 0):
    2·lines polylines of shape (points_per_line, data_dim); one polyline for a 1D latent."""
    model = trainer.config.model
    extent = latent_extent(model.latent_distribution)
    along = torch.linspace(-extent, extent, points_per_line)
    if model.latent_dim == 1:
        paths = [along[:, None]]
    else:
        paths = []
        for value in torch.linspace(-extent, extent, lines):
            fixed = torch.full_like(along, float(value))
            paths.append(torch.stack([along, fixed], dim=1))
            paths.append(torch.stack([fixed, along], dim=1))
    latent = torch.zeros(len(paths), points_per_line, model.latent_dim)
    for i, path in enumerate(paths):
        latent[i, :, : path.shape[1]] = path
    images = trainer.data_generator(latent.reshape(-1, model.latent_dim).to(trainer.device))
    images = images.cpu().numpy().reshape(len(paths), points_per_line, -1)
    return list(images)


@torch.no_grad()
def pushforward_curve(trainer, points: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """z → G(z) along the first latent axis (others 0): the pushforward picture of theory §1.
    Returns z values (points,) and G(z) of shape (points, data_dim)."""
    model = trainer.config.model
    extent = latent_extent(model.latent_distribution)
    z = torch.zeros(points, model.latent_dim)
    z[:, 0] = torch.linspace(-extent, extent, points)
    return z[:, 0].numpy(), trainer.data_generator(z.to(trainer.device)).cpu().numpy()


@torch.no_grad()
def interpolation_path(
    trainer, start: np.ndarray, end: np.ndarray, steps: int = 64, label: int | None = None,
    spherical: bool = False,
) -> np.ndarray:
    """G(z(t)) for t evenly in [0, 1], z(t) = (1 - t) z_start + t z_end, or the spherical
    path of `latent_algebra.slerp` when `spherical`: shape (steps, *sample shape). A
    conditional generator draws the whole path as class `label` (0 when not given)."""
    latent = torch.as_tensor(latent_path(start, end, steps, spherical), dtype=torch.float32)
    labels = torch.full((steps,), label or 0, dtype=torch.long) if trainer.conditional else None
    return trainer.sample(steps, latent=latent, labels=labels)


@torch.no_grad()
def arithmetic_images(trainer, a: np.ndarray, b: np.ndarray, c: np.ndarray,
                      labels: tuple[int, int, int] | None = None) -> np.ndarray:
    """G(z_a), G(z_b), G(z_c) and G(z_a − z_b + z_c): shape (4, *sample shape). A conditional
    generator draws a, b, c as their classes `labels` (0 when not given) and the sum as c's."""
    latent = torch.as_tensor(np.stack([a, b, c, latent_arithmetic(a, b, c)]),
                             dtype=torch.float32)
    classes = None
    if trainer.conditional:
        a_class, b_class, c_class = labels or (0, 0, 0)
        classes = torch.tensor([a_class, b_class, c_class, c_class], dtype=torch.long)
    return trainer.sample(4, latent=latent, labels=classes)
