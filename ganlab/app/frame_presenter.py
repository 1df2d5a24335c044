"""Routes each frame from the worker to the views: canvases, 1D views, charts, diagram, status.

It keeps the chart histories (cleared when the networks restart) and nothing else; every view
is updated in place. Nothing here writes a configuration: data flows one way, into the views.
"""

from __future__ import annotations

import time

from PySide6.QtWidgets import QStackedWidget

from ganlab.app.history import RunHistory
from ganlab.app.vae_beside_gan import VAE_TITLE
from ganlab.app.views.alert_banner import AlertBanner
from ganlab.app.views.charts import Charts
from ganlab.app.views.data_canvas import DataCanvas
from ganlab.app.views.image_grid_view import ImageGridView
from ganlab.app.views.line_view import LineView
from ganlab.app.views.model_diagram import ModelDiagram
from ganlab.app.views.status_line import StatusLine
from ganlab.training.frame import Frame

RESTART_NOTE_S = 3.0  # an announced restart's message covers the restarts of a few seconds
CHART_INTERVAL_S = 0.2  # while training runs, each chart redraws at most 5 times a second:
# one chart per frame, in turn (a turn is CHART_INTERVAL_S / the number of charts), so that no
# frame pays for all of them (axes re-rendering their text together stalled the GUI ~50 ms)


class RunPane(QStackedWidget):
    """One run's data view: the 2D canvas, the 1D view or the image grids, whichever fits."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.canvas = DataCanvas()
        self.line_view = LineView()
        for view in (self.canvas, self.line_view):
            self.addWidget(view)
        self._image_view: ImageGridView | None = None  # built when first shown (~1 s of
        # pyqtgraph items that a points session never needs)
        self.image_view_hooks: list = []  # each called with the image view once it is built
        self.hold_canvas = False  # painting: keep the 2D canvas whatever the target is

    @property
    def image_view(self) -> ImageGridView:
        """The image grids, built on first use; `image_view_hooks` wire them up then."""
        if self._image_view is None:
            self._image_view = ImageGridView()
            self.addWidget(self._image_view)
            for hook in self.image_view_hooks:
                hook(self._image_view)
        return self._image_view

    def show_data(self, data_kind: str, dim: int) -> None:
        """The view for a snapshot's kind of data (points: by their dimension)."""
        if self.hold_canvas:
            view = self.canvas
        elif data_kind == "images":
            view = self.image_view
        else:
            view = self.line_view if dim == 1 else self.canvas
        self.setCurrentWidget(view)

    @property
    def views(self) -> tuple:
        """The views built so far (the image grids only once shown)."""
        built = (self._image_view,) if self._image_view is not None else ()
        return (self.canvas, self.line_view, *built)

    @property
    def current_view(self):
        return self.currentWidget()


def run_title_prefix(frame, index: int) -> str:
    """"Run A: " over a canvas in compare mode; "Run A (branch name): " when the two runs are
    two branches of the timeline side by side (`extra["branch_compare"]`)."""
    letter = "AB"[index]
    comparing, state = frame.extra.get("branch_compare"), frame.extra.get("timeline")
    if comparing is None or state is None or index >= len(comparing):
        return f"Run {letter}: "
    names = {branch.id: branch.name for branch in state.branches}
    return f"Run {letter} ({names.get(comparing[index], '?')}): "


class FramePresenter:
    def __init__(self, panes: list[RunPane], charts: Charts, diagram: ModelDiagram,
                 status: StatusLine, banner: AlertBanner):
        self.panes = panes
        self.charts = charts
        self.diagram = diagram
        self.status = status
        self.banner = banner
        self.histories = [RunHistory(), RunHistory()]
        self._epoch: int | None = None
        self._run_count = 0
        self.frames_presented = 0
        self._chart_drawn = 0.0
        self._chart_turn = 0
        self._restart_note: tuple[str, float | None] | None = None  # (message, until)
        self.model_families: tuple[str, ...] = ()  # of the runs: "gan", "vae"
        self.on_model_families = None  # called with the runs' families when they change

    def _show_model_families(self, families: tuple[str, ...]) -> None:
        """A VAE's ELBO chart instead of (or beside) a GAN's losses; `on_model_families`."""
        if families != self.model_families:
            self.model_families = families
            self.charts.set_model_families(families)
            if self.on_model_families is not None:
                self.on_model_families(families)

    def announce_restart(self, message: str) -> None:
        """The next restart of the networks has a reason the window knows (a new target, a
        lesson's end): say `message` then rather than the general "networks restarted"."""
        self._restart_note = (message, None)

    def _restart_message(self) -> tuple[str, int]:
        """The announced message for the first restart after it (and those close behind: a
        rebuild and a reset may arrive in two frames), else the general one."""
        note, now = self._restart_note, time.perf_counter()
        if note is not None and (note[1] is None or now < note[1]):
            self._restart_note = (note[0], note[1] or now + RESTART_NOTE_S)
            return note[0], 12000
        self._restart_note = None
        return ("Networks restarted from fresh weights (reset, or a change of network shape, "
                "latent size or device): iteration 0.", 6000)

    def present(self, frame: Frame) -> None:
        if frame.epoch != self._epoch:
            if self._epoch is not None:
                self.status.bar.showMessage(*self._restart_message())
            self._epoch = frame.epoch
            self.forget_runs()
        if len(frame.runs) != self._run_count:
            self._run_count = len(frame.runs)
            self.charts.set_run_count(self._run_count)
            for index, pane in enumerate(self.panes):
                pane.setVisible(index < self._run_count)
        compare = len(frame.runs) > 1
        for index, run in enumerate(frame.runs[: len(self.panes)]):
            snapshot = run.snapshot
            history = self.histories[index]
            if snapshot.discriminator_loss is not None or snapshot.generator_loss is not None:
                history.add_losses(snapshot.iteration, snapshot.discriminator_loss,
                                   snapshot.generator_loss)
            if snapshot.elbo_terms is not None:
                history.add_elbo_terms(snapshot.iteration, snapshot.elbo_terms)
            if run.metrics:
                history.add_metrics(run.metrics)
                if index == 0:
                    self.charts.set_w1_floor(run.metrics.get("w1_floor"))
            pane = self.panes[index]
            if pane.hold_canvas:  # painting: the canvas shows the brush strokes only
                continue
            pane.show_data(snapshot.data_kind, snapshot.real.shape[1])
            view = pane.current_view
            prefix = run_title_prefix(frame, index) if compare else ""
            view.set_title(prefix + (VAE_TITLE if run.config.model.family == "vae"
                                     else snapshot.objective))
            view.show_run(run)
        if frame.runs:  # run A's kind of data decides the charts (compare mode shares it)
            snapshot = frame.runs[0].snapshot
            self.charts.set_data_kind(snapshot.data_kind, len(snapshot.class_names))
        now = time.perf_counter()
        histories = self.histories[: len(frame.runs)]
        charts = self.charts.chart_names
        if not frame.running:
            self.charts.show_histories(histories)
        elif now - self._chart_drawn >= CHART_INTERVAL_S / len(charts):
            self._chart_drawn = now
            chart = charts[self._chart_turn % len(charts)]
            self._chart_turn += 1
            self.charts.show_histories(histories, charts=(chart,))
        if frame.runs:
            first = frame.runs[0]
            config = first.config
            self.charts.set_objectives([run.config.objective.name for run in frame.runs],
                                       [run.snapshot.reference_losses for run in frame.runs])
            self._show_model_families(tuple(run.config.model.family for run in frame.runs))
            self.charts.set_mode_chart_visible(first.snapshot.box.dim == 2 and bool(
                len(self.histories[0].series["modes_covered"])))
            self.diagram.set_objective(config.objective.name, config.training.critic_steps,
                                       config.training.generator_steps)
        self.diagram.set_phase(frame.phase)
        self.status.show_frame(frame)
        if frame.failure:
            self.banner.show_failure(frame.failure, frame.can_restore)
        else:
            self.banner.hide()
        if frame.error:
            self.status.bar.showMessage(frame.error, 8000)
        self.frames_presented += 1

    def forget_runs(self) -> None:
        """Clear the charts' histories and the views' adaptive scales (the networks restarted,
        or a new training process starts from scratch)."""
        for history in self.histories:
            history.clear()
        for pane in self.panes:
            for view in pane.views:
                view.restart()
        self.status.clear_metrics()

    def new_worker(self) -> None:
        """A new training process counts epochs from the start again: clear everything now."""
        self._epoch = None
        self.forget_runs()

    def move_travellers(self, t: float) -> None:
        for pane in self.panes:
            if pane.isVisible() and pane.current_view is not pane.line_view:  # 2D or images
                pane.current_view.move_traveller(t)
