"""The dynamics view: the two players as one point in parameter space (Mescheder et al. 2018).

Left, the plane of the game (θ, ψ) for the Dirac-GAN, (μ, σ) for the Gaussian: arrows show one
iteration's step from each point (for the Gaussian, G's step against the discriminator's
current ψ), the equilibrium is a star, and a click starts a trajectory of the discrete updates
there that grows live (a fixed amount of "time" h·steps per frame, so small learning rates are
slow in iterations but not on screen). Right, the settings (`DynamicsPanel`) and the Jacobian's
eigenvalues at the equilibrium: as numbers, what they mean, and on a small complex plane.
The maths is `ganlab.core.game_dynamics` (numpy, in this process: no torch here).
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ganlab.app import theme
from ganlab.app.views.dynamics_panel import DynamicsPanel
from ganlab.core.dirac_dynamics import DIRAC, DIRAC_START, DIRAC_VIEW
from ganlab.core.game_dynamics import Game, GameSettings, iterate
from ganlab.core.game_spectrum import equilibrium_spectrum
from ganlab.core.gaussian_dynamics import GAUSSIAN, GAUSSIAN_START, GAUSSIAN_VIEW

GAMES = {"dirac": (DIRAC, DIRAC_START, DIRAC_VIEW),
         "gaussian": (GAUSSIAN, GAUSSIAN_START, GAUSSIAN_VIEW)}
GRID = 19  # arrows per side
FRAME_MS = 33
TIME_PER_FRAME = 0.06  # h·iterations advanced per frame
MAX_STEPS_PER_FRAME = 2000
FIELD_EVERY = 6  # frames between redraws of the Gaussian's field (it follows ψ)
FRAME_BUDGET_S = 0.006  # the window stays responsive: a slow game just moves slower
MAX_ITERATIONS = 100_000
SMALL_STEP = 0.02  # steps shorter than this fraction of the arrows' spacing get short arrows
TRAJECTORY_COLOUR = theme.INTERPOLATION
ARROW_COLOUR = theme.DENSITY_CONTOUR


def arrow_segments(points: np.ndarray, steps: np.ndarray, cell: float) -> np.ndarray:
    """Line segments (pairs of rows) drawing an arrow along each step: length ∝ √|step|, the
    longest `cell`·0.85 unless every step is under SMALL_STEP of a cell (then shorter), with a
    two-stroke head. points, steps: (n, 2) → (6n, 2)."""
    size = np.hypot(steps[:, 0], steps[:, 1])
    longest = size.max() if size.size and np.isfinite(size).all() else 0.0
    if longest <= 0:
        return np.zeros((0, 2))
    length = 0.85 * cell * np.sqrt(size / max(longest, SMALL_STEP * cell))
    direction = steps / np.where(size > 0, size, 1.0)[:, None]
    tips = points + direction * length[:, None]
    segments = [points, tips]
    for angle in (2.6, -2.6):  # the head's strokes, turned back from the direction
        c, s = np.cos(angle), np.sin(angle)
        back = np.stack([c * direction[:, 0] - s * direction[:, 1],
                         s * direction[:, 0] + c * direction[:, 1]], axis=1)
        segments += [tips, tips + back * (0.35 * length)[:, None]]
    return np.stack(segments, axis=1).reshape(-1, 2)


def describe(spectrum, settings: GameSettings) -> str:
    """The eigenvalues at the equilibrium and what they say, in a few lines of rich text."""
    if not spectrum.stationary:
        return ("<b>No equilibrium at p_g = p_data, ψ = 0</b> for this objective here: its D "
                "cannot output the constant it wants (no bias), so the field does not vanish.")
    if not spectrum.differentiable:
        return ("<b>The field has no Jacobian at the equilibrium</b>: λ(|d'(x̂)| − 1)² pushes "
                "|ψ| to 1 and its gradient jumps at ψ = 0 (Mescheder et al.: WGAN-GP need not "
                "converge).")
    field = ", ".join(_complex(v) for v in spectrum.field)
    top = max(v.real for v in spectrum.field)
    if top < -1e-7:
        meaning = "all Re λ &lt; 0: the field pulls in (converges for small enough steps)"
    elif top > 1e-7:
        meaning = "some Re λ &gt; 0: the field pushes out"
    else:
        meaning = "Re λ = 0: a centre — the field circles, no pull to the equilibrium"
    radius = spectrum.radius
    order = "alternating" if settings.alternating else "simultaneous"
    if radius < 1 - 1e-9:
        fate = f"converges: the distance shrinks ×{radius:.5f} per iteration"
    elif radius > 1 + 1e-9:
        fate = f"spirals out: the distance grows ×{radius:.5f} per iteration"
    else:
        fate = "neither: closed orbits near the equilibrium (|μ| = 1)"
    return (f"<b>Jacobian of the field at the equilibrium</b>: λ = {field}<br>{meaning}.<br>"
            f"<b>{order} updates</b> (h_G {settings.generator_lr:g}, h_D "
            f"{settings.discriminator_lr:g}, k {settings.critic_steps}): max |μ| = "
            f"{radius:.5f} — {fate}.")


def _complex(value: complex) -> str:
    real = value.real if abs(value.real) >= 5e-4 else 0.0  # no "−0.000"
    if abs(value.imag) < 5e-4:
        return f"{real:.3f}"
    sign = "+" if value.imag > 0 else "−"
    return f"{real:.3f} {sign} {abs(value.imag):.3f}i"


class DynamicsView(QWidget):
    """The plane, the settings and the eigenvalues; `start(point)` starts a trajectory."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.panel = DynamicsPanel()
        self.plane = pg.PlotWidget()
        self.plane.setMinimumSize(360, 320)
        self.plane.setAspectLocked(True)
        self.plane.setMenuEnabled(False)
        self.plane.setToolTip("Click to start a trajectory of the discrete updates there.")
        self.arrows = pg.PlotDataItem(pen=theme.pen(ARROW_COLOUR, 1.2), connect="pairs")
        self.path = pg.PlotDataItem(pen=theme.pen(TRAJECTORY_COLOUR, 2.0))
        self.previous_path = pg.PlotDataItem(pen=theme.pen(TRAJECTORY_COLOUR, 1.2, alpha=90))
        self.start_mark = pg.ScatterPlotItem(size=9, brush=theme.brush(TRAJECTORY_COLOUR),
                                             pen=None)
        self.head = pg.ScatterPlotItem(size=12, brush=theme.brush(theme.GRADIENT), pen=None)
        self.equilibrium_mark = pg.ScatterPlotItem(size=16, symbol="star", pen=None,
                                                   brush=theme.brush(theme.REAL))
        for item in (self.arrows, self.previous_path, self.path, self.start_mark,
                     self.equilibrium_mark, self.head):
            self.plane.addItem(item)
        self.eigen_plot = pg.PlotWidget()
        self.eigen_plot.setFixedSize(230, 170)
        self.eigen_plot.setAspectLocked(True)
        self.eigen_plot.setMenuEnabled(False)
        self.eigen_plot.setToolTip("The field's Jacobian eigenvalues λ at the equilibrium on the "
                                   "complex plane (Re λ < 0: pulled in; on the imaginary axis: "
                                   "circles).")
        theme.style_plot(self.eigen_plot.getPlotItem(), x_label="Re λ", y_label="Im λ")
        self.eigen_plot.addItem(pg.InfiniteLine(0, angle=90, pen=theme.pen(theme.MUTED, 1)))
        self.eigen_plot.addItem(pg.InfiniteLine(0, angle=0, pen=theme.pen(theme.MUTED, 1)))
        self.eigen_points = pg.ScatterPlotItem(size=10, brush=theme.brush(theme.GRADIENT),
                                               pen=None)
        self.eigen_plot.addItem(self.eigen_points)
        self.spectrum_text = QLabel()
        self.spectrum_text.setWordWrap(True)
        self.spectrum_text.setTextFormat(Qt.TextFormat.RichText)
        self.progress_text = QLabel()
        self.restart_button = QPushButton("Restart")
        self.restart_button.setToolTip("Start the trajectory again from its start point.")
        self.restart_button.clicked.connect(lambda: self.start(self.trajectory[0]))
        side = QVBoxLayout()
        side.addWidget(self.panel)
        side.addWidget(self.eigen_plot, alignment=Qt.AlignmentFlag.AlignHCenter)
        side.addWidget(self.spectrum_text)
        side.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.plane, stretch=1)
        row = QHBoxLayout()
        row.addWidget(self.progress_text, stretch=1)
        row.addWidget(self.restart_button)
        left.addLayout(row)
        layout = QHBoxLayout(self)
        layout.addLayout(left, stretch=3)
        layout.addLayout(side, stretch=2)
        self.spectrum_text.setMinimumWidth(280)
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.advance)
        self.plane.scene().sigMouseClicked.connect(self._on_clicked)
        self.panel.changed.connect(self._on_settings_changed)
        self._game_name = ""
        self._frames = 0
        self._stale = True
        self.trajectory = np.zeros((1, 2))
        self.iterations = 0
        self._on_settings_changed()

    # ------------------------------------------------------------------ model
    @property
    def game(self) -> Game:
        return GAMES[self.panel.game()][0]

    @property
    def settings(self) -> GameSettings:
        return self.panel.settings()

    def start(self, point) -> None:
        """A new trajectory from the state `point` (a click gives ψ = 0 for the Gaussian)."""
        point = np.asarray(point, dtype=float)
        if hasattr(self, "_storage") and len(self.trajectory) > 1 and point.size == (
                self.trajectory.shape[1]):  # the last one stays, faded, to compare with
            self.previous_path.setData(*self._drawn(self.trajectory).T)
        elif not hasattr(self, "_storage") or point.size != self.trajectory.shape[1]:
            self.previous_path.setData([], [])
        self._storage = np.empty((1024, self.game.size))
        self._storage[0] = point
        self.iterations = 0
        self.trajectory = self._storage[:1]
        self.start_mark.setData([point[0]], [point[1]])
        self._draw_path()
        if self.isVisible():
            self.timer.start()

    def run_for(self, iterations: int) -> None:
        """Advance the trajectory by `iterations` (tests, and `advance`)."""
        state = self.trajectory[-1]
        for _ in range(iterations):
            if self._finished(state):
                self.timer.stop()
                break
            state = iterate(self.game, state, self.settings)
            self._append(state)

    def advance(self) -> None:
        """One frame's worth: TIME_PER_FRAME of h·iterations, or FRAME_BUDGET_S of work."""
        step = max(self.settings.generator_lr, self.settings.discriminator_lr, 1e-6)
        wanted = int(np.clip(round(TIME_PER_FRAME / step), 1, MAX_STEPS_PER_FRAME))
        deadline = time.perf_counter() + FRAME_BUDGET_S
        while wanted > 0 and self.timer.isActive() and time.perf_counter() < deadline:
            chunk = min(wanted, 10)
            self.run_for(chunk)
            wanted -= chunk
        self._draw_path()
        self._frames += 1
        if self.game.learns_spread and self._frames % FIELD_EVERY == 0:
            self._draw_field()  # arrows against the discriminator's current ψ

    def _finished(self, state: np.ndarray) -> bool:
        gone = not np.all(np.isfinite(state)) or np.abs(state).max() > 1e3
        arrived = np.abs(state - self.game.equilibrium()).max() < 1e-4
        return gone or arrived or self.iterations >= MAX_ITERATIONS

    def _append(self, state: np.ndarray) -> None:
        count = len(self.trajectory)
        if count == len(self._storage):
            self._storage = np.concatenate([self._storage, np.empty_like(self._storage)])
        self._storage[count] = state
        self.trajectory = self._storage[:count + 1]
        self.iterations += 1

    # ------------------------------------------------------------------ drawing
    def _on_settings_changed(self) -> None:
        """Redraw for new settings now if shown, else when next shown (the hidden dock costs
        the window's start-up nothing)."""
        self._stale = not self.isVisible()
        if not self._stale:
            self._refresh()

    def _refresh(self) -> None:
        self._stale = False
        name = self.panel.game()
        game, start, (x_range, y_range) = GAMES[name]
        if name != self._game_name:
            self._game_name = name
            theme.style_plot(self.plane.getPlotItem(), x_label=game.labels[0],
                             y_label=game.labels[1])
            self.plane.setRange(xRange=x_range, yRange=y_range, padding=0.02)
            self.equilibrium_mark.setData([game.equilibrium()[0]], [game.equilibrium()[1]])
            self.start(start)
        else:
            self.start(self.trajectory[0])
        self._draw_field()
        spectrum = equilibrium_spectrum(game, self.settings)
        self.spectrum_text.setText(describe(spectrum, self.settings))
        shown = spectrum.field if spectrum.stationary and spectrum.differentiable else []
        self.eigen_points.setData([v.real for v in shown], [v.imag for v in shown])
        reach = max([1.0, *(abs(v) for v in shown)]) * 1.25
        self.eigen_plot.setRange(xRange=(-reach, reach), yRange=(-reach, reach), padding=0)

    def _draw_field(self) -> None:
        game, _, (x_range, y_range) = GAMES[self.panel.game()]
        xs, ys = np.linspace(*x_range, GRID), np.linspace(*y_range, GRID)
        if game.learns_spread:
            ys = ys[1:]  # σ = 0 is the edge of the plane
        grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        states = np.tile(self.trajectory[-1], (len(grid), 1))
        states[:, :2] = grid
        with np.errstate(all="ignore"):
            steps = (iterate(game, states, self.settings) - states)[:, :2]
        steps[~np.isfinite(steps).all(axis=1)] = 0.0
        segments = arrow_segments(grid, steps, xs[1] - xs[0])
        self.arrows.setData(segments[:, 0], segments[:, 1], connect="pairs")
        title = f"{game.name}: one iteration's step"
        if game.learns_spread:
            psi = self.trajectory[-1, 2:]
            title = f"G's step against ψ = ({psi[0]:.2f}, {psi[1]:.2f})"
            if not len(segments):
                title += ": no signal until D moves"
        self.plane.getPlotItem().setTitle(title, color=theme.NEUTRAL_TEXT)

    @staticmethod
    def _drawn(path: np.ndarray) -> np.ndarray:
        """The first two coordinates, at most ~20k points of them."""
        if len(path) > 20_000:
            path = path[:: len(path) // 20_000 + 1]
        return path[:, :2]

    def _draw_path(self) -> None:
        self.path.setData(*self._drawn(self.trajectory).T)
        self.head.setData([self.trajectory[-1, 0]], [self.trajectory[-1, 1]])
        distance = float(np.abs(self.trajectory[-1] - self.game.equilibrium()).max())
        self.progress_text.setText(f"iteration {self.iterations:,} · distance {distance:.4g}")
        self.progress_text.setToolTip("Iterations since the start, and the largest coordinate "
                                      "distance to the equilibrium.")

    def _on_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        where = self.plane.getPlotItem().vb.mapSceneToView(event.scenePos())
        point = np.zeros(self.game.size)
        point[:2] = where.x(), where.y()
        if self.game.learns_spread:
            point[1] = max(point[1], 0.01)  # a spread is positive
        self.start(point)

    # ------------------------------------------------------------------ Qt
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._refresh()
        if not self._finished(self.trajectory[-1]):
            self.timer.start()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.timer.stop()
