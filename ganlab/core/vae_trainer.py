"""A VAE trained where a GAN would be: `VaeTrainer` is a `Trainer` whose generator is the
decoder mean of a variational autoencoder (see `vae.py` for the model and the ELBO).

It builds the GAN's networks exactly as a GAN run of the same settings does (same `nets`
builder, same latent size and prior, same seed), adds the encoder and the decoder's learned
log-variance, and replaces the generator update by one ELBO step of the generator optimizer's
kind (Adam by default) over decoder, encoder and log-variance together. One iteration is g such
steps on fresh batches of `batch_size` target points; the discriminator is never trained (k
plays no part). Samples, metrics and views read it as they read a GAN run: `sample` draws
z ~ p(z) from the evaluation stream and returns G(z). `read_losses` gives no D or G loss; the
mean ELBO terms since the last read are in `elbo_terms` then.
"""

from __future__ import annotations

import torch

from ganlab.core.config import RunConfig
from ganlab.core.config_changes import ConfigChange
from ganlab.core.optimizers import make_optimizer
from ganlab.core.targets import Target
from ganlab.core.trainer import Trainer
from ganlab.core.vae import VAE_OBJECTIVE, VaeParts, check_vae_settings, elbo_terms

VAE_SEED_OFFSET = 104729  # the encoder's initialisation stream, apart from the GAN's networks


class VaeTrainer(Trainer):
    """Trains G as a VAE's decoder by the ELBO; everything else as `Trainer`."""

    model_family = "vae"

    def _build(self) -> None:
        check_vae_settings(self.config.model, self.target.data_kind)
        super()._build()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.config.training.seed + VAE_SEED_OFFSET)
            self.vae_parts = VaeParts(self.target.dim, self.config.model)
        self.vae_parts.to(self.device)
        self.generator_optimizer = make_optimizer(self.optimized_parameters("generator"),
                                                  self.config.generator_optimizer)
        self.objective = VAE_OBJECTIVE
        self._elbo_sums = torch.zeros(2, device=self.device)  # (log p(x|z), KL) since read
        self._elbo_count = 0
        self.elbo_terms: dict[str, float] | None = None

    def optimized_parameters(self, role: str) -> list[torch.nn.Parameter]:
        """The generator's optimizer updates the whole VAE: decoder, encoder, log σ²."""
        extra = list(self.vae_parts.parameters()) if role == "generator" else []
        return super().optimized_parameters(role) + extra

    def generator_step(self) -> torch.Tensor:
        """One ELBO step: minimise −mean(log p(x|z) − KL) over a fresh batch; returns −ELBO."""
        x = self.real_batch(self.config.training.batch_size)
        reconstruction, kl = elbo_terms(x, self.vae_parts, self.generator, self.rng)
        loss = (kl - reconstruction).mean()
        self.generator_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.generator_optimizer.step()
        if self.generator_average is not None:
            self.generator_average.update()
        self.generator_updates += 1
        with torch.no_grad():
            self._elbo_sums.add_(torch.stack((reconstruction.mean(), kl.mean())))
        self._elbo_count += 1
        return loss.detach()

    def read_losses(self) -> tuple[None, None]:
        """No D or G loss; sets `elbo_terms` to the means since the last read (reconstruction
        E_q log p(x|z), KL, ELBO = their difference, in nats per point of standardised data),
        or None without an update since. Synchronises."""
        if self._elbo_count:
            reconstruction, kl = (value / self._elbo_count for value in self._elbo_sums.tolist())
            self.elbo_terms = {"reconstruction": reconstruction, "kl": kl,
                               "elbo": reconstruction - kl}
        else:
            self.elbo_terms = None
        self._elbo_sums.zero_()
        self._elbo_count = 0
        return None, None

    def parameters_are_finite(self) -> bool:
        return super().parameters_are_finite() and all(
            bool(torch.isfinite(p).all()) for p in self.vae_parts.parameters())

    def apply_config(self, new: RunConfig, target: Target | None = None) -> ConfigChange:
        """As `Trainer.apply_config`, refusing settings a VAE cannot have."""
        check_vae_settings(new.model, (target or self.target).data_kind)
        change = super().apply_config(new, target)
        if not change.rebuilt:
            self.objective = VAE_OBJECTIVE
        return change

    def state_dict(self) -> dict:
        return super().state_dict() | {"vae_parts": {
            name: tensor.detach().clone() for name, tensor in self.vae_parts.state_dict().items()}}

    def load_state_dict(self, state: dict) -> None:
        self.vae_parts.load_state_dict(state["vae_parts"])
        super().load_state_dict(state)
        self._elbo_sums.zero_()
        self._elbo_count = 0


def make_trainer(config: RunConfig, target: Target | None = None) -> Trainer:
    """The trainer `config.model.family` asks for: a GAN's `Trainer` or a `VaeTrainer`."""
    kind = VaeTrainer if config.model.family == "vae" else Trainer
    return kind(config, target)
