"""One update of each network: the formulas of theory §2–§6, batch by batch.

`discriminator_update` draws a real batch (with labels for a conditional model) and a generated
batch with the same labels, computes the objective's D loss from one forward over both (the
discriminators have no batch norm, so this equals two forwards), adds the enabled penalties
(gradient penalty on interpolates, R1 on real samples, L2 weight decay), steps D's optimizer and
clips D's weights where the objective asks. `generator_update` draws fresh z (and labels) and
steps G on the objective's G loss — or, for objectives without a discriminator, on the sample
distance between flattened real and generated batches. Both return the detached loss.
"""

from __future__ import annotations

import torch

from ganlab.core.penalties import clip_weights, gradient_penalty, r1_penalty, weight_decay_penalty


def discriminator_update(trainer) -> torch.Tensor:
    cfg = trainer.config
    objective = trainer.objective
    batch = cfg.training.batch_size
    real, labels = trainer.real_labelled_batch(batch)
    with torch.no_grad():  # the fakes get the real batch's labels: the same distribution
        fake = trainer.generate(trainer.latent_batch(batch), labels)
    both = None if labels is None else torch.cat([labels, labels])
    d_both = trainer.discriminate(torch.cat([real, fake]), both)
    loss = objective.discriminator_loss(d_both[:batch], d_both[batch:])
    total = loss

    def critic(x: torch.Tensor) -> torch.Tensor:
        return trainer.discriminate(x, labels)

    if objective.gradient_penalty and cfg.objective.gradient_penalty_weight > 0:
        total = total + cfg.objective.gradient_penalty_weight * gradient_penalty(
            critic, real, fake, trainer.rng)
    if cfg.objective.r1_gamma > 0:
        total = total + r1_penalty(critic, real, cfg.objective.r1_gamma)
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
            loss = objective.generator_loss(trainer.discriminate(fake, labels))
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
