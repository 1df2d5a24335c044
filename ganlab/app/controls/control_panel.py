"""The settings of one run: objective, steps, optimizers, networks — every knob of `RunConfig`.

Each widget is bound to one dotted field of the configuration. An edit copies the panel's
configuration, sets that field, validates, and emits `config_edited` with the new configuration;
`set_config` shows a configuration without emitting (lessons, restores, run B's shared fields).
Settings therefore flow one way: control → config → worker.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ganlab.app import theme
from ganlab.app.controls.log_slider import LogSlider
from ganlab.app.controls.tooltips import TOOLTIPS
from ganlab.core.config import (
    ACTIVATIONS,
    LATENT_DISTRIBUTIONS,
    OPTIMIZERS,
    ConfigError,
    RunConfig,
)
from ganlab.core.devices import available_devices
from ganlab.core.objectives import OBJECTIVES


def get_field(config: RunConfig, path: str):
    value = config
    for part in path.split("."):
        value = getattr(value, part)
    return value


def set_field(config: RunConfig, path: str, value) -> None:
    *parents, name = path.split(".")
    owner = config
    for part in parents:
        owner = getattr(owner, part)
    if not hasattr(owner, name):
        raise AttributeError(f"RunConfig has no field {path}")
    setattr(owner, name, value)


class ControlPanel(QScrollArea):
    """Edits one `RunConfig`."""

    config_edited = Signal(object)  # the new, validated RunConfig

    def __init__(self, config: RunConfig, parent=None, shared_locked: bool = False):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self._config = config.copy()
        self._bindings: dict[str, tuple[QWidget, Callable, Callable]] = {}
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {theme.INTERPOLATION};")
        self.error_label.hide()
        layout.addWidget(self.error_label)

        objective = self._group(layout, "Objective")
        self.objective = self._combo(objective, "objective.name", "objective", list(OBJECTIVES))
        for index, name in enumerate(OBJECTIVES):
            self.objective.setItemData(index, OBJECTIVES[name].summary, 3)  # ToolTipRole
        self._double(objective, "objective.gradient_penalty_weight", "λ (gradient penalty)",
                     0.0, 100.0, 3)
        self._double(objective, "objective.clip_value", "c (weight clip)", 0.0001, 10.0, 4)
        self._double(objective, "objective.r1_gamma", "γ (R1 penalty)", 0.0, 100.0, 3)
        self._double(objective, "objective.discriminator_weight_decay", "C (D weight decay)",
                     0.0, 100.0, 4)

        steps = self._group(layout, "Training")
        self._int(steps, "training.critic_steps", "k (critic steps)", 0, 50)
        self._int(steps, "training.generator_steps", "g (generator steps)", 0, 50)
        self._int(steps, "training.batch_size", "batch size", 2, 8192)
        self._int(steps, "training.seed", "seed", 0, 2**31 - 1)
        devices = ["auto", *available_devices()]
        self._combo(steps, "training.device", "device", devices)
        if shared_locked:
            self._bindings["training.seed"][0].setEnabled(False)
            self._bindings["training.seed"][0].setToolTip("Run B uses run A's seed and target.")

        for role, title in (("generator", "Generator optimizer"),
                            ("discriminator", "Discriminator optimizer")):
            group = self._group(layout, title)
            prefix = f"{role}_optimizer"
            self._combo(group, f"{prefix}.name", "optimizer", list(OPTIMIZERS))
            slider = LogSlider(1e-6, 1.0, get_field(self._config, f"{prefix}.learning_rate"))
            self._bind(group, f"{prefix}.learning_rate", "learning rate", slider,
                       getter=slider.value, setter=slider.set_value, signal=slider.value_changed)
            self._double(group, f"{prefix}.beta1", "β1", 0.0, 0.999, 3)
            self._double(group, f"{prefix}.beta2", "β2", 0.0, 0.9999, 4)
            self._double(group, f"{prefix}.momentum", "momentum", 0.0, 0.999, 3)

        networks = self._group(layout, "Networks")
        self._int(networks, "model.latent_dim", "latent dimension", 1, 64)
        self._combo(networks, "model.latent_distribution", "p(z)", list(LATENT_DISTRIBUTIONS))
        standardise = QCheckBox()
        self._bind(networks, "model.standardize_data", "standardise data", standardise,
                   getter=standardise.isChecked, setter=standardise.setChecked,
                   signal=standardise.toggled)
        for role, short in (("generator", "G"), ("discriminator", "D")):
            self._int(networks, f"model.{role}.hidden_layers", f"{short} hidden layers", 0, 8)
            self._int(networks, f"model.{role}.width", f"{short} width", 1, 1024)
            self._combo(networks, f"model.{role}.activation", f"{short} activation",
                        list(ACTIVATIONS))
        layout.addStretch(1)
        self.set_config(self._config)

    # ---------------------------------------------------------------- public
    def config(self) -> RunConfig:
        return self._config.copy()

    def widget_for(self, path: str) -> QWidget:
        """The widget bound to a configuration field (tests, lessons' highlights)."""
        return self._bindings[path][0]

    def set_config(self, config: RunConfig) -> None:
        """Show `config` in every widget; emits nothing."""
        self._config = config.copy()
        for path, (widget, _getter, setter) in self._bindings.items():
            widget.blockSignals(True)
            try:
                setter(get_field(self._config, path))
            finally:
                widget.blockSignals(False)
        self._update_enabled()

    def edit(self, path: str, value) -> bool:
        """Apply one edit as if the user made it; False (and a message) if it is invalid."""
        candidate = self._config.copy()
        set_field(candidate, path, value)
        try:
            candidate.validate()
        except ConfigError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            self.set_config(self._config)
            return False
        self.error_label.hide()
        self._config = candidate
        self._update_enabled()
        self.config_edited.emit(candidate.copy())
        return True

    # ---------------------------------------------------------------- building
    @staticmethod
    def _group(layout: QVBoxLayout, title: str) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(box)
        return form

    def _bind(self, form, path, label, widget, getter, setter, signal) -> None:
        widget.setToolTip(TOOLTIPS[path])
        label_widget = QLabel(label)
        label_widget.setToolTip(TOOLTIPS[path])
        form.addRow(label_widget, widget)
        self._bindings[path] = (widget, getter, setter)
        signal.connect(lambda *_: self.edit(path, getter()))

    def _combo(self, form, path, label, items) -> QComboBox:
        combo = QComboBox()
        combo.addItems(items)
        self._bind(form, path, label, combo, getter=combo.currentText,
                   setter=combo.setCurrentText, signal=combo.currentTextChanged)
        return combo

    def _int(self, form, path, label, low, high) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setKeyboardTracking(False)
        self._bind(form, path, label, spin, getter=spin.value, setter=spin.setValue,
                   signal=spin.valueChanged)
        return spin

    def _double(self, form, path, label, low, high, decimals) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(low, high)
        spin.setDecimals(decimals)
        spin.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        spin.setKeyboardTracking(False)
        self._bind(form, path, label, spin, getter=spin.value, setter=spin.setValue,
                   signal=spin.valueChanged)
        return spin

    def _update_enabled(self) -> None:
        config = self._config
        name = config.objective.name
        objective = OBJECTIVES[name]
        self._bindings["objective.gradient_penalty_weight"][0].setEnabled(name == "wgan-gp")
        self._bindings["objective.clip_value"][0].setEnabled(name == "wgan")
        has_d = objective.needs_discriminator
        for path in ("objective.r1_gamma", "objective.discriminator_weight_decay",
                     "training.critic_steps", "discriminator_optimizer.name",
                     "discriminator_optimizer.learning_rate"):
            self._bindings[path][0].setEnabled(has_d)
        for role in ("generator", "discriminator"):
            optimizer = getattr(config, f"{role}_optimizer").name
            usable = has_d or role == "generator"
            for field in ("beta1", "beta2"):
                self._bindings[f"{role}_optimizer.{field}"][0].setEnabled(
                    usable and optimizer == "adam")
            self._bindings[f"{role}_optimizer.momentum"][0].setEnabled(
                usable and optimizer != "adam")
