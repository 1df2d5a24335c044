"""Reading exported generator files, which anyone could have written (see `ganlab.core.export`).

Every check runs before anything is built or read in full: the description is bounded JSON
whose architecture is held to the run configuration's limits (and, for images, to the shapes
and class counts ganlab trains); the weights file's header must declare exactly the tensors a
freshly built network of that architecture has (names, dtypes, shapes) and the file must be no
bigger than they take; every weight must be finite. Each problem is one `GeneratorFileError`
line that names the file.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from ganlab.core.config import ConfigError, RunConfig
from ganlab.core.targets.points_limits import MAX_ABS_VALUE
from ganlab.core.untrusted_input import (
    UntrustedInputError,
    check_tensor_layout,
    expected_bytes,
    open_regular_file,
    parse_json,
    read_file,
    read_safetensors_header,
    safetensors_header_limit,
)

FORMAT = "ganlab-generator"
VERSION = 2  # the newest version this ganlab reads; 1: points only, 2: points or images
POINTS_VERSION = 1  # points files are still written as version 1, so older ganlab reads them
MAX_DESCRIPTION_BYTES = 4 * 1024 * 1024  # a description is a few hundred bytes
IMAGE_TYPES = {"dcgan": "dcgan", "mlp-image": "mlp"}  # description type → image_nets name
IMAGE_CHANNELS, IMAGE_SIZES = (1, 3), (8, 16, 32, 64)
MAX_CLASSES = 1000
IMAGE_SCALING = {"shift": 0.5, "scale": 0.5}  # image = 0.5 + 0.5 · network(z, labels)


class GeneratorFileError(ValueError):
    """A generator file is missing, damaged, foreign or from an unknown version."""


def first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def read_description(path: Path) -> dict:
    """The validated description at `path`: points (type "mlp") or images ("dcgan",
    "mlp-image"), or a `GeneratorFileError`."""
    try:
        description = parse_json(read_file(path, MAX_DESCRIPTION_BYTES))
    except FileNotFoundError:
        raise GeneratorFileError(f"{path}: no such file") from None
    except OSError as error:
        raise GeneratorFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    except UntrustedInputError as error:
        raise GeneratorFileError(f"{path}: not a JSON generator description ({error})") from None
    if not isinstance(description, dict) or description.get("format") != FORMAT:
        raise GeneratorFileError(f"{path}: not a ganlab generator description")
    version = description.get("version")
    if type(version) is not int or version < 1:
        raise GeneratorFileError(f"{path}: the description has no valid format version")
    if version > VERSION:
        raise GeneratorFileError(
            f"{path}: generator format version {version!r} is newer than this ganlab "
            f"understands (version {VERSION}); update ganlab"
        )
    arch = description.get("architecture")
    scaling = description.get("scaling")
    known = ("mlp", *IMAGE_TYPES) if version >= 2 else ("mlp",)
    if not isinstance(arch, dict) or arch.get("type") not in known \
            or not isinstance(scaling, dict):
        raise GeneratorFileError(f"{path}: the generator description is incomplete or invalid")
    _check_network_settings(path, arch)
    if arch["type"] == "mlp":
        _check_points(path, arch, scaling)
    else:
        _check_images(path, arch, scaling)
    return description


def _invalid(path: Path, why: str) -> GeneratorFileError:
    return GeneratorFileError(f"{path}: the generator description is incomplete or invalid "
                              f"({why})")


def _check_network_settings(path: Path, arch: dict) -> None:
    """latent_dim, latent_distribution, hidden_layers, width, activation within the run
    configuration's own limits: what ganlab can train, it can load, nothing more."""
    try:
        RunConfig.from_dict({"model": {
            "latent_dim": arch.get("latent_dim"),
            "latent_distribution": arch.get("latent_distribution"),
            "generator": {key: arch.get(key) for key in ("hidden_layers", "width", "activation")},
        }}).validate()
    except ConfigError as error:  # named as the description names it
        field = str(error).replace("model.generator.", "architecture.")
        raise _invalid(path, field.replace("model.", "architecture.")) from None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_points(path: Path, arch: dict, scaling: dict) -> None:
    data_dim = arch.get("data_dim")
    shift, scale = scaling.get("shift"), scaling.get("scale")
    ok = (
        type(data_dim) is int and data_dim >= 1
        and isinstance(shift, list) and isinstance(scale, list)
        and len(shift) == len(scale) == data_dim
        and all(_is_number(v) and abs(v) <= MAX_ABS_VALUE for v in shift + scale)
        and all(v > 0 for v in scale)
    )
    if not ok:  # bounded as point coordinates are: in float32 a shift of 3.4e38 samples inf
        raise _invalid(path, "architecture.data_dim and scaling.shift/scale must give one number "
                             f"within ±{MAX_ABS_VALUE:.0e} per data dimension, each scale above 0")


def _check_images(path: Path, arch: dict, scaling: dict) -> None:
    shape = arch.get("shape")
    if not (isinstance(shape, list) and len(shape) == 3 and all(type(s) is int for s in shape)
            and shape[0] in IMAGE_CHANNELS and shape[1] == shape[2] and shape[1] in IMAGE_SIZES):
        raise _invalid(path, f"architecture.shape = {_short(shape)}: expected [channels, size, "
                             f"size] with channels in {list(IMAGE_CHANNELS)} and size in "
                             f"{list(IMAGE_SIZES)}")
    classes = arch.get("num_classes")
    if type(classes) is not int or not 0 <= classes <= MAX_CLASSES:
        raise _invalid(path, f"architecture.num_classes = {_short(classes)}: expected a whole "
                             f"number from 0 (unconditional) to {MAX_CLASSES}")
    if not all(_is_number(scaling.get(key)) and scaling.get(key) == value
               for key, value in IMAGE_SCALING.items()):
        raise _invalid(path, "scaling must be {\"shift\": 0.5, \"scale\": 0.5} for images")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_weights_file(weights_path: Path, description_path: Path, expected: dict) -> None:
    """The header declares exactly `expected` ({name: (dtype, shape)}), and the file is no
    bigger than those tensors take."""
    try:
        with open_regular_file(weights_path) as stream:
            size = os.fstat(stream.fileno()).st_size
            found = read_safetensors_header(stream, safetensors_header_limit(len(expected)))
    except FileNotFoundError:
        raise GeneratorFileError(
            f"{weights_path}: no such file (the weights of {description_path})"
        ) from None
    except OSError as error:
        raise GeneratorFileError(
            f"{weights_path}: cannot be read ({error.strerror or error})"
        ) from None
    except UntrustedInputError as error:
        raise GeneratorFileError(
            f"{weights_path}: not a readable safetensors file ({error})"
        ) from None
    try:
        check_tensor_layout(found, expected)
    except UntrustedInputError as error:
        raise GeneratorFileError(
            f"{weights_path}: weights do not match the architecture in {description_path.name}"
            f" (the file {error})"
        ) from None
    if size > expected_bytes(expected):
        raise GeneratorFileError(
            f"{weights_path}: {size:,} bytes, more than the weights of the architecture in "
            f"{description_path.name} take"
        )


def read_finite_weights(weights_path: Path) -> dict[str, torch.Tensor]:
    """The tensors of a weights file already checked by `check_weights_file`, all finite."""
    try:
        weights = load_file(str(weights_path))
    except (SafetensorError, OSError, ValueError) as error:
        raise GeneratorFileError(
            f"{weights_path}: not a readable safetensors file ({first_line(error)})"
        ) from None
    for name, tensor in weights.items():
        if not bool(torch.isfinite(tensor).all()):
            raise GeneratorFileError(
                f"{weights_path}: the weights are not finite ({name}): the run had diverged "
                "when it was exported"
            )
    return weights
