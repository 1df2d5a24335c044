"""Name the calling thread for the operating system (Linux: what `top -H`, `ps -L` and
/proc/PID/task/TID/comm show), so the CPU time of the training process's threads can be told
apart (`benchmarks/app_thread_cpu.py`). Python 3.11 names its threads only for itself.
Failing quietly is fine: it is only a label."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

PR_SET_NAME = 15  # prctl(2)
MAX_NAME_BYTES = 15  # the kernel keeps 16 bytes, the last one a NUL


def name_native_thread(name: str) -> bool:
    """Give the calling thread the OS name `name` (cut to 15 bytes); True if it took."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_NAME, name.encode()[:MAX_NAME_BYTES], 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
