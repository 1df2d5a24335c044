"""Helper threads of the training process that yield the CPU to training and drawing.

On the 2-core machines the app targets, the training thread has one core and the window the
other; the field and metrics threads are meant to use only what those two leave. A nice value
(10) is not enough for that: CFS still gives a nice-10 thread ~10% of a core it shares with a
nice-0 one, and when the window is drawing on its core, the helper is moved next to the training
thread and takes that share from it. `SCHED_IDLE` (Linux, per thread, allowed without
privileges) gives such a thread a weight of 3 against 1024 for a nice-0 one: it runs on a core
that has nothing else to run. The nice value is still set (it is what `ps` shows and what
`benchmarks/draw_cost.py` tells the threads apart by). Elsewhere this does nothing.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger(__name__)


def lower_this_threads_priority(niceness: int, idle: bool = True) -> bool:
    """Give the calling thread the nice value `niceness` and, with `idle`, the `SCHED_IDLE`
    policy (Linux only); True if the policy took (or was not asked for)."""
    if not hasattr(os, "setpriority") or not sys.platform.startswith("linux"):
        return False
    thread = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread, niceness)
    except OSError as error:
        log.debug("could not lower a helper thread's priority: %s", error)
    if not idle or not hasattr(os, "SCHED_IDLE"):
        return not idle
    try:
        os.sched_setscheduler(thread, os.SCHED_IDLE, os.sched_param(0))
    except OSError as error:
        log.debug("could not make a helper thread SCHED_IDLE: %s", error)
        return False
    return True


def runs_idle(thread_id: int) -> bool:
    """Whether the thread with native id `thread_id` runs under `SCHED_IDLE` (tests)."""
    return hasattr(os, "SCHED_IDLE") and os.sched_getscheduler(thread_id) == os.SCHED_IDLE
