"""Save a screenshot of every view of the app under docs/screenshots/ (run under Xvfb).

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python scripts/screenshots.py

Scenes: a 2D mixture with every layer on, the optimal discriminator, a 1D target, compare mode,
a lesson, painting a target, the NaN banner; plus each dock on its own and the whole window
(docs/screenshots/main_window.png, the README's picture). Each scene trains for a while first.

The whole window at the two screen sizes the app must stay readable at, 1366×768 and 1920×1080,
in compare and in single mode (`legibility_<size>_<mode>.png`); `--only legibility` makes just
these four. `--only images` makes the conditional DCGAN on the digits (the lesson "A conditional
GAN writes any digit on demand"), `images_conditional.png`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# the scenes' autosaves go to a scratch folder, never over the user's own autosave
os.environ.setdefault("GANLAB_DATA_DIR", tempfile.mkdtemp(prefix="ganlab-screenshots-"))

from ganlab.app.lessons import app_defaults, load_lessons  # noqa: E402
from ganlab.app.main_window import build_window  # noqa: E402
from ganlab.core.config import NetworkConfig, TargetConfig  # noqa: E402

log = logging.getLogger("screenshots")


def wait(app: QApplication, seconds: float, until=None) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        app.processEvents()
        if until is not None and until():
            return
        time.sleep(0.01)


def train(app, window, iterations: int, budget_s: float) -> None:
    """Play until `iterations` or `budget_s` seconds, then pause and let the views settle."""
    wait(app, 1.0)  # let the frame of a reset or a new configuration arrive first
    window.session.play()
    frame = lambda: window.session.last_frame  # noqa: E731
    wait(app, budget_s, until=lambda: frame() is not None and frame().iteration >= iterations)
    window.session.pause()
    wait(app, 2.5)  # paused: the worker brings fields and metrics up to date
    log.info("trained to iteration %d", frame().iteration)


def save(widget, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    log.info("saved %s", path)


def quick_config(target: str):
    config = app_defaults()
    config.target = TargetConfig(name=target)
    config.model.generator = NetworkConfig(3, 64, "relu")
    config.model.discriminator = NetworkConfig(3, 64, "leaky_relu")
    config.training.batch_size = 128
    return config.validate()


SCREEN_SIZES = ((1366, 768), (1920, 1080))  # a workshop laptop, a full-HD screen


def save_at_screen_sizes(app, window, out: Path, mode: str) -> None:
    """The whole window at each of SCREEN_SIZES (run under a screen at least 1920×1080)."""
    size = window.size()
    for width, height in SCREEN_SIZES:
        window.resize(width, height)
        wait(app, 1.5)  # the layout settles and the views redraw at the new size
        save(window, out, f"legibility_{width}x{height}_{mode}")
    window.resize(size)
    wait(app, 0.5)


def legibility(app, window, out: Path, budget: float) -> None:
    """Every label at both screen sizes: compare mode (non-saturating vs minimax, three
    equilibrium lines), then run A alone."""
    window.session.load(quick_config("grid25"), None)
    window.set_compare(True)
    window.session.reset()
    for name in ("discriminator", "optimal_discriminator", "density", "gradients"):
        window.set_layer(name, True)
    train(app, window, 1500, budget)
    save_at_screen_sizes(app, window, out, "compare")
    window.set_compare(False)
    window.session.reset()
    train(app, window, 1500, budget)
    save_at_screen_sizes(app, window, out, "single")


def images(app, window, out: Path, budget: float) -> None:
    """The conditional digits lesson trained a while: one row per class, the charts of image
    metrics under it."""
    lesson = next(item for item in load_lessons() if "conditional" in item.title.lower())
    window.apply_lesson(lesson)
    window.lesson_box.hide()
    train(app, window, 1500, budget)
    wait(app, 2.0)  # the image metrics of the last frame arrive
    save(window, out, "images_conditional")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--budget", type=float, default=45.0, help="seconds of training a scene")
    parser.add_argument("--only", choices=["legibility", "images"],
                        help="make only these screenshots")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    window = build_window(quick_config("ring8"))
    window.resize(1720, 1040)
    window.show()
    wait(app, 2.0, until=lambda: window.session.last_frame is not None)
    if args.only is not None:
        {"legibility": legibility, "images": images}[args.only](app, window, args.out,
                                                                args.budget)
        window.close()
        return 0

    # 1. a 2D mixture with every layer on
    for name in ("real", "generated", "discriminator", "optimal_discriminator", "density",
                 "gradients", "manifold", "interpolation"):
        window.set_layer(name, True)
    train(app, window, 3000, args.budget)
    save(window, args.out, "main_window")
    save(window.panes[0], args.out, "canvas_all_layers")
    save(window.charts, args.out, "charts")
    save(window.diagram, args.out, "model_overview")
    save(window.latent_panel, args.out, "latent_interpolation")
    save(window.settings_tabs, args.out, "settings")
    save(window.gallery, args.out, "target_gallery")

    # 2. the optimal discriminator alone
    window.set_layer("discriminator", False)
    window.set_layer("gradients", False)
    window.set_layer("manifold", False)
    wait(app, 1.5)
    save(window.panes[0], args.out, "canvas_optimal_discriminator")

    # 3. a 1D target
    window.session.load(quick_config("bimodal-1d"), None)
    window.session.reset()
    window.set_layer("discriminator", True)
    train(app, window, 2000, args.budget * 0.6)
    save(window.panes[0], args.out, "line_view")

    # 4. compare mode: minimax vs non-saturating on grid25
    window.session.load(quick_config("grid25"), None)
    window.set_compare(True)
    window.session.reset()
    window.set_layer("gradients", True)
    train(app, window, 1500, args.budget)
    save(window, args.out, "compare_mode")
    window.set_compare(False)
    legibility(app, window, args.out, args.budget)

    images(app, window, args.out, args.budget * 2)

    # 5. a lesson
    lessons = load_lessons()
    lesson = next(item for item in lessons if "non-saturating" in item.title.lower())
    window.apply_lesson(lesson)
    train(app, window, 300, args.budget * 0.5)
    save(window, args.out, "lesson")

    # 6. painting
    window.apply_lesson(next(item for item in lessons if "pushforward" in item.title.lower()))
    window.lesson_box.hide()
    window.gallery.choose("draw your own")
    import numpy as np

    for angle in np.linspace(0, 2 * np.pi, 60):
        window.painting.brush_at(1.2 * np.cos(angle), 1.2 * np.sin(angle))
    for x in np.linspace(-0.6, 0.6, 15):
        window.painting.brush_at(x, 0.0)
    wait(app, 0.5)
    save(window, args.out, "painting")
    window.painting.train()
    window.set_layer("gradients", False)
    train(app, window, 1500, args.budget * 0.6)
    save(window.panes[0], args.out, "painted_target_trained")

    # 7. the NaN banner
    panel = window.control_panels[0]
    for role in ("generator", "discriminator"):
        panel.widget_for(f"{role}_optimizer.name").setCurrentText("sgd")
        panel.widget_for(f"{role}_optimizer.learning_rate").set_value_and_emit(1.0)
    window.session.play()
    wait(app, 20, until=lambda: window.banner.isVisible())
    wait(app, 0.5)
    save(window, args.out, "nan_banner")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
