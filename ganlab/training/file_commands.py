"""File commands the GUI asks of the worker: save or open a session, export the generator or
samples. They run in the worker thread between iterations, because the worker owns every trainer
and tensor; the GUI never touches a trainer.

The GUI queues a command with `PendingChanges.request_file_command`; the worker runs it with
`run_file_command` and hands a `FileResult` back through a `ResultQueue` that the session drains
on its refresh tick. Every failure becomes a result with `ok=False` and a message naming the file;
nothing here raises into the worker loop. Each command gets exactly one result; its `ticket`
(given by the GUI's session) tells which request a result answers. The commands and results
are plain data the GUI builds and reads without torch; running them imports what they need.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ganlab.core.atomic_file import atomic_write
from ganlab.core.config import RunConfig

log = logging.getLogger(__name__)

SAMPLE_SEED = 12345  # exported samples come from their own seeded noise (training is unaffected)


@dataclass(frozen=True)
class SaveSession:
    """Save run `run` (0 = run A) with the GUI's chart history; `autosave` writes through an
    `Autosave` (which restarts its interval) instead of to `path`."""

    path: str
    history: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    run: int = 0
    autosave: object | None = None
    ticket: int = 0
    members: dict = field(default_factory=dict)  # more archive members (timeline keyframes)


@dataclass(frozen=True)
class OpenSession:
    """Replace every run by the session in `path` (compare mode ends)."""

    path: str
    ticket: int = 0


@dataclass(frozen=True)
class ExportGenerator:
    """PATH.safetensors + PATH.json, or an ONNX model when `path` ends in .onnx."""

    path: str
    run: int = 0
    ticket: int = 0


@dataclass(frozen=True)
class ExportSamples:
    """`count` generated points as CSV or NPY (by the suffix of `path`)."""

    path: str
    count: int = 2500
    run: int = 0
    ticket: int = 0


FileCommand = SaveSession | OpenSession | ExportGenerator | ExportSamples


@dataclass(frozen=True)
class FileResult:
    command: FileCommand
    ok: bool
    message: str  # for the status bar (success) or the error box (failure)
    config: RunConfig | None = None  # OpenSession: the configuration now trained
    history: list = field(default_factory=list)  # OpenSession: the saved chart history
    extra: dict = field(default_factory=dict)
    iteration: int = 0
    epoch: int = 0  # OpenSession: the worker's epoch once the session was adopted
    #: OpenSession: the arrays `config` refers to, {reference: array} (see `data_store`)
    data: dict = field(default_factory=dict)


class ResultQueue:
    """Worker → GUI: a thread-safe queue of finished file commands. It drops nothing: it holds
    at most one result per command not yet read, and the GUI's session keeps at most
    `ganlab.training.pending_changes.MAX_FILE_COMMANDS` commands unanswered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._results: deque[FileResult] = deque()

    def put(self, result: FileResult) -> None:
        with self._lock:
            self._results.append(result)

    def take_all(self) -> list[FileResult]:
        with self._lock:
            results = list(self._results)
            self._results.clear()
            return results


def not_done(command: FileCommand, why: str) -> FileResult:
    """The failed result of a command that could not run at all; `why` says why."""
    return FileResult(command, False, f"{command.path}: not done: {why}")


def run_file_command(command: FileCommand, trainers: list) -> FileResult:
    """Run one command that needs a trainer (not OpenSession: the worker adopts that itself)."""
    try:
        if not trainers:
            return FileResult(command, False, f"{command.path}: nothing is training yet")
        trainer = trainers[min(command.run, len(trainers) - 1)]
        if isinstance(command, SaveSession):
            return _save(command, trainer)
        if isinstance(command, ExportGenerator):
            return _export_generator(command, trainer)
        if isinstance(command, ExportSamples):
            return _export_samples(command, trainer)
        raise TypeError(f"unknown file command {command!r}")
    except Exception as error:  # a full disk, a read-only folder, a missing extra
        log.warning("file command failed: %s", error)
        return FileResult(command, False, f"{command.path}: {_describe(error)}")


def open_session(command: OpenSession, device: str | None = None):
    """(Session, None) or (None, FileResult with the reason): the loading half of OpenSession."""
    from ganlab.core.session_file import SessionFileError, load_session

    try:
        return load_session(command.path, device=device), None
    except SessionFileError as error:
        return None, FileResult(command, False, str(error))
    except Exception as error:  # anything unforeseen still must not stop training
        log.warning("could not open %s: %s", command.path, error)
        return None, FileResult(command, False, f"{command.path}: {_describe(error)}")


def _save(command: SaveSession, trainer) -> FileResult:
    from ganlab.core.session_file import Session, save_session

    session = Session(trainer, history=list(command.history), extra=dict(command.extra),
                      members=dict(command.members))
    if command.autosave is not None:
        path = command.autosave.save(session)
        return FileResult(command, True, f"Autosaved to {path}", iteration=trainer.iteration)
    path = save_session(session, command.path)
    return FileResult(command, True, f"Saved session to {path}", iteration=trainer.iteration)


def _export_generator(command: ExportGenerator, trainer) -> FileResult:
    from ganlab.core.export import export_generator

    path = Path(command.path)
    if path.suffix.lower() == ".onnx":
        from ganlab.core.onnx_export import export_onnx

        module = copy.deepcopy(trainer.data_generator).cpu()  # the trainer's stays where it is
        export_onnx(module, trainer.config.model.latent_dim, path)
        return FileResult(command, True, f"Exported the generator as ONNX to {path}")
    weights, description = export_generator(trainer, path)
    return FileResult(command, True, f"Exported the generator to {weights} and {description.name}")


def _export_samples(command: ExportSamples, trainer) -> FileResult:
    path = Path(command.path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".npy"):
        raise ValueError("samples are written as .csv or .npy")
    import torch

    rng = torch.Generator(device=trainer.device).manual_seed(SAMPLE_SEED)
    samples = trainer.sample(command.count, latent=trainer.latent_batch(command.count, rng))
    samples = np.asarray(samples, dtype=np.float64)

    def write(stream):
        if suffix == ".npy":
            np.save(stream, samples)
        else:
            header = ",".join(f"x{i}" for i in range(samples.shape[1]))
            np.savetxt(stream, samples, delimiter=",", header=header, comments="")

    atomic_write(path, write)
    return FileResult(command, True, f"Exported {len(samples):,} samples to {path}")


def _describe(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__
