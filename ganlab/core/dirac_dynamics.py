"""The Dirac-GAN (Mescheder et al. 2018): a generator that is a point mass at θ, data a point
mass at 0, and a linear discriminator d(x) = ψ·x, so the whole game is the point (θ, ψ).

For L_D = a(0) + b(ψθ) and L_G = g(ψθ) the field is v = (−g'(ψθ)·ψ, −b'(ψθ)·θ); at (0, 0)
its Jacobian is [[0, −g'(0)], [−b'(0), 0]]: for minimax and non-saturating f'(0) = ½, for WGAN
and hinge 1, and the eigenvalues are ±i·f'(0) — a centre, no convergence. R1 (or R2: the same
for a linear D) adds −γ to the ψψ entry: λ = (−γ ± √(γ² − 4f'(0)²))/2, both with Re λ < 0.
Simultaneous gradient steps multiply the distance by |1 + hλ| = √(1 + h²f'(0)²) > 1 per
iteration (an outward spiral); alternating ones keep it on a closed orbit (circles).
"""

from __future__ import annotations

from ganlab.core.game_dynamics import Game

DIRAC = Game("Dirac-GAN (θ, ψ)", degree=1, learns_spread=False, data_mean=0.0,
             data_spread=0.0, labels=("θ (generator: a point mass at θ)",
                                      "ψ (discriminator d(x) = ψ·x)"))
DIRAC_START = (1.0, 1.0)  # the first trajectory's start (θ, ψ)
DIRAC_VIEW = ((-2.0, 2.0), (-2.0, 2.0))  # the field's range of θ and of ψ
