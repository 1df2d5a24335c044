"""Where the CPU goes while the app trains and draws: CPU milliseconds per frame of every
thread of the window process, of the training process and of the X server, over the same
window as `app_benchmark.py`'s (every layer on).

Load-robust where wall-clock ratios are not: CPU time per frame barely changes with what else
the machine runs. Threads are named for the OS (`ganlab.training.thread_names`).

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/app_thread_cpu.py \\
        [--seconds 20] [--layers all]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TICKS = os.sysconf("SC_CLK_TCK")


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) of each thread of `pid`, summed by thread name."""
    totals: dict[str, float] = defaultdict(float)
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return {}
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        totals[name] += (int(fields[11]) + int(fields[12])) / TICKS
    return totals


def thread_schedule(pid: int, name: str) -> dict[str, float]:
    """Of the threads of `pid` called `name`: seconds on a CPU and seconds runnable but waiting
    for one (/proc/PID/task/TID/schedstat), and context switches (voluntary: it waited for
    something, a lock, the GIL, a sleep; involuntary: it was preempted)."""
    totals = defaultdict(float)
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as comm:
                if comm.read().strip() != name:
                    continue
            with open(f"/proc/{pid}/task/{tid}/schedstat") as schedstat:
                on_cpu, waiting, _ = schedstat.read().split()
            with open(f"/proc/{pid}/task/{tid}/status") as status:
                for line in status:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt")):
                        key, value = line.split(":")
                        totals[key.split("_")[0]] += int(value)
        except OSError:
            continue
        totals["on_cpu"] += int(on_cpu) / 1e9
        totals["runnable"] += int(waiting) / 1e9
    return totals


def x_server_pid() -> int | None:
    """The Xvfb serving this process's DISPLAY."""
    display = os.environ.get("DISPLAY", "")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                words = cmdline.read().split(b"\0")
        except OSError:
            continue
        if words and words[0].endswith(b"Xvfb") and display.encode() in words:
            return int(pid)
    return None


def main() -> None:
    from benchmarks.app_benchmark import LAYER_SETS, app_run, points_config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=8.0)
    parser.add_argument("--layers", choices=sorted(LAYER_SETS), default="all")
    parser.add_argument("--size", default="3×128, batch 256")
    args = parser.parse_args()
    samples: dict[str, dict] = {}
    x_pid = x_server_pid()

    def sample(label: str, window) -> None:
        child = window.session.worker.process.pid
        samples[label] = {"time": time.perf_counter(),
                          "frames": window.presenter.frames_presented,
                          "iteration": window.session.last_frame.iteration,
                          "schedule": thread_schedule(child, "ganlab-training"),
                          "gui": thread_cpu(os.getpid()), "training": thread_cpu(child),
                          "x": thread_cpu(x_pid) if x_pid else {}}

    result = app_run(points_config(args.size), args.seconds, args.seconds, warmup=args.warmup,
                     shown_layers=LAYER_SETS[args.layers],
                     on_start=lambda window: sample("start", window),
                     on_measured=lambda window: sample("end", window))
    start, end = samples["start"], samples["end"]
    frames = end["frames"] - start["frames"]
    elapsed = end["time"] - start["time"]
    print(f"# {args.layers} layers, {elapsed:.1f} s, {frames} frames "
          f"({frames / elapsed:.1f}/s), {result['iterations_per_second']:.0f} it/s, "
          f"longest stall {result['worst_stall_ms']:.0f} ms")
    iterations = end["iteration"] - start["iteration"]
    schedule = {key: end["schedule"][key] - start["schedule"].get(key, 0.0)
                for key in end["schedule"]}
    waited = elapsed - schedule["on_cpu"] - schedule["runnable"]
    print(f"training thread: {1000 * schedule['on_cpu'] / iterations:.2f} CPU ms per iteration; "
          f"of the wall time {schedule['on_cpu'] / elapsed:.0%} on a CPU, "
          f"{schedule['runnable'] / elapsed:.0%} runnable but waiting for one (preempted), "
          f"{waited / elapsed:.0%} waiting by itself (GIL, locks, the pacer); "
          f"{schedule['voluntary'] / elapsed:.0f} voluntary and "
          f"{schedule['nonvoluntary'] / elapsed:.0f} involuntary switches per s")
    print("| process | thread | CPU ms per frame | share of a core |")
    print("|---|---|---|---|")
    for process in ("gui", "training", "x"):
        names = set(start[process]) | set(end[process])
        total = 0.0
        for name in sorted(names, key=lambda n: -(end[process].get(n, 0)
                                                  - start[process].get(n, 0))):
            used = end[process].get(name, 0.0) - start[process].get(name, 0.0)
            total += used
            if used > 0:
                print(f"| {process} | {name} | {1000 * used / frames:.2f} | "
                      f"{used / elapsed:.2f} |")
        print(f"| **{process}** | all | **{1000 * total / frames:.2f}** | "
              f"**{total / elapsed:.2f}** |")


if __name__ == "__main__":
    main()
