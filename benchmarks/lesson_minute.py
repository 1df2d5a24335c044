"""How many iterations a minute of the app reaches with a lesson (the image lessons' tests
train to that count: `tests/app/test_image_lessons_teach.py`, e.g. WGAN_GP_MINUTE = 600).

Two measures, printed one line each:

- `app`: the window (as shipped: training in its own process) opens on the lesson (by its file
  prefix, e.g. 11_), plays for `--seconds` (default 60) from the first frame, and reports the
  iteration the runs reached (in compare mode both runs train in turn, so each reaches it).
  Needs a display (`xvfb-run`) and a quiet machine: it is wall-clock.
- `cpu`: the lesson's runs trained headless on one torch thread for `--iterations`, timed in
  CPU time (`time.process_time`, robust to a busy machine): the iterations a minute of CPU
  would give both runs in turn, 60 / (s_A + s_B) per iteration, with no app overhead (an upper
  bound of the `app` figure).

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python benchmarks/lesson_minute.py \\
        [--lesson 11_] [--seconds 60] [--iterations 100] [--cpu-only]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def lesson(prefix: str):
    from ganlab.app.lessons import load_lessons

    return next(item for item in load_lessons() if item.source.startswith(prefix))


def cpu_minute(prefix: str, iterations: int) -> tuple[float, list[float]]:
    """(iterations a CPU minute gives both runs in turn, CPU seconds per iteration of each)."""
    import torch

    from ganlab.core.trainer import Trainer

    torch.set_num_threads(1)
    taught = lesson(prefix)
    per_iteration = []
    for config in (taught.config, taught.compare):
        if config is None:
            continue
        trainer = Trainer(config)
        trainer.train(5)  # warm up (first calls allocate)
        started = time.process_time()
        trainer.train(iterations)
        per_iteration.append((time.process_time() - started) / iterations)
    return 60.0 / sum(per_iteration), per_iteration


def app_minute(prefix: str, seconds: float) -> int:
    """The iteration the app's runs reach `seconds` after the lesson's first frame."""
    from PySide6.QtWidgets import QApplication

    from ganlab.app.lessons import app_defaults
    from ganlab.app.main_window import build_window

    app = QApplication.instance() or QApplication(sys.argv)
    window = build_window(app_defaults())
    window.resize(1366, 768)
    window.show()
    window.apply_lesson(lesson(prefix))
    window.speed_control.set_speed(None)  # full speed, as the test assumes
    window.session.play()
    deadline = None
    while True:
        app.processEvents()
        frame = window.session.last_frame
        if deadline is None and frame is not None and frame.iteration > 0:
            deadline = time.perf_counter() + seconds
        if deadline is not None and time.perf_counter() >= deadline:
            reached = window.session.last_frame.iteration
            window.close()
            return reached
        time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="11_", help="the lesson file's prefix")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--iterations", type=int, default=100, help="headless, per run")
    parser.add_argument("--cpu-only", action="store_true", help="skip the app")
    args = parser.parse_args()
    minute, each = cpu_minute(args.lesson, args.iterations)
    print(f"cpu: lesson {args.lesson}: {' + '.join(f'{1000 * s:.1f}' for s in each)} ms CPU per "
          f"iteration (runs in turn): {minute:.0f} iterations per CPU minute, one thread")
    if not args.cpu_only:
        reached = app_minute(args.lesson, args.seconds)
        print(f"app: lesson {args.lesson}: iteration {reached} after {args.seconds:g} s of "
              "the window (wall clock)")


if __name__ == "__main__":
    main()
