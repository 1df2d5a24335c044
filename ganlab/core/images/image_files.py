"""`load_images`: the user's own images, from an IDX file, a .npy/.npz array or a folder.

Which reader runs is decided by what the path is: a folder → `image_folder`; a name in the
IDX convention (`*-idx3-ubyte[.gz]`) → `idx_files`; `.npz`/`.npy` (or numpy's or zip's magic
bytes) → `array_files`. Every failure is an `ImageFileError` whose one line starts with the
path; a broken image inside a folder is skipped and reported instead.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ganlab.core.images.array_files import read_npy_images, read_npz_images
from ganlab.core.images.bounded_io import open_regular_file
from ganlab.core.images.idx_files import looks_like_idx, read_idx_images
from ganlab.core.images.image_arrays import check_request, to_image_array
from ganlab.core.images.image_data import ImageData, LoadedImages
from ganlab.core.images.image_folder import read_image_folder
from ganlab.core.images.image_limits import (
    CancelledCallback,
    ImageFileError,
    LoadProgress,
    ProgressCallback,
)
from ganlab.core.regular_files import os_reason

__all__ = ["load_images"]


def load_images(
    path: str | os.PathLike[str],
    resolution: int | None = None,
    channels: int | None = None,
    progress: ProgressCallback | None = None,
    cancelled: CancelledCallback | None = None,
    sides: tuple[int, ...] | None = None,
) -> LoadedImages:
    """Load the images at `path` as `ImageData` (n, channels, r, r) in [0, 1].

    `resolution`: the side to resize to (centre-cropped to square first); by default an input
    of equal squares of at most 64 pixels keeps its size, anything else goes to the nearest of
    8/16/32/64. `channels`: 1 or 3; by default gray when every input is gray, else RGB.
    `sides`: the only sides equal squares may keep when no resolution is given (the window's
    networks take 8, 16, 32 and 64); another goes to the nearest of them, a tie up, in the same
    single pass. `progress(done, total)` is called about 50 times; `cancelled()` returning
    True stops the load with `LoadCancelled`. Raises `ImageFileError` ("PATH: what is wrong")
    for anything unusable, `ValueError` for a resolution or channel count out of range.
    """
    path = Path(path)
    check_request(path, resolution, channels)
    tracker = LoadProgress(1, progress, cancelled)
    tracker.check()
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise ImageFileError(f"{path}: no such file or folder") from None
    except OSError as error:
        raise ImageFileError(f"{path}: cannot be read ({os_reason(error)})") from None
    if stat.S_ISDIR(info.st_mode):
        found = read_image_folder(path, resolution, channels, tracker, sides)
        n = len(found.images)
        count = "unlabelled" if found.labels is None else f"{len(found.class_names)} classes"
        data = ImageData(found.images, found.labels, found.class_names, path.name or str(path),
                         f"{n:,} images from the folder {path.name}, {count}")
        return LoadedImages(data, found.skipped)
    kind = _file_kind(path)
    if kind == "idx":
        raw, labels, class_names, words = read_idx_images(path)
    elif kind == "npz":
        raw, labels, class_names, words = read_npz_images(path)
    else:
        raw, labels, class_names, words = read_npy_images(path), None, (), "no labels"
    images, values = to_image_array(raw, path, resolution, channels, tracker, sides)
    del raw
    name = path.name.removesuffix(".gz")
    description = f"{len(images):,} images from {path.name} ({values}; {words})"
    return LoadedImages(ImageData(images, labels, class_names, name, description), ())


def _file_kind(path: Path) -> str:
    """"idx", "npz" or "npy", from the name, else from the first bytes."""
    if looks_like_idx(path):
        return "idx"
    suffix = path.suffix.lower()
    if suffix in (".npz", ".npy"):
        return suffix[1:]
    with open_regular_file(path) as stream:
        magic = stream.read(6)
    if magic.startswith(b"PK\x03\x04"):
        return "npz"
    if magic == b"\x93NUMPY":
        return "npy"
    if magic[:2] == b"\x00\x00" or magic[:2] == b"\x1f\x8b":
        return "idx"
    raise ImageFileError(
        f"{path}: not an image file ganlab reads; give an MNIST-style IDX file, a .npy or "
        ".npz array, or a folder of PNG/JPEG images"
    )
