"""A 1D Gaussian learnt by its mean and spread: the generator x = μ + σ·z, z ~ N(0, 1), against
data N(0, 1) and a quadratic discriminator d(x) = ψ1·x + ψ2·x², drawn in (μ, σ) space.

A quadratic d sees exactly the first two moments, so at ψ = 0 the game is at rest where
(μ, σ) = (0, 1) for the objectives whose D is a logit or a critic (minimax, non-saturating,
WGAN, hinge): E d(x_r) and E d(x_f) agree there for every ψ. The state is (μ, σ, ψ1, ψ2); the
view shows (μ, σ) and, as arrows, the generator's step against the discriminator's current ψ.
"""

from __future__ import annotations

from ganlab.core.game_dynamics import Game

GAUSSIAN = Game("Gaussian (μ, σ)", degree=2, learns_spread=True, data_mean=0.0,
                data_spread=1.0, labels=("μ (generator mean)", "σ (generator spread)",
                                         "ψ1", "ψ2"))
GAUSSIAN_START = (1.2, 0.5, 0.0, 0.0)  # the first trajectory's start (μ, σ, ψ1, ψ2)
GAUSSIAN_VIEW = ((-2.5, 2.5), (0.0, 3.0))  # the field's range of μ and of σ
