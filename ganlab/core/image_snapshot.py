"""What an image run's frame shows, as numpy: fixed real and generated grids, D's scores, and
the nearest training image (and its class) of each generated one.

The generated grid comes from one fixed latent batch (so change is visible from frame to
frame); a conditional model's grid is arranged class by class, `per_class` images of each
class in a row. Scores are D's outputs as the objective reads them: D(x) = sigmoid(d(x)) where
D is a probability, else the raw critic d(x). The nearest training image is the closest in
pixel space (Euclidean) among at most `NEAREST_POOL` training images (all of them for the
embedded digits and synthetic sets): the check against memorisation.
"""

from __future__ import annotations

import numpy as np
import torch

GENERATED_SHOWN = 64  # generated images on screen (conditional: the classes × per_class)
REAL_SHOWN = 32
NEAREST_POOL = 20000  # training images searched for the nearest one
MAX_ROWS_PER_CLASS = 8


def display_labels(classes: int, shown: int = GENERATED_SHOWN) -> np.ndarray:
    """Labels for a conditional grid: each class `per_class` times, class by class, where
    per_class = max(1, shown // classes) capped at MAX_ROWS_PER_CLASS."""
    per_class = min(max(1, shown // classes), MAX_ROWS_PER_CLASS)
    return np.repeat(np.arange(classes, dtype=np.int64), per_class)


@torch.no_grad()
def scores(trainer, images: np.ndarray, labels: np.ndarray | None) -> np.ndarray | None:
    """D's output on images in [0, 1] as the objective reads it (None without a D)."""
    if not trainer.objective.needs_discriminator or not np.isfinite(images).all():
        return None
    x = (torch.as_tensor(images, device=trainer.device) - trainer.shift) / trainer.scale
    y = torch.as_tensor(labels, device=trainer.device) if trainer.conditional else None
    logits = trainer.discriminate(x, y)
    if trainer.objective.output_kind == "probability":
        logits = torch.sigmoid(logits)
    return logits.float().cpu().numpy()


@torch.no_grad()
def nearest_training_images(pool: tuple, images: np.ndarray) -> dict[str, np.ndarray | None]:
    """For each image, the closest of the `pool` (pixel space, Euclidean): the snapshot parts
    `nearest_real` (n, c, h, w), `nearest_distance` (n,) and `nearest_labels` (n,) or None."""
    pool_images, flat_pool, pool_labels = pool
    query = torch.from_numpy(np.nan_to_num(images).astype(np.float32)).flatten(1)
    best, index = torch.cdist(query, flat_pool).min(dim=1)
    index = index.numpy()
    return {"nearest_real": pool_images[index], "nearest_distance": best.numpy(),
            "nearest_labels": pool_labels[index] if pool_labels is not None else None}


def image_parts(source, real: np.ndarray, real_labels: np.ndarray | None,
                latent: torch.Tensor, labels: np.ndarray | None, pool: tuple) -> dict:
    """What a frame shows of an image run's networks: `fake` = G(latent) (labels: a
    conditional grid) and, where every generated pixel is finite, D's scores of the real and
    generated grids and each generated image's nearest training image. `source` is a trainer,
    or a frozen copy of its networks (`training.network_copy`) that gives the same numbers for
    the same weights."""
    fake = source.sample(len(latent), latent=latent,
                         labels=torch.from_numpy(labels) if labels is not None else None)
    parts: dict = {"fake": fake}
    if np.isfinite(fake).all():
        parts["real_scores"] = scores(source, real, real_labels)
        parts["fake_scores"] = scores(source, fake, labels)
        parts.update(nearest_training_images(pool, fake))
    return parts


def nearest_pool(target) -> tuple[np.ndarray, torch.Tensor, np.ndarray | None]:
    """The training images searched (all of them, or a fixed subset of NEAREST_POOL), the
    same flattened as a tensor, and their labels (None when unlabelled)."""
    images, labels = target.data.images, target.data.labels
    if len(images) > NEAREST_POOL:
        chosen = np.sort(np.random.default_rng(0).choice(len(images), NEAREST_POOL,
                                                         replace=False))
        images = images[chosen]
        labels = labels[chosen] if labels is not None else None
    return images, torch.tensor(images.reshape(len(images), -1)), labels
