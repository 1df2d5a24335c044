"""Where the app's log goes: to stderr when there is one, and to `ganlab.log` in the user data
folder when the app runs from an installed bundle or has no console.

A windowed bundle (the Start menu, the macOS .app, a desktop entry) has no terminal: on Windows
and macOS `sys.stderr` is None, elsewhere it goes nowhere anyone looks. There every warning and
every uncaught exception is written to a file a workshop helper can ask for. The file rotates
(`MAX_LOG_BYTES`, `LOG_BACKUPS` old copies). If the data folder cannot be created, the log goes
to the system's temporary folder and the first line says why.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "ganlab.log"
MAX_LOG_BYTES = 1_000_000
LOG_BACKUPS = 2
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
FILE_FORMAT = "%(asctime)s %(process)d " + LOG_FORMAT


def frozen() -> bool:
    """True inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


def has_console() -> bool:
    """True if this process has a stderr to write to."""
    return sys.stderr is not None


def user_data_folder() -> Path:
    """The per-user data folder (`$GANLAB_DATA_DIR`, else the platform's usual place)."""
    from ganlab.core.autosave import default_data_folder

    return default_data_folder()


def open_log_file(folder: Path | None = None) -> tuple[RotatingFileHandler, str | None]:
    """A handler writing `LOG_NAME` in `folder` (default: the user data folder), or in the
    temporary folder when that one cannot be created or written; the second item then says
    why (None otherwise)."""
    folder = user_data_folder() if folder is None else folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return RotatingFileHandler(folder / LOG_NAME, maxBytes=MAX_LOG_BYTES,
                                   backupCount=LOG_BACKUPS, encoding="utf-8"), None
    except OSError as error:
        reason = (f"the data folder {folder} cannot be used ({error.strerror or error}); "
                  "autosave is off and the log is here")
        fallback = Path(tempfile.gettempdir()) / LOG_NAME
        return RotatingFileHandler(fallback, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS,
                                   encoding="utf-8"), reason


def set_up_logging(level: int = logging.INFO, *, to_file: bool | None = None,
                   folder: Path | None = None) -> Path | None:
    """Configure the root logger once: stderr if there is one; a log file as well when
    `to_file` (default: frozen or no console). Without a console, `sys.stderr` and
    `sys.stdout` are pointed at the file too, so tracebacks and stray prints land there.
    Returns the log file's path, or None when there is none."""
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):  # made by basicConfig when there was no stderr
        if type(handler) is logging.StreamHandler and handler.stream is None:
            root.removeHandler(handler)
    if has_console() and not any(isinstance(h, logging.StreamHandler) and
                                 not isinstance(h, logging.FileHandler) for h in root.handlers):
        console = logging.StreamHandler()
        console.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(console)
    if to_file is None:
        to_file = frozen() or not has_console()
    if not to_file:
        return None
    existing = [h for h in root.handlers if isinstance(h, RotatingFileHandler)]
    if existing:
        return Path(existing[0].baseFilename)
    handler, problem = open_log_file(folder)
    handler.setFormatter(logging.Formatter(FILE_FORMAT))
    root.addHandler(handler)
    console = has_console()
    if not console:
        sys.stderr = sys.stdout = _IntoLogFile(handler)
    if problem:
        logging.getLogger(__name__).warning("%s", problem)
    _log_uncaught_exceptions(handler, console)
    return Path(handler.baseFilename)


class _IntoLogFile:
    """A text stream that writes into the log file's current stream (it changes when the file
    rotates)."""

    def __init__(self, handler: RotatingFileHandler):
        self._handler = handler

    def write(self, text: str) -> int:
        with self._handler.lock:
            if self._handler.stream is None:
                self._handler.stream = self._handler._open()
            return self._handler.stream.write(text)

    def flush(self) -> None:
        self._handler.flush()

    def isatty(self) -> bool:
        return False


def _log_uncaught_exceptions(handler: logging.Handler, console: bool) -> None:
    """An exception nobody caught goes to the log file (a windowed app would lose it); a
    console, if there is one, shows it as usual."""
    previous = sys.excepthook
    logger = logging.getLogger("ganlab")

    def log_and_pass_on(kind, value, traceback):
        if not issubclass(kind, KeyboardInterrupt):
            handler.handle(logger.makeRecord(logger.name, logging.CRITICAL, __file__, 0,
                                             "uncaught exception", (),
                                             (kind, value, traceback)))
        if console:
            previous(kind, value, traceback)

    sys.excepthook = log_and_pass_on
