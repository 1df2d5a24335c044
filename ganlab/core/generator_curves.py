"""What the generator draws as curves, in data coordinates: the warped latent grid (the image
under G of a grid in z), the 1D pushforward z → G(z) of theory §1, and a latent interpolation
path G((1 - t) z0 + t z1)."""

from __future__ import annotations

import numpy as np
import torch


def latent_extent(distribution: str) -> float:
    """Half-width of the latent region drawn: ±1 for uniform z, ±2.5 for Gaussian z."""
    return 1.0 if distribution == "uniform" else 2.5


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
    trainer, start: np.ndarray, end: np.ndarray, steps: int = 64, label: int | None = None
) -> np.ndarray:
    """G((1 - t) z_start + t z_end) for t evenly in [0, 1]: shape (steps, *sample shape). A
    conditional generator draws the whole path as class `label` (0 when not given)."""
    t = torch.linspace(0, 1, steps)[:, None]
    start_z = torch.as_tensor(np.asarray(start, dtype=np.float32))[None, :]
    end_z = torch.as_tensor(np.asarray(end, dtype=np.float32))[None, :]
    latent = (1 - t) * start_z + t * end_z
    labels = torch.full((steps,), label or 0, dtype=torch.long) if trainer.conditional else None
    return trainer.sample(steps, latent=latent, labels=labels)
