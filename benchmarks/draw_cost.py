"""What drawing costs while training, in CPU time (robust to a loaded machine): the app of
`app_benchmark.py` (every layer on, grid25, 3×128, batch 256) at full speed, and per frame:

- the window process's CPU ms (every thread; its GUI thread alone beside it),
- the training process's threads: the training thread's CPU ms per iteration (the bare loop's
  alone is printed for comparison: what it costs more is drawing's interference plus the frame
  itself), the field thread's and the metrics thread's CPU ms per frame.

With `--field-schedule` it measures instead, without a window, the field thread's CPU time per
second of a simulated 27-frames-a-second run (its clock advanced 1/27 s per job) with and
without `field_schedule.MIN_INTERVALS`: what the intervals save, independent of the load.

Threads are told apart by their OS names (`ganlab-training`, `ganlab-fields`,
`ganlab-metrics`; `thread_names`).

    nice -n 15 xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/draw_cost.py \\
        [--seconds 20] [--layers all|points]
    python benchmarks/draw_cost.py --field-schedule
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # speed.py's own imports

from benchmarks.app_benchmark import ALL_LAYERS, LAYER_SETS, points_config

TICK = os.sysconf("SC_CLK_TCK")


def thread_times(pid: int | str) -> dict[int, tuple[str, int, float]]:
    """tid → (name, nice, CPU seconds) for every thread of `pid`."""
    times = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        name = text[text.index("(") + 1: text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        utime, stime, nice = int(fields[11]), int(fields[12]), int(fields[16])
        times[int(tid)] = (name, nice, (utime + stime) / TICK)
    return times


def difference(before: dict, after: dict) -> dict[int, tuple[str, int, float]]:
    return {tid: (name, nice, cpu - before.get(tid, (name, nice, 0.0))[2])
            for tid, (name, nice, cpu) in after.items()}


def measure(seconds: float, warmup: float, shown_layers: tuple[str, ...]) -> dict:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ganlab.app.main_window import build_window

    app = QApplication.instance() or QApplication(sys.argv)
    window = build_window(points_config("3×128, batch 256"))
    window.resize(1600, 1000)
    window.show()
    for name in ALL_LAYERS:
        window.set_layer(name, name in shown_layers)
    window.session.play()
    state: dict = {}
    result: dict = {}
    main_tid = os.getpid()

    def worker_pid() -> int:
        return window.session.worker.process.pid

    def start() -> None:
        frame = window.session.last_frame
        if frame is None or frame.iteration < 200:  # the training process is still starting
            QTimer.singleShot(500, start)
            return
        QTimer.singleShot(int(seconds * 1000), finish)
        state.update(time=time.perf_counter(), frames=window.presenter.frames_presented,
                     iteration=window.session.last_frame.iteration,
                     gui=thread_times("self"), worker=thread_times(worker_pid()))

    def finish() -> None:
        try:
            collect()
        finally:
            window.close()
            app.quit()

    def collect() -> None:
        elapsed = time.perf_counter() - state["time"]
        frames = window.presenter.frames_presented - state["frames"]
        iterations = window.session.last_frame.iteration - state["iteration"]
        gui = difference(state["gui"], thread_times("self"))
        worker = difference(state["worker"], thread_times(worker_pid()))
        def named(name: str) -> float:
            return sum(cpu for thread, _, cpu in worker.values() if thread == name)

        training, fields, metrics = (named(name) for name in (
            "ganlab-training", "ganlab-fields", "ganlab-metrics"))
        result.update(
            seconds=elapsed, frames=frames, iterations=iterations,
            gui_total=sum(cpu for *_, cpu in gui.values()), gui_main=gui[main_tid][2],
            training=training, fields=fields, metrics=metrics,
            worker_other=sum(cpu for *_, cpu in worker.values()) - training - fields - metrics)

    QTimer.singleShot(int(warmup * 1000), start)
    app.exec()
    return result


def bare_cpu_ms_per_iteration(iterations: int = 300) -> float:
    """CPU ms per iteration of the engine's trainer alone, one torch thread (the reference)."""
    import torch

    from ganlab.core.trainer import Trainer

    torch.set_num_threads(1)
    trainer = Trainer(points_config("3×128, batch 256"))
    trainer.train(50)
    started = time.thread_time()
    trainer.train(iterations)
    return 1000 * (time.thread_time() - started) / iterations


def field_thread_cpu_share(intervals: dict, fps: float = 27.0, seconds: float = 4.0) -> tuple:
    """(CPU seconds per simulated second, groups computed) of a field thread sent a job with
    every layer's fields at each of `fps` × `seconds` simulated frames."""
    from frame_cost import EVERY_LAYER, benchmark_run

    from ganlab.training.field_schedule import fields_for_frame
    from ganlab.training.field_thread import FieldJob, FieldThread
    from ganlab.training.network_copy import NetworkCopier

    run = benchmark_run()
    shown = fields_for_frame(EVERY_LAYER, 0, full_speed=False)
    box, latent, density_latent = run.snapshotter.field_inputs(shown)
    now = [0.0]
    thread = FieldThread(min_intervals=intervals, clock=lambda: now[0])
    thread.start()
    try:
        for frame in range(int(fps * seconds)):
            now[0] = frame / fps
            run.trainer.train(1)
            thread.submit(FieldJob(0, thread.generation, ("k",), shown, box, latent,
                                   density_latent, NetworkCopier().take(run.trainer)))
            thread.wait_idle(60.0)
            thread.take(0, ("k",))
    finally:
        thread.stop()
    return thread.cpu_seconds / seconds, thread.computed


def print_field_schedule() -> None:
    import torch

    from ganlab.training.field_schedule import MIN_INTERVALS, NO_INTERVALS

    torch.set_num_threads(1)
    print("# field thread, every layer, 3×128, 64×64 grid, 27 simulated frames a second, "
          f"load average {os.getloadavg()[0]:.2f}")
    for label, intervals in (("every group in turn (before)", NO_INTERVALS),
                             ("MIN_INTERVALS (after)", MIN_INTERVALS)):
        share, computed = field_thread_cpu_share(intervals)
        print(f"{label}: {1000 * share:.0f} ms CPU per second ({computed} groups in 4 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=8.0)
    parser.add_argument("--layers", choices=sorted(LAYER_SETS), default="all")
    parser.add_argument("--field-schedule", action="store_true",
                        help="the field thread's CPU per second with and without intervals")
    args = parser.parse_args()
    if args.field_schedule:
        print_field_schedule()
        return
    r = measure(args.seconds, args.warmup, LAYER_SETS[args.layers])
    frames, iterations = max(r["frames"], 1), max(r["iterations"], 1)
    print(f"# {args.layers} layers, {r['seconds']:.1f} s, load average {os.getloadavg()[0]:.2f}")
    print(f"frames {r['frames']} ({r['frames'] / r['seconds']:.1f}/s), iterations "
          f"{r['iterations']} ({r['iterations'] / r['seconds']:.0f}/s)")
    print(f"window process CPU ms per frame: {1000 * r['gui_total'] / frames:.2f} "
          f"(GUI thread {1000 * r['gui_main'] / frames:.2f}); share of a core "
          f"{r['gui_total'] / r['seconds']:.2f}")
    print(f"field thread CPU ms per frame: {1000 * r['fields'] / frames:.2f}; share of a core "
          f"{r['fields'] / r['seconds']:.2f}")
    print(f"metrics thread CPU ms per frame: {1000 * r['metrics'] / frames:.2f}; share "
          f"{r['metrics'] / r['seconds']:.2f}")
    print(f"training thread CPU ms per iteration: {1000 * r['training'] / iterations:.2f}; "
          f"other worker threads share {r['worker_other'] / r['seconds']:.2f}")
    print(f"bare trainer alone CPU ms per iteration: {bare_cpu_ms_per_iteration():.2f}")


if __name__ == "__main__":
    main()
