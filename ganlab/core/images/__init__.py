"""Small images to learn from, as checked read-only `ImageData` (numpy only: no Qt, no torch).

- `digits(resolution)`: scikit-learn's embedded handwritten digits at 8, 16 or 32 pixels.
- `synthetic(family, resolution, n, seed, **options)`: the `SYNTHETIC_FAMILIES` made in code.
- `load_images(path, ...)`: the user's IDX, .npy/.npz files or PNG/JPEG folders, as
  `LoadedImages(data, skipped)`; failures are `ImageFileError`, a cancel is `LoadCancelled`.
"""

from __future__ import annotations

from ganlab.core.images.digits import DIGIT_RESOLUTIONS, digits
from ganlab.core.images.image_data import ImageData, LoadedImages
from ganlab.core.images.image_files import load_images
from ganlab.core.images.image_limits import (
    MAX_DECOMPRESSED_BYTES,
    MAX_FILE_BYTES,
    MAX_IMAGE_PIXELS,
    MAX_IMAGES,
    ImageFileError,
    LoadCancelled,
)
from ganlab.core.images.synthetic import SYNTHETIC_FAMILIES, TWO_CLASS_FEATURES, synthetic

__all__ = [
    "DIGIT_RESOLUTIONS",
    "MAX_DECOMPRESSED_BYTES",
    "MAX_FILE_BYTES",
    "MAX_IMAGES",
    "MAX_IMAGE_PIXELS",
    "SYNTHETIC_FAMILIES",
    "TWO_CLASS_FEATURES",
    "ImageData",
    "ImageFileError",
    "LoadCancelled",
    "LoadedImages",
    "digits",
    "load_images",
    "synthetic",
]
