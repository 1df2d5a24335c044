"""One update of each network: the formulas of theory §2–§6, batch by batch.

`discriminator_update` draws a real batch (with labels for a conditional model) and a generated
batch with the same labels, computes the objective's D loss from one forward over both (the
discriminators have no batch norm, so this equals two forwards), adds the enabled penalties
(gradient penalty on interpolates, R1 on real samples, R2 on generated ones, LeCam, L2 weight
decay), steps D's optimizer and clips D's weights where the objective asks. The stabilisers of
`stabilisers.py` act here too: instance noise is added to every input of D (real and fake, in
both updates; the gradient penalties see the noisy inputs, as D does), the real label is
smoothed where the objective has one, and spectral normalisation's power iteration runs once
per D update, in the loss's forward. `generator_update` draws fresh z (and labels) and
steps G on the objective's G loss — or, for objectives without a discriminator, on the sample
distance between flattened real and generated batches. Both return the detached loss.
"""

from __future__ import annotations

import torch

from ganlab.core.penalties import (
    clip_weights,
    gradient_penalty,
    r1_penalty,
    r2_penalty,
    weight_decay_penalty,
)
from ganlab.core.stabilisers import (
    instance_noise_sigma,
    lecam_penalty,
    power_iteration,
    with_instance_noise,
)


def _noise_sigma(trainer) -> float:
    """σ_t of instance noise at the trainer's iteration (0 when off)."""
    settings = trainer.config.objective
    return instance_noise_sigma(settings.instance_noise, settings.instance_noise_iterations,
                                trainer.iteration)


def discriminator_update(trainer) -> torch.Tensor:
    cfg = trainer.config
    objective = trainer.objective
    batch = cfg.training.batch_size
    real, labels = trainer.real_labelled_batch(batch)
    with torch.no_grad():  # the fakes get the real batch's labels: the same distribution
        fake = trainer.generate(trainer.latent_batch(batch), labels)
    sigma = _noise_sigma(trainer)  # real noise is drawn before fake noise
    real = with_instance_noise(real, sigma, trainer.rng)
    fake = with_instance_noise(fake, sigma, trainer.rng)
    both = None if labels is None else torch.cat([labels, labels])
    settings = cfg.objective
    if settings.spectral_norm:
        with power_iteration(trainer.discriminator):
            d_both = trainer.discriminate(torch.cat([real, fake]), both)
    else:
        d_both = trainer.discriminate(torch.cat([real, fake]), both)
    d_real, d_fake = d_both[:batch], d_both[batch:]
    if objective.label_smoothing and settings.real_label != 1.0:
        loss = objective.discriminator_loss(d_real, d_fake, real_label=settings.real_label)
    else:
        loss = objective.discriminator_loss(d_real, d_fake)
    total = loss
    if settings.lecam_weight > 0:
        anchor_real, anchor_fake = trainer.lecam_anchors.update(d_real, d_fake)
        total = total + lecam_penalty(d_real, d_fake, anchor_real, anchor_fake,
                                      settings.lecam_weight)

    def critic(x: torch.Tensor) -> torch.Tensor:
        return trainer.discriminate(x, labels)

    if objective.gradient_penalty and cfg.objective.gradient_penalty_weight > 0:
        total = total + cfg.objective.gradient_penalty_weight * gradient_penalty(
            critic, real, fake, trainer.rng)
    if cfg.objective.r1_gamma > 0 and trainer.critic_updates % settings.r1_interval == 0:
        # lazy R1: every N-th update, N·γ (N = 1: every update, γ)
        total = total + r1_penalty(critic, real, cfg.objective.r1_gamma * settings.r1_interval)
    if settings.r2_gamma > 0:
        total = total + r2_penalty(critic, fake, settings.r2_gamma)
    if cfg.objective.discriminator_weight_decay > 0:
        total = total + weight_decay_penalty(trainer.discriminator,
                                             cfg.objective.discriminator_weight_decay)
    optimizer = trainer.discriminator_optimizer
    optimizer.zero_grad(set_to_none=True)
    total.backward()
    optimizer.step()
    if objective.weight_clipping:
        clip_weights(trainer.discriminator, cfg.objective.clip_value)
    return loss.detach()


def generator_update(trainer) -> torch.Tensor:
    objective = trainer.objective
    batch = trainer.config.training.batch_size
    labels = trainer.generated_labels(batch)
    fake = trainer.generate(trainer.latent_batch(batch), labels)
    if objective.needs_discriminator:
        discriminator = trainer.discriminator
        discriminator.requires_grad_(False)  # no gradients for D's weights here
        try:
            seen = with_instance_noise(fake, _noise_sigma(trainer), trainer.rng)
            loss = objective.generator_loss(trainer.discriminate(seen, labels))
        finally:
            discriminator.requires_grad_(True)
    else:  # a sample distance, between flattened samples (labels play no part)
        real = trainer.real_batch(batch)
        loss = objective.distance(real.flatten(1), fake.flatten(1), trainer.rng)
    optimizer = trainer.generator_optimizer
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.detach()
