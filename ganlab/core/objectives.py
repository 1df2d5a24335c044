"""The GAN objectives of theory.md, each a named object with its two losses.

Every loss is written so that the optimizer minimizes it, with logits and softplus:
log D = -softplus(-d) and log(1 - D) = -softplus(d), never log(sigmoid(d)).
Adversarial objectives give `discriminator_loss(d_real, d_fake)` and `generator_loss(d_fake)`
(d = the discriminator's raw output). Discriminator-free objectives give `distance(real, fake)`,
which the generator minimizes directly. Constraints (clipping, gradient penalty) are flags the
trainer acts on; their formulas live in `penalties.py`. Objectives whose discriminator regresses
real samples to a label (minimax, non-saturating, LSGAN: `label_smoothing`) take the real label
α as `discriminator_loss(d_real, d_fake, real_label=α)`: one-sided label smoothing (Salimans et
al. 2016) trains D toward α < 1 on real samples and 0 on generated ones.

torch is imported inside the losses: the app's window reads the objectives' names, formulas and
flags, and runs without torch (training, where the losses are computed, imports it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class PaperDefaults:
    """The optimizer settings an objective's paper used (theory.md), for `--paper-defaults`."""

    optimizer: str = "adam"
    generator_lr: float = 2e-4
    discriminator_lr: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    critic_steps: int = 1
    batch_size: int = 256
    extra: dict = field(default_factory=dict)  # objective constants, e.g. {"clip_value": 0.01}


@dataclass(frozen=True)
class Objective:
    """A GAN variant. Subclasses implement the losses."""

    name: str
    summary: str
    discriminator_formula: str
    generator_formula: str
    #: how to show d: "probability" (sigmoid(d) ∈ [0, 1]), "score" (raw, targets 0 and 1),
    #: "critic" (raw and unbounded), or "none" (no discriminator)
    output_kind: str = "probability"
    #: loss values when p_g = p_data and D is optimal, where theory gives one (chart reference);
    #: the sample-distance objectives' generator line depends on the data and the batch size:
    #: see `equilibrium.finite_batch_equilibrium`
    equilibrium_discriminator_loss: float | None = None
    equilibrium_generator_loss: float | None = None
    #: D's real target can be smoothed (a `real_label` argument of `discriminator_loss`)
    label_smoothing: bool = False
    weight_clipping: bool = False  # clips every critic weight to [-c, c] (uses clip_value)
    gradient_penalty: bool = False  # adds λ E(‖∇d(x̂)‖ - 1)² (uses gradient_penalty_weight)
    #: no discriminator, but a witness function E_data k(x, ·) - E_g k(x, ·) to draw instead
    witness_function: bool = False
    paper: PaperDefaults = field(default_factory=PaperDefaults)
    #: colour levels of a heatmap of what the app shows of d (the `output_kind` reading, or the
    #: witness): fixed (low, high) where its values mean something absolute (a probability, a
    #: score with targets 0 and 1, hinge margins ±1 inside [-2, 2]); None where only
    #: differences of d matter (unbounded critics, the MMD witness) and the levels must adapt
    heatmap_levels: tuple[float, float] | None = (0.0, 1.0)
    heatmap_label: str = "D(x)  (1 = real)"  # the colour bar's (or the 1D axis's) label

    @property
    def needs_discriminator(self) -> bool:
        return self.output_kind != "none"


class Minimax(Objective):
    def discriminator_loss(self, d_real, d_fake, real_label: float = 1.0):
        import torch.nn.functional as F

        # -[log D(x) + log(1 - D(G(z)))]: binary cross-entropy with real = 1, fake = 0; a real
        # label α: -[α log D(x) + (1 - α) log(1 - D(x))] = α softplus(-d) + (1 - α) softplus(d)
        real = F.softplus(-d_real)
        if real_label != 1.0:
            real = real_label * real + (1.0 - real_label) * F.softplus(d_real)
        return real.mean() + F.softplus(d_fake).mean()

    def generator_loss(self, d_fake):
        import torch.nn.functional as F

        # minimize log(1 - D(G(z))) = -softplus(d): saturates when D rejects fakes confidently
        return -F.softplus(d_fake).mean()


class NonSaturating(Minimax):
    def generator_loss(self, d_fake):
        import torch.nn.functional as F

        # minimize -log D(G(z)) = softplus(-d): gradient scaled by 1 - D(G(z))
        return F.softplus(-d_fake).mean()


class Wasserstein(Objective):
    def discriminator_loss(self, d_real, d_fake):
        # the critic maximizes E_data[d] - E_g[d]
        return d_fake.mean() - d_real.mean()

    def generator_loss(self, d_fake):
        return -d_fake.mean()


class LeastSquares(Objective):
    def discriminator_loss(self, d_real, d_fake, real_label: float = 1.0):
        # ½(D(x) - α)² + ½ D(G(z))², α = 1 unless the real label is smoothed
        return 0.5 * ((d_real - real_label) ** 2).mean() + 0.5 * (d_fake**2).mean()

    def generator_loss(self, d_fake):
        return 0.5 * ((d_fake - 1) ** 2).mean()


class Hinge(Objective):
    def discriminator_loss(self, d_real, d_fake):
        import torch.nn.functional as F

        return F.relu(1 - d_real).mean() + F.relu(1 + d_fake).mean()

    def generator_loss(self, d_fake):
        return -d_fake.mean()


#: RBF bandwidths of the MMD kernel, in standardised data units (a mixture covers all scales)
MMD_BANDWIDTHS = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)


def rbf_kernel_mixture(squared_distances: torch.Tensor) -> torch.Tensor:
    """k = Σ_σ exp(-d²/2σ²) over MMD_BANDWIDTHS.

    Exponents are clamped at -80 (exp(-80) ≈ 2e-35, still a normal float32): without it, far
    pairs produce subnormal numbers, which make the CPU's exp four times slower."""
    import torch

    return sum(
        torch.exp((-squared_distances / (2 * s * s)).clamp(min=-80.0)) for s in MMD_BANDWIDTHS
    )


class MaximumMeanDiscrepancy(Objective):
    def distance(self, real, fake, generator=None):
        """Biased MMD² = mean k(x, x') + mean k(y, y') - 2 mean k(x, y), k = Σ_σ exp(-|·|²/2σ²)."""
        import torch

        both = torch.cat([real, fake])
        kernel = rbf_kernel_mixture(torch.cdist(both, both).pow(2))  # (2n, 2n)
        n = len(real)
        return kernel[:n, :n].mean() + kernel[n:, n:].mean() - 2 * kernel[:n, n:].mean()


SLICED_PROJECTIONS = 64  # random directions per step (1D data uses the line itself)


class SlicedWasserstein(Objective):
    def distance(self, real, fake, generator=None):
        """Mean over random unit directions θ of W1(θᵀreal, θᵀfake): sort both, match in order."""
        import torch

        dim = real.shape[1]
        if dim == 1:
            directions = torch.ones(1, 1, device=real.device)
        else:
            directions = torch.randn(
                dim, SLICED_PROJECTIONS, generator=generator, device=real.device
            )
            directions = directions / directions.norm(dim=0, keepdim=True)
        n = min(len(real), len(fake))
        real_sorted = torch.sort(real[:n] @ directions, dim=0).values  # (n, projections)
        fake_sorted = torch.sort(fake[:n] @ directions, dim=0).values
        return (real_sorted - fake_sorted).abs().mean()


LOG4 = math.log(4.0)

OBJECTIVES: dict[str, Objective] = {
    o.name: o
    for o in (
        Minimax(
            "minimax",
            "The original GAN game: G minimizes log(1 - D(G(z))); its gradient vanishes early",
            "L_D = softplus(-d(x)) + softplus(d(G(z)))",
            "L_G = -softplus(d(G(z)))  = E log(1 - D(G(z)))",
            label_smoothing=True,
            equilibrium_discriminator_loss=LOG4,
            equilibrium_generator_loss=-math.log(2.0),
        ),
        NonSaturating(
            "non-saturating",
            "Same discriminator; G maximizes log D(G(z)) so its gradient survives early",
            "L_D = softplus(-d(x)) + softplus(d(G(z)))",
            "L_G = softplus(-d(G(z)))  = -E log D(G(z))",
            label_smoothing=True,
            equilibrium_discriminator_loss=LOG4,
            equilibrium_generator_loss=math.log(2.0),
        ),
        Wasserstein(
            "wgan",
            "Wasserstein GAN: a critic estimates W1; Lipschitz by clipping weights to [-c, c]",
            "L_D = E d(G(z)) - E d(x)   (weights clipped to [-c, c])",
            "L_G = -E d(G(z))",
            output_kind="critic",
            heatmap_levels=None,
            heatmap_label="critic d(x)  (high = real)",
            equilibrium_discriminator_loss=0.0,
            weight_clipping=True,
            paper=PaperDefaults(
                optimizer="rmsprop", generator_lr=5e-5, discriminator_lr=5e-5, beta1=0.0,
                beta2=0.999, critic_steps=5, batch_size=64, extra={"clip_value": 0.01},
            ),
        ),
        Wasserstein(
            "wgan-gp",
            "WGAN with a gradient penalty λ E(||∇d(x̂)|| - 1)² on interpolates instead of clipping",
            "L_D = E d(G(z)) - E d(x) + λ E(||∇d(x̂)||₂ - 1)²",
            "L_G = -E d(G(z))",
            output_kind="critic",
            heatmap_levels=None,
            heatmap_label="critic d(x)  (high = real)",
            equilibrium_discriminator_loss=0.0,
            gradient_penalty=True,
            paper=PaperDefaults(
                optimizer="adam", generator_lr=1e-4, discriminator_lr=1e-4, beta1=0.5,
                beta2=0.9, critic_steps=5, batch_size=256,
                extra={"gradient_penalty_weight": 0.1},
            ),
        ),
        LeastSquares(
            "lsgan",
            "Least-squares GAN: D regresses real to 1 and fake to 0; G pulls fakes to 1",
            "L_D = ½(D(x) - 1)² + ½ D(G(z))²",
            "L_G = ½(D(G(z)) - 1)²",
            output_kind="score",
            heatmap_label="D(x) score (1 = real)",
            label_smoothing=True,
            equilibrium_discriminator_loss=0.25,
            equilibrium_generator_loss=0.125,
        ),
        Hinge(
            "hinge",
            "Hinge loss: D pushes real above +1 and fake below -1; G raises d on fakes",
            "L_D = relu(1 - d(x)) + relu(1 + d(G(z)))",
            "L_G = -E d(G(z))",
            output_kind="critic",
            heatmap_levels=(-2.0, 2.0),  # margins ±1, with room beyond them
            heatmap_label="critic d(x)  (high = real)",
            # at p_g = p_data both expectations are over one law, and relu(1 - d) + relu(1 + d)
            # ≥ 2 with equality exactly for d ∈ [-1, 1]: the D loss is 2. The G loss -E d is then
            # any value in [-1, 1] (every such d is optimal): no line
            equilibrium_discriminator_loss=2.0,
            paper=PaperDefaults(
                optimizer="adam", generator_lr=1e-4, discriminator_lr=4e-4, beta1=0.0,
                beta2=0.9,
            ),
        ),
        MaximumMeanDiscrepancy(
            "mmd",
            "No discriminator: G minimizes the maximum mean discrepancy to the data (RBF kernels)",
            "(no discriminator)",
            "L_G = MMD²(real, fake) = E k(x,x') + E k(y,y') - 2 E k(x,y)",
            output_kind="none",
            heatmap_levels=None,
            heatmap_label="MMD witness",
            witness_function=True,
            paper=PaperDefaults(optimizer="adam", generator_lr=1e-3, discriminator_lr=1e-3),
        ),
        SlicedWasserstein(
            "sliced-wasserstein",
            "No discriminator: G minimizes W1 averaged over random 1D projections",
            "(no discriminator)",
            "L_G = E_θ W1(θᵀx, θᵀG(z))  (sort and match)",
            output_kind="none",
            heatmap_levels=None,
            heatmap_label="critic d(x)  (high = real)",
            paper=PaperDefaults(optimizer="adam", generator_lr=1e-3, discriminator_lr=1e-3),
        ),
    )
}


def get_objective(name: str) -> Objective:
    try:
        return OBJECTIVES[name]
    except KeyError:
        raise KeyError(f"unknown objective {name!r}; known: {', '.join(OBJECTIVES)}") from None
