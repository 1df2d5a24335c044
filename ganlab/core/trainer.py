"""The training loop: one iteration = k critic updates, then g generator updates.

The trainer owns the target, both networks, their optimizers and one seeded random stream for
data, noise and penalties, all on one device. It knows nothing of frames or threads: callers
step it and, when they want to show something, read losses and draw samples from it. Settings
change between iterations with `apply_config`; only a change of network shape, latent size or
device rebuilds (and says so).
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass

import numpy as np
import torch

from ganlab.core.config import RunConfig
from ganlab.core.devices import resolve_device
from ganlab.core.nets import (
    DataSpaceCritic,
    DataSpaceGenerator,
    build_discriminator,
    build_generator,
    sample_latent,
)
from ganlab.core.objectives import Objective, get_objective
from ganlab.core.optimizers import make_optimizer, schedule_factor, update_hyperparameters
from ganlab.core.penalties import (
    clip_weights,
    gradient_penalty,
    r1_penalty,
    weight_decay_penalty,
)
from ganlab.core.targets import Target, make_target

log = logging.getLogger(__name__)

EVALUATION_SEED_OFFSET = 7919  # evaluation noise never draws from the training stream


@dataclass(frozen=True)
class ConfigChange:
    """What `apply_config` did."""

    rebuilt: bool  # networks were rebuilt from scratch (iteration back to 0)
    target_changed: bool
    fields: tuple[str, ...]  # dotted names of every setting that changed


class Trainer:
    """Trains one generator against one discriminator (or a sample distance) on one target."""

    def __init__(self, config: RunConfig, target: Target | None = None):
        self.config = config.copy().validate()
        self.device = resolve_device(self.config.training.device)
        self.target = target if target is not None else make_target(self.config.target)
        self._build()

    # ------------------------------------------------------------------ construction
    def _build(self) -> None:
        cfg = self.config
        seed = cfg.training.seed
        self.rng = torch.Generator(device=self.device).manual_seed(seed)
        self.evaluation_rng = torch.Generator(device=self.device)
        self.evaluation_rng.manual_seed(seed + EVALUATION_SEED_OFFSET)
        with torch.random.fork_rng(devices=[]):  # init on the CPU: the same on every device
            torch.manual_seed(seed)
            generator = build_generator(self.target.dim, cfg.model)
            discriminator = build_discriminator(self.target.dim, cfg.model)
        self.generator = generator.to(self.device)
        self.discriminator = discriminator.to(self.device)
        self.generator_optimizer = make_optimizer(
            self.generator.parameters(), cfg.generator_optimizer
        )
        self.discriminator_optimizer = make_optimizer(
            self.discriminator.parameters(), cfg.discriminator_optimizer
        )
        self.objective: Objective = get_objective(cfg.objective.name)
        self.iteration = 0
        self.critic_updates = 0
        self.generator_updates = 0
        self._loss_sums = torch.zeros(2, device=self.device)  # (D, G) since the last read
        self._loss_counts = [0, 0]
        self._applied_lr_factor: float | None = None  # None: apply before the next step
        self._set_scaling()

    def _set_scaling(self) -> None:
        """Standardise the target (or not) and wrap the networks for data coordinates."""
        dim = self.target.dim
        if self.config.model.standardize_data:
            mean, std = self.target.moments()
        else:
            mean, std = np.zeros(dim), np.ones(dim)
        self.shift = torch.tensor(mean, dtype=torch.float32, device=self.device)
        self.scale = torch.tensor(std, dtype=torch.float32, device=self.device)
        self.data_generator = DataSpaceGenerator(self.generator, self.shift, self.scale)
        self.data_critic = DataSpaceCritic(self.discriminator, self.shift, self.scale)

    # ------------------------------------------------------------------ batches
    def real_batch(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        """n target samples in training coordinates (from the training stream by default)."""
        return (self.target.sample(n, rng or self.rng) - self.shift) / self.scale

    def latent_batch(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        model = self.config.model
        return sample_latent(n, model.latent_dim, model.latent_distribution, rng or self.rng)

    # ------------------------------------------------------------------ updates
    def discriminator_step(self) -> torch.Tensor:
        """One critic update on fresh real and fake batches; returns the objective's D loss."""
        cfg = self.config
        batch = cfg.training.batch_size
        real = self.real_batch(batch)
        with torch.no_grad():
            fake = self.generator(self.latent_batch(batch))
        # one forward over both batches: half the dispatches of two (no batch norm in D)
        d_both = self.discriminator(torch.cat([real, fake]))
        loss = self.objective.discriminator_loss(d_both[:batch], d_both[batch:])
        total = loss
        if self.objective.gradient_penalty and cfg.objective.gradient_penalty_weight > 0:
            total = total + cfg.objective.gradient_penalty_weight * gradient_penalty(
                self.discriminator, real, fake, self.rng
            )
        if cfg.objective.r1_gamma > 0:
            total = total + r1_penalty(self.discriminator, real, cfg.objective.r1_gamma)
        if cfg.objective.discriminator_weight_decay > 0:
            total = total + weight_decay_penalty(
                self.discriminator, cfg.objective.discriminator_weight_decay
            )
        self.discriminator_optimizer.zero_grad(set_to_none=True)
        total.backward()
        self.discriminator_optimizer.step()
        if self.objective.weight_clipping:
            clip_weights(self.discriminator, cfg.objective.clip_value)
        self.critic_updates += 1
        loss = loss.detach()
        self._loss_sums[0] += loss
        self._loss_counts[0] += 1
        return loss

    def generator_step(self) -> torch.Tensor:
        """One generator update; returns its loss (or the sample distance it minimizes)."""
        batch = self.config.training.batch_size
        fake = self.generator(self.latent_batch(batch))
        if self.objective.needs_discriminator:
            self.discriminator.requires_grad_(False)  # no gradients for D's weights here
            try:
                loss = self.objective.generator_loss(self.discriminator(fake))
            finally:
                self.discriminator.requires_grad_(True)
        else:
            loss = self.objective.distance(self.real_batch(batch), fake, self.rng)
        self.generator_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.generator_optimizer.step()
        self.generator_updates += 1
        loss = loss.detach()
        self._loss_sums[1] += loss
        self._loss_counts[1] += 1
        return loss

    def step(
        self, discriminator: bool = True, generator: bool = True, complete_iteration: bool = True
    ) -> None:
        """One iteration: k critic updates then g generator updates (either can be skipped).

        `complete_iteration=False` does a part of an iteration without counting it, so that
        slow motion can show D's half and then G's half (which completes it) apart."""
        training = self.config.training
        factor = schedule_factor(training.lr_schedule, self.iteration, training.iterations)
        if factor != self._applied_lr_factor:  # skip the Python loop when nothing changed
            update_hyperparameters(
                self.discriminator_optimizer, self.config.discriminator_optimizer, factor
            )
            update_hyperparameters(
                self.generator_optimizer, self.config.generator_optimizer, factor
            )
            self._applied_lr_factor = factor
        if discriminator and self.objective.needs_discriminator:
            for _ in range(training.critic_steps):
                self.discriminator_step()
        if generator:
            for _ in range(training.generator_steps):
                self.generator_step()
        if complete_iteration:
            self.iteration += 1

    def train(self, iterations: int) -> None:
        for _ in range(iterations):
            self.step()

    # ------------------------------------------------------------------ reading
    def read_losses(self) -> tuple[float | None, float | None]:
        """Mean D and G loss over the updates since the last read (None where there were none).

        This synchronises with the device: call it when a value is needed, not every step.
        """
        sums = self._loss_sums.tolist()
        means = tuple(
            s / c if c else None for s, c in zip(sums, self._loss_counts, strict=True)
        )
        self._loss_sums.zero_()
        self._loss_counts = [0, 0]
        return means

    @torch.no_grad()
    def sample(self, n: int, latent: torch.Tensor | None = None) -> np.ndarray:
        """n generated points in data coordinates, from evaluation noise (or the given z)."""
        z = latent if latent is not None else self.latent_batch(n, self.evaluation_rng)
        return self.data_generator(z.to(self.device)).cpu().numpy()

    @torch.no_grad()
    def sample_real(self, n: int) -> np.ndarray:
        return self.target.sample(n, self.evaluation_rng).cpu().numpy()

    def parameters_are_finite(self) -> bool:
        return all(
            bool(torch.isfinite(p).all())
            for net in (self.generator, self.discriminator)
            for p in net.parameters()
        )

    def state_is_finite(self) -> bool:
        """Whether every weight and every floating-point optimizer tensor (moments, momentum
        buffers) is finite: a state worth keeping to continue from. Synchronises."""
        optimizer_tensors = (
            value
            for optimizer in (self.generator_optimizer, self.discriminator_optimizer)
            for state in optimizer.state.values()
            for value in state.values()
            if isinstance(value, torch.Tensor) and value.is_floating_point()
        )
        return self.parameters_are_finite() and all(
            bool(torch.isfinite(t).all()) for t in optimizer_tensors
        )

    # ------------------------------------------------------------------ live changes
    def apply_config(self, new: RunConfig, target: Target | None = None) -> ConfigChange:
        """Adopt `new` between iterations. Shapes, latent size or device → rebuild; a new target
        keeps the networks; rates, k, g, batch, λ, c, decay, objective apply in place."""
        new = new.copy().validate()
        changed = tuple(_changed_fields(self.config.to_dict(), new.to_dict()))
        if not changed:
            return ConfigChange(rebuilt=False, target_changed=False, fields=())
        old = self.config
        self.config = new
        self._applied_lr_factor = None
        target_changed = target is not None or new.target != old.target
        if target_changed:
            self.target = target if target is not None else make_target(new.target)
        rebuild = (
            _shape_of(new) != _shape_of(old)
            or new.training.device != old.training.device
            or self.target.dim != self.generator[-1].out_features
        )
        if rebuild:
            self.device = resolve_device(new.training.device)
            self._build()
            log.info("rebuilt the networks after a change of %s", ", ".join(changed))
            return ConfigChange(rebuilt=True, target_changed=target_changed, fields=changed)
        self.objective = get_objective(new.objective.name)
        for role in ("generator", "discriminator"):
            if getattr(new, f"{role}_optimizer").name != getattr(old, f"{role}_optimizer").name:
                network = getattr(self, role)
                setattr(
                    self,
                    f"{role}_optimizer",
                    make_optimizer(network.parameters(), getattr(new, f"{role}_optimizer")),
                )
        if target_changed or new.model.standardize_data != old.model.standardize_data:
            self._set_scaling()
        return ConfigChange(rebuilt=False, target_changed=target_changed, fields=changed)

    def reset(self) -> None:
        """Start again from freshly initialised networks with the current settings and seed."""
        self._build()

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict:
        """Everything needed to continue exactly: networks, optimizers, random streams, counters."""
        return {
            "generator": copy.deepcopy(self.generator.state_dict()),
            "discriminator": copy.deepcopy(self.discriminator.state_dict()),
            "generator_optimizer": copy.deepcopy(self.generator_optimizer.state_dict()),
            "discriminator_optimizer": copy.deepcopy(self.discriminator_optimizer.state_dict()),
            "rng": self.rng.get_state(),
            "evaluation_rng": self.evaluation_rng.get_state(),
            "iteration": self.iteration,
            "critic_updates": self.critic_updates,
            "generator_updates": self.generator_updates,
        }

    def load_state_dict(self, state: dict) -> None:
        self.generator.load_state_dict(state["generator"])
        self.discriminator.load_state_dict(state["discriminator"])
        self.generator_optimizer.load_state_dict(state["generator_optimizer"])
        self.discriminator_optimizer.load_state_dict(state["discriminator_optimizer"])
        self._applied_lr_factor = None
        self.rng.set_state(state["rng"])
        self.evaluation_rng.set_state(state["evaluation_rng"])
        self.iteration = state["iteration"]
        self.critic_updates = state["critic_updates"]
        self.generator_updates = state["generator_updates"]


def _shape_of(config: RunConfig) -> tuple:
    m = config.model
    return (m.latent_dim, m.generator, m.discriminator)


def _changed_fields(old: dict, new: dict, prefix: str = "") -> list[str]:
    names = []
    for key, value in new.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(old.get(key), dict):
            names += _changed_fields(old[key], value, path + ".")
        elif old.get(key) != value:
            names.append(path)
    return names
