"""Distributions the generator learns: named 2D/1D targets and user-given points."""

from __future__ import annotations

from ganlab.core.config import TargetConfig
from ganlab.core.data_store import DATA
from ganlab.core.images import ImageData
from ganlab.core.targets.base import Target, ViewBox
from ganlab.core.targets.catalog import TARGETS
from ganlab.core.targets.image_targets import IMAGE_TARGETS, ImageTarget, image_target
from ganlab.core.targets.points import PointCloud, PointsFileError, load_points

__all__ = [
    "IMAGE_TARGETS",
    "TARGETS",
    "ImageTarget",
    "PointCloud",
    "PointsFileError",
    "Target",
    "ViewBox",
    "load_points",
    "make_target",
]


def make_target(config: TargetConfig) -> Target:
    """Build the target a configuration names. Custom data comes from the data store (`data`,
    a content reference: points of shape (n, dim) or images of shape (n, c, h, w), with
    `labels`), or from `points_file` or `images` on disk. Data the store has forgotten or never
    held raises `MissingData`; a bad file, `PointsFileError` or `ImageFileError`."""
    if config.name in IMAGE_TARGETS:
        return image_target(config.name, config.resolution)
    if config.name != "custom":
        if config.name not in TARGETS:
            raise KeyError(f"unknown target {config.name!r}; known: {', '.join(TARGETS)}")
        return TARGETS[config.name]()
    if config.data is not None:
        array = DATA.get(config.data)
        if array.ndim == 4:
            return ImageTarget(stored_images(config))
        where = f"points from {config.points_file}" if config.points_file else "painted points"
        return PointCloud(array, name="custom", description=where)
    if config.images is not None:
        from ganlab.core.images import load_images

        return ImageTarget(load_images(config.images, resolution=config.resolution).data)
    if config.points_file is None:
        raise PointsFileError("custom target: no points and no points file")
    return PointCloud(load_points(config.points_file), name="custom",
                      description=f"points from {config.points_file}")


def stored_images(config: TargetConfig) -> ImageData:
    """The custom images (and labels) a configuration refers to, from the data store."""
    images = DATA.get(config.data)
    labels = DATA.get(config.labels) if config.labels is not None else None
    classes = int(labels.max()) + 1 if labels is not None and len(labels) else 0
    names = tuple(config.class_names or ())
    if len(names) < classes or labels is None:  # too few names for these labels: numbered
        names = tuple(str(k) for k in range(classes))
    where = config.images or "your images"
    return ImageData(images, labels, names, "custom",
                     f"{len(images):,} images from {where}")
