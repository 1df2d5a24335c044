"""The losses a perfect generator reaches at a finite batch size: the charts' reference lines.

For the adversarial objectives these are theory's equilibrium values; the sample distances (MMD,
sliced Wasserstein) of two independent batches of the same law are not 0, and are computed here.
"""

from __future__ import annotations

import math

import torch

from ganlab.core.objectives import (
    MMD_BANDWIDTHS,
    LeastSquares,
    MaximumMeanDiscrepancy,
    NonSaturating,
    Objective,
    rbf_kernel_mixture,
)

EQUILIBRIUM_PAIRS = 100_000  # independent pairs behind E k(x, x') for the MMD floor
EQUILIBRIUM_REPEATS = 16  # pairs of batches behind the sliced-Wasserstein floor (SE ≈ 1%)


def finite_batch_equilibrium(objective: Objective, sample_standardised, batch_size: int,
                             seed: int = 0, real_label: float = 1.0
                             ) -> tuple[float | None, float | None]:
    """(D loss, G loss) a perfect generator reaches at this batch size, in expectation.

    `sample_standardised(n, generator)` draws n standardised data points (what the losses see).
    For the adversarial objectives these are their equilibrium values against the optimal D
    (exact for any batch), with one-sided label smoothing's real label `real_label` = α where
    the objective has a label (`smoothed_equilibrium`). The sample distances of two independent
    batches of the same law are not 0:
    - MMD (biased V-statistic, K₀ = k(x, x) = number of bandwidths, κ = E k(x, x') over
      independent x, x'): E MMD_b² = 2 (K₀ + (B − 1) κ)/B − 2κ = (2/B)(K₀ − κ), with κ by
      Monte Carlo over EQUILIBRIUM_PAIRS pairs;
    - sliced Wasserstein: the mean of the distance over EQUILIBRIUM_REPEATS pairs of batches.
    """
    if objective.needs_discriminator:
        if objective.label_smoothing and real_label != 1.0:
            return smoothed_equilibrium(objective, real_label)
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


def smoothed_equilibrium(objective: Objective, real_label: float) -> tuple[float, float]:
    """(D loss, G loss) at p_g = p_data against the optimal D when D's real target is α < 1
    (one-sided label smoothing). Pointwise D* = α·p_data/(p_data + p_g) = α/2 for both:
    - minimax and non-saturating: D's loss per point is −α·log D − (2 − α)·log(1 − D), least
      at D* = α/2, so L_D = −α·log(α/2) − (2 − α)·log(1 − α/2) (log 4 at α = 1); G's loss is
      log(1 − α/2) (minimax, −log 2 at α = 1) or −log(α/2) (non-saturating, log 2 at α = 1);
    - LSGAN: D minimises ½(D − α)² + ½D² at D* = α/2, so L_D = α²/4 (¼ at α = 1) and
      L_G = ½(1 − α/2)² (⅛ at α = 1).
    """
    alpha = real_label
    optimum = alpha / 2.0
    if isinstance(objective, LeastSquares):
        return alpha**2 / 4.0, 0.5 * (1.0 - optimum) ** 2
    discriminator = -alpha * math.log(optimum) - (2.0 - alpha) * math.log1p(-optimum)
    if isinstance(objective, NonSaturating):
        return discriminator, -math.log(optimum)
    return discriminator, math.log1p(-optimum)
