"""Entry point of the desktop app: `run_app()` opens the main window and runs the event loop.

What can stop the app from starting is said in words, never by a silent exit: missing system
libraries or no display (exit code `MISSING_LIBRARIES_EXIT_CODE`, before Qt would abort), an
installation without its lessons (a message box, `BROKEN_INSTALL_EXIT_CODE`), a user data folder
that cannot be created (the app runs without autosave and the status bar says so). Without a
console (a windowed bundle) the log goes to a file (`log_file`).
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMessageBox

from ganlab.app.log_file import set_up_logging
from ganlab.app.system_libraries import check_xcb_libraries, display_problem, uses_xcb

log = logging.getLogger(__name__)

MISSING_LIBRARIES_EXIT_CODE = 3  # Qt could not start: system libraries or the X display missing
BROKEN_INSTALL_EXIT_CODE = 4  # the shipped resources (lessons) are missing


class _FirstPaint(QObject):
    """Logs "window shown" at the window's first paint (what a launch-time measurement of an
    installed bundle waits for), then removes itself."""

    def eventFilter(self, watched, event):  # Qt's name
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            log.info("window shown")
        return False


def run_app(argv: list[str] | None = None, *, self_test: bool = False) -> int:
    """Create the QApplication, show the main window, run until it closes; return the exit code
    (`MISSING_LIBRARIES_EXIT_CODE`, with a message naming the packages to install, when Qt's
    X11 platform would not start for want of system libraries or of a display). With
    `self_test`, run `ganlab.app.self_test` instead (offscreen unless a platform is set)."""
    log_path = set_up_logging(logging.INFO)
    argv = list(argv if argv is not None else sys.argv)
    if self_test:
        from ganlab.app.self_test import run_self_test

        return run_self_test(argv)
    app = QApplication.instance()
    if app is None:
        problem = check_xcb_libraries(argv=argv)
        if problem is None and uses_xcb(argv=argv):
            problem = display_problem()
        if problem is not None:  # Qt would abort with a message naming the wrong package
            log.error("%s", problem)
            return MISSING_LIBRARIES_EXIT_CODE
        app = QApplication(argv)

    from ganlab.app.lessons import LessonsMissingError
    from ganlab.app.main_window import MainWindow, theme_app

    app.setApplicationName("ganlab")
    theme_app()
    try:
        window = MainWindow()
    except LessonsMissingError as error:
        log.error("%s", error)
        where = f"\n\nThe log is in {log_path}." if log_path else ""
        QMessageBox.critical(None, "ganlab is not installed completely", f"{error}{where}")
        return BROKEN_INSTALL_EXIT_CODE
    first_paint = _FirstPaint(window)
    window.installEventFilter(first_paint)
    window.show()
    if not window.autosave_control.timer.isActive():
        window.statusBar().showMessage(
            f"Autosave is off: the data folder {window.autosave.folder} cannot be created or "
            "written (set GANLAB_DATA_DIR to a folder you can write).", 30000)
    code = app.exec()
    # a worker still busy after the window closed (say, closed during its start-up) must end
    # before the interpreter does, or torch's threads abort the process on the way out
    window.session.shutdown(timeout=0.0)
    window.session.wait_for_worker(30.0)
    return code


if __name__ == "__main__":
    raise SystemExit(run_app())
