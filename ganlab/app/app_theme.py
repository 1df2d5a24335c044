"""Setting up the running QApplication for ganlab, once: its theme, a short GIL switch interval,
single-threaded BLAS in the GUI process and room in the pixmap cache for the cached layers."""

from __future__ import annotations

import sys

from ganlab.app import theme
from ganlab.app.pixmap_cache import size_pixmap_cache

GIL_SWITCH_INTERVAL_S = 0.001  # hand the GIL between the GUI and the worker every 1 ms


def theme_app() -> None:
    """Theme the running QApplication once, and shorten the GIL switch interval so the worker
    thread never waits long for Python while the GUI draws (the default is 5 ms)."""
    from PySide6.QtWidgets import QApplication

    from ganlab.training.blas_threads import limit_blas_threads

    app = QApplication.instance()
    if app is not None and not getattr(app, "_ganlab_themed", False):
        theme.apply_theme(app)
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
        limit_blas_threads(1)
        size_pixmap_cache()
        app._ganlab_themed = True
