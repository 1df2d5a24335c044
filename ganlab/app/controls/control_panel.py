"""The settings of one run: objective, steps, optimizers, networks — every knob of `RunConfig`.

The panel is built from the settings' declarations (`ganlab.core.settings`): one group per
section of the configuration, one widget per setting that declares a panel label, each with the
declared range, choices and one-line help. An edit copies the panel's configuration, sets that
setting, validates, and emits `config_edited` with the new configuration; `set_config` shows a
configuration without emitting (lessons, restores, run B's shared fields). Settings therefore
flow one way: control → config → worker.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ganlab.app import theme
from ganlab.app.controls.field_keys import guard_fields
from ganlab.app.controls.setting_widgets import make_binding
from ganlab.app.controls.stabiliser_controls import (
    add_two_time_scale_button,
    update_stabiliser_controls,
)
from ganlab.app.vae_beside_gan import unused_by_a_vae
from ganlab.core.config import ConfigError, RunConfig
from ganlab.core.objectives import OBJECTIVES
from ganlab.core.settings import Leaf, leaves, nest

#: the order of the groups; a section not named here follows them, in declaration order
GROUP_ORDER = ("objective", "training", "generator_optimizer", "discriminator_optimizer", "model")
#: k or g at 0 stops one network's training: a choice the panel names and explains
FROZEN_STEPS = {
    "training.critic_steps": ("0: D frozen", "k = 0: the discriminator never trains; the "
                              "generator chases a fixed D."),
    "training.generator_steps": ("0: G frozen", "g = 0: the generator never trains; watch "
                                 "the discriminator approach D* for a fixed generator."),
}


class ControlPanel(QScrollArea):
    """Edits one `RunConfig` (or a subclass: its extra settings appear in their groups)."""

    config_edited = Signal(object)  # the new, validated RunConfig

    def __init__(self, config: RunConfig, parent=None, shared_locked: bool = False):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self._config = config.copy()
        # path → (widget, getter, setter); the shape tests/app/test_window.py reads
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
        self.frozen_note = QLabel()
        self.frozen_note.setWordWrap(True)
        self.frozen_note.setStyleSheet("color: #ffd479;")
        self.frozen_note.setToolTip("A network with 0 updates per iteration does not learn.")
        self.frozen_note.hide()
        layout.addWidget(self.frozen_note)
        for items in _groups(type(config)):
            form = self._group(layout, items[0].group)
            for item in items:
                self._bind(form, item)
        if shared_locked:
            self.widget_for("training.seed").setEnabled(False)
            self.widget_for("training.seed").setToolTip("Run B uses run A's seed and target.")
        self.two_time_scale = add_two_time_scale_button(self)
        for path, (special, _note) in FROZEN_STEPS.items():
            self.widget_for(path).setSpecialValueText(special)  # shown at the minimum, 0
        layout.addStretch(1)
        self.field_guard = guard_fields(body)  # the wheel scrolls; Space plays
        self.set_config(self._config)

    # ---------------------------------------------------------------- public
    def config(self) -> RunConfig:
        return self._config.copy()

    def widget_for(self, path: str) -> QWidget:
        """The widget bound to a configuration setting (tests, lessons' highlights)."""
        return self._bindings[path][0]

    def set_config(self, config: RunConfig) -> None:
        """Show `config` in every widget; emits nothing."""
        self._config = config.copy()
        for path, (widget, _getter, setter) in self._bindings.items():
            widget.blockSignals(True)
            try:
                setter(self._config.value_at(path))
            finally:
                widget.blockSignals(False)
        self._update_enabled()

    def edit(self, path: str, value) -> bool:
        """Apply one edit as if the user made it; False (and a message) if it is invalid."""
        return self.edit_partial(nest(path, value))

    def edit_partial(self, partial: dict) -> bool:
        """Apply several settings at once (a preset) as one edit; see `edit`."""
        try:
            candidate = self._config.merged(partial).validate()
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

    def _bind(self, form: QFormLayout, item: Leaf) -> None:
        binding = make_binding(item)
        label = QLabel(item.label)
        label.setToolTip(item.help)
        form.addRow(label, binding.widget)
        self._bindings[item.path] = (binding.widget, binding.getter, binding.setter)
        binding.signal.connect(lambda *_: self.edit(item.path, binding.getter()))

    def _update_enabled(self) -> None:
        config = self._config
        name = config.objective.name
        objective = OBJECTIVES[name]
        self.widget_for("objective.gradient_penalty_weight").setEnabled(
            objective.gradient_penalty)
        self.widget_for("objective.clip_value").setEnabled(objective.weight_clipping)
        has_d = objective.needs_discriminator
        for path in ("objective.r1_gamma", "objective.r1_interval",
                     "objective.discriminator_weight_decay",
                     "training.critic_steps", "discriminator_optimizer.name",
                     "discriminator_optimizer.learning_rate"):
            self.widget_for(path).setEnabled(has_d)
        for role in ("generator", "discriminator"):
            optimizer = getattr(config, f"{role}_optimizer").name
            usable = has_d or role == "generator"
            for field in ("beta1", "beta2"):
                self.widget_for(f"{role}_optimizer.{field}").setEnabled(
                    usable and optimizer == "adam")
            self.widget_for(f"{role}_optimizer.momentum").setEnabled(
                usable and optimizer != "adam")
        update_stabiliser_controls(self, config)
        for path in unused_by_a_vae(self._bindings, config):  # no D, no GAN objective
            self.widget_for(path).setEnabled(False)
        notes = [note for path, (_special, note) in FROZEN_STEPS.items()
                 if config.value_at(path) == 0 and self.widget_for(path).isEnabled()]
        self.frozen_note.setText(" ".join(notes))
        self.frozen_note.setVisible(bool(notes))


def _groups(root: type) -> list[list[Leaf]]:
    """The panel's settings of `root`, one list per section, in GROUP_ORDER."""
    by_section: dict[str, list[Leaf]] = {}
    for item in leaves(root):
        if item.label is not None:
            by_section.setdefault(item.section, []).append(item)
    order = {name: index for index, name in enumerate(GROUP_ORDER)}
    sections = sorted(by_section, key=lambda name: order.get(name, len(order)))
    return [by_section[name] for name in sections]
