"""The training process's helper threads run under SCHED_IDLE with their nice value, and carry
OS names (Linux): they take only a core that training and drawing leave free."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from ganlab.training.field_thread import FIELDS_NICENESS, FieldThread
from ganlab.training.metrics_thread import METRICS_NICENESS, MetricsThread
from ganlab.training.thread_names import name_native_thread
from ganlab.training.thread_priority import lower_this_threads_priority, runs_idle

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux threads")


def os_name(native_id: int) -> str:
    with open(f"/proc/self/task/{native_id}/comm") as comm:
        return comm.read().strip()


@linux_only
@pytest.mark.parametrize(("make", "niceness", "name"), [
    (FieldThread, FIELDS_NICENESS, "ganlab-fields"),
    (MetricsThread, METRICS_NICENESS, "ganlab-metrics"),
])
def test_helper_threads_run_idle_with_their_nice_value_and_name(make, niceness, name):
    helper = make()
    helper.start()
    try:
        for _ in range(200):  # the thread sets these first thing; wait for it (≤ 2 s)
            if runs_idle(helper.native_id) and os_name(helper.native_id) == name:
                break
            threading.Event().wait(0.01)
        assert runs_idle(helper.native_id)
        # (at least: without privileges a thread can't go below the nice value it started with)
        assert os.getpriority(os.PRIO_PROCESS, helper.native_id) >= niceness
        assert os_name(helper.native_id) == name
    finally:
        helper.stop(1.0)
    assert not runs_idle(threading.get_native_id())  # the caller's policy is untouched


@linux_only
def test_priority_and_name_apply_to_the_calling_thread_only():
    seen = {}
    start_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def helper():
        seen["idle"] = lower_this_threads_priority(start_nice + 1)
        seen["named"] = name_native_thread("a-very-long-thread-name")
        seen["id"] = threading.get_native_id()
        seen["policy"] = runs_idle(seen["id"])
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, seen["id"])
        seen["comm"] = os_name(seen["id"])

    thread = threading.Thread(target=helper)
    thread.start()
    thread.join(5.0)
    assert seen == {"idle": True, "named": True, "id": seen["id"], "policy": True,
                    "nice": start_nice + 1, "comm": "a-very-long-thr"}  # the kernel keeps 15 bytes
    assert not runs_idle(threading.get_native_id())
    assert os_name(threading.get_native_id()) != "a-very-long-thr"
