"""The objectives of a batch of runs: each run's losses by its own objective's formulas.

Runs of one `BatchedTrainer` may differ in objective where every one of them has a
discriminator (minimax, non-saturating, wgan, wgan-gp, lsgan, hinge): the stacked networks are
the same whatever the loss, so only the losses, the gradient penalty and weight clipping differ
from run to run. Runs are grouped by objective; a group's losses are its objective's formulas
mapped over the group's runs (`torch.func.vmap`) and put back in run order, (R,). Run r's loss
depends on run r's outputs only, so the gradient of the sum of all runs' losses gives every run
exactly its own objective's gradient.

The gradient penalty (wgan-gp) is computed for the runs whose objective asks for it only
(`penalised`: the critic evaluated on those runs' stacked parameters alone), and weight clipping
(wgan) clamps only the clipped runs' weights, so the other runs' numbers are untouched.
"""

from __future__ import annotations

import torch
from torch.func import vmap

from ganlab.core.objectives import Objective, get_objective


def objective_kind(name: str) -> str:
    """What must be equal for runs to share a batch: "adversarial" for every objective with a
    discriminator (they may be mixed), else the objective's own name."""
    return "adversarial" if get_objective(name).needs_discriminator else name


class RunObjectives:
    """Per run, its objective's losses, penalty and clipping; runs given by objective name."""

    def __init__(self, names: list[str], gradient_penalty_weight: float,
                 device: torch.device):
        self.runs = len(names)
        self.objectives: list[Objective] = [get_objective(name) for name in names]
        kinds = {objective_kind(name) for name in names}
        if len(kinds) != 1:
            raise ValueError(f"objectives of one kind only in a batch, got {sorted(kinds)}")
        self.needs_discriminator = self.objectives[0].needs_discriminator
        groups: dict[str, list[int]] = {}
        for run, name in enumerate(names):
            groups.setdefault(name, []).append(run)
        self._groups = []  # (objective, its runs (G,) or None for all runs)
        for name, runs in groups.items():
            index = None if len(groups) == 1 else torch.tensor(runs, device=device)
            self._groups.append((get_objective(name), index))
        order = torch.tensor([run for runs in groups.values() for run in runs], device=device)
        self._inverse = torch.argsort(order)  # group order → run order
        self._losses = {}
        for objective, _ in self._groups:
            if self.needs_discriminator:
                self._losses[objective.name] = (vmap(objective.discriminator_loss),
                                                vmap(objective.generator_loss))
            else:
                self._losses[objective.name] = (vmap(objective.distance),)
        #: per run: whether its D update adds the gradient penalty (and draws its α)
        self.draws_alpha = [o.gradient_penalty and gradient_penalty_weight > 0
                            for o in self.objectives]
        penalised = [run for run, on in enumerate(self.draws_alpha) if on]
        #: the penalised runs, (P,), or None when every run is (no indexing needed)
        self.penalised = None if len(penalised) == self.runs else torch.tensor(
            penalised, dtype=torch.long, device=device)
        self.any_penalised = bool(penalised)
        clipped = [run for run, o in enumerate(self.objectives) if o.weight_clipping]
        self.clipped = None if len(clipped) == self.runs else clipped  # None: every run
        self.any_clipped = bool(clipped)

    def _in_run_order(self, which: int, *per_run: torch.Tensor) -> torch.Tensor:
        parts = []
        for objective, index in self._groups:
            function = self._losses[objective.name][which]
            parts.append(function(*per_run) if index is None else function(
                *(tensor.index_select(0, index) for tensor in per_run)))
        return parts[0] if len(parts) == 1 else torch.cat(parts).index_select(0, self._inverse)

    def discriminator_losses(self, d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
        """(R, n), (R, n) logits → each run's D loss, (R,)."""
        return self._in_run_order(0, d_real, d_fake)

    def generator_losses(self, d_fake: torch.Tensor) -> torch.Tensor:
        """(R, n) logits of generated samples → each run's G loss, (R,)."""
        return self._in_run_order(1, d_fake)

    def distances(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """(R, n, dim) batches → each run's sample distance, (R,)."""
        return self._in_run_order(0, real, fake)

    def clip_mask(self, run_index: torch.Tensor) -> torch.Tensor | None:
        """(N,) True on the elements of the clipped runs of a stacked buffer; None: all."""
        if self.clipped is None:
            return None
        return torch.isin(run_index, torch.tensor(self.clipped, device=run_index.device))
