"""`ImageData`: a checked, read-only set of small square images with optional class labels.

Every source of images (the embedded digits, the synthetic families, the user's files) ends in
one of these; the engine, the views and the metrics read only this.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

__all__ = ["ImageData", "LoadedImages"]


@dataclass(frozen=True, eq=False)
class ImageData:
    """n square images of shape (channels, resolution, resolution), values in [0, 1].

    Construction checks everything below and raises `ValueError` otherwise; it takes ownership
    of `images` (made C-contiguous, then read-only: `flags.writeable` is cleared on the array
    passed in when it already was C-contiguous float32) and of `labels` (int64, read-only).
    """

    images: np.ndarray  # (n, channels, height, width) float32 in [0, 1], channels 1 or 3
    labels: np.ndarray | None  # (n,) int64 in [0, len(class_names)), or None when unlabelled
    class_names: tuple[str, ...]  # one name per class; () when unlabelled
    name: str  # short: "digits16", "shapes32", or the file/folder name
    description: str  # one line for the UI

    def __post_init__(self) -> None:
        images = self.images
        if not isinstance(images, np.ndarray):
            raise ValueError(f"images must be a numpy array, got {type(images).__name__}")
        if images.ndim != 4:
            raise ValueError(f"images must be (n, channels, height, width), got {images.shape}")
        n, channels, height, width = images.shape
        if images.dtype != np.float32:
            raise ValueError(f"images must be float32, got {images.dtype}")
        if n < 1:
            raise ValueError("there are no images")
        if channels not in (1, 3):
            raise ValueError(f"images must have 1 or 3 channels, got {channels}")
        if height != width or height < 1:
            raise ValueError(f"images must be square, got {height}×{width}")
        images = np.ascontiguousarray(images)
        low, high = float(images.min()), float(images.max())  # NaN propagates to both
        if not (np.isfinite(low) and np.isfinite(high)):
            raise ValueError("images hold values that are not finite")
        if low < 0.0 or high > 1.0:
            raise ValueError(f"image values must lie in [0, 1], got {low:.6g}..{high:.6g}")
        images.flags.writeable = False
        object.__setattr__(self, "images", images)
        object.__setattr__(self, "class_names", tuple(self.class_names))
        if not all(isinstance(name, str) for name in self.class_names):
            raise ValueError("class names must be strings")
        object.__setattr__(self, "labels", self._checked_labels(n))

    def _checked_labels(self, n: int) -> np.ndarray | None:
        labels = self.labels
        if labels is None:
            if self.class_names:
                raise ValueError("class names are given but there are no labels")
            return None
        if not isinstance(labels, np.ndarray) or labels.dtype.kind not in "iu":
            raise ValueError("labels must be a numpy array of integers")
        if labels.shape != (n,):
            raise ValueError(f"expected {n:,} labels (one per image), got shape {labels.shape}")
        if not self.class_names:
            raise ValueError("labels are given but there are no class names")
        low, high = int(labels.min()), int(labels.max())
        if low < 0 or high >= len(self.class_names):
            raise ValueError(
                f"labels must lie in [0, {len(self.class_names)}), got {low}..{high}"
            )
        labels = np.ascontiguousarray(labels, dtype=np.int64)
        labels.flags.writeable = False
        return labels

    def __len__(self) -> int:
        return len(self.images)

    @property
    def shape(self) -> tuple[int, int, int]:
        """(channels, height, width) of one image."""
        return tuple(self.images.shape[1:])  # type: ignore[return-value]

    @property
    def channels(self) -> int:
        return self.images.shape[1]

    @property
    def resolution(self) -> int:
        """The side of the (square) images, in pixels."""
        return self.images.shape[2]

    @property
    def labelled(self) -> bool:
        return self.labels is not None

    @property
    def num_classes(self) -> int:
        """Number of classes; 0 when unlabelled."""
        return len(self.class_names)

    def content_hash(self) -> str:
        """"sha256:<hex>" of the dtype, the shape, the image bytes, the labels and the class
        names: equal for equal content whatever the name or description, computed once."""
        return self._content_hash

    @cached_property
    def _content_hash(self) -> str:
        digest = hashlib.sha256(b"ganlab.ImageData/1\0")
        digest.update(json.dumps([str(self.images.dtype), list(self.images.shape)]).encode())
        digest.update(memoryview(self.images).cast("B"))
        if self.labels is None:
            digest.update(b"\0unlabelled")
        else:
            digest.update(b"\0labels")
            digest.update(memoryview(self.labels).cast("B"))
        digest.update(json.dumps(list(self.class_names)).encode())
        return "sha256:" + digest.hexdigest()


class LoadedImages(NamedTuple):
    """What `load_images` returns: the data, and the files it skipped as (file, reason)."""

    data: ImageData
    skipped: tuple[tuple[str, str], ...]
