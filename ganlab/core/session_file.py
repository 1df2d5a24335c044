"""Session files: a whole run in one `.ganlab` file that resumes exactly where it stopped.

A session file is a zip archive holding two or three members:

- `session.json`: `{"format": "ganlab-session", "version": 2, "ganlab_version": ...,
  "config": RunConfig dict (custom points by content reference), "counters": {...},
  "optimizers": {role: {"param_groups": [...], "state": {...non-tensor values...}}},
  "history": [...metric rows...], "extra": {...}}`
- `tensors.safetensors`: both networks' weights, every optimizer tensor (Adam's moments and step
  counts), the LeCam regulariser's anchors (α_R, α_F) once it has run, and the training and
  evaluation random-number states as uint8 tensors.
- `data.safetensors` (custom targets only): the points the run trained on (`session_data`).

Opening a file never executes anything from it: JSON and safetensors only, no pickle, no
`torch.load`. A session file is untrusted input (`untrusted_input`): `session.json` is read
with a size cap and parsed with bounded depth and value count; the configuration is validated
and a fresh trainer built from it; the tensors member must declare exactly that trainer's
tensors (names, dtypes, shapes) before it is read, and is never read past their size; every
optimizer setting and state tensor is compared with the optimizer the configuration builds
(`optimizers.checked_state_dict`). Every way a file can be wrong becomes a one-line
`SessionFileError` naming the file, before any step runs.
Writes go to a temporary file that replaces the old one only once complete (`atomic_write`).
How a file is read and checked is `session_reading`'s.
"""

from __future__ import annotations

import json
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors.torch import save as save_tensors

from ganlab import __version__
from ganlab.core.atomic_file import atomic_write
from ganlab.core.optimizers import checked_state_dict
from ganlab.core.session_data import DATA_MEMBER, data_member
from ganlab.core.session_reading import (
    AVERAGE,
    AVERAGE_UPDATES,
    COUNTERS,
    FORMAT,
    LECAM,
    METADATA,
    ROLES,
    SUFFIX,
    TENSORS,
    VERSION,
    SessionFileError,
    fresh_trainer,
    is_counter,
    mismatch_error,
    open_archive,
    read_metadata,
    read_tensors,
    saved_config,
)
from ganlab.core.targets import PointCloud
from ganlab.core.trainer import Trainer

__all__ = ["FORMAT", "SUFFIX", "VERSION", "Session", "SessionFileError", "json_safe",
           "load_session", "save_session"]


@dataclass
class Session:
    """What a session file holds besides the trainer's state."""

    trainer: Trainer
    history: list[dict] = field(default_factory=list)  # metric rows, as the app charts them
    extra: dict = field(default_factory=dict)  # free-form JSON for the app (view settings...)
    #: more archive members written as they are (the timeline's keyframes: `session_keyframes`)
    members: dict = field(default_factory=dict)


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


VAE_NOT_SAVED = ("a VAE run cannot be saved as a session (sessions hold GAN runs only); in "
                 "compare mode save run A, the GAN")


def save_session(session: Session, path: str | Path) -> Path:
    """Write the session atomically; returns the path written. A VAE run is refused (sessions
    hold GAN runs; `VAE_NOT_SAVED`)."""
    trainer = session.trainer
    if trainer.model_family == "vae":
        raise ValueError(VAE_NOT_SAVED)
    config = trainer.config.copy()
    data_bytes = None
    if config.target.name == "custom" or isinstance(trainer.target, PointCloud):
        # carry the data: a file may not travel, and a session never makes ganlab read a path
        config.target.name = "custom"
        data_bytes, config.target.data, config.target.labels = data_member(trainer.target)
        if config.target.labels is not None:  # keep the classes' names (a folder's, say)
            config.target.class_names = list(trainer.target.class_names) or None
    tensors: dict[str, torch.Tensor] = {}
    optimizers = {}
    for role in ROLES:
        for name, value in getattr(trainer, role).state_dict().items():
            tensors[f"{role}/{name}"] = value
        optimizers[role] = _split_optimizer_state(
            getattr(trainer, f"{role}_optimizer").state_dict(), f"{role}_optimizer", tensors
        )
    average = trainer.generator_average
    if average is not None:
        tensors.update({f"{AVERAGE}/{k}": v for k, v in average.module.state_dict().items()})
    if trainer.lecam_anchors.values is not None:
        tensors[LECAM] = trainer.lecam_anchors.values
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
            AVERAGE_UPDATES: average.updates if average is not None else 0,
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
            if data_bytes is not None:
                archive.writestr(DATA_MEMBER, data_bytes)
            for name, member in session.members.items():  # already compressed inside
                archive.writestr(name, member, compress_type=zipfile.ZIP_STORED)

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



def load_session(path: str | Path, device: str | None = None) -> Session:
    """Open a session file and rebuild its trainer exactly (on `device`, or the saved one).

    The file is untrusted: every member is read with a bound (the tensors' bound computed from
    the validated configuration), the JSON is parsed with bounded depth and size, and every
    tensor name, dtype and shape and every optimizer setting is compared with what a fresh
    trainer for the saved configuration holds, before any of it is used. Any problem is a
    one-line `SessionFileError` naming the file.
    """
    path = Path(path)
    with open_archive(path) as archive:
        metadata = read_metadata(path, archive)
        config = saved_config(path, metadata, archive)
        if config.model.family == "vae":
            raise SessionFileError(f"{path}: {VAE_NOT_SAVED}")
        if device is not None:
            config.training.device = device
        trainer = fresh_trainer(path, config, from_file=device is None)
        same_device_type = metadata.get("device_type", "cpu") == trainer.device.type
        tensors = read_tensors(path, archive, trainer, same_device_type)
    state = trainer_state(path, trainer, metadata, tensors)
    if not same_device_type:
        # random states are per device type: continue from a fresh, still seeded stream
        seed = config.training.seed + state["iteration"]
        state["rng"] = trainer.rng.manual_seed(seed).get_state()
        state["evaluation_rng"] = trainer.evaluation_rng.manual_seed(seed + 1).get_state()
    try:
        trainer.load_state_dict(state)
    except (KeyError, ValueError, RuntimeError, TypeError, AttributeError) as error:
        raise mismatch_error(path, error) from None
    return Session(trainer, metadata["history"], metadata["extra"])


def trainer_state(path: Path, trainer: Trainer, metadata: dict, tensors: dict) -> dict:
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
            raise mismatch_error(path, ValueError(f"{role}: {error}")) from None
    state["rng"] = tensors["rng/training"]
    state["evaluation_rng"] = tensors["rng/evaluation"]
    state.update({k: metadata["counters"][k] for k in COUNTERS})
    state[LECAM] = {"values": tensors.get(LECAM)}
    average = _prefixed(tensors, AVERAGE + "/")
    if average:
        updates = metadata["counters"].get(AVERAGE_UPDATES, 0)
        if not is_counter(updates):
            raise SessionFileError(f"{path}: the session's counters are damaged")
        state[AVERAGE] = {"module": average, "updates": updates}
    return state


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


def _prefixed(tensors: dict, prefix: str) -> dict:
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
