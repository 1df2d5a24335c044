"""Entry point of the desktop app: `run_app()` opens the main window and runs the event loop."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication

from ganlab.app.system_libraries import check_xcb_libraries, display_problem, uses_xcb

log = logging.getLogger(__name__)

MISSING_LIBRARIES_EXIT_CODE = 3  # Qt could not start: system libraries or the X display missing


def run_app(argv: list[str] | None = None) -> int:
    """Create the QApplication, show the main window, run until it closes; return the exit code
    (`MISSING_LIBRARIES_EXIT_CODE`, with a message naming the packages to install, when Qt's
    X11 platform would not start for want of system libraries)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    argv = list(argv if argv is not None else sys.argv)
    app = QApplication.instance()
    if app is None:
        problem = check_xcb_libraries(argv=argv)
        if problem is None and uses_xcb(argv=argv):
            problem = display_problem()
        if problem is not None:  # Qt would abort with a message naming the wrong package
            log.error("%s", problem)
            return MISSING_LIBRARIES_EXIT_CODE
        app = QApplication(argv)

    from ganlab.app.main_window import MainWindow, theme_app

    app.setApplicationName("ganlab")
    theme_app()
    window = MainWindow()
    window.show()
    code = app.exec()
    # a worker still busy after the window closed (say, closed during its start-up) must end
    # before the interpreter does, or torch's threads abort the process on the way out
    window.session.shutdown(timeout=0.0)
    window.session.wait_for_worker(30.0)
    return code


if __name__ == "__main__":
    raise SystemExit(run_app())
