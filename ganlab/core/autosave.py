"""Autosave: a running session is saved to the user's data folder now and then and on exit;
after a crash, the next start can offer to restore it.

Temporaries of an autosave killed mid-write are removed at the next start and the next save.
How a crash is told from a clean exit: `start()` writes a marker file holding the process id;
`finish()` (a clean exit) removes it. A marker left by a process that no longer runs means the
last run ended without finishing: if its autosave exists, it is worth offering back.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ganlab.core.atomic_file import process_alive, remove_stale_temporaries

if TYPE_CHECKING:  # sessions hold torch state: saved and restored by the training process only
    from ganlab.core.session_file import Session

log = logging.getLogger(__name__)

AUTOSAVE_INTERVAL_S = 60.0  # seconds of training between autosaves
AUTOSAVE_NAME = "autosave.ganlab"
MARKER_NAME = "running.json"


def default_data_folder() -> Path:
    """The per-user data folder: $GANLAB_DATA_DIR, else the platform's usual place."""
    override = os.environ.get("GANLAB_DATA_DIR")
    if override:
        return Path(override)
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local")) / "ganlab"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "ganlab"
    return Path(os.environ.get("XDG_DATA_HOME", home / ".local" / "share")) / "ganlab"


class Autosave:
    """The autosave file and the crash marker in one folder."""

    def __init__(self, folder: str | Path | None = None, interval_s: float = AUTOSAVE_INTERVAL_S):
        self.folder = Path(folder) if folder is not None else default_data_folder()
        self.interval_s = interval_s
        self.path = self.folder / AUTOSAVE_NAME
        self.marker = self.folder / MARKER_NAME
        self._training_seconds = 0.0

    def start(self) -> bool:
        """Mark this process as running; True when the previous run crashed and left an
        autosave to offer back."""
        crashed = False
        if self.marker.exists():
            try:
                pid = int(json.loads(self.marker.read_text()).get("pid", -1))
            except (OSError, ValueError, AttributeError, TypeError):
                pid = -1
            crashed = not process_alive(pid) or pid == os.getpid()
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(self.path)  # left by an autosave that was killed mid-write
        self.marker.write_text(json.dumps({"pid": os.getpid(), "started": time.time()}))
        return crashed and self.path.exists()

    def finish(self) -> None:
        """A clean exit: nothing to offer next time."""
        self.marker.unlink(missing_ok=True)

    def add_training_time(self, seconds: float) -> bool:
        """Count seconds spent training; True when an autosave is due."""
        self._training_seconds += seconds
        return self._training_seconds >= self.interval_s

    def restart_interval(self) -> None:
        """Count the next interval from zero (a save was just made or asked for)."""
        self._training_seconds = 0.0

    def save(self, session: Session) -> Path:
        """Save now (atomically) and restart the interval."""
        from ganlab.core.session_file import save_session

        self.restart_interval()
        return save_session(session, self.path)

    def restore(self, device: str | None = None) -> Session:
        from ganlab.core.session_file import load_session

        return load_session(self.path, device=device)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)

    def saved_at(self) -> float | None:
        """Modification time of the autosave, or None."""
        try:
            return self.path.stat().st_mtime
        except OSError:
            return None


__all__ = ["AUTOSAVE_INTERVAL_S", "Autosave", "default_data_folder"]
