"""The losses a perfect generator reaches at a finite batch size: the charts' reference lines.

For the adversarial objectives these are theory's equilibrium values; the sample distances (MMD,
sliced Wasserstein) of two independent batches of the same law are not 0, and are computed here.
"""

from __future__ import annotations

import torch

from ganlab.core.objectives import (
    MMD_BANDWIDTHS,
    MaximumMeanDiscrepancy,
    Objective,
    rbf_kernel_mixture,
)

EQUILIBRIUM_PAIRS = 100_000  # independent pairs behind E k(x, x') for the MMD floor
EQUILIBRIUM_REPEATS = 16  # pairs of batches behind the sliced-Wasserstein floor (SE ≈ 1%)


def finite_batch_equilibrium(objective: Objective, sample_standardised, batch_size: int,
                             seed: int = 0) -> tuple[float | None, float | None]:
    """(D loss, G loss) a perfect generator reaches at this batch size, in expectation.

    `sample_standardised(n, generator)` draws n standardised data points (what the losses see).
    For the adversarial objectives these are their declared equilibrium values (an optimal D makes
    them exact for any batch). The sample distances of two independent batches of the same law
    are not 0:
    - MMD (biased V-statistic, K₀ = k(x, x) = number of bandwidths, κ = E k(x, x') over
      independent x, x'): E MMD_b² = 2 (K₀ + (B − 1) κ)/B − 2κ = (2/B)(K₀ − κ), with κ by
      Monte Carlo over EQUILIBRIUM_PAIRS pairs;
    - sliced Wasserstein: the mean of the distance over EQUILIBRIUM_REPEATS pairs of batches.
    """
    if objective.needs_discriminator:
        return objective.equilibrium_discriminator_loss, objective.equilibrium_generator_loss
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        if isinstance(objective, MaximumMeanDiscrepancy):
            x = sample_standardised(EQUILIBRIUM_PAIRS, generator)
            y = sample_standardised(EQUILIBRIUM_PAIRS, generator)
            kappa = float(rbf_kernel_mixture((x - y).pow(2).sum(dim=1)).double().mean())
            return None, 2.0 / batch_size * (len(MMD_BANDWIDTHS) - kappa)
        total = 0.0
        for _ in range(EQUILIBRIUM_REPEATS):
            real = sample_standardised(batch_size, generator)
            fake = sample_standardised(batch_size, generator)
            total += float(objective.distance(real, fake, generator))
        return None, total / EQUILIBRIUM_REPEATS
