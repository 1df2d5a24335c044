"""Reading a session file as untrusted input: every member bounded, every setting and tensor
checked against a fresh trainer for the saved configuration, before anything is used.

`session_file.load_session` calls these in order: `open_archive` (a regular file, a zip),
`read_metadata` (bounded JSON, then `_checked_metadata`: format, version, counters, history),
`saved_config` and `fresh_trainer` (the configuration validated, its trainer built),
and `read_tensors` (the tensors header must name exactly that trainer's tensors before the
member is read, never past their size); `session_file` then compares every optimizer setting and
state tensor with the optimizer the configuration builds. Every problem is a one-line
`SessionFileError` naming the file.
"""

from __future__ import annotations

import math
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_tensors

from ganlab.core.config import ConfigError, RunConfig
from ganlab.core.devices import DeviceUnavailableError
from ganlab.core.optimizers import state_tensor_layout
from ganlab.core.session_data import (
    SessionDataError,
    migrate_embedded_points,
    read_data_member,
)
from ganlab.core.targets import PointsFileError
from ganlab.core.trainer import Trainer
from ganlab.core.untrusted_input import (
    SAFETENSORS_DTYPES,
    UntrustedInputError,
    check_tensor_layout,
    expected_bytes,
    parse_json,
    read_safetensors_header,
    read_zip_member,
    safetensors_header_limit,
    tensor_spec,
)

FORMAT = "ganlab-session"
VERSION = 2  # 2: custom points in data.safetensors, referenced by hash (1: in the JSON)
SUFFIX = ".ganlab"
METADATA = "session.json"
TENSORS = "tensors.safetensors"
MAX_METADATA_BYTES = 256 * 1024 * 1024
#: points a format-1 session may embed in its JSON (a list and two coordinates per point:
#: ~650 MB parsed at this bound); format 2 keeps points outside the JSON, up to MAX_POINTS
MAX_EMBEDDED_POINTS = 1_000_000
#: JSON values session.json may hold: those embedded points and a long chart history
MAX_METADATA_VALUES = 3 * MAX_EMBEDDED_POINTS + 4_000_000
MAX_COUNTER = 2**63 - 1  # iterations and update counts
MAX_RNG_STATE_BYTES = 1 << 16  # a random-number state (CPU: 5,056 bytes, CUDA: 16)
ROLES = ("generator", "discriminator")
COUNTERS = ("iteration", "critic_updates", "generator_updates")
AVERAGE = "generator_average"  # θ_avg's tensors, when averaging is on (`core/ema.py`)
AVERAGE_UPDATES = "generator_average_updates"  # its t, among the counters
RNG_TENSORS = ("rng/training", "rng/evaluation")
LECAM = "lecam_anchors"  # (α_R, α_F) of the LeCam regulariser, once it has seen a batch


#: what reading a damaged zip can raise (crafted bytes reach deep into zipfile and zlib)
ARCHIVE_ERRORS = (
    zipfile.BadZipFile, zlib.error, struct.error, EOFError, ValueError, RuntimeError,
    NotImplementedError, OverflowError, KeyError,
)


class SessionFileError(ValueError):
    """A session file is missing, damaged, foreign or from an unknown version."""


def mismatch_error(path: Path, error: Exception) -> SessionFileError:
    return SessionFileError(
        f"{path}: the saved networks or optimizer state do not match the saved "
        f"configuration ({_first_line(error)})"
    )


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def open_archive(path: Path) -> zipfile.ZipFile:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise SessionFileError(f"{path}: no such file") from None
    except OSError as error:
        raise SessionFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    if stat.S_ISDIR(mode):
        raise SessionFileError(f"{path}: is a folder, not a session file")
    if not stat.S_ISREG(mode):  # a FIFO would block, a device never end
        raise SessionFileError(f"{path}: is not a regular file, not a session file")
    try:
        archive = zipfile.ZipFile(path)
    except OSError as error:
        raise SessionFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    except ARCHIVE_ERRORS:
        raise SessionFileError(f"{path}: not a ganlab session (not a zip archive)") from None
    names = set(archive.namelist())
    if METADATA not in names:
        archive.close()
        raise SessionFileError(f"{path}: not a ganlab session (no {METADATA} inside)")
    if TENSORS not in names:
        archive.close()
        raise SessionFileError(f"{path}: the session is incomplete (no {TENSORS} inside)")
    return archive


def _read_member(path: Path, archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """The member's bytes, read no further than `limit`; any problem names the file."""
    try:
        return read_zip_member(archive, name, limit)
    except UntrustedInputError as error:
        raise SessionFileError(f"{path}: {error}") from None
    except (*ARCHIVE_ERRORS, OSError) as error:
        raise SessionFileError(f"{path}: the archive is damaged ({_first_line(error)})") from None


def read_metadata(path: Path, archive: zipfile.ZipFile) -> dict:
    raw = _read_member(path, archive, METADATA, MAX_METADATA_BYTES)
    try:
        metadata = parse_json(raw, max_values=MAX_METADATA_VALUES)
    except UntrustedInputError as error:
        raise SessionFileError(f"{path}: {METADATA} {error}") from None
    del raw
    return _checked_metadata(path, metadata)


def _checked_metadata(path: Path, metadata: object) -> dict:
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise SessionFileError(f"{path}: not a ganlab session ({METADATA} has another format)")
    version = metadata.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SessionFileError(f"{path}: the session has no valid format version")
    if version > VERSION:
        raise SessionFileError(
            f"{path}: saved by a newer ganlab (session format {version}; this ganlab reads "
            f"up to {VERSION}); update ganlab to open it"
        )
    required = {"config": dict, "counters": dict, "optimizers": dict}
    for key, kind in required.items():
        if not isinstance(metadata.get(key), kind):
            raise SessionFileError(f"{path}: the session is incomplete (no valid {key!r})")
    counters = metadata["counters"]
    if not all(is_counter(counters.get(k)) for k in COUNTERS):
        raise SessionFileError(f"{path}: the session's counters are damaged")
    if not isinstance(metadata.get("device_type", "cpu"), str):
        raise SessionFileError(f"{path}: the session's device type is damaged")
    metadata.setdefault("history", [])
    metadata.setdefault("extra", {})
    problem = history_problem(metadata["history"])
    if problem:
        raise SessionFileError(f"{path}: the saved history is damaged ({problem})")
    if not isinstance(metadata["extra"], dict):
        raise SessionFileError(f"{path}: the saved view settings ('extra') are damaged")
    return metadata


def is_counter(value: object) -> bool:
    return type(value) is int and 0 <= value <= MAX_COUNTER


def history_problem(history: object) -> str | None:
    """None when `history` is a list of metric rows, else what is wrong with it.

    A row is an object whose values are numbers, null, text, or flat lists of numbers and null
    (the app's chart series); an `iteration`, where present, is a whole number ≥ 0.
    """
    if not isinstance(history, list):
        return "not a list of rows"
    for number, row in enumerate(history, start=1):
        if not isinstance(row, dict):
            return f"row {number} is not an object"
        if "iteration" in row and not is_counter(row["iteration"]):
            return f"row {number} has iteration {str(row['iteration'])[:40]!r}"
        for key, value in row.items():
            if not (_is_plain_number(value) or isinstance(value, str) or (
                isinstance(value, list) and all(_is_plain_number(v) for v in value)
            )):
                return f"row {number} has a {type(value).__name__} for {key[:40]!r}"
    return None


def _is_plain_number(value: object) -> bool:
    return value is None or (
        isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    )


def saved_config(path: Path, metadata: dict, archive: zipfile.ZipFile) -> RunConfig:
    """The validated configuration; the custom points it refers to are read into the data
    store (format 1: from the JSON, format 2: from `data.safetensors`)."""
    saved = metadata["config"]
    target = saved.get("target")
    try:
        if metadata["version"] == 1 and isinstance(target, dict):
            migrate_embedded_points(target)
        config = RunConfig.from_dict(saved).validate()
    except ConfigError as error:
        raise SessionFileError(f"{path}: the saved configuration is invalid ({error})") from None
    except SessionDataError as error:
        raise SessionFileError(f"{path}: {error}") from None
    target = config.target
    if target.name == "custom" and target.data is None:
        # ganlab keeps the points it trained on; a session never makes ganlab read a path
        raise SessionFileError(
            f"{path}: the saved target names a points file instead of carrying its points"
        )
    if target.data is not None and metadata["version"] > 1:
        try:
            read_data_member(archive, target.data, target.labels)
        except SessionDataError as error:
            raise SessionFileError(f"{path}: {error}") from None
    return config


def fresh_trainer(path: Path, config: RunConfig, from_file: bool) -> Trainer:
    try:
        return Trainer(config)
    except PointsFileError as error:
        raise SessionFileError(f"{path}: the saved target is invalid ({error})") from None
    except DeviceUnavailableError as error:
        if not from_file:
            raise  # the caller's device, not the file's
        raise SessionFileError(f"{path}: the saved device cannot be used ({error})") from None


def _expected_tensors(trainer: Trainer) -> tuple[dict, set]:
    """({name: (dtype, shape)} the tensors member may hold, names that may be absent)."""
    expected, optional = {}, set()
    for role in ROLES:
        network = getattr(trainer, role)
        for name, value in network.state_dict().items():
            expected[f"{role}/{name}"] = tensor_spec(value)
        config = getattr(trainer.config, f"{role}_optimizer")
        _, layouts = state_tensor_layout(config, network.parameters())
        for index, layout in enumerate(layouts):
            for key, (dtype, shape) in layout.items():
                name = f"{role}_optimizer/{index}/{key}"
                expected[name] = (SAFETENSORS_DTYPES[dtype], shape)
                optional.add(name)
    if trainer.generator_average is not None:  # absent in a session saved without averaging
        for name, value in trainer.generator_average.module.state_dict().items():
            expected[f"{AVERAGE}/{name}"] = tensor_spec(value)
            optional.add(f"{AVERAGE}/{name}")
    expected[LECAM] = (SAFETENSORS_DTYPES[next(trainer.discriminator.parameters()).dtype], (2,))
    optional.add(LECAM)  # absent before LeCam's first update (and in older sessions)
    expected["rng/training"] = tensor_spec(trainer.rng.get_state())
    expected["rng/evaluation"] = tensor_spec(trainer.evaluation_rng.get_state())
    return expected, optional


def read_tensors(
    path: Path, archive: zipfile.ZipFile, trainer: Trainer, same_device_type: bool
) -> dict:
    """The tensors member, read only after its header matched the fresh trainer's layout;
    it can never be bigger than that layout's tensors plus their header."""
    expected, optional = _expected_tensors(trainer)
    try:
        with archive.open(TENSORS) as member:
            found = read_safetensors_header(member, safetensors_header_limit(len(expected)))
        if not same_device_type:  # another device type's random state: discarded, only bounded
            for name in RNG_TENSORS:
                dtype, shape = found.get(name, ("U8", ()))
                if dtype == "U8" and len(shape) == 1 and shape[0] <= MAX_RNG_STATE_BYTES:
                    expected[name] = ("U8", shape)
    except UntrustedInputError as error:
        raise SessionFileError(f"{path}: the saved tensors are damaged ({error})") from None
    except (*ARCHIVE_ERRORS, OSError) as error:
        raise SessionFileError(f"{path}: the archive is damaged ({_first_line(error)})") from None
    try:
        check_tensor_layout(found, expected, optional)
    except UntrustedInputError as error:
        raise mismatch_error(path, UntrustedInputError(f"{TENSORS} {error}")) from None
    limit = expected_bytes({name: expected[name] for name in found})
    raw = _read_member(path, archive, TENSORS, limit)
    try:
        tensors = load_tensors(raw)
    except (SafetensorError, ValueError, RuntimeError, OverflowError) as error:
        raise SessionFileError(
            f"{path}: the saved tensors are damaged ({_first_line(error)})"
        ) from None
    for name, tensor in tensors.items():
        if name.split("/", 1)[0] in (*ROLES, AVERAGE, LECAM) and \
                not bool(torch.isfinite(tensor).all()):
            raise SessionFileError(
                f"{path}: the saved weights are not finite ({name}): the run had diverged"
            )
    return tensors
