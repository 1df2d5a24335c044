"""The data a session trained on, beside its weights: `data.safetensors` in the session archive.

A run's configuration refers to custom points by content reference (`TargetConfig.data`, see
`data_store`); the session carries the points themselves as one float64 tensor `points` of
shape (n, dim) in the member `data.safetensors`, so a session never makes ganlab read a path.
Reading is bounded like every other member: the header must declare exactly that one tensor
with a shape within the points limits before the member is read, the points are validated as
a points file's are, and their hash must equal the reference the configuration names.

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

from ganlab.core.data_store import DATA
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


class SessionDataError(ValueError):
    """The session's data member is missing, damaged or does not match its reference."""


def data_member(points: np.ndarray) -> bytes:
    """The `data.safetensors` bytes for a run's points (float64, (n, dim))."""
    array = np.ascontiguousarray(points, dtype=np.float64)
    return save_tensors({POINTS_TENSOR: torch.from_numpy(array.copy())})


def read_data_member(archive: zipfile.ZipFile, reference: str) -> str:
    """Read the points of `archive`'s data member into the store; return their reference,
    which must be `reference`. Raises SessionDataError (without the file name)."""
    if DATA_MEMBER not in archive.namelist():
        raise SessionDataError(f"the session refers to points but has no {DATA_MEMBER}")
    try:
        with archive.open(DATA_MEMBER) as member:
            found = read_safetensors_header(member, safetensors_header_limit(1))
    except UntrustedInputError as error:
        raise SessionDataError(f"the saved points are damaged ({error})") from None
    if set(found) != {POINTS_TENSOR}:
        raise SessionDataError(f"{DATA_MEMBER} must hold exactly one tensor {POINTS_TENSOR!r}")
    dtype, shape = found[POINTS_TENSOR]
    if dtype != "F64" or len(shape) != 2 or not (2 <= shape[0] <= MAX_POINTS) or \
            shape[1] not in (1, 2):
        raise SessionDataError(
            f"the saved points have dtype {dtype} and shape {tuple(shape)}; expected float64 "
            f"(n, 1) or (n, 2) with 2 ≤ n ≤ {MAX_POINTS:,}")
    limit = expected_bytes({POINTS_TENSOR: (dtype, tuple(shape))})
    try:
        raw = read_zip_member(archive, DATA_MEMBER, limit)
        points = load_tensors(raw)[POINTS_TENSOR].numpy()
    except (UntrustedInputError, SafetensorError, ValueError, RuntimeError, KeyError,
            zipfile.BadZipFile, OSError) as error:
        raise SessionDataError(f"the saved points are damaged ({error})") from None
    return _stored(points, reference)


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
