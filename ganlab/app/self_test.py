"""`ganlab --self-test`: the whole app, driven end to end without a person, in under a minute.

It opens the main window (offscreen unless a platform is chosen), waits for the training process
to start, trains a few hundred iterations with every canvas layer on, checks that each view
(2D canvas and each of its layers, 1D view, image grids) and each chart (points and images)
painted something, saves the session, trains on, reopens it and lands on the saved iteration,
exports the generator and loads it back, then closes the window and waits for the training
process to end. It returns 0, or 1 after logging which step failed and why.

It runs the same code an installed bundle runs (that is its point: `packaging/build` runs it on
the frozen app). It never touches the user's autosave: the window's autosave lives in a
temporary work folder, removed when the test passes and kept (its path logged) when it fails.
The image classifier behind the image charts is cached in the user data folder as usual.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

ITERATIONS = 300  # trained on the 2D target before the views are checked
START_TIMEOUT_S = 180.0  # the training process imports torch: slow on a busy 2-core machine
STEP_TIMEOUT_S = 180.0  # generous: a failure is a step that never ends, not a slow one
MIN_COLOURS = 12  # distinct colours in a view that drew its data (an empty plot has a few)


class SelfTestFailed(Exception):
    """One step of the self-test failed; `step` names it."""

    def __init__(self, step: str, why: str):
        super().__init__(f"{step}: {why}")
        self.step = step


class _Driver:
    """The window under test and what it answered: a sequence of named steps."""

    def __init__(self, app, window, folder: Path):
        self.app, self.window, self.folder = app, window, folder
        self.session = window.session
        self.results: list = []
        self.session.file_command_finished.connect(self.results.append)
        self.step = "open the window"
        self._step_started = time.monotonic()

    def begin(self, step: str) -> None:
        """The previous step passed (logged with its time); `step` starts."""
        now = time.monotonic()
        log.info("self-test: %s: ok (%.1f s)", self.step, now - self._step_started)
        self.step, self._step_started = step, now

    def wait(self, what: str, done: Callable[[], bool], timeout_s: float = STEP_TIMEOUT_S):
        """Run the event loop until `done()`; a failure of the current step after `timeout_s`."""
        from PySide6.QtCore import QEventLoop, QTimer

        deadline = time.monotonic() + timeout_s
        while not done():
            if time.monotonic() > deadline:
                self.fail(f"{what}: not within {timeout_s:.0f} s")
            failure = self.session.stopped_reason
            if failure:
                self.fail(f"the training process stopped: {failure}")
            loop = QEventLoop()
            QTimer.singleShot(20, loop.quit)
            loop.exec()

    def fail(self, why: str):
        raise SelfTestFailed(self.step, why)

    def check(self, condition: bool, why: str) -> None:
        if not condition:
            self.fail(why)

    def frame(self):
        return self.session.last_frame

    def iteration(self) -> int:
        frame = self.frame()
        return -1 if frame is None else frame.iteration

    def file_result(self, send: Callable[[], None], what: str):
        """Send a file command; its result, which must be a success."""
        count = len(self.results)
        send()
        self.wait(f"no answer to {what}", lambda: len(self.results) > count)
        result = self.results[count]
        self.check(result.ok, f"{what} failed: {result.message}")
        return result

    def train_until(self, done: Callable[[], bool], what: str) -> None:
        self.session.play()
        self.wait(what, done)
        self.session.pause()
        # a paused frame draws every chart at once
        self.wait("no frame after pausing", lambda: self.frame() is not None
                  and not self.frame().running and done())

    def painted(self, widget, what: str):
        """The widget's picture, saved in the work folder; it must show more than a blank."""
        image = widget.grab().toImage()
        name = what.replace(" ", "-").replace("/", "-")
        image.save(str(self.folder / f"{name}.png"))
        self.check(colours(image) >= MIN_COLOURS, f"{what} drew nothing")
        return image


def colours(image) -> int:
    """The number of distinct colours in a QImage."""
    import numpy as np
    from PySide6.QtGui import QImage

    image = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint32,
                           count=image.bytesPerLine() * image.height() // 4)
    return len(np.unique(pixels))


def _check_charts(driver: _Driver, kind: str) -> None:
    charts = driver.window.charts
    driver.check(charts.data_kind == kind, f"the charts show {charts.data_kind}, not {kind}")
    for chart, plot in charts.plots.items():
        driver.check(plot.isVisible(), f"the {chart} chart is hidden")
        drawn = [curve for (run, _), curve in charts.curves.items() if run == 0
                 and curve.parentItem() is not None and curve.getViewBox() is plot.getViewBox()
                 and _finite_points(curve) >= 1]
        driver.check(bool(drawn), f"the {chart} chart has no finite values")
    driver.painted(charts, f"charts for {kind}")


def _finite_points(curve) -> int:
    _, y = curve.getData()
    return 0 if y is None else sum(1 for value in y if math.isfinite(value))


def _check_canvas_layers(driver: _Driver) -> None:
    """Every layer of the 2D canvas changes the picture when it is hidden."""
    pane = driver.window.panes[0]
    driver.check(pane.current_view is pane.canvas, "the 2D target is not on the canvas")
    everything = driver.painted(pane.canvas, "canvas with every layer")
    for name, layer in pane.canvas.layers.items():
        layer.set_visible(False)
        without = pane.canvas.grab().toImage()
        layer.set_visible(True)
        driver.check(without != everything, f"the canvas layer {name!r} drew nothing")


def _steps(driver: _Driver) -> None:
    from ganlab.app.layers import Layers, layer_specs
    from ganlab.core.config import TargetConfig

    window, session = driver.window, driver.session
    driver.check(bool(window.lessons), "the Lessons menu is empty")
    driver.wait("the window was not shown", window.isVisible)

    driver.begin("start the training process")
    driver.wait("no frame from the training process", lambda: driver.frame() is not None,
                START_TIMEOUT_S)
    driver.check(type(session.worker).__name__ == "TrainingProcess" and session.worker.is_alive(),
                 "training does not run in its own process")

    driver.begin(f"train {ITERATIONS} iterations")
    window.apply_layers(Layers(**dict.fromkeys(layer_specs(), True)))
    averaged = session.configs[0].copy()  # G's weight average on, so the raw-G layer draws
    averaged.training.generator_ema = 0.99
    window.control_panels[0].config_edited.emit(averaged)
    history = window.presenter.histories[0]
    driver.train_until(lambda: driver.iteration() >= ITERATIONS
                       and len(history.series["modes_covered"]) > 0,
                       f"fewer than {ITERATIONS} iterations, or no metrics")

    driver.begin("draw the 2D canvas and every layer")
    _check_canvas_layers(driver)
    driver.begin("draw the charts of points")
    _check_charts(driver, "points")

    driver.begin("save the session")
    saved_at = driver.iteration()
    path = driver.folder / "self test é.ganlab"  # a space and a non-ASCII letter on purpose
    driver.file_result(lambda: window.file_actions.save_to(str(path)), "saving")
    driver.check(path.is_file(), f"{path} was not written")

    driver.begin("reopen the session")
    session.step(7)
    driver.wait("the step after saving did not run", lambda: driver.iteration() > saved_at)
    driver.file_result(lambda: window.file_actions.open(str(path)), "opening")
    driver.wait(f"the reopened session is not at iteration {saved_at}",
                lambda: driver.iteration() == saved_at)

    driver.begin("export the generator and load it back")
    exported = driver.folder / "generator.safetensors"
    driver.file_result(lambda: window.file_actions.export_generator(str(exported)), "exporting")
    _check_generator(driver, exported, dim=2)

    driver.begin("draw the 1D view")
    window.choose_target("bimodal-1d")
    pane = window.panes[0]
    driver.train_until(lambda: driver.frame().runs[0].snapshot.real.shape[1] == 1
                       and pane.current_view is pane.line_view, "no frame of the 1D target")
    driver.painted(pane.line_view, "1D view")

    driver.begin("draw the image grids and their charts")
    window.choose_target("digits")
    driver.train_until(lambda: driver.frame().runs[0].snapshot.data_kind == "images"
                       and len(window.presenter.histories[0].series["frechet_distance"]) > 0,
                       "no image frame with its metrics")
    driver.check(pane.current_view is pane.image_view, "the image grids are not shown")
    driver.painted(pane.image_view, "image grids")
    _check_charts(driver, "images")
    driver.check(session.configs[0].target == TargetConfig(name="digits", resolution=8),
                 "the session does not train on the digits at their recipe's 8×8")

    driver.begin("close the window")
    window.close()
    driver.check(session.wait_for_worker(30.0), "the training process did not end")
    driver.begin("done")


def _check_generator(driver: _Driver, path: Path, dim: int) -> None:
    import torch

    from ganlab.core.export import load_generator

    generator = load_generator(path)
    with torch.no_grad():
        samples = generator(torch.randn(64, generator.latent_dim))
    driver.check(tuple(samples.shape) == (64, dim), f"samples of shape {tuple(samples.shape)}")
    driver.check(bool(torch.isfinite(samples).all()), "the samples are not finite")


def run_self_test(argv: list[str] | None = None) -> int:
    """Run every step; 0 when all pass, 1 (with the failed step logged) otherwise."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ganlab.app.main_window import build_window
    from ganlab.core.autosave import Autosave

    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="ganlab-self-test-"))
    app = QApplication.instance() or QApplication(list(argv or ["ganlab"]))
    window = driver = None
    try:
        try:
            window = build_window(autosave=Autosave(folder / "data"),
                                  worker_options={"metrics_interval_s": 0.5})
            window.show()
            driver = _Driver(app, window, folder)
            _steps(driver)
        except SelfTestFailed:
            raise
        except Exception as error:  # anything unexpected is a failure of the step it hit
            log.exception("unexpected error")
            step = driver.step if driver is not None else "open the window"
            raise SelfTestFailed(step, f"{type(error).__name__}: {error}") from error
    except SelfTestFailed as failure:
        log.error("self-test FAILED at step %r: %s (pictures in %s)", failure.step,
                  str(failure).split(": ", 1)[1], folder)
        if window is not None and window.isVisible():
            window.close()
            window.session.wait_for_worker(30.0)
        return 1
    log.info("self-test passed in %.1f s", time.monotonic() - started)
    shutil.rmtree(folder, ignore_errors=True)
    return 0
