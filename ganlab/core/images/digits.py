"""The embedded default: scikit-learn's 8×8 handwritten digits (1,797 images, classes 0–9).

Values 0..16 become v / 16 in [0, 1]. At 16 and 32 pixels each image is upscaled with Pillow's
bicubic filter and clipped back to [0, 1]. Nothing is downloaded: the data ships with
scikit-learn, as `sklearn/datasets/data/digits.csv.gz` (one row per image: 64 pixel values,
then the label). It is read here without importing scikit-learn (which would import scipy):
from the installed scikit-learn's folder, or from the copy a workshop bundle carries in
`ganlab/resources/digits/` (the bundle leaves scikit-learn and scipy out).
"""

from __future__ import annotations

import gzip
import importlib.util
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
from PIL import Image

from ganlab.core.images.image_data import ImageData

DIGIT_RESOLUTIONS = (8, 16, 32)
DIGIT_CLASSES = tuple(str(digit) for digit in range(10))
DIGITS_FILE = "digits.csv.gz"
BUNDLED_DIGITS = ("resources", "digits", DIGITS_FILE)  # inside the `ganlab` package (bundle)
DIGIT_COUNT, DIGIT_MAX = 1797, 16


def digits_file() -> Traversable:
    """scikit-learn's digits data file: the bundle's copy, else the installed scikit-learn's
    (found with `find_spec`, which does not import the package)."""
    bundled = files("ganlab").joinpath(*BUNDLED_DIGITS)
    if bundled.is_file():
        return bundled
    spec = importlib.util.find_spec("sklearn")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = Path(folder, "datasets", "data", DIGITS_FILE)
        if path.is_file():
            return path
    raise FileNotFoundError(f"the digits need scikit-learn's {DIGITS_FILE}: install "
                            f"scikit-learn (pip install scikit-learn)")


def read_digits(path: Traversable | Path) -> tuple[np.ndarray, np.ndarray]:
    """(pixels (1797, 8, 8) float64 in 0..16, labels (1797,) int64 in 0..9) from the file;
    a file of another shape or range is a ValueError naming it."""
    try:
        with path.open("rb") as raw, gzip.open(raw, "rt") as text:
            data = np.loadtxt(text, delimiter=",", ndmin=2, max_rows=DIGIT_COUNT + 1)
    except (OSError, EOFError, ValueError) as error:
        raise ValueError(f"{path}: not scikit-learn's digits file ({error})") from error
    if (data.shape != (DIGIT_COUNT, 65) or not np.isfinite(data).all()
            or data[:, :64].min() < 0 or data[:, :64].max() > DIGIT_MAX
            or not np.isin(data[:, 64], np.arange(10)).all()):
        raise ValueError(f"{path}: not scikit-learn's digits file (shape {data.shape}, expected "
                         f"{DIGIT_COUNT} rows of 64 pixels in 0..{DIGIT_MAX} and a label 0..9)")
    return data[:, :64].reshape(-1, 8, 8), data[:, 64].astype(np.int64)


@lru_cache(maxsize=len(DIGIT_RESOLUTIONS))
def digits(resolution: int = 16) -> ImageData:
    """scikit-learn's digits at `resolution` (8, native; 16 or 32, upscaled), labelled 0–9.

    Cached per resolution: the result is read-only, so every caller shares it.
    """
    if resolution not in DIGIT_RESOLUTIONS:
        allowed = ", ".join(map(str, DIGIT_RESOLUTIONS))
        raise ValueError(f"digits come at {allowed} pixels, not {resolution}")
    pixels, labels = read_digits(digits_file())
    native = (pixels / 16.0).astype(np.float32)  # (1797, 8, 8) in [0, 1]
    if resolution == 8:
        images = native
    else:
        images = np.empty((len(native), resolution, resolution), dtype=np.float32)
        for index, image in enumerate(native):
            upscaled = Image.fromarray(image).resize(
                (resolution, resolution), Image.Resampling.BICUBIC
            )
            images[index] = np.asarray(upscaled)
        np.clip(images, 0.0, 1.0, out=images)
    return ImageData(
        images=images[:, None],  # (n, 1, r, r)
        labels=labels,
        class_names=DIGIT_CLASSES,
        name=f"digits{resolution}",
        description=f"scikit-learn's 1,797 handwritten digits, 8×8 shown at "
        f"{resolution}×{resolution}, 10 classes",
    )
