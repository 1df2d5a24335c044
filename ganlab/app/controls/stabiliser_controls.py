"""The settings panel's part for the stabilisers of theory §6: which of their controls apply
to the chosen objective, and the one-click two time-scale learning-rate preset.

The stabilisers' own controls are ordinary declared settings (`ObjectiveConfig`); here they
are enabled only where they mean something: all need a discriminator, the real label only an
objective that regresses reals to a label (`Objective.label_smoothing`), and N only while
instance noise is on. Qt only: no torch.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFormLayout, QPushButton

from ganlab.core.objectives import OBJECTIVES
from ganlab.core.stabiliser_settings import TWO_TIME_SCALE, TWO_TIME_SCALE_HELP

NEEDS_DISCRIMINATOR = ("objective.r2_gamma", "objective.instance_noise",
                       "objective.lecam_weight", "objective.spectral_norm")
TWO_TIME_SCALE_SHORTCUT = "Ctrl+Shift+T"
NO_LABEL_NOTE = " Not used by {name}: it has no real label to smooth."


def update_stabiliser_controls(panel, config) -> None:
    """Enable each stabiliser's control where the chosen objective uses it."""
    objective = OBJECTIVES[config.objective.name]
    has_d = objective.needs_discriminator
    for path in NEEDS_DISCRIMINATOR:
        panel.widget_for(path).setEnabled(has_d)
    panel.widget_for("objective.instance_noise_iterations").setEnabled(
        has_d and config.objective.instance_noise > 0)
    label = panel.widget_for("objective.real_label")
    label.setEnabled(objective.label_smoothing)
    help_text = label.property("declared_help") or label.toolTip()
    label.setProperty("declared_help", help_text)
    label.setToolTip(help_text if objective.label_smoothing
                     else help_text + NO_LABEL_NOTE.format(name=objective.name))


def _apply_preset(panel, partial: dict) -> None:
    """One edit of several settings, then every widget shows the new values."""
    if panel.edit_partial(partial):
        panel.set_config(panel.config())


def add_two_time_scale_button(panel) -> QPushButton:
    """A button under D's learning rate that sets both learning rates to `TWO_TIME_SCALE`
    in one edit (one new configuration for the worker)."""
    button = QPushButton("Two time-scale rates (TTUR)")
    button.setObjectName("two_time_scale")
    button.setToolTip(f"{TWO_TIME_SCALE_HELP} ({TWO_TIME_SCALE_SHORTCUT})")
    button.setShortcut(QKeySequence(TWO_TIME_SCALE_SHORTCUT))
    button.clicked.connect(lambda: _apply_preset(panel, TWO_TIME_SCALE))
    rate = panel.widget_for("discriminator_optimizer.learning_rate")
    form = rate.parentWidget().layout()
    if isinstance(form, QFormLayout):
        form.addRow("", button)
    return button
