"""The data a session trained on, beside its weights: `data.safetensors` in the session archive.

A run's configuration refers to custom points or images by content reference
(`TargetConfig.data`, `TargetConfig.labels`, see `data_store`); the session carries the data
itself in the member `data.safetensors`, so a session never makes ganlab read a path: either
one float64 tensor `points` of shape (n, dim), or a float32 tensor `images` (n, c, h, w) in
[0, 1] and, for labelled images, an int64 tensor `labels` (n,). Reading is bounded like every
other member: the header must declare exactly those tensors with shapes within the limits
before the member is read, the data is validated as a points or images file's is, and its
hash must equal the reference the configuration names.

Sessions of format 1 embedded the points in the configuration as a JSON list;
`migrate_embedded_points` moves them into the store and the reference into the configuration.
"""

from __future__ import annotations

import zipfile

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from ganlab.core.data_store import DATA, content_reference
from ganlab.core.images import MAX_IMAGES, ImageData
from ganlab.core.targets.points import MAX_POINTS, PointsFileError, validate_points
from ganlab.core.untrusted_input import (
    UntrustedInputError,
    expected_bytes,
    read_safetensors_header,
    read_zip_member,
    safetensors_header_limit,
)

DATA_MEMBER = "data.safetensors"
POINTS_TENSOR = "points"
IMAGES_TENSOR = "images"
LABELS_TENSOR = "labels"
IMAGE_SIDES = (8, 16, 32, 64)


class SessionDataError(ValueError):
    """The session's data member is missing, damaged or does not match its reference."""


def data_member(target) -> tuple[bytes, str, str | None]:
    """(`data.safetensors` bytes, data reference, labels reference or None) of a run's custom
    points (float64 (n, dim)) or images (float32 (n, c, h, w), with int64 labels)."""
    if target.data_kind == "points":
        arrays = {POINTS_TENSOR: np.ascontiguousarray(target.points, dtype=np.float64)}
    else:
        arrays = {IMAGES_TENSOR: np.ascontiguousarray(target.data.images)}
        if target.data.labels is not None:
            arrays[LABELS_TENSOR] = np.ascontiguousarray(target.data.labels)
    main = arrays.get(POINTS_TENSOR, arrays.get(IMAGES_TENSOR))
    labels = arrays.get(LABELS_TENSOR)
    payload = save_tensors({k: torch.from_numpy(v.copy()) for k, v in arrays.items()})
    return (payload, content_reference(main),
            content_reference(labels) if labels is not None else None)


def read_data_member(archive: zipfile.ZipFile, reference: str, labels: str | None) -> None:
    """Read `archive`'s data member into the store: its data must hash to `reference` (and its
    labels to `labels`). Raises SessionDataError (without the file name)."""
    if DATA_MEMBER not in archive.namelist():
        raise SessionDataError(f"the session refers to its data but has no {DATA_MEMBER}")
    try:
        with archive.open(DATA_MEMBER) as member:
            found = read_safetensors_header(member, safetensors_header_limit(2))
    except UntrustedInputError as error:
        raise SessionDataError(f"the saved data is damaged ({error})") from None
    expected = _expected_layout(found, labels is not None)
    limit = expected_bytes(expected)
    try:
        raw = read_zip_member(archive, DATA_MEMBER, limit)
        tensors = {k: v.numpy() for k, v in load_tensors(raw).items()}
    except (UntrustedInputError, SafetensorError, ValueError, RuntimeError, KeyError,
            zipfile.BadZipFile, OSError) as error:
        raise SessionDataError(f"the saved data is damaged ({error})") from None
    if set(tensors) != set(expected):
        raise SessionDataError(f"{DATA_MEMBER} does not hold what its header declared")
    if POINTS_TENSOR in tensors:
        _stored(tensors[POINTS_TENSOR], reference)
    else:
        _stored_images(tensors[IMAGES_TENSOR], tensors.get(LABELS_TENSOR), reference, labels)


def _expected_layout(found: dict, labelled: bool) -> dict:
    """The declared tensors, checked: points, or images (with labels when `labelled`)."""
    if set(found) == {POINTS_TENSOR}:
        dtype, shape = found[POINTS_TENSOR]
        if dtype != "F64" or len(shape) != 2 or not (2 <= shape[0] <= MAX_POINTS) or \
                shape[1] not in (1, 2):
            raise SessionDataError(
                f"the saved points have dtype {dtype} and shape {tuple(shape)}; expected "
                f"float64 (n, 1) or (n, 2) with 2 ≤ n ≤ {MAX_POINTS:,}")
        return found
    wanted = {IMAGES_TENSOR, LABELS_TENSOR} if labelled else {IMAGES_TENSOR}
    if set(found) != wanted:
        raise SessionDataError(f"{DATA_MEMBER} must hold exactly the tensors "
                               f"{', '.join(sorted(wanted))} or {POINTS_TENSOR}")
    dtype, shape = found[IMAGES_TENSOR]
    if dtype != "F32" or len(shape) != 4 or not (1 <= shape[0] <= MAX_IMAGES) or \
            shape[1] not in (1, 3) or shape[2] != shape[3] or shape[2] not in IMAGE_SIDES:
        raise SessionDataError(
            f"the saved images have dtype {dtype} and shape {tuple(shape)}; expected float32 "
            f"(n, 1 or 3, side, side) with side in {IMAGE_SIDES} and n ≤ {MAX_IMAGES:,}")
    if labelled and found[LABELS_TENSOR] != ("I64", (shape[0],)):
        raise SessionDataError(f"the saved labels must be int64 of shape ({shape[0]},)")
    return found


def _stored_images(images: np.ndarray, labels: np.ndarray | None, reference: str,
                   labels_reference: str | None) -> None:
    try:
        classes = int(labels.max()) + 1 if labels is not None else 0
        data = ImageData(images, labels, tuple(str(k) for k in range(classes)), "custom", "")
        DATA.put(data.images, reference=reference)
        if labels is not None:
            DATA.put(data.labels, reference=labels_reference)
    except ValueError as error:
        raise SessionDataError(f"the saved images are invalid or do not match the reference "
                               f"in the configuration ({error})") from None


def migrate_embedded_points(target: dict) -> None:
    """Format 1: `target["points"]` (a JSON list) → the store, `target["data"]` its reference."""
    points = target.pop("points", None)
    if points is None:
        return
    try:
        array = validate_points(points, "the saved points")
    except PointsFileError as error:
        raise SessionDataError(str(error)) from None
    target["data"] = DATA.put(array)


def _stored(points: np.ndarray, reference: str) -> str:
    try:
        array = validate_points(points, "the saved points")
    except PointsFileError as error:
        raise SessionDataError(str(error)) from None
    try:
        return DATA.put(array, reference=reference)
    except ValueError:
        raise SessionDataError(
            "the saved points do not match the reference in the configuration") from None
