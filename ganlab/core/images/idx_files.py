"""MNIST-style IDX files (plain or gzip-compressed): images and their labels.

An IDX file is two zero bytes, a type code, the number of dimensions d, then d big-endian
uint32 sizes and the values in row-major order. Images are unsigned bytes with d = 3
(n, rows, columns); labels are unsigned bytes with d = 1. The labels of `X-images-idx3-ubyte`
sit beside it as `X-labels-idx1-ubyte` (also with `.` for the first `-`, and with `.gz`).
Sizes are checked against the limits before anything is allocated, and a gzip stream is read
only as far as the header says, so a gz bomb costs nothing.
"""

from __future__ import annotations

import gzip
import math
import os
import re
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ganlab.core.images.bounded_io import (
    has_more,
    is_gzip,
    open_regular_file,
    read_exactly,
    read_into,
)
from ganlab.core.images.image_limits import (
    MAX_DECOMPRESSED_BYTES,
    MAX_IMAGE_SIDE,
    MAX_IMAGES,
    ImageFileError,
)

UNSIGNED_BYTE = 0x08
#: IDX type codes, for messages
IDX_TYPES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "int16", 0x0C: "int32",
             0x0D: "float32", 0x0E: "float64"}
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                         "Shirt", "Sneaker", "Bag", "Ankle boot")

_IMAGES_NAME = re.compile(r"images([.-])idx3([.-])ubyte", re.IGNORECASE)


def looks_like_idx(path: Path) -> bool:
    """Whether the name follows the IDX convention (`*-idx3-ubyte`, `*.idx1-ubyte[.gz]`)."""
    return re.search(r"idx\d[.-]ubyte(\.gz)?$", path.name, re.IGNORECASE) is not None


def read_idx_images(path: Path) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...], str]:
    """(images (n, rows, columns) uint8, labels or None, class names, what the labels are).

    The labels file is found beside the images by name; when there is none the images are
    unlabelled. A labels file that is there but unusable, or whose count differs, is an error.
    """
    images = read_idx(path, dimensions=3)
    labels_path = matching_labels_file(path)
    if labels_path is None:
        return images, None, (), "no labels file beside it"
    labels = read_idx(labels_path, dimensions=1)
    if len(labels) != len(images):
        raise ImageFileError(
            f"{labels_path}: holds {len(labels):,} labels but {path.name} holds "
            f"{len(images):,} images"
        )
    if "fashion" in str(path.parent).lower() and int(labels.max()) < 10:
        class_names = FASHION_MNIST_CLASSES
    else:
        class_names = tuple(str(label) for label in range(int(labels.max()) + 1))
    return images, labels.astype(np.int64), class_names, f"labels from {labels_path.name}"


def matching_labels_file(images_path: Path) -> Path | None:
    """`train-images-idx3-ubyte[.gz]` → an existing `train-labels-idx1-ubyte[.gz]` beside it."""
    name = images_path.name
    if _IMAGES_NAME.search(name) is None:
        return None
    labels_name = _IMAGES_NAME.sub(lambda m: f"labels{m[1]}idx1{m[2]}ubyte", name)
    stem = labels_name[:-3] if labels_name.lower().endswith(".gz") else labels_name
    for candidate in (labels_name, stem, stem + ".gz"):
        labels_path = images_path.with_name(candidate)
        if labels_path.is_file():
            return labels_path
    return None


def read_idx(path: Path, dimensions: int) -> np.ndarray:
    """The unsigned-byte array of an IDX file with `dimensions` dimensions (1: labels,
    3: images), plain or gzip-compressed, checked against the limits before reading."""
    with open_regular_file(path) as raw:
        if is_gzip(raw):
            with gzip.GzipFile(fileobj=raw, mode="rb") as unpacked:
                return _read_idx_stream(unpacked, path, dimensions, MAX_DECOMPRESSED_BYTES)
        return _read_idx_stream(raw, path, dimensions, os.fstat(raw.fileno()).st_size)


def _read_idx_stream(stream: BinaryIO, path: Path, dimensions: int, available: int
                     ) -> np.ndarray:
    """The array of an IDX stream that holds at most `available` bytes in all."""
    magic = read_exactly(stream, 4, path, "the IDX header")
    if magic[0] != 0 or magic[1] != 0 or magic[2] not in IDX_TYPES:
        raise ImageFileError(f"{path}: not an IDX file (bad magic number {magic.hex()})")
    kind = "labels" if dimensions == 1 else "images"
    if magic[3] != dimensions:
        raise ImageFileError(
            f"{path}: is an IDX file with {magic[3]} dimensions; {kind} need {dimensions}"
        )
    if magic[2] != UNSIGNED_BYTE:
        raise ImageFileError(
            f"{path}: holds {IDX_TYPES[magic[2]]} values; IDX {kind} must be unsigned bytes"
        )
    header = read_exactly(stream, 4 * dimensions, path, "the IDX header")
    shape = tuple(int.from_bytes(header[4 * k:4 * k + 4], "big") for k in range(dimensions))
    _check_shape(path, shape, kind)
    needed = math.prod(shape)
    if needed > available - 4 - 4 * dimensions:
        raise ImageFileError(
            f"{path}: is truncated: {shape[0]:,} {kind} need {needed:,} bytes, the file holds "
            f"{available - 4 - 4 * dimensions:,}"
        )
    out = np.empty(shape, dtype=np.uint8)
    read_into(stream, out, path, f"{shape[0]:,} {kind}")
    if has_more(stream):
        raise ImageFileError(
            f"{path}: holds more data than its header's {shape[0]:,} {kind}"
        )
    return out


def _check_shape(path: Path, shape: tuple[int, ...], kind: str) -> None:
    if shape[0] == 0:
        raise ImageFileError(f"{path}: holds no {kind}")
    if shape[0] > MAX_IMAGES:
        raise ImageFileError(
            f"{path}: holds {shape[0]:,} {kind}; at most {MAX_IMAGES:,} are allowed"
        )
    if any(side == 0 or side > MAX_IMAGE_SIDE for side in shape[1:]):
        raise ImageFileError(
            f"{path}: images of {'×'.join(map(str, shape[1:]))} pixels; each side must be "
            f"1..{MAX_IMAGE_SIDE}"
        )
    if math.prod(shape) > MAX_DECOMPRESSED_BYTES:
        raise ImageFileError(
            f"{path}: its header announces {math.prod(shape):,} bytes, more than the "
            f"{MAX_DECOMPRESSED_BYTES:,} allowed"
        )
