"""Fixed, meaningful colour levels for the discriminator heatmap, per kind of output.

- probability (minimax, non-saturating): D(x) ∈ [0, 1], levels fixed at [0, 1]; ½ is neutral.
- score (LSGAN): D regresses real → 1, fake → 0: the same fixed [0, 1] (values beyond clip).
- critic with margins (hinge): d(x) is pushed above +1 on real and below -1 on fake: [-2, 2].
- unbounded critic (WGAN, WGAN-GP) and the MMD witness: only differences of d matter, so the
  levels are centred on the field's median and span its robust range; they adapt slowly
  (grow at once, shrink by a few percent a frame) so the colours do not flicker.
"""

from __future__ import annotations

import numpy as np

FIXED_LEVELS = {"probability": (0.0, 1.0), "score": (0.0, 1.0)}
HINGE_LEVELS = (-2.0, 2.0)
SHRINK_PER_FRAME = 0.03


def colour_bar_label(output_kind: str, objective: str) -> str:
    if objective == "mmd":
        return "MMD witness"
    if output_kind == "probability":
        return "D(x)  (1 = real)"
    if output_kind == "score":
        return "D(x) score (1 = real)"
    return "critic d(x)  (high = real)"


class HeatmapScale:
    """Levels for one canvas's heatmap; keeps a slowly adapting range for unbounded critics."""

    def __init__(self) -> None:
        self._half_width: float | None = None

    def reset(self) -> None:
        self._half_width = None

    def levels(self, values: np.ndarray, output_kind: str, objective: str) -> tuple[float, float]:
        if output_kind in FIXED_LEVELS and objective != "mmd":
            return FIXED_LEVELS[output_kind]
        if objective == "hinge":
            return HINGE_LEVELS
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
