"""Images in numpy files: `.npy` (one array) and `.npz` (images under `x`, `images` or
`arr_0`, optional labels under `y` or `labels`).

Never unpickled: each member's .npy header is read and checked (numbers only, a plausible
shape, at most `MAX_IMAGES` images) before its data is read, straight into its own array; an
.npz member is read only as far as its header says, so a zip bomb costs nothing.
"""

from __future__ import annotations

import math
import os
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.lib import format as npy_format

from ganlab.core.images.bounded_io import (
    check_unpacked_size,
    open_regular_file,
    read_npy_data,
    read_npy_header,
)
from ganlab.core.images.image_limits import (
    MAX_CLASSES,
    MAX_IMAGE_SIDE,
    MAX_IMAGES,
    ImageFileError,
)

IMAGE_KEYS = ("x", "images", "arr_0")
LABEL_KEYS = ("y", "labels")
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, zlib.error,
              EOFError, OSError, RuntimeError)


def read_npy_images(path: Path) -> np.ndarray:
    """The image array of a .npy file, as stored (layout and values are checked later)."""
    with open_regular_file(path) as stream:
        if stream.read(len(npy_format.MAGIC_PREFIX)) != npy_format.MAGIC_PREFIX:
            raise ImageFileError(f"{path}: not a .npy file (no numpy magic number)")
        size = os.fstat(stream.fileno()).st_size
        stream.seek(0)
        return _read_image_member(stream, path, "the images", size)


def read_npz_images(path: Path) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...], str]:
    """(images as stored, labels 0..k−1 or None, class names, the member names used)."""
    with open_regular_file(path) as stream:
        try:
            archive = zipfile.ZipFile(stream)
        except ZIP_ERRORS:
            raise ImageFileError(f"{path}: not a valid .npz file (not a zip archive)") from None
        with archive:
            names = {name.removesuffix(".npy"): name for name in archive.namelist()}
            image_key = next((key for key in IMAGE_KEYS if key in names), None)
            if image_key is None:
                found = ", ".join(sorted(names)[:8]) or "nothing"
                raise ImageFileError(
                    f"{path}: no images array; expected one named {', '.join(IMAGE_KEYS)} "
                    f"(found {found})"
                )
            images = _read_member(archive, names[image_key], path, _read_image_member)
            label_key = next((key for key in LABEL_KEYS if key in names), None)
            if label_key is None:
                return images, None, (), f"images from {image_key!r}, no labels"
            raw_labels = _read_member(archive, names[label_key], path, _read_label_member)
    if len(raw_labels) != len(images):
        raise ImageFileError(
            f"{path}: {label_key!r} holds {len(raw_labels):,} labels for {len(images):,} images"
        )
    labels, class_names = numbered_classes(raw_labels, path)
    return images, labels, class_names, f"images from {image_key!r}, labels from {label_key!r}"


def numbered_classes(raw_labels: np.ndarray, path: Path) -> tuple[np.ndarray, tuple[str, ...]]:
    """Labels renumbered 0..k−1 in increasing order of value, and each class's value as its
    name (labels 0..9 stay 0..9, named "0".."9")."""
    values, labels = np.unique(raw_labels, return_inverse=True)
    if len(values) > MAX_CLASSES:
        raise ImageFileError(
            f"{path}: labels take {len(values):,} values; at most {MAX_CLASSES:,} classes"
        )
    return labels.reshape(-1).astype(np.int64), tuple(str(int(value)) for value in values)


def _read_member(archive: zipfile.ZipFile, name: str, path: Path, reader) -> np.ndarray:
    where = Path(f"{path}[{name}]")
    try:
        info = archive.getinfo(name)
        check_unpacked_size(where, info.file_size)
        with archive.open(info) as member:
            return reader(member, where, f"the array {name!r}", info.file_size)
    except ZIP_ERRORS:
        raise ImageFileError(f"{where}: damaged archive member") from None


def _read_image_member(stream: BinaryIO, path: Path, what: str, available: int) -> np.ndarray:
    """The images of a .npy stream of `available` bytes in all (header included)."""
    shape, fortran_order, dtype = read_npy_header(stream, path)
    if len(shape) not in (3, 4):
        raise ImageFileError(
            f"{path}: an array of shape {shape} is not images; expected (n, h, w), "
            "(n, h, w, c) or (n, c, h, w)"
        )
    if dtype.kind not in "iuf" or dtype.kind == "b":
        raise ImageFileError(f"{path}: values are not real numbers ({dtype})")
    if shape[0] == 0:
        raise ImageFileError(f"{path}: holds no images")
    if shape[0] > MAX_IMAGES:
        raise ImageFileError(f"{path}: holds {shape[0]:,} images; at most {MAX_IMAGES:,}")
    if any(side == 0 or side > MAX_IMAGE_SIDE for side in shape[1:]):
        raise ImageFileError(f"{path}: images of shape {shape[1:]}; each side must be "
                             f"1..{MAX_IMAGE_SIDE}")
    _check_size(path, math.prod(shape) * dtype.itemsize, available, what)
    return read_npy_data(stream, path, shape, fortran_order, dtype, what)


def _check_size(path: Path, needed: int, available: int, what: str) -> None:
    """Refuse, before allocating, data larger than the limit or than the file can hold."""
    check_unpacked_size(path, needed)
    if needed > available:
        raise ImageFileError(
            f"{path}: is truncated: {what} needs {needed:,} bytes, the file holds {available:,}"
        )


def _read_label_member(stream: BinaryIO, path: Path, what: str, available: int) -> np.ndarray:
    shape, fortran_order, dtype = read_npy_header(stream, path)
    if len(shape) != 1 and not (len(shape) == 2 and shape[1] == 1):
        raise ImageFileError(f"{path}: labels must be one number per image, got shape {shape}")
    if dtype.kind not in "iu":
        raise ImageFileError(f"{path}: labels must be integers, got {dtype}")
    if shape[0] > MAX_IMAGES:
        raise ImageFileError(f"{path}: holds {shape[0]:,} labels; at most {MAX_IMAGES:,}")
    _check_size(path, math.prod(shape) * dtype.itemsize, available, what)
    return read_npy_data(stream, path, shape, fortran_order, dtype, what).reshape(-1)
