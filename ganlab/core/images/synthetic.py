"""Labelled image families generated in code, vectorised over the whole batch.

Coordinates: pixel (row i, column j) of an r×r image has its centre at
((j + 0.5) / r, (i + 0.5) / r) in the unit square, y pointing down. Shapes are drawn from a
signed distance d (negative inside, in unit-square lengths) with analytic anti-aliasing:
coverage = clip(0.5 − d · r, 0, 1), which is the pixel's covered fraction for a straight edge.
The same seed gives the same images at a given resolution and n.
"""

from __future__ import annotations

import numpy as np

from ganlab.core.images.image_data import ImageData
from ganlab.core.images.image_limits import MAX_IMAGES

MIN_SYNTHETIC_RESOLUTION = 8
MAX_SYNTHETIC_RESOLUTION = 64

SYNTHETIC_FAMILIES = {
    "shapes": "circles, squares and triangles at random positions, sizes and rotations",
    "blobs": "one to three Gaussian blobs; the class is how many",
    "stripes": "sinusoidal stripes; the class is the direction (0°, 45°, 90° or 135°)",
    "two-class": "one disc; the two classes differ only in its size, brightness or position",
}
TWO_CLASS_FEATURES = {
    "size": ("small", "large"),
    "brightness": ("dim", "bright"),
    "position": ("left", "right"),
}


def synthetic(family: str, resolution: int = 16, n: int = 2000, seed: int = 0,
              **options: object) -> ImageData:
    """`n` gray images of one of `SYNTHETIC_FAMILIES` at `resolution` (8..64), with labels.

    Option: `feature` ("size", "brightness" or "position") for "two-class". Anything else,
    or a value out of range, raises `ValueError`.
    """
    if family not in SYNTHETIC_FAMILIES:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(SYNTHETIC_FAMILIES)}")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) \
            or not MIN_SYNTHETIC_RESOLUTION <= resolution <= MAX_SYNTHETIC_RESOLUTION:
        raise ValueError(f"resolution must be an integer {MIN_SYNTHETIC_RESOLUTION}.."
                         f"{MAX_SYNTHETIC_RESOLUTION}, got {resolution!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_IMAGES:
        raise ValueError(f"n must be an integer 1..{MAX_IMAGES:,}, got {n!r}")
    allowed = {"feature"} if family == "two-class" else set()
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ValueError(f"{family!r} takes no option {unknown[0]!r}")
    rng = np.random.default_rng(seed)
    resolution, n = int(resolution), int(n)
    if family == "two-class":
        feature = options.get("feature", "size")
        if feature not in TWO_CLASS_FEATURES:
            raise ValueError(f"feature must be one of {', '.join(TWO_CLASS_FEATURES)}, "
                             f"got {feature!r}")
        images, labels = _two_class(rng, n, resolution, str(feature))
        class_names = TWO_CLASS_FEATURES[str(feature)]
        name = f"two-class-{feature}{resolution}"
    else:
        maker, class_names = _FAMILIES[family]
        images, labels = maker(rng, n, resolution)
        name = f"{family}{resolution}"
    np.clip(images, 0.0, 1.0, out=images)
    return ImageData(images[:, None], labels, class_names, name,
                     f"{n:,} synthetic images, {resolution}×{resolution}: "
                     f"{SYNTHETIC_FAMILIES[family]}")


def _grid(resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates x (1, 1, r) and y (1, r, 1), float32."""
    centres = ((np.arange(resolution, dtype=np.float32) + 0.5) / resolution)
    return centres[None, None, :], centres[None, :, None]


def _coverage(distance: np.ndarray, resolution: int) -> np.ndarray:
    """Anti-aliased coverage from a signed distance (unit-square lengths), in place."""
    distance *= -resolution
    distance += 0.5
    return np.clip(distance, 0.0, 1.0, out=distance)


def _column(values: np.ndarray) -> np.ndarray:
    """(n,) → (n, 1, 1) float32, to broadcast over the pixel grid."""
    return values.astype(np.float32)[:, None, None]


def _shapes(rng: np.random.Generator, n: int, resolution: int):
    """Class 0 circle, 1 square, 2 triangle; circumradius 0.2..0.34, any rotation, fully
    inside the image. Distances: circle |q| − 0.85 R; square max(|qx|, |qy|) − R/√2;
    equilateral triangle max_k(n_k · q) − R/2 (n_k its three edge normals)."""
    labels = rng.integers(0, 3, n)
    radius = rng.uniform(0.2, 0.34, n)
    centre_x = rng.uniform(radius + 0.03, 0.97 - radius)
    centre_y = rng.uniform(radius + 0.03, 0.97 - radius)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    x, y = _grid(resolution)
    dx, dy = x - _column(centre_x), y - _column(centre_y)  # (n, 1, r), (n, r, 1)
    distance = np.empty((n, resolution, resolution), dtype=np.float32)
    for label in range(3):
        chosen = labels == label
        if not chosen.any():
            continue
        qx, qy, r, a = dx[chosen], dy[chosen], _column(radius[chosen]), angle[chosen]
        if label == 0:
            distance[chosen] = np.sqrt(qx * qx + qy * qy) - 0.85 * r
            continue
        normals = (a[:, None] + np.arange(4 if label == 1 else 3) * (2 * np.pi)
                   / (4 if label == 1 else 3))  # (k, edges)
        edges = np.stack([qx * _column(np.cos(normal)) + qy * _column(np.sin(normal))
                          for normal in normals.T])  # (edges, k, r, r)
        inradius = r / np.sqrt(2) if label == 1 else r / 2
        distance[chosen] = edges.max(axis=0) - inradius
    return _coverage(distance, resolution), labels


def _blobs(rng: np.random.Generator, n: int, resolution: int):
    """Class k: k + 1 Gaussian blobs, σ 0.045..0.07, set evenly on a circle of radius
    0.18..0.24 (at least 4σ apart, so they can be counted) whose centre lies within
    0.3 − radius of the image's; image = the brightest blob at each pixel."""
    labels = rng.integers(0, 3, n)
    count = labels + 1
    sigma = rng.uniform(0.045, 0.07, (n, 3))
    spread = np.where(count == 1, 0.0, rng.uniform(0.18, 0.24, n))
    centre = rng.uniform(0.2 + spread, 0.8 - spread, (2, n))
    turn = rng.uniform(0.0, 2 * np.pi, n)[:, None] + np.arange(3) * 2 * np.pi / count[:, None]
    bx = centre[0][:, None] + spread[:, None] * np.cos(turn)  # (n, 3)
    by = centre[1][:, None] + spread[:, None] * np.sin(turn)
    present = np.arange(3)[None, :] < count[:, None]
    x, y = _grid(resolution)
    inverse = (1 / (2 * sigma * sigma)).astype(np.float32)[..., None]  # (n, 3, 1)
    gauss_x = np.exp(-((x[0] - bx.astype(np.float32)[..., None]) ** 2) * inverse)  # (n, 3, r)
    gauss_y = np.exp(-((y[0, :, 0] - by.astype(np.float32)[..., None]) ** 2) * inverse)
    gauss_y *= present[..., None]
    images = np.max(gauss_y[..., :, None] * gauss_x[..., None, :], axis=1)  # (n, r, r)
    return images.astype(np.float32, copy=False), labels


def _stripes(rng: np.random.Generator, n: int, resolution: int):
    """Class k: stripes running at k · 45° ± 18°, 0.5 + 0.5 sin(2π f (q · normal) + φ) with
    f = 1.5 .. min(6, r/4) cycles per image (below the Nyquist limit r/2)."""
    labels = rng.integers(0, 4, n)
    direction = labels * (np.pi / 4) + rng.uniform(-0.1, 0.1, n) * np.pi
    frequency = rng.uniform(1.5, max(2.0, min(6.0, resolution / 4)), n)
    phase = rng.uniform(0.0, 2 * np.pi, n)
    x, y = _grid(resolution)
    # the wave varies along the normal (−sin, cos) of the stripes' direction
    wave = (x * _column(-np.sin(direction) * 2 * np.pi * frequency)
            + y * _column(np.cos(direction) * 2 * np.pi * frequency) + _column(phase))
    return 0.5 + 0.5 * np.sin(wave, out=wave), labels


def _two_class(rng: np.random.Generator, n: int, resolution: int, feature: str):
    """A disc that differs between the classes in `feature` only: radius 0.14 vs 0.26
    ("size"), brightness 0.45 vs 1 ("brightness"), centre x in 0.2..0.35 vs 0.65..0.8
    ("position"); every other attribute has the same distribution in both classes."""
    labels = rng.integers(0, 2, n)
    radius = np.where(labels == 1, 0.26, 0.14) if feature == "size" else np.full(n, 0.18)
    brightness = np.where(labels == 1, 1.0, 0.45) if feature == "brightness" else np.ones(n)
    centre_y = rng.uniform(0.3, 0.7, n)
    if feature == "position":
        centre_x = np.where(labels == 1, 0.65, 0.2) + rng.uniform(0.0, 0.15, n)
    else:
        centre_x = rng.uniform(0.3, 0.7, n)
    x, y = _grid(resolution)
    dx, dy = x - _column(centre_x), y - _column(centre_y)
    distance = np.sqrt(dx * dx + dy * dy) - _column(radius)
    return _coverage(distance, resolution) * _column(brightness), labels


_FAMILIES = {
    "shapes": (_shapes, ("circle", "square", "triangle")),
    "blobs": (_blobs, ("1 blob", "2 blobs", "3 blobs")),
    "stripes": (_stripes, ("0°", "45°", "90°", "135°")),
}
