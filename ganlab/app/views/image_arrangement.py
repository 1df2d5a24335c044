"""How the image views arrange a batch on a grid, without Qt: one row per class for
conditional models, a near-square grid otherwise, and real images ordered to match."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganlab.app.views.image_mosaic import square_grid


@dataclass(frozen=True)
class GridArrangement:
    rows: int
    columns: int
    row_labels: tuple[str, ...] = ()  # one per row (conditional), else empty
    row_classes: tuple[int, ...] = ()  # the class index of each row (conditional), else empty


def class_name(label: int, class_names: tuple[str, ...]) -> str:
    return class_names[label] if 0 <= label < len(class_names) else str(label)


def arrange_generated(count: int, labels: np.ndarray | None,
                      class_names: tuple[str, ...] = ()) -> GridArrangement:
    """Rows of the generated batch. Conditional batches arrive class by class,
    `count = classes × per_class`: then each row is one class, labelled by its name. Anything
    else (no labels, or not in equal consecutive blocks of distinct classes) gets a near-square
    grid."""
    if labels is not None and count and len(labels) == count:
        labels = np.asarray(labels)
        starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
        per_class = count // len(starts)
        classes = tuple(int(labels[s]) for s in starts)
        if (per_class * len(starts) == count and len(set(classes)) == len(classes)
                and np.all(np.diff(np.r_[starts, count]) == per_class)):
            return GridArrangement(len(starts), per_class,
                                   tuple(class_name(k, class_names) for k in classes), classes)
    rows, columns = square_grid(count)
    return GridArrangement(rows, columns)


def arrange_real(count: int, labels: np.ndarray | None, generated: GridArrangement,
                 limit: int) -> tuple[np.ndarray, GridArrangement]:
    """(indices into the real batch, their grid). Beside a conditional grid, row r holds real
    images of row r's class, as many as the generated row has, when there are enough of each;
    otherwise a near-square grid of the first min(count, limit) images."""
    if generated.row_classes and labels is not None and len(labels) == count:
        labels = np.asarray(labels)
        rows = [np.flatnonzero(labels == k)[: generated.columns] for k in generated.row_classes]
        if all(len(row) == generated.columns for row in rows):
            return np.concatenate(rows), generated
    shown = min(count, limit)
    rows, columns = square_grid(shown)
    return np.arange(shown), GridArrangement(rows, columns)
