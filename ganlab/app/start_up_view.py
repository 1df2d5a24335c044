"""Run A's view before the training process's first frame: the target, and "starting…".

The training process needs seconds to start (it imports torch; the window never does). Until its
first frame arrives, run A's pane shows the target drawn from the configuration here, with numpy
samples (`Target.sample_numpy`): the real points on the 2D canvas, their histogram in the 1D
view, real images in the image view; and a notice over the pane says the training process is
starting. The first frame replaces the picture with the worker's own samples and hides the
notice (so does a training process that ended before it: the banner says why); a restarted
training process shows the notice again until its first frame. A target chosen meanwhile is
drawn at once.
"""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel

from ganlab.app import theme
from ganlab.app.views.line_view import BINS
from ganlab.core.config import RunConfig
from ganlab.core.snapshot_data import Snapshot
from ganlab.core.targets import Target, make_target
from ganlab.training.frame import RunFrame

log = logging.getLogger(__name__)

PREVIEW_SAMPLES = 512  # as many real points as a frame shows (snapshot.DISPLAY_SAMPLES)
PREVIEW_SEED = 99
PREVIEW_IMAGES = (4, 8)  # rows, columns of real images
NOTICE = "Starting the training process…"


def preview_run(target: Target, config: RunConfig) -> RunFrame:
    """A run frame holding only the target's real samples (no model yet: nothing generated)."""
    rng = np.random.default_rng(PREVIEW_SEED)
    count = PREVIEW_SAMPLES if target.data_kind == "points" else int(np.prod(PREVIEW_IMAGES))
    real = target.sample_numpy(count, rng)
    snapshot = Snapshot(
        iteration=0, critic_updates=0, generator_updates=0, discriminator_loss=None,
        generator_loss=None, objective=config.objective.name, output_kind="probability",
        box=target.view_box, real=real, fake=np.zeros((0, *real.shape[1:])),
        latent=np.zeros((0, config.model.latent_dim)), data_kind=target.data_kind,
        class_names=target.class_names,
    )
    return RunFrame(snapshot=snapshot, config=config, device="")


class StartUpView(QObject):
    """Draws the target on `pane` (a `frame_presenter.RunPane`) until `session` delivers a
    frame; see the module's docstring."""

    def __init__(self, session, pane, parent=None):
        super().__init__(parent)
        self.session, self.pane = session, pane
        self.notice = QLabel(NOTICE, pane)
        self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notice.setStyleSheet(
            f"background: {theme.BACKGROUND}; color: {theme.NEUTRAL_TEXT}; padding: 6px 12px; "
            f"border: 1px solid {theme.MUTED}; border-radius: 4px;")
        self.notice.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        pane.installEventFilter(self)
        self.waiting = False
        session.frame_received.connect(self._stop_waiting)
        session.training_stopped.connect(self._stop_waiting)  # the banner says why
        session.configs_changed.connect(self._on_configs)
        session.training_restarted.connect(self.wait_for_training)
        self.wait_for_training()

    def wait_for_training(self) -> None:
        """Show the notice (and the target) until the next frame."""
        self.waiting = True
        self.notice.show()
        self._place_notice()
        self.show_target(self.session.configs[0])

    def show_target(self, config: RunConfig) -> None:
        """Draw `config`'s target on the pane, unless its data cannot be had here."""
        if self.pane.hold_canvas:  # painting: the canvas shows the brush strokes
            return
        try:
            target = make_target(config.target)
        except Exception as error:  # a missing file or data: the training process will say
            log.debug("no preview of the target: %s", error)
            return
        run = preview_run(target, config)
        self.pane.show_data(target.data_kind, target.dim)
        view = self.pane.current_view
        view.set_title(config.objective.name)
        if view is self.pane.canvas:
            view.set_box(target.view_box)
            view.layers["real"].show(run, target.view_box)
        elif view is self.pane.line_view:
            view.densities.setXRange(target.view_box.low[0], target.view_box.high[0], padding=0)
            edges = np.linspace(target.view_box.low[0], target.view_box.high[0], BINS + 1)
            counts, _ = np.histogram(run.snapshot.real[:, 0], edges, density=True)
            view.real_histogram.setData(edges, counts)
        else:
            view.real.show(run.snapshot.real, *PREVIEW_IMAGES, None)

    def _on_configs(self, configs) -> None:
        if self.waiting:
            self.show_target(configs[0])

    def _stop_waiting(self, *_) -> None:
        if self.waiting:
            self.waiting = False
            self.notice.hide()

    def _place_notice(self) -> None:
        self.notice.adjustSize()
        self.notice.move((self.pane.width() - self.notice.width()) // 2, 12)
        self.notice.raise_()

    def eventFilter(self, watched, event):  # Qt's name
        if event.type() == QEvent.Type.Resize and self.waiting:
            self._place_notice()
        return False
