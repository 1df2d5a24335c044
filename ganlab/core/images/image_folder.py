"""A folder of PNG/JPEG images, searched recursively, as one set of square images.

Two passes over the files: the first reads only each header (size and colour mode: cheap),
which fixes the resolution and the channels; the second decodes each image, centre-crops it
to square, resizes it and writes it straight into the one float32 array handed back, so the
images are never held twice. A file that cannot be read is skipped and reported, the rest
load. Labels are the names of the root's sub-folders when every image lies in one.

Untrusted input: symlinked folders are not followed (no loops), hidden files are ignored, only
regular files are opened (never a FIFO or a device), each image's pixel count is checked from
its header before decoding, and at most `MAX_IMAGES` files are taken.
"""

from __future__ import annotations

import contextlib
import os
import stat
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ganlab.core.images.image_arrays import check_output_size, default_resolution
from ganlab.core.images.image_limits import (
    MAX_FILE_BYTES,
    MAX_IMAGE_PIXELS,
    MAX_IMAGES,
    ImageFileError,
    LoadProgress,
)
from ganlab.core.regular_files import os_reason

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
GRAY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})
SIXTEEN_BIT_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_COLOUR_TYPES = {0: True, 4: True, 2: False, 6: False}  # type → gray (3, palette: Pillow)
#: what decoding a damaged image can raise
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, zlib.error,
                 IndexError, TypeError, KeyError, Image.DecompressionBombError)


class _Unreadable(Exception):
    """One image cannot be used; the message is the reason reported in `skipped`."""


@dataclass
class FolderImages:
    """What `read_image_folder` found, before it becomes `ImageData`."""

    images: np.ndarray  # (n, channels, r, r) float32 in [0, 1]
    labels: np.ndarray | None  # (n,) int64, or None
    class_names: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (file relative to the folder, reason)


def image_files(root: Path) -> list[Path]:
    """The PNG/JPEG files under `root` in sorted order, not following symlinked folders and
    ignoring hidden names; more than `MAX_IMAGES` is an error."""
    found: list[Path] = []
    for folder, subfolders, names in os.walk(root, followlinks=False):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(names):
            if not name.startswith(".") and name.lower().endswith(IMAGE_SUFFIXES):
                found.append(Path(folder, name))
                if len(found) > MAX_IMAGES:
                    raise ImageFileError(f"{root}: holds more than {MAX_IMAGES:,} images")
    return found


def read_image_folder(root: Path, resolution: int | None, channels: int | None,
                      progress: LoadProgress, sides: tuple[int, ...] | None = None
                      ) -> FolderImages:
    """Read every image under `root`; see the module docstring."""
    files = image_files(root)
    if not files:
        raise ImageFileError(f"{root}: holds no PNG or JPEG images")
    progress.start(2 * len(files))
    skipped: list[tuple[str, str]] = []
    readable, sizes, gray = [], [], True
    for index, file in enumerate(files):
        try:
            size, mode_is_gray = _read_header(file)
        except _Unreadable as reason:
            skipped.append((_relative(file, root), str(reason)))
        else:
            readable.append(file)
            sizes.append(size)
            gray = gray and mode_is_gray
        progress.advance(index + 1)
    if not readable:
        raise ImageFileError(f"{root}: none of its {len(files):,} images can be read "
                             f"({skipped[0][0]}: {skipped[0][1]})")
    if resolution is None:
        found_sides = np.array([min(size) for size in sizes])
        equal_squares = all(size == sizes[0] and size[0] == size[1] for size in sizes)
        resolution = default_resolution(int(np.median(found_sides)), equal_squares, sides)
    channels = channels or (1 if gray else 3)
    check_output_size(root, len(readable), channels, resolution)
    out = np.empty((len(readable), channels, resolution, resolution), dtype=np.float32)
    kept: list[Path] = []
    for index, file in enumerate(readable):
        try:
            _decode_into(file, out[len(kept)], resolution)
        except _Unreadable as reason:
            skipped.append((_relative(file, root), str(reason)))
        else:
            kept.append(file)
        progress.advance(len(files) + index + 1)
    if not kept:
        raise ImageFileError(f"{root}: none of its {len(files):,} images can be read "
                             f"({skipped[0][0]}: {skipped[0][1]})")
    labels, class_names = _folder_labels(root, kept)
    return FolderImages(out[: len(kept)], labels, class_names, tuple(sorted(skipped)))


def _relative(file: Path, root: Path) -> str:
    return file.relative_to(root).as_posix()


def _folder_labels(root: Path, files: list[Path]) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """Labels from the sub-folder of `root` each file lies in, when every file lies in one
    (class names sorted); otherwise none."""
    parts = [file.relative_to(root).parts for file in files]
    if any(len(part) < 2 for part in parts):
        return None, ()
    class_names = tuple(sorted({part[0] for part in parts}))
    number = {name: index for index, name in enumerate(class_names)}
    return np.array([number[part[0]] for part in parts], dtype=np.int64), class_names


@contextlib.contextmanager
def _opened(file: Path) -> Iterator[Image.Image]:
    """Pillow's lazy image for a regular file within the size limit (the header only)."""
    try:
        info = os.stat(file)
    except OSError as error:
        raise _Unreadable(f"cannot be read ({os_reason(error)})") from None
    if not stat.S_ISREG(info.st_mode):
        raise _Unreadable("is not a regular file")
    if info.st_size == 0:
        raise _Unreadable("the file is empty")
    if info.st_size > MAX_FILE_BYTES:
        raise _Unreadable(f"is larger than {MAX_FILE_BYTES // 2**20:,} MiB")
    try:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        descriptor = os.open(file, flags)
    except OSError as error:
        raise _Unreadable(f"cannot be read ({os_reason(error)})") from None
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise _Unreadable("is not a regular file")
        try:
            with Image.open(stream, formats=("PNG", "JPEG")) as image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS:
                    raise _Unreadable(
                        f"is {width}×{height} pixels; at most {MAX_IMAGE_PIXELS:,} are allowed"
                    )
                yield image
        except DECODE_ERRORS as error:
            raise _Unreadable(_decode_reason(error)) from None


def _decode_reason(error: BaseException) -> str:
    if isinstance(error, Image.UnidentifiedImageError):
        return "not a PNG or JPEG image"
    return f"damaged image ({type(error).__name__}: {str(error)[:120]})"


def _read_header(file: Path) -> tuple[tuple[int, int], bool]:
    """((width, height), whether the colour mode is gray) from the header alone: a PNG's IHDR
    chunk is read directly (a quarter of the cost of Pillow's open); palettes and JPEGs go
    through Pillow. Whatever passes here is checked again when decoded."""
    png = _read_png_header(file)
    if png is not None:
        return png
    with _opened(file) as image:
        return image.size, _is_gray(image)


def _read_png_header(file: Path) -> tuple[tuple[int, int], bool] | None:
    """Size and grayness from the first 26 bytes of a PNG without a palette, else None."""
    try:
        descriptor = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                             | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        start = os.read(descriptor, 26)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    if len(start) < 26 or start[:8] != PNG_SIGNATURE or start[12:16] != b"IHDR":
        return None
    width, height = int.from_bytes(start[16:20], "big"), int.from_bytes(start[20:24], "big")
    colour_type = start[25]
    if colour_type not in PNG_COLOUR_TYPES or width < 1 or height < 1 \
            or width * height > MAX_IMAGE_PIXELS:
        return None  # let Pillow word the reason
    return (width, height), PNG_COLOUR_TYPES[colour_type]


def _is_gray(image: Image.Image) -> bool:
    if image.mode in GRAY_MODES:
        return True
    if image.mode == "P":
        palette = np.asarray(image.getpalette() or [], dtype=np.uint8)
        rgb = palette[: len(palette) // 3 * 3].reshape(-1, 3)
        return bool((rgb == rgb[:, :1]).all())
    return False


def _decode_into(file: Path, out: np.ndarray, resolution: int) -> None:
    """Decode `file`, centre-crop it to square, resize it to `resolution` and write it into
    `out` (channels, r, r) as floats in [0, 1]."""
    channels = out.shape[0]
    with _opened(file) as image:
        width, height = image.size
        side = min(width, height)
        left, top = (width - side) // 2, (height - side) // 2
        box = (left, top, left + side, top + side)
        target = "L" if channels == 1 else "RGB"
        if image.format == "JPEG":
            image.draft(target, (resolution, resolution))  # decode big JPEGs at reduced size
            scale_x, scale_y = width / image.size[0], height / image.size[1]
            box = (left / scale_x, top / scale_y, (left + side) / scale_x,
                   (top + side) / scale_y)
        image.load()
        if image.mode in SIXTEEN_BIT_MODES and channels == 1:
            plane = Image.fromarray(np.asarray(image, dtype=np.float32) / 65535.0)
            resized = plane.resize((resolution, resolution), Image.Resampling.BICUBIC, box)
            out[0] = np.clip(np.asarray(resized), 0.0, 1.0)
            return
        if image.mode == "P":
            image = image.convert("RGBA")  # applies the palette and any transparency
        if image.mode != target:
            image = image.convert(target)
        if side != resolution or width != height:
            image = image.resize((resolution, resolution), Image.Resampling.BICUBIC, box)
        pixels = np.asarray(image, dtype=np.float32)
        pixels *= 1 / 255
        out[:] = pixels[None] if channels == 1 else pixels.transpose(2, 0, 1)
