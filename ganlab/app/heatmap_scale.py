"""Colour levels for the discriminator heatmap (and the 1D view's D axis), as the objective
declares them: each `Objective` states `heatmap_levels` and `heatmap_label`, and every
`Snapshot` carries them, so the window never compares objective names nor imports them.

- fixed levels (a probability D(x) ∈ [0, 1], LSGAN's score with targets 0 and 1, hinge margins
  ±1 inside [-2, 2]) are used as they are: a colour means the same value in every frame;
- None (unbounded critics such as WGAN's, the MMD witness): only differences of d matter, so
  the levels are centred on the field's median and span its robust range; they adapt slowly
  (grow at once, shrink by a few percent a frame) so the colours do not flicker.
"""

from __future__ import annotations

import numpy as np

SHRINK_PER_FRAME = 0.03


class HeatmapScale:
    """Levels for one view's heatmap; keeps a slowly adapting range for unbounded critics."""

    def __init__(self) -> None:
        self._half_width: float | None = None

    def reset(self) -> None:
        self._half_width = None

    def levels(self, values: np.ndarray,
               fixed: tuple[float, float] | None) -> tuple[float, float]:
        """`fixed` (the snapshot's `heatmap_levels`) if given, else levels adapted to `values`."""
        if fixed is not None:
            return (float(fixed[0]), float(fixed[1]))
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return (-1.0, 1.0)
        centre = float(np.median(finite))
        low, high = np.percentile(finite, [2, 98])
        wanted = max(float(high - centre), float(centre - low), 1e-6)
        if self._half_width is None or wanted > self._half_width:
            self._half_width = wanted
        else:
            self._half_width = max(wanted, self._half_width * (1 - SHRINK_PER_FRAME))
        return (centre - self._half_width, centre + self._half_width)
