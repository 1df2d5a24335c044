"""A run's output folder, replaced whole or not at all.

`RunFolder(path)` checks, before any training, that results can go to `path`: it creates a
fresh hidden sibling, `.NAME.ganlab-partial.PID.TOKEN`, in the same parent (the write probe),
into which the run writes everything. `commit()` then swaps it in with two renames in one
folder (old run → `.NAME.ganlab-replaced.PID.TOKEN`, new → `NAME`) and deletes the old one; a
failure before that leaves the old run untouched and removes the partial folder. At every
moment `NAME` is the old run or the whole new one; a writer killed between the two renames
leaves the old run under its hidden name, and the next `RunFolder` for that path puts it
back. Temporaries of writers that are no longer running are removed.

An existing folder is only ever replaced when it holds nothing but a ganlab run's files and
`overwrite` is true; a folder with anything else in it is never replaced.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import shutil
import sys
from pathlib import Path

from ganlab.core.atomic_file import process_alive

log = logging.getLogger(__name__)

#: every file a run folder may hold (`ganlab.core.headless` writes them)
RUN_FILES = frozenset({"config.json", "metrics.json", "samples.npy", "generator.safetensors",
                       "generator.json", "session.ganlab"})
_PARTIAL, _REPLACED = "ganlab-partial", "ganlab-replaced"


class RunFolderError(OSError):
    """Results cannot be written where asked; the message names the folder and says why."""


class RunExistsError(RunFolderError):
    """The folder already holds a run and replacing it was not allowed."""


class RunWriteError(RunFolderError):
    """Writing or publishing the results failed partway; the old run is unchanged."""


class RunFolder:
    """The staging folder of one run's results and the swap that publishes them.

    Use as a context manager: leaving it without `commit()` (an error, Ctrl+C) removes the
    staging folder and leaves the old run as it was."""

    def __init__(self, path: str | Path, overwrite: bool = False):
        self.path = Path(path)
        self.committed = False
        self.final = Path(os.path.realpath(self.path))  # a symlinked folder is written in place
        self._clean_stale_temporaries()
        self._check_destination(overwrite)
        token = f"{os.getpid()}.{secrets.token_hex(4)}"
        self.staging = self.final.parent / f".{self.final.name}.{_PARTIAL}.{token}"
        self._backup = self.final.parent / f".{self.final.name}.{_REPLACED}.{token}"
        try:
            self.staging.mkdir()
            probe = self.staging / ".probe"
            probe.write_bytes(b"ganlab")
            probe.unlink()
        except OSError as error:
            self.discard()
            raise RunFolderError(f"{self.path}: cannot write results there "
                                 f"({_reason(error)})") from None

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc_info) -> None:
        if not self.committed:
            self.discard()

    def commit(self) -> None:
        """Publish the staging folder as the run folder, replacing the old run."""
        _fsync_folder(self.staging)
        had_old = self.final.exists()
        try:
            if had_old:
                os.rename(self.final, self._backup)
            try:
                os.rename(self.staging, self.final)
            except OSError:
                if had_old:
                    os.rename(self._backup, self.final)
                raise
        except OSError as error:
            self.discard()
            raise RunWriteError(
                f"{self.path}: cannot replace the folder with the new results "
                f"({_reason(error)}); the previous contents are unchanged"
            ) from None
        self.committed = True
        _fsync_folder(self.final.parent)
        if had_old:
            shutil.rmtree(self._backup, ignore_errors=True)
            if self._backup.exists():
                log.warning("could not remove %s; the next run for %s removes it", self._backup,
                            self.path)

    def discard(self) -> None:
        """Remove the staging folder (the old run is untouched)."""
        shutil.rmtree(self.staging, ignore_errors=True)

    # ------------------------------------------------------------------ checks
    def _check_destination(self, overwrite: bool) -> None:
        final = self.final
        if final.parent == final:
            raise RunFolderError(f"{self.path}: the root folder cannot be a run folder")
        ancestor = final.parent
        while not ancestor.exists():
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            raise RunFolderError(f"{self.path}: {ancestor} is a file, not a folder")
        if final.exists() and not final.is_dir():
            raise RunFolderError(f"{self.path}: is a file, not a folder")
        cwd = Path.cwd().resolve()
        if final == cwd or final in cwd.parents:
            raise RunFolderError(f"{self.path}: holds the current folder; give a folder for this "
                                 "run alone")
        try:
            self.final.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RunFolderError(f"{self.path}: cannot create {self.final.parent} "
                                 f"({_reason(error)})") from None
        if not final.is_dir():
            return
        if os.path.ismount(final):
            raise RunFolderError(f"{self.path}: is a mount point; give a folder inside it")
        try:
            names = {entry.name for entry in os.scandir(final)}
        except OSError as error:
            raise RunFolderError(f"{self.path}: cannot be read ({_reason(error)})") from None
        foreign = sorted(n for n in names if n not in RUN_FILES and not _leftover_of_run(n))
        if foreign:
            raise RunFolderError(
                f"{self.path}: holds files that are not a ganlab run's (such as {foreign[0]!r}); "
                "give a new or empty folder"
            )
        if names and not overwrite:
            raise RunExistsError(f"{self.path}: already holds a run")

    def _clean_stale_temporaries(self) -> None:
        """Remove the partial folders of dead writers; put back a run a dead writer had moved
        aside and not replaced."""
        parent, name = self.final.parent, self.final.name
        pattern = re.compile(rf"\.{re.escape(name)}\.({_PARTIAL}|{_REPLACED})\.(\d+)\.[0-9a-f]+")
        try:
            entries = sorted(os.scandir(parent), key=lambda e: e.name)
        except OSError:
            return  # the destination checks report an unusable parent
        for entry in entries:
            match = pattern.fullmatch(entry.name)
            if not match or process_alive(int(match.group(2))):
                continue
            path = Path(entry.path)
            if match.group(1) == _REPLACED and not self.final.exists():
                with contextlib.suppress(OSError):
                    os.rename(path, self.final)
                    log.warning("restored %s, moved aside by a writer that stopped", self.final)
                    continue
            log.info("removing %s, left by a writer that stopped", path)
            shutil.rmtree(path, ignore_errors=True)


def _leftover_of_run(name: str) -> bool:
    """A temporary file an interrupted atomic write of a run file left (`.NAME.xxxx.tmp`)."""
    return any(name.startswith(f".{run_file}.") and name.endswith(".tmp") for run_file in RUN_FILES)


def _fsync_folder(path: Path) -> None:
    """Make renames inside `path` durable (POSIX; folders cannot be opened on Windows)."""
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _reason(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__
