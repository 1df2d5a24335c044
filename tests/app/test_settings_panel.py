"""The settings panel is built from the settings' declarations: every widget accepts exactly
the validated range, shows values at its ends unclamped, and a setting declared in a subclass
appears without touching the panel."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QGroupBox

from ganlab.app.controls.control_panel import ControlPanel
from ganlab.app.lessons import app_defaults
from ganlab.core.config import RunConfig
from ganlab.core.settings import leaves
from tests.extended_config import ExtendedRunConfig

PANEL = [item for item in leaves(RunConfig) if item.label is not None]


@pytest.fixture
def panel(qtbot):
    widget = ControlPanel(app_defaults())
    qtbot.addWidget(widget)
    return widget


def test_every_declared_panel_setting_has_a_widget_with_its_help(panel):
    assert set(panel._bindings) == {item.path for item in PANEL}
    for item in PANEL:
        assert panel.widget_for(item.path).toolTip() == item.help


@pytest.mark.parametrize("item", PANEL, ids=lambda item: item.path)
def test_widget_range_is_the_validated_range(panel, item):
    widget = panel.widget_for(item.path)
    if isinstance(widget, QComboBox):
        shown = [widget.itemText(i) for i in range(widget.count())]
        expected = item.choices if item.choices is not None else item.setting.offered()
        assert shown == list(expected)
    elif item.kind is bool:
        assert widget.isCheckable()
    else:
        assert (widget.minimum(), widget.maximum()) == (item.setting.low, item.setting.high)


NUMERIC = [item for item in PANEL if item.kind in (int, float)]


@pytest.mark.parametrize("item", NUMERIC, ids=lambda item: item.path)
def test_a_config_at_each_end_of_a_range_shows_unclamped(panel, item):
    _, getter, _ = panel._bindings[item.path]
    for end in (item.setting.low, item.setting.high):
        value = item.kind(end)
        panel.set_config(app_defaults().replaced(item.path, value).validate())
        assert getter() == value, item.path
        assert panel.config().value_at(item.path) == value


def test_latent_100_from_a_session_shows_as_100_and_edits_reach_the_top(panel, qtbot):
    panel.set_config(app_defaults().replaced("model.latent_dim", 100))
    spin = panel.widget_for("model.latent_dim")
    assert spin.value() == 100
    with qtbot.waitSignal(panel.config_edited) as edited:
        spin.setValue(128)
    assert edited.args[0].model.latent_dim == 128
    with qtbot.waitSignal(panel.config_edited) as edited:
        panel.widget_for("generator_optimizer.learning_rate").set_value_and_emit(10.0)
    assert edited.args[0].generator_optimizer.learning_rate == 10.0
    slider = panel.widget_for("generator_optimizer.learning_rate")
    assert slider.slider.value() == pytest.approx(0.0)  # the handle stops at its span, 1e0


def test_a_seed_beyond_a_spin_box_shows_and_edits(panel, qtbot):
    top = 2**63 - 1
    panel.set_config(app_defaults().replaced("training.seed", top))
    edit = panel.widget_for("training.seed")
    assert edit.text() == str(top)
    edit.setText("12345678901")
    with qtbot.waitSignal(panel.config_edited) as edited:
        edit.editingFinished.emit()
    assert edited.args[0].training.seed == 12345678901


def test_a_setting_declared_in_a_subclass_appears_in_its_group(qtbot):
    panel = ControlPanel(ExtendedRunConfig())
    qtbot.addWidget(panel)
    spin = panel.widget_for("training.warmup_iterations")
    assert (spin.minimum(), spin.maximum(), spin.value()) == (0, 5000, 250)
    assert spin.toolTip() == "Iterations at a reduced learning rate before the schedule starts."
    group = spin.parentWidget()
    assert isinstance(group, QGroupBox) and group.title() == "Training"
    with qtbot.waitSignal(panel.config_edited) as edited:
        spin.setValue(40)
    config = edited.args[0]
    assert isinstance(config, ExtendedRunConfig) and config.training.warmup_iterations == 40


@pytest.mark.parametrize("name", ["minimax", "wgan", "wgan-gp", "mmd", "sliced-wasserstein"])
def test_constants_are_enabled_by_what_the_objective_uses(panel, name):
    """λ is live only for an objective with a gradient penalty, c only for weight clipping, and
    the discriminator's settings only where there is a discriminator (asked of the objective's
    capability flags, never of its name)."""
    from ganlab.core.objectives import OBJECTIVES

    objective = OBJECTIVES[name]
    assert panel.edit("objective.name", name)
    assert panel.widget_for("objective.gradient_penalty_weight").isEnabled() == (
        objective.gradient_penalty)
    assert panel.widget_for("objective.clip_value").isEnabled() == objective.weight_clipping
    assert panel.widget_for("training.critic_steps").isEnabled() == (
        objective.needs_discriminator)
