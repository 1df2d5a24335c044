"""Session files: a whole run in one `.ganlab` file that resumes exactly where it stopped.

A session file is a zip archive holding two members:

- `session.json`: `{"format": "ganlab-session", "version": 1, "ganlab_version": ...,
  "config": RunConfig dict (painted or loaded points included), "counters": {...},
  "optimizers": {role: {"param_groups": [...], "state": {...non-tensor values...}}},
  "history": [...metric rows...], "extra": {...}}`
- `tensors.safetensors`: both networks' weights, every optimizer tensor (Adam's moments and step
  counts), and the training and evaluation random-number states as uint8 tensors.

Opening a file never executes anything from it: JSON and safetensors only, no pickle, no
`torch.load`. Every way a file can be wrong becomes a `SessionFileError` naming the file.
Writes go to a temporary file that replaces the old one only once complete (`atomic_write`).
"""

from __future__ import annotations

import json
import math
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
from ganlab.core.targets import PointCloud, PointsFileError
from ganlab.core.trainer import Trainer

FORMAT = "ganlab-session"
VERSION = 1
SUFFIX = ".ganlab"
METADATA = "session.json"
TENSORS = "tensors.safetensors"
MAX_METADATA_BYTES = 256 * 1024 * 1024
ROLES = ("generator", "discriminator")


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


def _join_optimizer_state(saved: dict, prefix: str, tensors: dict) -> dict:
    state: dict[int, dict] = {int(i): dict(values) for i, values in saved["state"].items()}
    for key, value in tensors.items():
        if key.startswith(prefix + "/"):
            index, name = key[len(prefix) + 1 :].split("/", 1)
            state.setdefault(int(index), {})[name] = value
    groups = []
    for group in saved["param_groups"]:
        group = dict(group)
        if isinstance(group.get("betas"), list):
            group["betas"] = tuple(group["betas"])
        groups.append(group)
    return {"state": state, "param_groups": groups}


def load_session(path: str | Path, device: str | None = None) -> Session:
    """Open a session file and rebuild its trainer exactly (on `device`, or the saved one)."""
    path = Path(path)
    metadata, tensors = _read_archive(path)
    try:
        config = RunConfig.from_dict(metadata["config"]).validate()
    except ConfigError as error:
        raise SessionFileError(f"{path}: the saved configuration is invalid ({error})") from None
    if device is not None:
        config.training.device = device
    try:
        trainer = Trainer(config)
    except PointsFileError as error:
        raise SessionFileError(f"{path}: the saved target is invalid ({error})") from None
    try:
        state = {role: _prefixed(tensors, role + "/") for role in ROLES}
        for role in ROLES:
            state[f"{role}_optimizer"] = _join_optimizer_state(
                metadata["optimizers"][role], f"{role}_optimizer", tensors
            )
        state["rng"] = tensors["rng/training"]
        state["evaluation_rng"] = tensors["rng/evaluation"]
        state.update(metadata["counters"])
        if metadata.get("device_type", "cpu") != trainer.device.type:
            # random states are per device type: continue from a fresh, still seeded stream
            seed = config.training.seed + state["iteration"]
            state["rng"] = trainer.rng.manual_seed(seed).get_state()
            state["evaluation_rng"] = trainer.evaluation_rng.manual_seed(seed + 1).get_state()
        trainer.load_state_dict(state)
    except (KeyError, ValueError, RuntimeError, TypeError, AttributeError) as error:
        raise SessionFileError(
            f"{path}: the saved networks or optimizer state do not match the saved "
            f"configuration ({_first_line(error)})"
        ) from None
    history = metadata.get("history", [])
    extra = metadata.get("extra", {})
    if not isinstance(history, list) or not isinstance(extra, dict):
        raise SessionFileError(f"{path}: the saved history is damaged")
    return Session(trainer, history, extra)


def _prefixed(tensors: dict, prefix: str) -> dict:
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def _read_archive(path: Path) -> tuple[dict, dict]:
    if not path.exists():
        raise SessionFileError(f"{path}: no such file")
    if path.is_dir():
        raise SessionFileError(f"{path}: is a folder, not a session file")
    try:
        archive = zipfile.ZipFile(path)
    except OSError as error:
        raise SessionFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    except ARCHIVE_ERRORS:
        raise SessionFileError(f"{path}: not a ganlab session (not a zip archive)") from None
    with archive:
        names = set(archive.namelist())
        if METADATA not in names:
            raise SessionFileError(f"{path}: not a ganlab session (no {METADATA} inside)")
        if TENSORS not in names:
            raise SessionFileError(f"{path}: the session is incomplete (no {TENSORS} inside)")
        if archive.getinfo(METADATA).file_size > MAX_METADATA_BYTES:
            raise SessionFileError(f"{path}: {METADATA} is implausibly large")
        try:
            raw_metadata = archive.read(METADATA)
            raw_tensors = archive.read(TENSORS)
        except (*ARCHIVE_ERRORS, OSError) as error:
            raise SessionFileError(
                f"{path}: the archive is damaged ({_first_line(error)})"
            ) from None
    metadata = _parse_metadata(path, raw_metadata)
    try:
        tensors = load_tensors(raw_tensors)
    except (SafetensorError, ValueError, RuntimeError, OverflowError) as error:
        raise SessionFileError(
            f"{path}: the saved tensors are damaged ({_first_line(error)})"
        ) from None
    return metadata, tensors


def _parse_metadata(path: Path, raw: bytes) -> dict:
    try:
        metadata = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SessionFileError(f"{path}: {METADATA} is not valid JSON") from None
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
    if not all(
        isinstance(counters.get(k), int) and counters[k] >= 0
        for k in ("iteration", "critic_updates", "generator_updates")
    ):
        raise SessionFileError(f"{path}: the session's counters are damaged")
    return metadata
