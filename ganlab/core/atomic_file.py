"""Writing a file so that a crash mid-write never destroys the previous version, and cleaning
up after writers that were killed.

A write goes to `.NAME.PID.RANDOM.tmp` beside `NAME` and is renamed over it once complete. A
writer killed mid-write (kill -9, power loss) leaves its temporary behind; the next write to
the same `NAME` removes every temporary of `NAME` whose writer process is gone (the pid in its
name), and any of `NAME`'s temporaries older than `STALE_AFTER_S` (written by older versions,
without a pid, or by a pid since reused).
"""

from __future__ import annotations

import io
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

STALE_AFTER_S = 24 * 3600.0  # no write takes a day: a temporary this old has no writer


def atomic_write(path: str | Path, write: Callable[[io.BufferedWriter], None]) -> Path:
    """Write through a temporary file in the same folder, then rename over `path`.

    A crash or an error mid-write leaves the previous file untouched and no temporary behind;
    temporaries of `path` left by killed writers are removed first.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
    )
    try:
        # mkstemp makes an owner-only file; give it the mode a plain open() would have (or the
        # replaced file's), so results stay readable to whoever could read them before
        os.chmod(temporary, _mode_for(path))
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _current_umask() -> int:
    # read once at import: changing the umask to read it is not safe once threads run
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~_UMASK


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Remove the temporaries `atomic_write(path)` left when its writer died; return them.

    Only files named `.NAME.*.tmp` beside `path` are considered, and of those only ones whose
    writer (the pid after NAME) is no longer running, or that have not changed for
    `STALE_AFTER_S`. A live writer's temporary, ours included, is never touched.
    """
    path = Path(path)
    prefix, removed = f".{path.name}.", []
    try:
        candidates = [p for p in path.parent.iterdir()
                      if p.name.startswith(prefix) and p.name.endswith(".tmp")]
    except OSError:
        return removed
    now = time.time()
    for candidate in candidates:
        pid_text = candidate.name[len(prefix):].split(".", 1)[0]
        writer_gone = pid_text.isdecimal() and not process_alive(int(pid_text))
        try:
            old = now - candidate.lstat().st_mtime > STALE_AFTER_S
            if (writer_gone or old) and candidate.is_file() and not candidate.is_symlink():
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            continue  # gone already, or not ours to remove
    if removed:
        log.info("removed %d temporary file(s) left by interrupted saves of %s",
                 len(removed), path)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs now (ours counts as running)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process on Windows
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)
        if handle:
            ctypes.windll.kernel32.CloseHandle(handle)
        return bool(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True
