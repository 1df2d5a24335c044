"""The numbers behind the data canvas's drawn shapes, Qt-free: gradient arrows at a steady scale,
the generator's manifold as one broken polyline, the travelling point on the interpolation path,
and where the off-screen markers sit. The canvas (`data_canvas.py`) only hands them to items."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganlab.core.targets import ViewBox

ARROWS_SHOWN = 256  # gradient arrows drawn (every other displayed sample)
ARROW_LENGTH = 0.07  # the typical (90th percentile) arrow, as a fraction of the view's width
ARROW_SHRINK = 0.02  # the arrow scale forgets a large gradient by this fraction per frame


@dataclass(frozen=True)
class Arrows:
    segments: np.ndarray  # (2m, 2): start, tip, start, tip, ... (drawn as pairs)
    tips: np.ndarray  # (m, 2)
    median_norm: float  # median |∂L_G/∂x| of the arrows shown


class ArrowScale:
    """Arrows of −∂L_G/∂x whose typical length is `ARROW_LENGTH` of the view: the scale jumps up
    with a large gradient and forgets it slowly, so arrows do not flicker from frame to frame."""

    def __init__(self) -> None:
        self.reference: float | None = None  # the gradient norm drawn at ARROW_LENGTH

    def arrows(self, fake: np.ndarray, gradients: np.ndarray, box: ViewBox) -> Arrows | None:
        """Arrows for about `ARROWS_SHOWN` finite points of `fake`; None if none is finite."""
        step = max(1, len(fake) // ARROWS_SHOWN)
        points, grads = fake[::step], gradients[::step]
        ok = np.isfinite(points).all(axis=1) & np.isfinite(grads).all(axis=1)
        points, grads = points[ok], grads[ok]
        if not len(points):
            return None
        norms = np.linalg.norm(grads, axis=1)
        typical = float(np.percentile(norms, 90)) or 1e-12
        if self.reference is None or typical > self.reference:
            self.reference = typical
        else:
            self.reference = max(typical, self.reference * (1 - ARROW_SHRINK))
        width = box.high[0] - box.low[0]
        tips = points - grads * (ARROW_LENGTH * width / self.reference)
        segments = np.empty((2 * len(points), 2))
        segments[0::2], segments[1::2] = points, tips
        return Arrows(segments, tips, float(np.median(norms)))


def joined_polylines(polylines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Polylines as one array of points and a `connect` mask: no line from the end of one
    polyline to the next, nor from a non-finite point (which is placed at 0)."""
    stacked = np.concatenate(polylines)
    connect = np.ones(len(stacked), dtype=bool)
    ends = np.cumsum([len(p) for p in polylines]) - 1
    connect[ends] = False
    finite = np.isfinite(stacked).all(axis=1)
    connect &= finite
    return np.where(finite[:, None], stacked, 0.0), connect


def point_along(path: np.ndarray, t: float) -> np.ndarray:
    """The point at fraction t ∈ [0, 1] of a non-empty polyline, by vertex count."""
    position = t * (len(path) - 1)
    index = min(int(position), len(path) - 2) if len(path) > 1 else 0
    frac = position - index
    return path[index] if len(path) == 1 else (1 - frac) * path[index] + frac * path[index + 1]


def edge_position(box: ViewBox, i: int, j: int) -> tuple[float, float]:
    """The point of `box`'s edge for off-screen direction (i, j): 0 below, 1 inside, 2 above."""
    x = (box.low[0], 0.5 * (box.low[0] + box.high[0]), box.high[0])[i]
    y = (box.low[1], 0.5 * (box.low[1] + box.high[1]), box.high[1])[j]
    return x, y
