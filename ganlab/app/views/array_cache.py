"""Skipping work for data that did not change between frames.

Frames come from the training process as fresh copies, so "the same array as last frame" must
be decided by value: `np.array_equal` on a few thousand numbers costs microseconds, redrawing
what they describe (a scatter of the data, density contours) costs milliseconds.
"""

from __future__ import annotations

import numpy as np


def same_array(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """True if `a` and `b` are both None, or hold the same shape and values (NaN equals NaN)."""
    if a is b:
        return True
    if a is None or b is None or a.shape != b.shape:
        return False
    return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
