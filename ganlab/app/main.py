"""Entry point of the desktop app: `run_app()` opens the main window and runs the event loop."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication


def run_app(argv: list[str] | None = None) -> int:
    """Create the QApplication, show the main window, run until it closes; return the exit code."""
    from ganlab.app.main_window import MainWindow, theme_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(list(argv if argv is not None else sys.argv))
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
