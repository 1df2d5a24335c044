"""The stabilisers' controls in the settings panel: each where its objective uses it, with its
formula in the tooltip, and the two time-scale preset as one click (one edit)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from ganlab.app.controls.control_panel import ControlPanel
from ganlab.app.controls.stabiliser_controls import NEEDS_DISCRIMINATOR
from ganlab.app.lessons import app_defaults
from ganlab.app.views.raw_sample_layer import RAW_LABEL


@pytest.fixture
def panel(qtbot):
    widget = ControlPanel(app_defaults())
    qtbot.addWidget(widget)
    return widget


def test_each_stabiliser_control_is_enabled_where_the_objective_uses_it(panel):
    label = panel.widget_for("objective.real_label")
    assert label.isEnabled() and "α·softplus(−d(x))" in label.toolTip()
    assert panel.edit("objective.name", "wgan-gp")
    assert not label.isEnabled() and "Not used by wgan-gp" in label.toolTip()
    assert all(panel.widget_for(path).isEnabled() for path in NEEDS_DISCRIMINATOR)
    assert panel.edit("objective.name", "mmd")  # no discriminator: nothing to stabilise
    assert not any(panel.widget_for(path).isEnabled() for path in NEEDS_DISCRIMINATOR)
    assert panel.edit("objective.name", "lsgan")
    assert label.isEnabled() and "Not used" not in label.toolTip()
    noise_steps = panel.widget_for("objective.instance_noise_iterations")
    assert not noise_steps.isEnabled()  # N means something only with σ₀ > 0
    panel.widget_for("objective.instance_noise").setValue(0.3)  # as the user types it
    assert noise_steps.isEnabled() and panel.config().objective.instance_noise == 0.3
    assert "σ_t = σ₀·max(0, 1 − t/N)" in panel.widget_for("objective.instance_noise").toolTip()


def test_spectral_norm_is_a_check_box_that_edits_the_configuration(panel, qtbot):
    box = panel.widget_for("objective.spectral_norm")
    with qtbot.waitSignal(panel.config_edited) as edited:
        box.click()
    assert edited.args[0].objective.spectral_norm is True


def test_the_two_time_scale_button_sets_both_learning_rates_in_one_edit(panel, qtbot):
    edits = []
    panel.config_edited.connect(edits.append)
    qtbot.mouseClick(panel.two_time_scale, Qt.MouseButton.LeftButton)
    assert len(edits) == 1
    config = edits[0]
    assert (config.discriminator_optimizer.learning_rate,
            config.generator_optimizer.learning_rate) == (4e-4, 1e-4)
    assert config.replaced("discriminator_optimizer.learning_rate", 1e-3).replaced(
        "generator_optimizer.learning_rate", 1e-3) == app_defaults()  # nothing else changed
    assert "Heusel" in panel.two_time_scale.toolTip()
    assert panel.widget_for("discriminator_optimizer.learning_rate").value() == 4e-4


def test_the_raw_g_layer_draws_the_raw_generator_beside_the_average(window, qtbot):
    """Lesson 16 compares a run without an average (A) and one with β = 0.99 (B) and turns the
    Raw G layer on: B's canvas draws the frame's raw samples as rings, A's draws none."""
    from ganlab.app.lessons import load_lessons

    taught = next(item for item in load_lessons() if item.source.startswith("16_"))
    window.apply_lesson(taught)
    assert window.layers.raw_generated and window.layer_boxes["raw_generated"].isChecked()
    plain, averaged = (window.panes[i].canvas.layers["raw_generated"] for i in (0, 1))
    qtbot.waitUntil(lambda: averaged.scatter.data.size > 0, timeout=20_000)
    assert plain.scatter.data.size == 0 and averaged.scatter.isVisible()
    legends = [window.panes[i].canvas.legend.listed() for i in (0, 1)]
    assert RAW_LABEL not in legends[0] and RAW_LABEL in legends[1]
    shown = np.column_stack([averaged.scatter.data["x"], averaged.scatter.data["y"]])
    assert shown.shape == (len(shown), 2) and np.isfinite(shown).all()
    window.layer_boxes["raw_generated"].setChecked(False)
    assert not averaged.scatter.isVisible()
