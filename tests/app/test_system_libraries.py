"""Start-up on Linux: missing X11 libraries get one message with the command that installs them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ganlab.app import system_libraries
from ganlab.app.system_libraries import (
    XCB_LIBRARIES,
    check_xcb_libraries,
    install_hint,
    missing_libraries,
    uses_xcb,
)

LINUX = sys.platform.startswith("linux")
FRESH_DESKTOP = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}  # what a fresh Ubuntu lacks


def loader_without(absent: set[str]):
    return lambda soname: soname not in absent


@pytest.mark.skipif(not LINUX, reason="xcb is Linux's platform")
def test_missing_libraries_are_named_with_their_packages():
    problem = check_xcb_libraries(loader_without(FRESH_DESKTOP), environ={"DISPLAY": ":0"},
                                  argv=["ganlab"])
    assert problem is not None
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in problem
    assert "    sudo apt-get install libxcb-icccm4 libxcb-keysyms1\n" in problem


def test_a_package_holding_two_missing_libraries_is_named_once():
    hint = install_hint(["libglib-2.0.so.0", "libgthread-2.0.so.0", "libGL.so.1"])
    assert "sudo apt-get install libgl1 libglib2.0-0\n" in hint


@pytest.mark.skipif(not LINUX, reason="xcb is Linux's platform")
def test_nothing_is_said_when_every_library_loads_or_xcb_is_not_used():
    everything = loader_without(set())
    assert check_xcb_libraries(everything, environ={}, argv=["ganlab"]) is None
    nothing = loader_without(set(XCB_LIBRARIES))
    for environ, argv in [({"QT_QPA_PLATFORM": "offscreen"}, ["ganlab"]),
                          ({"QT_QPA_PLATFORM": "wayland;xcb"}, ["ganlab"]),
                          ({}, ["ganlab", "-platform", "offscreen"]),
                          ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"},
                           ["ganlab"])]:
        assert check_xcb_libraries(nothing, environ=environ, argv=argv) is None, environ


@pytest.mark.skipif(not LINUX, reason="xcb is Linux's platform")
def test_xcb_is_recognised_however_it_is_chosen():
    assert uses_xcb({}, ["ganlab"])
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"}, ["ganlab"])
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb:nograb"}, ["ganlab"])
    assert uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, ["ganlab", "-platform", "xcb"])


def test_the_loader_answers_for_a_library_every_linux_has_and_one_nobody_has():
    assert not system_libraries.can_load("libganlab-does-not-exist.so.7")
    if LINUX:
        assert system_libraries.can_load("libc.so.6")
    assert missing_libraries(loader_without({"libEGL.so.1"})) == ["libEGL.so.1"]


@pytest.mark.skipif(not LINUX, reason="xcb is Linux's platform")
def test_the_app_exits_with_the_message_before_qt_starts(tmp_path):
    """The real start-up path, in a process of its own (no QApplication yet), with the loader
    told that two libraries are missing."""
    script = (
        "import sys\n"
        "from ganlab.app import system_libraries\n"
        f"system_libraries.can_load = lambda soname: soname not in {sorted(FRESH_DESKTOP)!r}\n"
        "from ganlab.app.main import run_app\n"
        "sys.exit(run_app(['ganlab']))\n"
    )
    environ = {key: value for key, value in os.environ.items()
               if key not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    environ["QT_QPA_PLATFORM"] = "xcb"
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env=environ, timeout=120, check=False)
    assert finished.returncode == 3, finished.stderr
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in finished.stderr
    assert "Could not load the Qt platform plugin" not in finished.stderr


@pytest.mark.skipif(not LINUX, reason="xcb is Linux's platform")
def test_a_missing_or_silent_x_display_is_named_before_qt_starts():
    assert "DISPLAY is not set" in system_libraries.display_problem({})
    silent = system_libraries.display_problem({"DISPLAY": ":4321"}, connect=lambda d: False)
    assert "no X server answers at DISPLAY=:4321" in silent and "xvfb-run ganlab" in silent
    assert system_libraries.display_problem({"DISPLAY": ":0"}, connect=lambda d: True) is None
    # the real connection attempt, to a display nobody serves
    assert not system_libraries.can_connect(":4321")


@pytest.mark.skipif(not LINUX, reason="xcb is Linux's platform")
def test_the_app_says_there_is_no_display_instead_of_aborting():
    environ = {key: value for key, value in os.environ.items()
               if key not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "DISPLAY")}
    environ.update(QT_QPA_PLATFORM="xcb", DISPLAY=":4321")
    script = "import sys\nfrom ganlab.app.main import run_app\nsys.exit(run_app(['ganlab']))\n"
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env=environ, timeout=120, check=False)
    if "cannot open its window: Qt's X11" in finished.stderr:
        pytest.skip("this machine lacks the xcb libraries themselves")
    assert finished.returncode == 3, finished.stderr
    assert "no X server answers at DISPLAY=:4321" in finished.stderr
