"""Distributions the generator learns: named 2D/1D targets and user-given points."""

from __future__ import annotations

from ganlab.core.config import TargetConfig
from ganlab.core.data_store import DATA
from ganlab.core.targets.base import Target, ViewBox
from ganlab.core.targets.catalog import TARGETS
from ganlab.core.targets.points import PointCloud, PointsFileError, load_points

__all__ = [
    "TARGETS",
    "PointCloud",
    "PointsFileError",
    "Target",
    "ViewBox",
    "load_points",
    "make_target",
]


def make_target(config: TargetConfig) -> Target:
    """Build the target a configuration names; custom points come from the data store (`data`,
    a content reference) or from `points_file`. Data the store has forgotten or never held
    raises `MissingData`."""
    if config.name != "custom":
        if config.name not in TARGETS:
            raise KeyError(f"unknown target {config.name!r}; known: {', '.join(TARGETS)}")
        return TARGETS[config.name]()
    if config.data is not None:
        where = f"points from {config.points_file}" if config.points_file else "painted points"
        return PointCloud(DATA.get(config.data), name="custom", description=where)
    if config.points_file is None:
        raise PointsFileError("custom target: no points and no points file")
    return PointCloud(load_points(config.points_file), name="custom",
                      description=f"points from {config.points_file}")
