"""Points painted by the user for the "draw your own" target (Qt-free).

A brush stroke at (x, y) with radius r sprays points uniformly in the disk of radius r; the
painted set is capped so a long drag cannot grow without bound.
"""

from __future__ import annotations

import numpy as np

from ganlab.core.targets import ViewBox

MAX_PAINTED_POINTS = 20_000
POINTS_PER_DAB = 12  # points added per brush position
PAINT_BOX = ViewBox((-2.0, -2.0), (2.0, 2.0))  # the canvas area shown while painting


class PaintedPoints:
    def __init__(self, seed: int = 0):
        self._rng = np.random.default_rng(seed)
        self._points = np.zeros((0, 2))

    @property
    def points(self) -> np.ndarray:
        """(n, 2) painted points, oldest first."""
        return self._points

    def __len__(self) -> int:
        return len(self._points)

    def spray(self, x: float, y: float, radius: float, count: int = POINTS_PER_DAB) -> None:
        """Add `count` points uniform in the disk of `radius` around (x, y)."""
        radius = max(float(radius), 1e-3)
        angle = self._rng.uniform(0, 2 * np.pi, count)
        distance = radius * np.sqrt(self._rng.uniform(0, 1, count))  # uniform over the area
        new = np.stack([x + distance * np.cos(angle), y + distance * np.sin(angle)], axis=1)
        self._points = np.concatenate([self._points, new])[-MAX_PAINTED_POINTS:]

    def clear(self) -> None:
        self._points = np.zeros((0, 2))
