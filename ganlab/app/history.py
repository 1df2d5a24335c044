"""Growing time series for the charts (Qt-free): arrays that double when full.

Appending is amortised O(1) and the plotted arrays are views, so charts of long runs never copy
their whole history per frame.
"""

from __future__ import annotations

import math

import numpy as np

POINTS_METRICS = ("js", "kl_data_model", "kl_model_data", "w1", "value_gap")
#: the classifier-based numbers of an image run (`ganlab.core.image_evaluation`), each with its
#: real-vs-real value ("_real": what a generator sampling fresh real images scores), kept as a
#: series too so that a saved session restores the charts' reference lines
IMAGE_METRICS = ("frechet_distance", "classes_covered", "class_kl", "coverage", "density",
                 "mean_confidence")
IMAGE_REFERENCES = tuple(f"{name}_real" for name in IMAGE_METRICS)
#: a VAE run's ELBO terms (`Snapshot.elbo_terms`): E_q log p(x|z), KL(q(z|x) ‖ p(z)), the ELBO
ELBO_SERIES = {"reconstruction": "elbo_reconstruction", "kl": "elbo_kl", "elbo": "elbo"}
SERIES = ("discriminator_loss", "generator_loss", *POINTS_METRICS[:-1], "modes_covered",
          "high_quality", "value_gap", *IMAGE_METRICS, *IMAGE_REFERENCES,
          *ELBO_SERIES.values())


class Series:
    """(x, y) pairs; non-finite y values are stored as NaN (pyqtgraph leaves a gap)."""

    def __init__(self, capacity: int = 1024):
        self._x = np.empty(capacity)
        self._y = np.empty(capacity)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, x: float, y: float | None) -> None:
        if y is None:
            return
        if self._size == len(self._x):
            self._x = np.concatenate([self._x, np.empty(len(self._x))])
            self._y = np.concatenate([self._y, np.empty(len(self._y))])
        self._x[self._size] = x
        self._y[self._size] = y if math.isfinite(y) else math.nan
        self._size += 1

    @property
    def x(self) -> np.ndarray:
        return self._x[: self._size]

    @property
    def y(self) -> np.ndarray:
        return self._y[: self._size]

    def last(self) -> float | None:
        return float(self._y[self._size - 1]) if self._size else None


class RunHistory:
    """Every charted series of one run."""

    def __init__(self) -> None:
        self.series = {name: Series() for name in SERIES}
        self.last_iteration = -1

    def clear(self) -> None:
        self.__init__()

    def add_losses(self, iteration: int, d_loss: float | None, g_loss: float | None) -> None:
        self.series["discriminator_loss"].append(iteration, d_loss)
        self.series["generator_loss"].append(iteration, g_loss)
        self.last_iteration = iteration

    def add_elbo_terms(self, iteration: int, terms: dict) -> None:
        """A VAE run's mean ELBO terms since the previous frame (in place of D and G losses)."""
        for term, name in ELBO_SERIES.items():
            self.series[name].append(iteration, _number(terms.get(term)))
        self.last_iteration = iteration

    def add_metrics(self, metrics: dict) -> None:
        iteration = metrics.get("iteration", self.last_iteration)
        for name in (*POINTS_METRICS, *IMAGE_METRICS, *IMAGE_REFERENCES):
            # a points row has no image numbers and the other way round: absent, not appended
            self.series[name].append(iteration, _number(metrics.get(name)))
        total = metrics.get("total_modes")
        if total:
            covered = metrics.get("modes_covered", 0)
            self.series["modes_covered"].append(iteration, 100.0 * covered / total)
            high_quality = _number(metrics.get("high_quality_fraction"))
            self.series["high_quality"].append(
                iteration, None if high_quality is None else 100.0 * high_quality
            )


def _number(value) -> float | None:
    if value is None:
        return None
    return float(value)


def history_rows(histories: list[RunHistory]) -> list[dict]:
    """The charts' series as JSON rows for a session file: one row per run and series, NaN as
    null (JSON has no NaN)."""
    rows = []
    for run, history in enumerate(histories):
        for name, series in history.series.items():
            if len(series):
                rows.append({
                    "run": run,
                    "series": name,
                    "x": series.x.tolist(),
                    "y": [y if math.isfinite(y) else None for y in series.y.tolist()],
                })
    return rows


def restore_history(history: RunHistory, rows: list, run: int = 0) -> int:
    """Fill `history` with the rows of run `run` saved by `history_rows`; damaged or foreign
    rows are skipped. Returns how many series were restored."""
    history.clear()
    restored = 0
    for row in rows:
        if not isinstance(row, dict) or row.get("run", 0) != run:
            continue
        series = history.series.get(row.get("series"))
        xs, ys = row.get("x"), row.get("y")
        if series is None or not isinstance(xs, list) or not isinstance(ys, list):
            continue
        try:
            for x, y in zip(xs, ys, strict=False):
                series.append(float(x), math.nan if y is None else float(y))
        except (TypeError, ValueError):
            continue
        history.last_iteration = max(history.last_iteration, int(series.x[-1]) if len(series)
                                     else -1)
        restored += 1
    return restored
