"""Number labels, and axis ranges in "nice" steps (1, 2, 5 × 10^k) kept while they still fit,
so that axes (whose text is slow to draw) re-render only when a range really changes."""

from __future__ import annotations

import math

import numpy as np


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is ≥ value."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for mantissa in (1, 2, 5, 10):
        candidate = mantissa * 10.0**exponent
        if candidate >= value * (1 - 1e-12):
            return candidate
    return 10.0 ** (exponent + 1)


def nice_range(arrays: list[np.ndarray]) -> tuple[float, float]:
    """A range covering the bulk (0.5–99.5 percentiles) of the values, snapped to nice steps."""
    samples = [a[:: max(1, len(a) // 4000)] for a in arrays if len(a)]
    finite = np.concatenate(samples) if samples else np.zeros(0)
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return (0.0, 1.0)
    low, high = (float(v) for v in np.percentile(finite, [0.5, 99.5]))
    step = nice_ceiling(max(high - low, 1e-6) / 4)
    return (math.floor(low / step) * step, math.ceil(high / step) * step + (step if high == low
                                                                          else 0.0))


def still_fits(shown: tuple[float, float], wanted: tuple[float, float]) -> bool:
    """The shown range holds the wanted one and is not more than twice as wide."""
    inside = shown[0] <= wanted[0] and wanted[1] <= shown[1]
    return inside and (shown[1] - shown[0]) <= 2 * (wanted[1] - wanted[0])


def describe_value(value: float, short: bool = False) -> str:
    """A reference value as text: log 4, log 2, −log 2 by name, else 3 significant digits."""
    for text, number in (("log 4", math.log(4)), ("log 2", math.log(2)),
                         ("−log 2", -math.log(2))):
        if abs(value - number) < 1e-9:
            return text if short else f"{text} ≈ {value:.2f}".replace("-", "−")
    return f"{value:.3g}".replace("-", "−")
