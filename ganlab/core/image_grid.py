"""Sample grids of small images as PNG files (Pillow; no Qt).

`image_grid(images, ...)` lays out a batch (n, c, h, w) of floats in [0, 1] as one uint8 picture:
tiles left to right, top to bottom, each tile enlarged `zoom` times (nearest neighbour), a gap of
exactly one pixel of `gap_value` between neighbouring tiles (none around the border), and empty
cells at the end filled with `gap_value`. With `labels`, each row holds one class instead (rows
in increasing class order, images of a class in their batch order). `write_png_grid(path, ...)`
writes that picture through `ganlab.core.atomic_file`.

Pixel values: v ∈ [0, 1] becomes ⌊255·v + 0.5⌋, so 0 → 0, 0.5 → 128, 1 → 255. One channel is
written as a grayscale PNG, three as RGB.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np

from ganlab.core.atomic_file import atomic_write

MAX_GRID_PIXELS = 64 * 2**20  # 64 megapixels: far more than any sample grid ganlab draws


def to_uint8(values: np.ndarray) -> np.ndarray:
    """Floats in [0, 1] → uint8 by ⌊255·v + 0.5⌋ (round half up)."""
    return np.floor(np.asarray(values, dtype=np.float64) * 255.0 + 0.5).astype(np.uint8)


def grid_layout(n: int, columns: int | None = None) -> tuple[int, int]:
    """(rows, columns) for n tiles: `columns` given, or ⌈√n⌉ columns, and as few rows as fit."""
    if columns is None:
        columns = max(1, math.ceil(math.sqrt(n)))
    if columns < 1:
        raise ValueError(f"a grid needs at least one column, got {columns}")
    return max(1, math.ceil(n / columns)), columns


def image_grid(images, columns: int | None = None, labels=None, zoom: int = 1,
               gap_value: float = 1.0) -> np.ndarray:
    """The grid picture of `images` (n, c, h, w), c ∈ {1, 3}, values in [0, 1].

    Returns uint8 (H, W) for one channel or (H, W, 3) for three, with
    H = rows·h·zoom + rows − 1 and W = columns·w·zoom + columns − 1. `columns` defaults to ⌈√n⌉;
    with `labels` (n integers) there is one row per class present and as many columns as the
    largest class has images (`columns` must then be None). Raises ValueError for a wrong shape,
    values outside [0, 1] or not finite, zoom < 1, or a picture above `MAX_GRID_PIXELS`.
    """
    images = _checked_images(images)
    n, channels, height, width = images.shape
    if type(zoom) is not int or zoom < 1:
        raise ValueError(f"zoom must be a whole number ≥ 1, got {zoom!r}")
    if not 0.0 <= gap_value <= 1.0:
        raise ValueError(f"gap_value must lie in [0, 1], got {gap_value!r}")
    cells = _cells(n, columns, labels)  # (rows, columns) of batch indices, −1 for empty
    rows, cols = cells.shape
    tile_h, tile_w = height * zoom, width * zoom
    total_h, total_w = rows * tile_h + rows - 1, cols * tile_w + cols - 1
    if total_h * total_w > MAX_GRID_PIXELS:
        raise ValueError(f"a grid of {rows}×{cols} tiles of {tile_h}×{tile_w} pixels is "
                         f"{total_h}×{total_w}, more than {MAX_GRID_PIXELS:,} pixels")
    tiles = to_uint8(images)  # (n, c, h, w)
    if zoom > 1:
        tiles = tiles.repeat(zoom, axis=2).repeat(zoom, axis=3)
    picture = np.full((channels, total_h, total_w), to_uint8(gap_value), dtype=np.uint8)
    for row in range(rows):
        for col in range(cols):
            index = cells[row, col]
            if index >= 0:
                top, left = row * (tile_h + 1), col * (tile_w + 1)
                picture[:, top:top + tile_h, left:left + tile_w] = tiles[index]
    return picture[0] if channels == 1 else picture.transpose(1, 2, 0)


def png_bytes(picture: np.ndarray) -> bytes:
    """A uint8 (H, W) or (H, W, 3) picture encoded as PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    # uint8 (H, W) becomes mode "L", (H, W, 3) mode "RGB"
    Image.fromarray(np.ascontiguousarray(picture)).save(buffer, format="PNG")
    return buffer.getvalue()


def write_png_grid(path: str | Path, images, columns: int | None = None, labels=None,
                   zoom: int = 1, gap_value: float = 1.0) -> Path:
    """Write `image_grid(images, columns, labels, zoom, gap_value)` as a PNG at `path`,
    atomically (a failed write leaves any previous file intact). Returns the path."""
    data = png_bytes(image_grid(images, columns, labels, zoom, gap_value))
    return atomic_write(path, lambda stream: stream.write(data))


def _checked_images(images) -> np.ndarray:
    if hasattr(images, "detach"):  # a torch tensor, on any device
        images = images.detach().cpu().numpy()
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1] not in (1, 3) or 0 in images.shape:
        raise ValueError(f"images must be (n, channels, height, width) with n ≥ 1 and 1 or 3 "
                         f"channels, got shape {images.shape}")
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"images must be floats in [0, 1], got dtype {images.dtype}")
    if not np.isfinite(images).all():
        raise ValueError("images hold NaN or infinite values")
    low, high = float(images.min()), float(images.max())
    if low < 0.0 or high > 1.0:
        raise ValueError(f"image values must lie in [0, 1], got values in [{low:g}, {high:g}]")
    return images


def _cells(n: int, columns: int | None, labels) -> np.ndarray:
    if labels is None:
        rows, cols = grid_layout(n, columns)
        cells = np.full(rows * cols, -1, dtype=np.int64)
        cells[:n] = np.arange(n)
        return cells.reshape(rows, cols)
    if columns is not None:
        raise ValueError("with labels, the grid has one row per class: leave columns unset")
    if hasattr(labels, "detach"):
        labels = labels.detach().cpu().numpy()
    labels = np.asarray(labels)
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {n} integers, one per image, got shape {labels.shape} "
                         f"of {labels.dtype}")
    classes = np.unique(labels)
    members = [np.flatnonzero(labels == label) for label in classes]
    cells = np.full((len(classes), max(len(m) for m in members)), -1, dtype=np.int64)
    for row, indices in enumerate(members):
        cells[row, :len(indices)] = indices
    return cells
