"""Session files: a whole run in one `.ganlab` file that resumes exactly where it stopped.

A session file is a zip archive holding two members:

- `session.json`: `{"format": "ganlab-session", "version": 1, "ganlab_version": ...,
  "config": RunConfig dict (painted or loaded points included), "counters": {...},
  "optimizers": {role: {"param_groups": [...], "state": {...non-tensor values...}}},
  "history": [...metric rows...], "extra": {...}}`
- `tensors.safetensors`: both networks' weights, every optimizer tensor (Adam's moments and step
  counts), and the training and evaluation random-number states as uint8 tensors.

Opening a file never executes anything from it: JSON and safetensors only, no pickle, no
`torch.load`. A session file is untrusted input (`untrusted_input`): `session.json` is read
with a size cap and parsed with bounded depth and value count; the configuration is validated
and a fresh trainer built from it; the tensors member must declare exactly that trainer's
tensors (names, dtypes, shapes) before it is read, and is never read past their size; every
optimizer setting and state tensor is compared with the optimizer the configuration builds
(`optimizers.checked_state_dict`). Every way a file can be wrong becomes a one-line
`SessionFileError` naming the file, before any step runs.
Writes go to a temporary file that replaces the old one only once complete (`atomic_write`).
"""

from __future__ import annotations

import json
import math
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from ganlab import __version__
from ganlab.core.atomic_file import atomic_write
from ganlab.core.config import ConfigError, RunConfig
from ganlab.core.devices import DeviceUnavailableError
from ganlab.core.optimizers import checked_state_dict, state_tensor_layout
from ganlab.core.targets import PointCloud, PointsFileError
from ganlab.core.targets.points import MAX_POINTS
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
VERSION = 1
SUFFIX = ".ganlab"
METADATA = "session.json"
TENSORS = "tensors.safetensors"
MAX_METADATA_BYTES = 256 * 1024 * 1024
#: JSON values session.json may hold: the largest point set it can embed (a list and two
#: coordinates per point) and a long chart history
MAX_METADATA_VALUES = 3 * MAX_POINTS + 4_000_000
MAX_COUNTER = 2**63 - 1  # iterations and update counts
MAX_RNG_STATE_BYTES = 1 << 16  # a random-number state (CPU: 5,056 bytes, CUDA: 16)
ROLES = ("generator", "discriminator")
COUNTERS = ("iteration", "critic_updates", "generator_updates")
RNG_TENSORS = ("rng/training", "rng/evaluation")


#: what reading a damaged zip can raise (crafted bytes reach deep into zipfile and zlib)
ARCHIVE_ERRORS = (
    zipfile.BadZipFile, zlib.error, struct.error, EOFError, ValueError, RuntimeError,
    NotImplementedError, OverflowError, KeyError,
)


class SessionFileError(ValueError):
    """A session file is missing, damaged, foreign or from an unknown version."""


@dataclass
class Session:
    """What a session file holds besides the trainer's state."""

    trainer: Trainer
    history: list[dict] = field(default_factory=list)  # metric rows, as the app charts them
    extra: dict = field(default_factory=dict)  # free-form JSON for the app (view settings...)


def json_safe(value):
    """A copy that JSON can spell: NaN and ±inf become null, tuples lists, keys strings,
    numpy scalars plain numbers, anything else its text."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        return json_safe(value.item())
    return str(value)


def save_session(session: Session, path: str | Path) -> Path:
    """Write the session atomically; returns the path written."""
    trainer = session.trainer
    config = trainer.config.copy()
    if isinstance(trainer.target, PointCloud):  # embed the points: the file may not travel
        config.target.name = "custom"
        config.target.points = trainer.target.points.tolist()
    tensors: dict[str, torch.Tensor] = {}
    optimizers = {}
    for role in ROLES:
        for name, value in getattr(trainer, role).state_dict().items():
            tensors[f"{role}/{name}"] = value
        optimizers[role] = _split_optimizer_state(
            getattr(trainer, f"{role}_optimizer").state_dict(), f"{role}_optimizer", tensors
        )
    tensors["rng/training"] = trainer.rng.get_state()
    tensors["rng/evaluation"] = trainer.evaluation_rng.get_state()
    metadata = {
        "format": FORMAT,
        "version": VERSION,
        "ganlab_version": __version__,
        "config": config.to_dict(),
        "device_type": trainer.device.type,
        "counters": {
            "iteration": trainer.iteration,
            "critic_updates": trainer.critic_updates,
            "generator_updates": trainer.generator_updates,
        },
        "optimizers": optimizers,
        "history": json_safe(session.history),
        "extra": json_safe(session.extra),
    }
    tensor_bytes = save_tensors({k: v.detach().cpu().contiguous() for k, v in tensors.items()})
    metadata_bytes = json.dumps(metadata, allow_nan=False, default=_json_default).encode()

    def write(stream):
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(METADATA, metadata_bytes)
            archive.writestr(TENSORS, tensor_bytes)

    return atomic_write(path, write)


def _json_default(value):
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in a session")


def _split_optimizer_state(state_dict: dict, prefix: str, tensors: dict) -> dict:
    """Tensors of an optimizer's state go to `tensors`; the rest stays JSON."""
    plain_state = {}
    for index, values in state_dict["state"].items():
        plain = {}
        for key, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{prefix}/{index}/{key}"] = value
            else:
                plain[key] = value
        plain_state[str(index)] = plain
    return {"param_groups": state_dict["param_groups"], "state": plain_state}


def _join_optimizer_state(saved: object, prefix: str, tensors: dict) -> dict:
    """The optimizer state dict from its JSON half and its tensors, as torch spells it (integer
    parameter indices, betas a tuple); shapes and settings are checked afterwards."""
    if not isinstance(saved, dict) or not isinstance(saved.get("param_groups"), list) \
            or not isinstance(saved.get("state"), dict):
        raise ValueError("the optimizer state is incomplete")
    state: dict = {}
    for index, values in saved["state"].items():
        if not index.isdecimal() or len(index) > 9 or not isinstance(values, dict):
            raise ValueError(f"damaged optimizer state entry {index!r}")
        state[int(index)] = dict(values)
    for key, value in tensors.items():
        if key.startswith(prefix + "/"):
            index, name = key[len(prefix) + 1 :].split("/", 1)  # the layout check saw the form
            state.setdefault(int(index), {})[name] = value
    return {"state": state, "param_groups": saved["param_groups"]}


def load_session(path: str | Path, device: str | None = None) -> Session:
    """Open a session file and rebuild its trainer exactly (on `device`, or the saved one).

    The file is untrusted: every member is read with a bound (the tensors' bound computed from
    the validated configuration), the JSON is parsed with bounded depth and size, and every
    tensor name, dtype and shape and every optimizer setting is compared with what a fresh
    trainer for the saved configuration holds, before any of it is used. Any problem is a
    one-line `SessionFileError` naming the file.
    """
    path = Path(path)
    with _open_archive(path) as archive:
        metadata = _read_metadata(path, archive)
        config = _saved_config(path, metadata)
        if device is not None:
            config.training.device = device
        trainer = _fresh_trainer(path, config, from_file=device is None)
        same_device_type = metadata.get("device_type", "cpu") == trainer.device.type
        tensors = _read_tensors(path, archive, trainer, same_device_type)
    state = _trainer_state(path, trainer, metadata, tensors)
    if not same_device_type:
        # random states are per device type: continue from a fresh, still seeded stream
        seed = config.training.seed + state["iteration"]
        state["rng"] = trainer.rng.manual_seed(seed).get_state()
        state["evaluation_rng"] = trainer.evaluation_rng.manual_seed(seed + 1).get_state()
    try:
        trainer.load_state_dict(state)
    except (KeyError, ValueError, RuntimeError, TypeError, AttributeError) as error:
        raise _mismatch(path, error) from None
    return Session(trainer, metadata["history"], metadata["extra"])


def _mismatch(path: Path, error: Exception) -> SessionFileError:
    return SessionFileError(
        f"{path}: the saved networks or optimizer state do not match the saved "
        f"configuration ({_first_line(error)})"
    )


def _prefixed(tensors: dict, prefix: str) -> dict:
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def _open_archive(path: Path) -> zipfile.ZipFile:
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


def _read_metadata(path: Path, archive: zipfile.ZipFile) -> dict:
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
    if not all(_is_counter(counters.get(k)) for k in COUNTERS):
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


def _is_counter(value: object) -> bool:
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
        if "iteration" in row and not _is_counter(row["iteration"]):
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


def _saved_config(path: Path, metadata: dict) -> RunConfig:
    try:
        config = RunConfig.from_dict(metadata["config"]).validate()
    except ConfigError as error:
        raise SessionFileError(f"{path}: the saved configuration is invalid ({error})") from None
    target = config.target
    if target.name == "custom" and target.points is None:
        # ganlab embeds the points it trained on; a session never makes ganlab read a path
        raise SessionFileError(
            f"{path}: the saved target names a points file instead of carrying its points"
        )
    return config


def _fresh_trainer(path: Path, config: RunConfig, from_file: bool) -> Trainer:
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
    expected["rng/training"] = tensor_spec(trainer.rng.get_state())
    expected["rng/evaluation"] = tensor_spec(trainer.evaluation_rng.get_state())
    return expected, optional


def _read_tensors(
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
        raise _mismatch(path, UntrustedInputError(f"{TENSORS} {error}")) from None
    limit = expected_bytes({name: expected[name] for name in found})
    raw = _read_member(path, archive, TENSORS, limit)
    try:
        tensors = load_tensors(raw)
    except (SafetensorError, ValueError, RuntimeError, OverflowError) as error:
        raise SessionFileError(
            f"{path}: the saved tensors are damaged ({_first_line(error)})"
        ) from None
    for name, tensor in tensors.items():
        if name.split("/", 1)[0] in ROLES and not bool(torch.isfinite(tensor).all()):
            raise SessionFileError(
                f"{path}: the saved weights are not finite ({name}): the run had diverged"
            )
    return tensors


def _trainer_state(path: Path, trainer: Trainer, metadata: dict, tensors: dict) -> dict:
    """The state for `Trainer.load_state_dict`, every optimizer part checked against the
    optimizer the saved configuration builds."""
    state = {role: _prefixed(tensors, role + "/") for role in ROLES}
    for role in ROLES:
        key = f"{role}_optimizer"
        try:
            joined = _join_optimizer_state(metadata["optimizers"].get(role), key, tensors)
            state[key] = checked_state_dict(
                getattr(trainer, key), getattr(trainer.config, key), joined
            )
        except ValueError as error:
            raise _mismatch(path, ValueError(f"{role}: {error}")) from None
    state["rng"] = tensors["rng/training"]
    state["evaluation_rng"] = tensors["rng/evaluation"]
    state.update({k: metadata["counters"][k] for k in COUNTERS})
    return state
