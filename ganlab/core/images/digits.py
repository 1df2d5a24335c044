"""The embedded default: scikit-learn's 8×8 handwritten digits (1,797 images, classes 0–9).

Values 0..16 become v / 16 in [0, 1]. At 16 and 32 pixels each image is upscaled with Pillow's
bicubic filter and clipped back to [0, 1]. Nothing is downloaded: the data ships with
scikit-learn.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

from ganlab.core.images.image_data import ImageData

DIGIT_RESOLUTIONS = (8, 16, 32)
DIGIT_CLASSES = tuple(str(digit) for digit in range(10))


@lru_cache(maxsize=len(DIGIT_RESOLUTIONS))
def digits(resolution: int = 16) -> ImageData:
    """scikit-learn's digits at `resolution` (8, native; 16 or 32, upscaled), labelled 0–9.

    Cached per resolution: the result is read-only, so every caller shares it.
    """
    if resolution not in DIGIT_RESOLUTIONS:
        allowed = ", ".join(map(str, DIGIT_RESOLUTIONS))
        raise ValueError(f"digits come at {allowed} pixels, not {resolution}")
    from sklearn.datasets import load_digits  # slow to import; only when digits are asked for

    bunch = load_digits()
    native = (bunch.images / 16.0).astype(np.float32)  # (1797, 8, 8) in [0, 1]
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
        labels=bunch.target.astype(np.int64),
        class_names=DIGIT_CLASSES,
        name=f"digits{resolution}",
        description=f"scikit-learn's 1,797 handwritten digits, 8×8 shown at "
        f"{resolution}×{resolution}, 10 classes",
    )
