"""Tiling a batch of images into one RGB picture, without Qt.

A view of 64 generated images draws one `ImageItem` from one (H, W, 3) uint8 array, never 64
widgets. `tile_mosaic` lays (n, c, h, w) float images in [0, 1] on a rows × columns grid:

    cell = gap_before | frame | tile (h·scale × w·scale) | frame | gap_after

Each tile is enlarged by an integer nearest-neighbour `scale` so that it is at least `min_tile`
pixels on its longer side (8×8 digits would be specks otherwise); the frame around each tile is
painted in that tile's colour (the discriminator's score, in the views). Non-finite pixels
(a diverged run) are drawn mid-grey. Row r, column c holds image r·columns + c; cells past the
last image are background. The result's `rects` give each tile's picture area for hit-testing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

NAN_GREY = 128  # the value of a non-finite pixel, in every channel
PIXEL = np.dtype("<u4")  # one RGBA pixel: bytes R, G, B, A in memory order


@dataclass(frozen=True)
class MosaicLayout:
    """Where tiles go in a mosaic; all lengths in mosaic pixels."""

    count: int  # number of images
    rows: int
    columns: int
    scale: int  # nearest-neighbour enlargement of each image
    tile_height: int  # image height · scale
    tile_width: int
    frame: int  # width of the coloured frame around each tile
    gap: int  # background between neighbouring framed tiles

    @property
    def cell_height(self) -> int:
        return self.tile_height + 2 * self.frame + self.gap

    @property
    def cell_width(self) -> int:
        return self.tile_width + 2 * self.frame + self.gap

    @property
    def shape(self) -> tuple[int, int, int]:
        """(H, W, 3) of the mosaic."""
        return (self.rows * self.cell_height, self.columns * self.cell_width, 3)

    @property
    def origin(self) -> int:
        """Offset of a cell's framed tile from the cell's corner (half the gap, rounded down)."""
        return self.gap // 2

    def rect(self, index: int) -> tuple[int, int, int, int]:
        """(x, y, width, height) of tile `index`'s picture, inside its frame."""
        row, column = divmod(index, self.columns)
        x = column * self.cell_width + self.origin + self.frame
        y = row * self.cell_height + self.origin + self.frame
        return (x, y, self.tile_width, self.tile_height)

    @property
    def rects(self) -> np.ndarray:
        """(count, 4) int array of `rect(i)` for every tile."""
        return np.array([self.rect(i) for i in range(self.count)], dtype=np.int64).reshape(-1, 4)

    def tile_at(self, x: float, y: float) -> int | None:
        """The tile whose picture or frame contains mosaic point (x, y) (x right, y down), or
        None over a gap, outside the mosaic, or over an empty cell."""
        if not (math.isfinite(x) and math.isfinite(y)) or x < 0 or y < 0:
            return None
        column, inside_x = divmod(x, self.cell_width)
        row, inside_y = divmod(y, self.cell_height)
        if column >= self.columns or row >= self.rows:
            return None
        low = self.origin
        if not (low <= inside_x < low + self.tile_width + 2 * self.frame
                and low <= inside_y < low + self.tile_height + 2 * self.frame):
            return None
        index = int(row) * self.columns + int(column)
        return index if index < self.count else None


def mosaic_layout(count: int, rows: int, columns: int, image_height: int, image_width: int,
                  min_tile: int = 32, frame: int = 2, gap: int = 2) -> MosaicLayout:
    """The layout of `count` images of image_height × image_width on rows × columns; `scale` is
    the smallest integer making the longer image side ≥ `min_tile` (at least 1)."""
    if rows * columns < count:
        raise ValueError(f"{rows} x {columns} cells cannot hold {count} images")
    scale = max(1, math.ceil(min_tile / max(image_height, image_width, 1)))
    return MosaicLayout(count, rows, columns, scale, image_height * scale, image_width * scale,
                        frame, gap)


def square_grid(count: int) -> tuple[int, int]:
    """(rows, columns) of a near-square grid for `count` images, wider than tall if uneven."""
    columns = max(1, math.ceil(math.sqrt(count)))
    return (max(1, math.ceil(count / columns)), columns)


def pack_rgba(colours: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 RGB → (...,) little-endian uint32 holding opaque RGBA bytes."""
    colours = np.asarray(colours, dtype=np.uint32)
    return (colours[..., 0] | (colours[..., 1] << 8) | (colours[..., 2] << 16)
            | np.uint32(0xFF000000)).astype(PIXEL)


def to_packed_pixels(images: np.ndarray) -> np.ndarray:
    """(n, c, h, w) floats in [0, 1], c ∈ {1, 3} → (n, h, w) packed opaque RGBA (see
    `pack_rgba`); out-of-range values are clipped and non-finite ones become mid-grey."""
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"expected (n, 1 or 3, h, w) images, got shape {images.shape}")
    scaled = np.multiply(images, 255.0, dtype=np.float32)
    finite = np.isfinite(scaled)
    np.clip(scaled, 0.0, 255.0, out=scaled)
    scaled += 0.5  # round to nearest on the cast below
    if not finite.all():
        scaled[~finite] = NAN_GREY
    channels = scaled.astype(np.uint8).astype(np.uint32)
    if channels.shape[1] == 1:  # grey: the same byte in R, G and B
        return (channels[:, 0] * np.uint32(0x010101) + np.uint32(0xFF000000)).astype(PIXEL)
    return (channels[:, 0] | (channels[:, 1] << 8) | (channels[:, 2] << 16)
            | np.uint32(0xFF000000)).astype(PIXEL)


@dataclass(frozen=True)
class Mosaic:
    rgba: np.ndarray  # (H, W, 4) uint8, opaque, row 0 at the top: what an ImageItem draws
    layout: MosaicLayout

    @property
    def rgb(self) -> np.ndarray:
        """(H, W, 3) uint8 view of the colours (no copy)."""
        return self.rgba[..., :3]

    @property
    def rects(self) -> np.ndarray:
        """(n, 4) int: x, y, width, height of each tile's picture."""
        return self.layout.rects

    def tile_at(self, x: float, y: float) -> int | None:
        return self.layout.tile_at(x, y)


def tile_mosaic(images: np.ndarray, rows: int, columns: int, *,
                frame_colours: np.ndarray | None = None, background=(27, 29, 35),
                min_tile: int = 32, frame: int = 2, gap: int = 2,
                out: np.ndarray | None = None) -> Mosaic:
    """Tile (n, c, h, w) images in [0, 1] into one mosaic; `.rgb` is its (H, W, 3) uint8 view.

    frame_colours: (n, 3) uint8 RGB per tile (None: frames take the background colour).
    out: `.rgba` of an earlier call; reused when its shape matches, so a view redrawing the
    same grid every frame allocates nothing for the mosaic itself.

    Pixels are composed as one uint32 each (RGBA bytes), not as three uint8 channels: moving
    3-byte pixels through strided numpy views cost ~1.5 ms for 64 tiles of 32×32, this ~0.15 ms.
    """
    n, _, height, width = images.shape
    layout = mosaic_layout(n, rows, columns, height, width, min_tile, frame, gap)
    big_h, big_w, _ = layout.shape
    if out is None or out.shape != (big_h, big_w, 4) or out.dtype != np.uint8:
        out = np.empty((big_h, big_w, 4), dtype=np.uint8)
    packed = out.view(PIXEL).reshape(big_h, big_w)
    back = pack_rgba(np.array(background, dtype=np.uint8))
    packed.fill(back)
    # the mosaic cell by cell: (rows, cell_height, columns, cell_width)
    grid = packed.reshape(rows, layout.cell_height, columns, layout.cell_width)
    start = layout.origin
    if frame_colours is not None and frame > 0:
        colours = np.full(rows * columns, back, dtype=PIXEL)
        colours[:n] = pack_rgba(frame_colours)
        grid[:, start:start + layout.tile_height + 2 * frame, :,
             start:start + layout.tile_width + 2 * frame] = colours.reshape(rows, 1, columns, 1)
    if n == 0:
        return Mosaic(out, layout)
    pixels = to_packed_pixels(images)  # (n, h, w)
    top = start + frame
    scale = layout.scale
    full_rows = n // columns  # rows filled completely: one broadcast assignment for all of them
    if full_rows:
        target = grid[:full_rows, top:top + layout.tile_height, :,
                      top:top + layout.tile_width]
        # split each tile axis into (pixel, repeat) so one assignment enlarges every tile
        target = target.reshape(full_rows, height, scale, columns, width, scale)
        if not np.may_share_memory(target, out):  # numpy splits an axis without copying
            raise RuntimeError("mosaic reshape copied the buffer")
        source = pixels[:full_rows * columns].reshape(full_rows, columns, height, width)
        target[:] = source.transpose(0, 2, 1, 3)[:, :, None, :, :, None]
    for index in range(full_rows * columns, n):  # the last, partly filled row
        x, y, w, h = layout.rect(index)
        packed[y:y + h, x:x + w] = np.repeat(np.repeat(pixels[index], scale, 0), scale, 1)
    return Mosaic(out, layout)
