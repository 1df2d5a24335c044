"""Turning an array of images as files hold them (any layout, bytes or floats, any size) into
ganlab's form: float32 (n, channels, r, r) in [0, 1], centre-cropped to square and resized.

- Layout: (n, h, w), (n, h, w, c) or (n, c, h, w) with c in 1..4 (2 = gray + alpha,
  4 = RGBA; alpha is dropped).
- Values: integers must lie in 0..255; floats in 0..1 are kept, in −1..1 are mapped by
  (x + 1) / 2, in 0..255 are divided by 255; anything else is refused.
- Resolution: kept when square and at most 64, else the nearest of 8/16/32/64 (on a log scale)
  to the side after cropping; an explicit resolution wins.
- Channels: as the input has them (gray stays gray, colour becomes RGB), unless given; colour
  to gray uses ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B), as Pillow does.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image

from ganlab.core.images.image_limits import (
    DEFAULT_RESOLUTIONS,
    MAX_OUTPUT_BYTES,
    MAX_RESOLUTION,
    MIN_RESOLUTION,
    ImageFileError,
    LoadProgress,
)

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
CHUNK_IMAGES = 1024  # images converted at a time, so temporaries stay small


def default_resolution(side: int, all_square_and_equal: bool,
                       sides: tuple[int, ...] | None = None) -> int:
    """The side images are resized to when the caller names none (see the module docstring).
    `sides`: the only sides equal squares may keep (None: any up to 64); a square of another
    side goes to the nearest of them, a tie up (upscaling keeps every pixel's detail)."""
    if all_square_and_equal and side <= DEFAULT_RESOLUTIONS[-1]:
        if sides is None or side in sides:
            return side
        return min(sides, key=lambda r: (abs(r - side), -r))
    return min(DEFAULT_RESOLUTIONS, key=lambda r: abs(math.log(r) - math.log(max(side, 1))))


def check_request(path: Path, resolution: int | None, channels: int | None) -> None:
    """Refuse a resolution or a channel count that no load could honour."""
    if resolution is not None and not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION:
        raise ValueError(
            f"resolution must be {MIN_RESOLUTION}..{MAX_RESOLUTION} pixels, got {resolution}"
        )
    if channels not in (None, 1, 3):
        raise ValueError(f"channels must be 1 (gray) or 3 (RGB), got {channels}")


def check_output_size(path: Path, n: int, channels: int, resolution: int) -> None:
    size = n * channels * resolution * resolution * 4
    if size > MAX_OUTPUT_BYTES:
        raise ImageFileError(
            f"{path}: {n:,} images of {channels}×{resolution}×{resolution} need "
            f"{size / 2**30:,.1f} GiB as float32; at most {MAX_OUTPUT_BYTES / 2**30:,.0f} GiB "
            "fit (ask for a lower resolution)"
        )


def as_nhwc(array: np.ndarray, path: Path) -> np.ndarray:
    """A view of `array` as (n, h, w, c), c in 1..4, or `ImageFileError` for other shapes."""
    if array.ndim == 3:
        return array[..., None]
    if array.ndim == 4:
        last, second = array.shape[3] <= 4, array.shape[1] <= 4
        if last and (not second or array.shape[1] != array.shape[2]):
            return array
        if second:
            return array.transpose(0, 2, 3, 1)
    raise ImageFileError(
        f"{path}: an array of shape {array.shape} is not images; expected (n, h, w), "
        "(n, h, w, c) or (n, c, h, w) with 1 to 4 channels"
    )


def value_range(array: np.ndarray, path: Path) -> tuple[float, float, str]:
    """(offset, scale, words) such that (x + offset) · scale lies in [0, 1]."""
    if array.dtype == np.uint8:
        return 0.0, 1 / 255, "bytes 0..255"
    if array.dtype.kind not in "iuf" or array.dtype.kind == "b":
        raise ImageFileError(f"{path}: values are not numbers ({array.dtype})")
    if array.size == 0:
        raise ImageFileError(f"{path}: holds no images")
    low, high = float(array.min()), float(array.max())
    if array.dtype.kind == "f" and not (math.isfinite(low) and math.isfinite(high)):
        raise ImageFileError(f"{path}: holds values that are not finite (NaN or infinity)")
    if array.dtype.kind in "iu":
        if low < 0 or high > 255:
            raise ImageFileError(
                f"{path}: integer values {low:g}..{high:g}; expected 0..255"
            )
        return 0.0, 1 / 255, "integers 0..255"
    if low >= 0 and high <= 1:
        return 0.0, 1.0, "floats 0..1"
    if low >= -1 and high <= 1:
        return 1.0, 0.5, "floats −1..1, mapped to 0..1"
    if low >= 0 and high <= 255:
        return 0.0, 1 / 255, "floats 0..255, divided by 255"
    raise ImageFileError(
        f"{path}: float values {low:.4g}..{high:.4g}; expected 0..1, −1..1 or 0..255"
    )


def to_image_array(array: np.ndarray, path: Path, resolution: int | None,
                   channels: int | None, progress: LoadProgress,
                   sides: tuple[int, ...] | None = None) -> tuple[np.ndarray, str]:
    """(float32 (n, channels, r, r) in [0, 1], words saying how the values were read) from an
    array of images in any layout of `as_nhwc`, a chunk of `CHUNK_IMAGES` at a time."""
    nhwc = as_nhwc(array, path)
    offset, scale, words = value_range(nhwc, path)
    n, height, width, given_channels = nhwc.shape
    side = min(height, width)
    if resolution is None:
        resolution = default_resolution(side, height == width, sides)
    if channels is None:
        channels = 1 if given_channels <= 2 else 3
    check_output_size(path, n, channels, resolution)
    out = np.empty((n, channels, resolution, resolution), dtype=np.float32)
    progress.start(n)
    top, left = (height - side) // 2, (width - side) // 2
    for start in range(0, n, CHUNK_IMAGES):
        progress.check()
        chunk = nhwc[start:start + CHUNK_IMAGES, top:top + side, left:left + side]
        chunk = (chunk.astype(np.float32) + np.float32(offset)) * np.float32(scale)
        chunk = convert_channels(chunk, channels)  # (k, side, side, channels)
        if side != resolution:
            chunk = resize_float_images(chunk, resolution)
        np.clip(chunk.transpose(0, 3, 1, 2), 0.0, 1.0, out=out[start:start + len(chunk)])
        progress.advance(min(start + CHUNK_IMAGES, n))
    return out, words


def convert_channels(nhwc: np.ndarray, channels: int) -> np.ndarray:
    """(k, h, w, c) with c in 1..4 → (k, h, w, channels) with channels 1 or 3."""
    given = nhwc.shape[3]
    colour = nhwc[..., :3] if given >= 3 else nhwc[..., :1]
    if channels == 1 and colour.shape[3] == 3:
        return (colour @ LUMA)[..., None]
    if channels == 3 and colour.shape[3] == 1:
        return np.repeat(colour, 3, axis=3)
    return colour


def resize_float_images(nhwc: np.ndarray, resolution: int) -> np.ndarray:
    """Resize square float images (k, s, s, c) to (k, r, r, c), each channel with Pillow's
    antialiased bicubic filter; values may overshoot [0, 1] slightly (callers clip)."""
    k, _, _, channels = nhwc.shape
    out = np.empty((k, resolution, resolution, channels), dtype=np.float32)
    for index in range(k):
        for channel in range(channels):
            plane = Image.fromarray(np.ascontiguousarray(nhwc[index, :, :, channel]))
            out[index, :, :, channel] = np.asarray(
                plane.resize((resolution, resolution), Image.Resampling.BICUBIC)
            )
    return out
