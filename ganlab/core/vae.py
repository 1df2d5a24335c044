"""The variational autoencoder's formulas and parts (Kingma & Welling 2014), Qt-free.

A VAE beside the GAN uses the GAN's generator as its decoder mean: p_θ(x|z) = N(x; G(z), σ²I)
with the prior p(z) = N(0, I) the GAN draws its noise from. The encoder q_φ(z|x) =
N(z; μ_φ(x), diag σ_φ²(x)) is an MLP of the generator's width and depth. Training maximises the
evidence lower bound of each data point,

    ELBO(x) = E_q[log p_θ(x|z)] − KL(q_φ(z|x) ‖ p(z)) ≤ log p_θ(x),

the expectation by one reparameterised draw z = μ + σ ⊙ ε, ε ~ N(0, I), so gradients flow into
μ and σ; the KL in closed form (`kl_to_standard_normal`). Samples of the model, as the canvas
shows them, are the decoder means G(z) at z ~ p(z): where the prior's mass falls between the
posteriors of two modes, G maps it between the modes — the VAE's blur.

The output variance σ² is *learned*: one log-variance per data dimension, shared by every z.
A fixed σ² would weigh reconstruction against the KL by an arbitrary constant (too large and
the posterior collapses onto the prior, too small and the prior's gaps stay empty); learning it
is maximum likelihood for the noise level, and one shared value (not σ(z)) cannot shrink to
zero around single training points, which makes the likelihood unbounded. It starts at
σ = 0.1 standardised units: started at σ = 1, the ring's VAE fell at once into the collapsed
optimum (q = p(z), G(z) = the data's mean, ELBO −(log 2π + 1) ≈ −2.84 nats per 2D point) and
stayed there for 2,000 iterations; from 0.1 it covers all 8 modes within 500.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ganlab.core.config import ConfigError, ModelConfig
from ganlab.core.nets import mlp
from ganlab.core.objectives import Objective

LOG_2PI = math.log(2 * math.pi)
LOG_VARIANCE_RANGE = (-12.0, 8.0)  # encoder log σ² clamped: exp() stays finite
INITIAL_LOG_VARIANCE = 2 * math.log(0.1)  # σ = 0.1 standardised units at the start

#: what the run's frames and the app's panels read of an objective: no discriminator (no
#: heatmap, no D*, no gradients of a G loss) and the ELBO's formula for the model overview
VAE_OBJECTIVE = Objective(
    name="vae",
    summary="variational autoencoder: G is the decoder, trained by the ELBO",
    discriminator_formula="no discriminator: an encoder q(z|x) = N(μ(x), σ²(x))",
    generator_formula="max E_q[log N(x; G(z), σ²I)] − KL(q(z|x) ‖ N(0, I))",
    output_kind="none",
    heatmap_levels=None,
    heatmap_label="",
)


def kl_to_standard_normal(mean: torch.Tensor, log_variance: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²), per row (nats)."""
    return 0.5 * (mean.pow(2) + log_variance.exp() - 1.0 - log_variance).sum(dim=-1)


def gaussian_log_likelihood(x: torch.Tensor, mean: torch.Tensor,
                            log_variance: torch.Tensor) -> torch.Tensor:
    """log N(x; μ, diag σ²) = −½ Σ_d (log 2π + log σ_d² + (x_d − μ_d)²/σ_d²), per row."""
    squared = (x - mean).pow(2) * torch.exp(-log_variance)
    return -0.5 * (LOG_2PI + log_variance + squared).sum(dim=-1)


def reparameterise(mean: torch.Tensor, log_variance: torch.Tensor,
                   rng: torch.Generator) -> torch.Tensor:
    """z = μ + σ ⊙ ε with ε ~ N(0, I) from `rng`: a draw of q whose gradient reaches μ, σ."""
    noise = torch.randn(mean.shape, generator=rng, device=mean.device)
    return mean + torch.exp(0.5 * log_variance) * noise


class VaeParts(nn.Module):
    """What a VAE adds to the generator: the encoder MLP x → (μ, log σ²) of q(z|x), of the
    generator's width, depth and activation, and the decoder's learned log σ² (per data
    dimension, from `INITIAL_LOG_VARIANCE`: σ = 0.1 standardised units)."""

    def __init__(self, data_dim: int, model: ModelConfig):
        super().__init__()
        self.latent_dim = model.latent_dim
        self.encoder = mlp(data_dim, 2 * model.latent_dim, model.generator)
        self.output_log_variance = nn.Parameter(torch.full((data_dim,), INITIAL_LOG_VARIANCE))

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(μ, log σ²) of q(z|x), each (batch, latent_dim)."""
        mean, log_variance = self.encoder(x).split(self.latent_dim, dim=-1)
        return mean, log_variance.clamp(*LOG_VARIANCE_RANGE)


def elbo_terms(x: torch.Tensor, parts: VaeParts, decoder: nn.Module,
               rng: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Per row: (log p(x|z) at one reparameterised z ~ q(z|x), KL(q(z|x) ‖ p(z))).
    Their difference is the one-sample ELBO estimate; its mean over x is what training raises."""
    mean, log_variance = parts.encode(x)
    z = reparameterise(mean, log_variance, rng)
    reconstruction = gaussian_log_likelihood(x, decoder(z), parts.output_log_variance)
    return reconstruction, kl_to_standard_normal(mean, log_variance)


def check_vae_settings(model: ModelConfig, data_kind: str) -> None:
    """A VAE here needs point data (1D/2D), an unconditional model and the Gaussian prior its
    KL is written for; anything else raises ConfigError naming the setting."""
    if data_kind != "points":
        raise ConfigError("model.family vae is for 1D/2D point targets, not images")
    if model.latent_distribution != "gaussian":
        raise ConfigError("model.family vae needs model.latent_distribution gaussian: the KL "
                          "to a uniform prior is infinite")
    if model.conditional:
        raise ConfigError("model.family vae has no conditional model")
