"""The linearisation of a parameter-space game (`game_dynamics`) at its equilibrium: the
eigenvalues λ of the gradient field's Jacobian (Mescheder et al. 2018: the continuous dynamics
converge locally iff every Re λ < 0) and μ of one iteration's (the discrete updates converge
iff every |μ| < 1), by central differences of the closed-form field and update."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganlab.core.game_dynamics import Game, GameSettings, gradient_field, iterate


def jacobian(function, point: np.ndarray, step: float) -> np.ndarray:
    """Central differences: J[i, j] = ∂function_i/∂x_j at `point`."""
    columns = []
    for j in range(point.size):
        offset = np.zeros(point.size)
        offset[j] = step
        columns.append((function(point + offset) - function(point - offset)) / (2.0 * step))
    return np.stack(columns, axis=-1)


@dataclass(frozen=True)
class Spectrum:
    """The linearisation at `game.equilibrium()`."""

    stationary: bool  # the field vanishes there (else the point is no equilibrium)
    differentiable: bool  # the field has a Jacobian there (WGAN-GP's |d'| has none at ψ = 0)
    field: np.ndarray  # eigenvalues λ of ∂v/∂state (converges iff all Re λ < 0)
    update: np.ndarray  # eigenvalues μ of the iteration's Jacobian (converges iff all |μ| < 1)

    @property
    def radius(self) -> float:
        """max |μ|: the distance to the equilibrium shrinks by about this factor per iteration."""
        return float(np.abs(self.update).max())


def equilibrium_spectrum(game: Game, settings: GameSettings) -> Spectrum:
    """Eigenvalues of the field's and of the iteration's Jacobian at the equilibrium."""
    point = game.equilibrium()
    field = lambda x: gradient_field(game, x, settings)  # noqa: E731
    coarse, fine = jacobian(field, point, 1e-4), jacobian(field, point, 1e-6)
    differentiable = bool(np.abs(coarse - fine).max() <= 1e-4 * (1.0 + np.abs(fine).max()))
    stationary = bool(np.abs(field(point)).max() < 1e-9)
    update = jacobian(lambda x: iterate(game, x, settings), point, 1e-5)
    return Spectrum(stationary, differentiable, _sorted(np.linalg.eigvals(coarse)),
                    _sorted(np.linalg.eigvals(update)))


def _sorted(values: np.ndarray) -> np.ndarray:
    return np.array(sorted(values, key=lambda v: (round(v.real, 12), v.imag)))
