"""The dynamics view's settings: which game, objective, learning rates, k, the order of the
updates and the regularisers — by default the run's own (`settings_from_run`), until the user
edits one here (that unticks "follow the run's settings")."""

from __future__ import annotations

from dataclasses import asdict, replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QSpinBox,
    QWidget,
)

from ganlab.core.config import RunConfig
from ganlab.core.game_dynamics import LOSSES, OBJECTIVE_FORMULAS, GameSettings

GAMES = ("dirac", "gaussian")
GAME_LABELS = {"dirac": "Dirac-GAN: θ against d(x) = ψ·x",
               "gaussian": "Gaussian: (μ, σ) against d(x) = ψ1·x + ψ2·x²"}
ORDERS = {False: "simultaneous", True: "alternating (k D steps, then G)"}

#: the regularisers' spin boxes: field, label, upper bound, tooltip
REGULARISERS = (
    ("r1_gamma", "γ R1", 10.0, "R1: D's loss gets (γ/2)·E d'(x_r)², its slope on real samples "
     "(Mescheder et al. 2018); 0 is off."),
    ("r2_gamma", "γ R2", 10.0, "R2: (γ/2)·E d'(x_f)², D's slope on generated samples; for the "
     "Dirac-GAN's linear D the same as R1."),
    ("instance_noise", "instance noise σ", 3.0, "Both of D's inputs get + σ·ε, ε ~ N(0, 1): "
     "x_r ~ N(m*, s*² + σ²), x_f ~ N(m, s² + σ²); held fixed here (the run anneals it)."),
    ("lecam_weight", "λ LeCam", 10.0, "LeCam (Tseng et al. 2021): λ·(E(d(x_r) − α_F)² + "
     "E(d(x_f) − α_R)²), anchors α = the current mean outputs on real and generated samples."),
    ("gradient_penalty_weight", "λ WGAN-GP", 10.0, "λ of WGAN-GP's λ·E(|d'(x̂)| − 1)² on "
     "interpolates x̂ = αx_r + (1 − α)x_f (used by the wgan-gp objective only)."),
)
#: where a stabiliser may live in the run's configuration (the first that exists is read)
RUN_PATHS = {
    "r2_gamma": ("objective.r2_gamma",),
    "lecam_weight": ("objective.lecam_weight", "training.lecam_weight"),
    "instance_noise": ("objective.instance_noise", "training.instance_noise",
                       "objective.instance_noise_sigma", "training.instance_noise_sigma"),
}


def _run_value(config: RunConfig, paths: tuple[str, ...], default: float) -> float:
    for path in paths:
        try:
            return float(config.value_at(path))
        except (AttributeError, TypeError, ValueError):
            continue
    return default


def settings_from_run(config: RunConfig, current: GameSettings) -> GameSettings:
    """The run's objective (kept as `current`'s when the run has no discriminator), learning
    rates, k and regularisers; the order is alternating, as the engine trains."""
    objective = config.objective.name if config.objective.name in LOSSES else current.objective
    values = {name: _run_value(config, paths, 0.0) for name, paths in RUN_PATHS.items()}
    return GameSettings(
        objective=objective,
        generator_lr=config.generator_optimizer.learning_rate,
        discriminator_lr=config.discriminator_optimizer.learning_rate,
        critic_steps=config.training.critic_steps, alternating=True,
        r1_gamma=config.objective.r1_gamma,
        gradient_penalty_weight=config.objective.gradient_penalty_weight, **values)


def _spin(low: float, high: float, tip: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(4)
    box.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
    box.setToolTip(tip)
    return box


class DynamicsPanel(QWidget):
    """Controls for a `GameSettings` and the game; `changed` after any edit or follow."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(4, 4, 4, 4)
        self.game_box = QComboBox()
        for game in GAMES:
            self.game_box.addItem(GAME_LABELS[game], game)
        self.game_box.setToolTip("The game drawn: a point mass against a linear D, or a "
                                 "Gaussian's mean and spread against a quadratic D.")
        self.follow_box = QCheckBox("follow the run's settings")
        self.follow_box.setChecked(True)
        self.follow_box.setToolTip("Use run A's objective, learning rates, k and regularisers "
                                   "(alternating updates, as ganlab trains). Editing a setting "
                                   "here unticks it.")
        self.objective_box = QComboBox()
        for name in LOSSES:
            self.objective_box.addItem(name, name)
            self.objective_box.setItemData(self.objective_box.count() - 1,
                                           OBJECTIVE_FORMULAS[name], 3)  # Qt.ToolTipRole
        self.objective_box.setToolTip("The GAN objective both players descend.")
        self.order_box = QComboBox()
        for alternating, label in ORDERS.items():
            self.order_box.addItem(label, alternating)
        self.order_box.setToolTip("Simultaneous: G steps against the old ψ. Alternating: D "
                                  "takes its k steps first and G answers the new ψ.")
        self.lr_g = _spin(1e-4, 2.0, "h_G: G's gradient-descent step size (plain steps: the "
                          "run's optimizer, e.g. Adam's momentum, is not modelled).")
        self.lr_d = _spin(1e-4, 2.0, "h_D: the step size of each of D's k gradient steps.")
        self.critic_steps = QSpinBox()
        self.critic_steps.setRange(0, 50)
        self.critic_steps.setToolTip("k: D's gradient steps per iteration.")
        self.regularisers = {name: _spin(0.0, high, tip)
                             for name, _, high, tip in REGULARISERS}
        form.addRow("game", self.game_box)
        form.addRow(self.follow_box)
        form.addRow("objective", self.objective_box)
        form.addRow("order", self.order_box)
        form.addRow("h_G (G step)", self.lr_g)
        form.addRow("h_D (D step)", self.lr_d)
        form.addRow("k (D steps)", self.critic_steps)
        for name, label, _, _ in REGULARISERS:
            form.addRow(label, self.regularisers[name])
        self._settings = GameSettings()
        self._show(self._settings)
        self.game_box.currentIndexChanged.connect(lambda _: self.changed.emit())
        self.follow_box.toggled.connect(lambda _: self.changed.emit())
        for box in (self.objective_box, self.order_box):
            box.currentIndexChanged.connect(self._on_edited)
        for box in (self.lr_g, self.lr_d, self.critic_steps, *self.regularisers.values()):
            box.valueChanged.connect(self._on_edited)

    # ------------------------------------------------------------------ state
    def settings(self) -> GameSettings:
        return self._settings

    def game(self) -> str:
        return self.game_box.currentData()

    def following(self) -> bool:
        return self.follow_box.isChecked()

    def set_game(self, game: str) -> None:
        self.game_box.setCurrentIndex(GAMES.index(game))

    def set_settings(self, settings: GameSettings, follow: bool = False) -> None:
        """Show `settings` (a lesson's, or the run's when following) and announce them."""
        self._settings = settings
        self.follow_box.blockSignals(True)
        self.follow_box.setChecked(follow)
        self.follow_box.blockSignals(False)
        self._show(settings)
        self.changed.emit()

    def follow_run(self, config: RunConfig) -> None:
        """The run's settings, if "follow" is ticked."""
        if self.following():
            self.set_settings(settings_from_run(config, self._settings), follow=True)

    def _show(self, settings: GameSettings) -> None:
        widgets = (self.objective_box, self.order_box, self.lr_g, self.lr_d,
                   self.critic_steps, *self.regularisers.values())
        for widget in widgets:
            widget.blockSignals(True)
        self.objective_box.setCurrentIndex(self.objective_box.findData(settings.objective))
        self.order_box.setCurrentIndex(self.order_box.findData(settings.alternating))
        self.lr_g.setValue(settings.generator_lr)
        self.lr_d.setValue(settings.discriminator_lr)
        self.critic_steps.setValue(settings.critic_steps)
        values = asdict(settings)
        for name, box in self.regularisers.items():
            box.setValue(values[name])
        self.regularisers["gradient_penalty_weight"].setEnabled(settings.objective == "wgan-gp")
        for widget in widgets:
            widget.blockSignals(False)

    def _on_edited(self, *_) -> None:
        self._settings = replace(
            self._settings, objective=self.objective_box.currentData(),
            alternating=bool(self.order_box.currentData()), generator_lr=self.lr_g.value(),
            discriminator_lr=self.lr_d.value(), critic_steps=self.critic_steps.value(),
            **{name: box.value() for name, box in self.regularisers.items()})
        self.regularisers["gradient_penalty_weight"].setEnabled(
            self._settings.objective == "wgan-gp")
        self.follow_box.blockSignals(True)
        self.follow_box.setChecked(False)  # the user took over
        self.follow_box.blockSignals(False)
        self.changed.emit()
