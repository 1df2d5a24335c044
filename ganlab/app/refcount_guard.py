"""A guard against a reference-counting bug of shiboken6 6.12.0 on Python 3.11 and older.

With PySide6/shiboken6 6.12.0 every call of a Qt method that returns nothing (`setText`,
`setPen`, ...) drops one reference to `None` that it never took, and methods returning a bool
do the same to `True`/`False` (the bindings treat these as immortal, which they are only from
Python 3.12 on). A drawing app makes thousands of such calls a second, so the count reaches zero
within a minute and CPython aborts ("none_dealloc", "bool_dealloc"). 6.11.3 has no such bug.

`install()` measures whether the running bindings have the bug and, only then, raises the
reference counts of these singletons by 2⁴⁰ — in effect making them immortal as Python 3.12
does — which keeps the app alive for years of calls. The proper fix is a PySide6 version without
the bug (or Python ≥ 3.12).
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

TOP_UP = 2**40
PROBE_CALLS = 64
SINGLETONS = (None, True, False, Ellipsis, NotImplemented)  # immortal from Python 3.12 on
_installed = False


def bindings_drop_none_references() -> bool:
    """True if a void Qt call loses a reference to None here."""
    if sys.version_info >= (3, 12):
        return False  # None is immortal
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")
    lost = before - sys.getrefcount(None)
    return lost >= PROBE_CALLS // 2


def install() -> bool:
    """Apply the workaround if this process needs it; True if it was applied (now or before)."""
    global _installed
    if _installed:
        return True
    if not bindings_drop_none_references():
        return False
    # ob_refcnt is the first field of every PyObject in release builds of CPython ≤ 3.11
    for singleton in SINGLETONS:
        ctypes.c_ssize_t.from_address(id(singleton)).value += TOP_UP
    _installed = True
    log.warning(
        "this PySide6/shiboken6 build loses references to None/True/False on Qt calls; "
        "applied a workaround (use PySide6 6.11.x or Python 3.12+ to avoid it)"
    )
    return True
