"""A folder of 60,000 small PNGs loaded through the window's real "load images…" path.

Makes (once, cached under `--cache`) `--count` 28×28 gray PNGs in 10 sub-folders "0"…"9",
digits-like: scikit-learn's 8×8 digits upscaled to 28×28, each shifted by up to 2 pixels and
with a little noise so that no two files are alike. Then opens the window (its default run,
training points as at launch), starts `window.image_loading.load(folder)` (what "load
images…" → a folder does after its dialog) and measures, until the load finishes:

- the time from the call to the `finished` signal (and to the first frame trained on them);
- progress updates the window received, and the values the progress dialog showed;
- the longest stall of the GUI event loop (lateness of a 5 ms timer) and its 99th percentile;
- memory: the window process's resident set before and after, and its peak (VmHWM);
- CPU seconds the window process spent during the load (the loader thread's and the GUI's).

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python benchmarks/image_folder_load.py \\
        [--count 60000] [--cache /tmp/ganlab_folder60k] [--no-save | --out FILE]

Prints a markdown table and saves it to benchmarks/results/image_folder_load_<date>.txt.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SIDE = 28  # MNIST's side: not one the networks take, so the window resizes it to 32
CLASSES = 10


def make_digit_folder(root: Path, count: int, seed: int = 0) -> Path:
    """`count` SIDE×SIDE PNGs of digits in root/<label>/<index>.png; kept if already made (a
    marker file records the count)."""
    import numpy as np
    from PIL import Image

    from ganlab.core.images.digits import digits

    marker = root / f".made_{count}"
    if marker.exists():
        return root
    data = digits(32)
    images, labels = data.images, data.labels
    rng = np.random.default_rng(seed)
    for label in range(CLASSES):
        (root / str(label)).mkdir(parents=True, exist_ok=True)
    bases = [np.asarray(Image.fromarray((255 * image[0]).astype(np.uint8)).resize(
        (SIDE - 4, SIDE - 4), Image.Resampling.BICUBIC)) for image in images]
    for index in range(count):
        which = index % len(images)
        canvas = np.zeros((SIDE, SIDE), dtype=np.float32)
        dy, dx = rng.integers(0, 5, size=2)
        canvas[dy:dy + SIDE - 4, dx:dx + SIDE - 4] = bases[which]
        canvas += rng.normal(0.0, 8.0, size=canvas.shape)
        pixels = np.clip(canvas, 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(root / str(int(labels[which])) / f"{index:05d}.png")
    marker.write_text(f"{count}\n")
    return root


def rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load_in_window(folder: Path, timeout_s: float = 600.0) -> dict:
    """Load `folder` through the window's image loading; the measures of the module docstring."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ganlab.app.main_window import build_window

    app = QApplication.instance() or QApplication(sys.argv)
    window = build_window()
    window.resize(1300, 740)
    window.show()
    result: dict = {"progress_updates": 0, "dialog_values": [], "ok": None}
    gaps: list[float] = []
    ends: list[float] = []  # when each gap ended, from the start of the load
    baseline: list[float] = []  # gaps in the second before the load
    last_tick = [time.perf_counter()]
    state: dict = {}

    def tick() -> None:
        now = time.perf_counter()
        if "started" in state and "finished" not in state:
            gaps.append(now - last_tick[0])
            ends.append(now - state["started"])
        elif "baseline" in state and "started" not in state:
            baseline.append(now - last_tick[0])
        last_tick[0] = now

    def progressed(done: int, total: int) -> None:
        result["progress_updates"] += 1
        dialog = window.image_loading.progress
        if dialog is not None:
            result["dialog_values"].append((dialog.value(), dialog.maximum()))
            result["dialog_shown"] = result.get("dialog_shown", False) or dialog.isVisible()

    def finished(ok: bool) -> None:
        state["finished"] = time.perf_counter()
        state["cpu_finished"] = time.process_time()
        result["ok"] = ok
        result["rss_after_mb"] = rss_mb()
        state["waiting_frame"] = True

    def first_frame_check() -> None:
        frame = window.session.last_frame
        if state.get("waiting_frame") and frame is not None and \
                frame.runs[0].snapshot.data_kind == "images":
            state["frame"] = time.perf_counter()
            app.quit()
        elif time.perf_counter() - state.get("started", time.perf_counter()) > timeout_s:
            app.quit()

    def start() -> None:
        result["rss_before_mb"] = rss_mb()
        loading = window.image_loading
        loading.finished.connect(finished)
        state["started"] = time.perf_counter()
        state["cpu_started"] = time.process_time()
        last_tick[0] = state["started"]
        if not loading.load(str(folder)):
            raise RuntimeError("the window refused to start a load")
        loading.thread.progressed.connect(progressed)  # after the window's own handler

    probe = QTimer()
    probe.setInterval(5)
    probe.timeout.connect(tick)
    probe.start()
    watcher = QTimer()
    watcher.setInterval(50)
    watcher.timeout.connect(first_frame_check)
    watcher.start()
    QTimer.singleShot(2000, lambda: state.update(baseline=True))
    QTimer.singleShot(3000, start)  # the window settled, training points as after launch
    app.exec()
    target = window.session.configs[0].target
    result["shape"] = None
    if target.data is not None:
        from ganlab.core.data_store import DATA

        result["shape"] = tuple(DATA.get(target.data).shape)
    result["load_s"] = state.get("finished", float("nan")) - state["started"]
    result["cpu_s"] = state.get("cpu_finished", float("nan")) - state["cpu_started"]
    result["first_frame_s"] = state.get("frame", float("nan")) - state["started"]
    stalls = sorted(gap - 0.005 for gap in gaps) or [float("nan")]
    result["worst_stall_ms"] = 1000 * stalls[-1]
    result["p99_stall_ms"] = 1000 * stalls[int(0.99 * (len(stalls) - 1))]
    worst = sorted(range(len(gaps)), key=gaps.__getitem__)[-5:]
    result["worst_at"] = [(round(ends[i], 2), round(1000 * gaps[i] - 5)) for i in worst]
    result["baseline_worst_ms"] = 1000 * max(baseline, default=float("nan")) - 5
    result["peak_rss_mb"] = rss_mb("VmHWM")
    window.close()
    return result


def table(count: int, r: dict) -> str:
    values = [v for v, _ in r["dialog_values"]]
    rising = all(b >= a for a, b in itertools.pairwise(values))
    lines = [
        "| measure | value |", "|---|---|",
        f"| loaded | {'yes' if r['ok'] else 'NO'}: array {r['shape']} |",
        f"| time to load ({count:,} files) | {r['load_s']:.1f} s |",
        f"| window process CPU during the load | {r['cpu_s']:.1f} s |",
        f"| load to the first frame trained on them | {r['first_frame_s']:.1f} s |",
        f"| progress updates received | {r['progress_updates']} "
        f"(dialog shown: {r.get('dialog_shown', False)}, values rising: {rising}, "
        f"last {r['dialog_values'][-1] if r['dialog_values'] else None}) |",
        f"| longest GUI stall during the load (5 ms timer lateness) | "
        f"{r['worst_stall_ms']:.0f} ms (99th percentile {r['p99_stall_ms']:.0f} ms) |",
        f"| the same before the load (1 s, training points) | "
        f"{r['baseline_worst_ms']:.0f} ms |",
        f"| the 5 longest stalls (s into the load, ms) | {r['worst_at']} |",
        f"| window process memory before → after (peak) | {r['rss_before_mb']:.0f} → "
        f"{r['rss_after_mb']:.0f} MB ({r['peak_rss_mb']:.0f} MB) |",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=60_000, help="PNG files in the folder")
    parser.add_argument("--cache", default=None,
                        help="where the folder is made once (default /tmp/ganlab_folder<count>)")
    parser.add_argument("--no-save", action="store_true", help="print only")
    parser.add_argument("--out", default=None, help="results file")
    args = parser.parse_args()
    folder = Path(args.cache or f"/tmp/ganlab_folder{args.count}")
    made = time.perf_counter()
    make_digit_folder(folder, args.count)
    print(f"# folder ready in {time.perf_counter() - made:.1f} s: {folder}", flush=True)
    result = load_in_window(folder)
    platform_name = os.environ.get("QT_QPA_PLATFORM") or "xcb (Xvfb)"
    from image_bench_common import machine_line, save_results

    text = (f"# {machine_line(1)}; {platform_name}; load average "
            f"{os.getloadavg()[0]:.1f}; {args.count:,} {SIDE}×{SIDE} gray PNGs in "
            f"{CLASSES} sub-folders, loaded with window.image_loading.load\n"
            f"{table(args.count, result)}")
    print(text)
    if not args.no_save:
        print(f"# saved to {save_results('image_folder_load', text, args.out)}")


if __name__ == "__main__":
    main()
