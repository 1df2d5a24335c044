"""The "VAE beside the GAN" action in the real window: compare mode with run B a VAE whose
decoder is run A's generator network, its ELBO charted instead of D/G losses, the layers that
need a discriminator marked, and a VAE run refused as a session."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ganlab.app.vae_beside_gan import NO_DISCRIMINATOR, ONLY_RUN_A, VAE_TITLE
from ganlab.core.vae_trainer import VaeTrainer
from tests.app.conftest import trainer_of


def test_the_action_trains_a_vae_beside_the_gan_and_charts_its_elbo(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_V)  # the action's shortcut
    qtbot.waitUntil(lambda: len(window.session.worker.runs) == 2, timeout=10_000)
    gan, vae = trainer_of(window, 0), trainer_of(window, 1)
    assert type(gan).__name__ == "Trainer" and isinstance(vae, VaeTrainer)
    assert str(gan.generator) == str(vae.generator)  # the same generator network
    assert window.compare_action.isChecked() and window.settings_tabs.count() == 2
    family = [panel._bindings["model.family"][0] for panel in window.control_panels]
    assert [box.currentText() for box in family] == ["gan", "vae"]  # run B's under Networks
    for path in ("objective.name", "training.critic_steps", "model.discriminator.width"):
        assert [panel.widget_for(path).isEnabled() for panel in window.control_panels] == [
            True, False], path  # what a VAE does not read is greyed in run B's panel
    assert window.control_panels[1].widget_for("generator_optimizer.learning_rate").isEnabled()
    window.session.play()
    qtbot.waitUntil(lambda: len(window.presenter.histories[1].series["elbo"]) >= 3,
                    timeout=20_000)
    window.session.pause()
    a, b = window.presenter.histories
    assert len(a.series["discriminator_loss"]) >= 1 and not len(b.series["discriminator_loss"])
    elbo, reconstruction, kl = (b.series[name].y for name in ("elbo", "elbo_reconstruction",
                                                             "elbo_kl"))
    assert abs(elbo[-1] - (reconstruction[-1] - kl[-1])) < 1e-6 and kl[-1] >= 0
    layout = window.charts.ci.items
    assert window.charts.all_plots["elbo"] in layout and window.charts.all_plots["losses"] in \
        layout  # run A's losses, run B's ELBO
    assert VAE_TITLE in window.panes[1].current_view.plot.titleLabel.text
    box = window.layer_boxes["discriminator"]
    assert box.isEnabled() and box.toolTip().endswith(ONLY_RUN_A)
    frame = window.session.last_frame
    assert frame.runs[1].snapshot.critic is None and frame.runs[1].snapshot.elbo_terms
    charts = dict(window.help_overlay.sections()["Charts"])  # F1 names the ELBO chart
    assert "training raises it" in charts["VAE: ELBO = E log p(x|z) − KL"]
    window.set_compare(False)  # then run A alone turned into a VAE in its settings panel
    assert window.control_panels[0].edit("model.family", "vae")
    qtbot.waitUntil(lambda: window.presenter.model_families == ("vae",), timeout=20_000)
    assert isinstance(trainer_of(window, 0), VaeTrainer) and not box.isEnabled()
    assert box.toolTip().endswith(NO_DISCRIMINATOR)
    assert window.charts.all_plots["losses"] not in window.charts.ci.items
    # closing (the fixture) saves no session of the VAE and still ends the worker


def test_every_run_a_vae_greys_the_discriminator_layers(qtbot):
    from PySide6.QtWidgets import QCheckBox

    from ganlab.app.vae_beside_gan import mark_discriminator_layers

    boxes = {name: QCheckBox(name) for name in ("discriminator", "gradients", "real")}
    mark_discriminator_layers(boxes, ("vae",))
    assert not boxes["gradients"].isEnabled() and boxes["real"].isEnabled()
    assert boxes["discriminator"].toolTip().endswith(NO_DISCRIMINATOR)
    mark_discriminator_layers(boxes, ("gan",))
    assert boxes["gradients"].isEnabled() and not boxes["gradients"].toolTip().endswith(
        NO_DISCRIMINATOR)
