"""Compare mode's "VAE beside the GAN" (Training menu, V): run A is the GAN of the current
settings, run B a VAE whose decoder is the same generator network (`ganlab.core.vae`), on the
same target, seed and prior. Also what the window shows differently for a VAE run: the layers
that need a discriminator (D heatmap, D*, gradients of the G loss) are greyed, or say that run
B has none, and a VAE's canvas is titled as what it shows: decoder means G(z) at z ~ p(z).
Qt only; the VAE itself trains in the training process."""

from __future__ import annotations

from ganlab.app.layers import layer_specs
from ganlab.core.config import RunConfig
from ganlab.core.recipes import is_image_target

MESSAGE_MS = 12000
VAE_TITLE = "VAE: G(z), z ~ N(0, I)"
#: the layers a VAE run has nothing for: it has no discriminator and no generator loss
DISCRIMINATOR_LAYERS = ("discriminator", "optimal_discriminator", "gradients")
NO_DISCRIMINATOR = ("A VAE has no discriminator (and no G loss to take gradients of), so this "
                    "layer is off for it.")
ONLY_RUN_A = "Run B is a VAE without a discriminator: this layer shows on run A only."
POINTS_ONLY = ("The VAE beside the GAN is for 1D/2D point targets: pick one under Target "
               "first.")


def vae_configs(config: RunConfig) -> tuple[RunConfig, RunConfig]:
    """(GAN, VAE): `config` as a GAN, and the same settings as a VAE. Both get the Gaussian
    prior (the VAE's KL is written for it), so the two generators draw the same z."""
    gan = config.merged({"model": {"family": "gan", "latent_distribution": "gaussian"}})
    vae = gan.merged({"model": {"family": "vae"}})
    return gan.validate(), vae.validate()


def start_vae_beside_gan(window) -> None:
    """Compare mode with run A the GAN and run B the VAE, both from iteration 0."""
    session = window.session
    config = session.configs[0]
    if is_image_target(config.target.name, config.target.images):
        window.statusBar().showMessage(POINTS_ONLY, MESSAGE_MS)
        return
    window.painting.stop()
    gan, vae = vae_configs(config)
    if not session.compare:
        window.settings_tabs.addTab(window.control_panels[1], "Run B")
    window.compare_action.setChecked(True)
    session.load(gan, vae)
    session.reset()
    message = ("VAE beside the GAN: run A is the GAN, run B a VAE with the same generator "
               "network (its decoder); both from iteration 0. Run B's model family is under "
               "Networks.")
    window.presenter.announce_restart(message)
    window.statusBar().showMessage(message, MESSAGE_MS)


#: settings a VAE run does not read: the GAN objective and its constants, D's network and
#: optimizer, k (`vae_trainer.VaeTrainer` trains G, its encoder and log σ² by the ELBO only)
VAE_UNUSED_PREFIXES = ("objective.", "model.discriminator.", "discriminator_optimizer.",
                       "training.critic_steps", "model.conditioning")


def unused_by_a_vae(paths, config: RunConfig) -> list[str]:
    """The settings among `paths` that a run of `config` ignores because it is a VAE (none for
    a GAN): the settings panel greys them."""
    if config.model.family != "vae":
        return []
    return [path for path in paths if path.startswith(VAE_UNUSED_PREFIXES)]


def mark_discriminator_layers(boxes: dict, families: tuple[str, ...]) -> None:
    """Grey the discriminator's layers when every run is a VAE; when only run B is one, keep
    them for run A and say so in their tooltips."""
    specs = layer_specs()
    only_vaes = bool(families) and all(family == "vae" for family in families)
    note = NO_DISCRIMINATOR if only_vaes else ONLY_RUN_A if "vae" in families else ""
    for name in DISCRIMINATOR_LAYERS:
        box = boxes.get(name)
        if box is None:
            continue
        box.setEnabled(not only_vaes)
        box.setToolTip(f"{specs[name].tooltip} {note}".strip())
