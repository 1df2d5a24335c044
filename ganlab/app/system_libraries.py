"""The system libraries Qt's X11 (xcb) platform plugin needs, checked before Qt tries to load it.

Without one of them Qt aborts with "Could not load the Qt platform plugin "xcb"" and, since
Qt 6.5, names only `libxcb-cursor0`, whichever library is really missing. A fresh Ubuntu or
Debian desktop usually lacks `libxcb-icccm4` and `libxcb-keysyms1`. `missing_libraries()` tries
to load each shared library that PySide6's `libqxcb.so`, `libQt6XcbQpa.so` and `libQt6Gui.so`
link against (read with `readelf -d` from PySide6 6.11; libc and libstdc++ left out) and
`install_hint()` names the Debian/Ubuntu packages that hold the missing ones.

Only the xcb platform is checked: offscreen, wayland, Windows and macOS need none of these.
`display_problem()` then checks that an X server answers at $DISPLAY: without one Qt aborts
with the same misleading message (and a core dump).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# soname → the Debian/Ubuntu package that provides it (checked with `dpkg -S` on Debian 12)
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}


def can_load(soname: str) -> bool:
    """True if the dynamic loader finds and loads `soname`."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb(environ: Mapping[str, str] | None = None, argv: list[str] | None = None) -> bool:
    """True if Qt will start with its X11 (xcb) platform plugin on this machine."""
    if not sys.platform.startswith("linux"):
        return False
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    platform = environ.get("QT_QPA_PLATFORM", "")
    for index, argument in enumerate(argv[:-1]):  # `-platform NAME` overrides the variable
        if argument in ("-platform", "--platform"):
            platform = argv[index + 1]
    if platform:
        return platform.split(";")[0].split(":")[0].strip() == "xcb"
    # Qt 6 prefers wayland in a wayland session, xcb everywhere else
    wayland = environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY")
    return not wayland


def missing_libraries(loader: Callable[[str], bool] | None = None) -> list[str]:
    """The sonames of `XCB_LIBRARIES` that `loader` (default `can_load`) cannot load, in the
    table's order."""
    loader = loader or can_load
    return [soname for soname in XCB_LIBRARIES if not loader(soname)]


def install_hint(missing: list[str]) -> str:
    """One message naming the missing libraries and the command that installs them."""
    packages = sorted({XCB_LIBRARIES[soname] for soname in missing})
    return (
        "ganlab cannot open its window: Qt's X11 (xcb) platform needs system libraries that "
        f"are not installed ({', '.join(missing)}).\n"
        "On Debian or Ubuntu, install them with:\n\n"
        f"    sudo apt-get install {' '.join(packages)}\n\n"
        "(other distributions name the packages differently: look for the libraries above), "
        "or run ganlab under Wayland with QT_QPA_PLATFORM=wayland."
    )


def check_xcb_libraries(loader: Callable[[str], bool] | None = None,
                        environ: Mapping[str, str] | None = None,
                        argv: list[str] | None = None) -> str | None:
    """None if Qt can start here; otherwise the message of `install_hint`."""
    if not uses_xcb(environ, argv):
        return None
    missing = missing_libraries(loader)
    return install_hint(missing) if missing else None


def can_connect(display: str) -> bool:
    """True if an X server accepts a connection at `display` (through libxcb, as Qt would)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True  # `missing_libraries` reports a missing libxcb
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)  # never NULL: an error object at worst
    try:
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)


def display_problem(environ: Mapping[str, str] | None = None,
                    connect: Callable[[str], bool] | None = None) -> str | None:
    """None if an X server answers at $DISPLAY; otherwise one message saying what to do."""
    environ = os.environ if environ is None else environ
    display = environ.get("DISPLAY", "")
    advice = ("Run it from a desktop session, or without a screen under a virtual one: "
              "xvfb-run ganlab")
    if not display:
        return f"ganlab cannot open its window: no X display (DISPLAY is not set). {advice}"
    if not (connect or can_connect)(display):
        return (f"ganlab cannot open its window: no X server answers at DISPLAY={display}. "
                f"{advice}")
    return None
