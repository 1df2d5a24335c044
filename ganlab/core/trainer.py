"""The training loop: one iteration = k critic updates, then g generator updates.

The trainer owns the target, both networks, their optimizers and one seeded random stream for
data, noise and penalties, all on one device. The target's kind of data (points or images,
labelled or not) decides the networks (`nets.build_networks`); a conditional model draws its
batches as (x, y) and gives both networks the labels. It knows nothing of frames or threads: callers
step it and, when they want to show something, read losses and draw samples from it. Settings
change between iterations with `apply_config`; only a change of network shape, latent size or
device rebuilds (and says so).
"""

from __future__ import annotations

import copy
import logging

import numpy as np
import torch

from ganlab.core.config import RunConfig
from ganlab.core.config_changes import ConfigChange, changed_fields, network_shape
from ganlab.core.devices import resolve_device
from ganlab.core.ema import averaging
from ganlab.core.lr_schedules import schedule_factor
from ganlab.core.nets import DataSpaceCritic, DataSpaceGenerator, build_networks, sample_latent
from ganlab.core.objectives import Objective, get_objective
from ganlab.core.optimizers import make_optimizer, update_hyperparameters
from ganlab.core.stabilisers import LeCamAnchors, set_spectral_norm, spectral_state_form
from ganlab.core.targets import Target, make_target
from ganlab.core.updates import discriminator_update, generator_update

log = logging.getLogger(__name__)

EVALUATION_SEED_OFFSET = 7919  # evaluation noise never draws from the training stream
STATE_MODULES = ("generator", "discriminator", "generator_optimizer", "discriminator_optimizer")
COUNTERS = ("iteration", "critic_updates", "generator_updates")


class Trainer:
    """Trains one generator against one discriminator (or a sample distance) on one target."""

    model_family = "gan"  # see `vae_trainer.VaeTrainer`

    def __init__(self, config: RunConfig, target: Target | None = None):
        self.config = config.copy().validate()
        self.device = resolve_device(self.config.training.device)
        self.target = target if target is not None else make_target(self.config.target)
        self._build()

    # ------------------------------------------------------------------ construction
    def _build(self) -> None:
        cfg = self.config
        seed = cfg.training.seed
        with torch.random.fork_rng(devices=[]):  # init on the CPU: the same on every device
            torch.manual_seed(seed)  # (first: settings the data cannot have change nothing)
            generator, discriminator, self.architecture, self.classes = build_networks(
                self.target, cfg.model)
            set_spectral_norm(discriminator, cfg.objective.spectral_norm)
        self.rng = torch.Generator(device=self.device).manual_seed(seed)
        self.evaluation_rng = torch.Generator(device=self.device)
        self.evaluation_rng.manual_seed(seed + EVALUATION_SEED_OFFSET)
        self._built_for = self._data_signature()
        self.generator = generator.to(self.device)
        self.discriminator = discriminator.to(self.device)
        for role in ("generator", "discriminator"):
            setattr(self, f"{role}_optimizer", make_optimizer(
                getattr(self, role).parameters(), getattr(cfg, f"{role}_optimizer")))
        self.objective: Objective = get_objective(cfg.objective.name)
        self.generator_average = averaging(None, self.generator, cfg.training.generator_ema)
        self.lecam_anchors = LeCamAnchors()
        self.iteration = 0
        self.critic_updates = 0
        self.generator_updates = 0
        self._loss_sums = torch.zeros(2, device=self.device)  # (D, G) since the last read
        self._loss_counts = [0, 0]
        self._applied_lr_factor: float | None = None  # None: apply before the next step
        self._set_scaling()

    def _data_signature(self) -> tuple:
        """What the networks' shapes depend on in the target."""
        target = self.target
        classes = target.num_classes if self.config.model.conditional else 0
        return target.data_kind, target.shape, classes

    @property
    def conditional(self) -> bool:
        return self.classes > 0

    def _set_scaling(self) -> None:
        """Standardise the target (or not) and wrap the networks for data coordinates."""
        mean, std = self.target.training_scale(self.config.model.standardize_data)
        self.shift = torch.tensor(mean, dtype=torch.float32, device=self.device)
        self.scale = torch.tensor(std, dtype=torch.float32, device=self.device)
        self.data_critic = DataSpaceCritic(self.discriminator, self.shift, self.scale)
        self._wrap_generators()

    def _wrap_generators(self) -> None:
        """In data coordinates: `raw_data_generator` is G as trained, `data_generator` what
        samples and exports come from (the averaged G θ_avg when averaging is on, else G)."""
        self.raw_data_generator = DataSpaceGenerator(self.generator, self.shift, self.scale)
        average = self.generator_average
        self.data_generator = self.raw_data_generator if average is None else \
            DataSpaceGenerator(average.module, self.shift, self.scale)

    # ------------------------------------------------------------------ batches
    def real_batch(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        """n target samples in training coordinates (from the training stream by default)."""
        return (self.target.sample(n, rng or self.rng) - self.shift) / self.scale

    def real_labelled_batch(self, n: int, rng: torch.Generator | None = None
                            ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(x, y): n target samples in training coordinates and, for a conditional model,
        their labels (else None)."""
        if not self.conditional:
            return self.real_batch(n, rng), None
        x, y = self.target.sample_labelled(n, rng or self.rng)
        return (x - self.shift) / self.scale, y

    def generate(self, z: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        """G(z) (or G(z, y)) in training coordinates."""
        return self.generator(z) if labels is None else self.generator(z, labels)

    def discriminate(self, x: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        """d(x) (or d(x, y)): logits, shape (n,)."""
        return self.discriminator(x) if labels is None else self.discriminator(x, labels)

    def generated_labels(self, n: int, rng: torch.Generator | None = None
                         ) -> torch.Tensor | None:
        """Labels for n generated samples, drawn as often as the data has them (or None)."""
        return self.target.sample_labels(n, rng or self.rng) if self.conditional else None

    def latent_batch(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        model = self.config.model
        return sample_latent(n, model.latent_dim, model.latent_distribution, rng or self.rng)

    # ------------------------------------------------------------------ updates
    def discriminator_step(self) -> torch.Tensor:
        """One critic update on fresh real and fake batches; returns the objective's D loss."""
        loss = discriminator_update(self)
        self.critic_updates += 1
        self._loss_sums[0].add_(loss)  # in place through a view: `+=` would also copy back
        self._loss_counts[0] += 1
        return loss

    def generator_step(self) -> torch.Tensor:
        """One generator update; returns its loss (or the sample distance it minimizes)."""
        loss = generator_update(self)
        if self.generator_average is not None:
            self.generator_average.update()
        self.generator_updates += 1
        self._loss_sums[1].add_(loss)
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
            for role in ("discriminator", "generator"):
                update_hyperparameters(getattr(self, f"{role}_optimizer"),
                                       getattr(self.config, f"{role}_optimizer"), factor)
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
    def sample(self, n: int, latent: torch.Tensor | None = None,
               labels: torch.Tensor | None = None, averaged: bool = True) -> np.ndarray:
        """n generated samples in data coordinates, from evaluation noise (or the given z);
        a conditional model draws labels as the data has them unless `labels` are given.
        From the averaged generator when averaging is on, unless `averaged=False` asks for
        the raw one. It runs in evaluation mode (batch norm with its running statistics)."""
        z = latent if latent is not None else self.latent_batch(n, self.evaluation_rng)
        if self.conditional and labels is None:
            labels = self.generated_labels(len(z), self.evaluation_rng)
        if labels is not None:
            labels = labels.to(self.device)
        # batch norm uses its running statistics: a sample does not depend on its batch
        generator = self.data_generator if averaged else self.raw_data_generator
        self.generator.eval()
        try:
            return generator(z.to(self.device), labels).cpu().numpy()
        finally:
            self.generator.train()

    @torch.no_grad()
    def sample_real(self, n: int) -> np.ndarray:
        return self.target.sample(n, self.evaluation_rng).cpu().numpy()

    def optimized_parameters(self, role: str) -> list[torch.nn.Parameter]:
        """What the optimizer of `role` ("generator", "discriminator") updates."""
        return list(getattr(self, role).parameters())

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
        changed = tuple(changed_fields(self.config.to_dict(), new.to_dict()))
        if not changed:
            return ConfigChange(rebuilt=False, target_changed=False, fields=())
        old, old_target, old_device = self.config, self.target, self.device
        target_changed = target is not None or new.target != old.target
        try:  # a target or networks that cannot be built leave the trainer as it was
            if target_changed:
                self.target = target if target is not None else make_target(new.target)
            self.config = new
            rebuild = (network_shape(new) != network_shape(old)
                       or new.training.device != old.training.device
                       or self._data_signature() != self._built_for)
            if rebuild:
                self.device = resolve_device(new.training.device)
                self._build()
        except Exception:
            self.config, self.target, self.device = old, old_target, old_device
            raise
        self._applied_lr_factor = None
        if rebuild:
            log.info("rebuilt the networks after a change of %s", ", ".join(changed))
            return ConfigChange(rebuilt=True, target_changed=target_changed, fields=changed)
        self.objective = get_objective(new.objective.name)
        if new.objective.spectral_norm != old.objective.spectral_norm:  # same W, new D(x)
            set_spectral_norm(self.discriminator, new.objective.spectral_norm)
        if new.objective.lecam_weight == 0:  # switched on again: anchors start afresh
            self.lecam_anchors = LeCamAnchors()
        if new.training.generator_ema != old.training.generator_ema:
            self.generator_average = averaging(self.generator_average, self.generator,
                                               new.training.generator_ema)
            self._wrap_generators()
        for role in ("generator", "discriminator"):
            settings = getattr(new, f"{role}_optimizer")
            if settings.name != getattr(old, f"{role}_optimizer").name:
                optimizer = make_optimizer(self.optimized_parameters(role), settings)
                setattr(self, f"{role}_optimizer", optimizer)
        if target_changed or new.model.standardize_data != old.model.standardize_data:
            self._set_scaling()
        return ConfigChange(rebuilt=False, target_changed=target_changed, fields=changed)

    def reset(self) -> None:
        """Start again from freshly initialised networks with the current settings and seed."""
        self._build()

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict:
        """Everything needed to continue exactly: networks, optimizers, random streams, counters."""
        state = {name: copy.deepcopy(getattr(self, name).state_dict()) for name in STATE_MODULES}
        state.update(rng=self.rng.get_state(), evaluation_rng=self.evaluation_rng.get_state())
        if self.generator_average is not None:
            state["generator_average"] = self.generator_average.state_dict()
        state["lecam_anchors"] = self.lecam_anchors.state_dict()
        return state | {name: getattr(self, name) for name in COUNTERS}

    def load_state_dict(self, state: dict) -> None:
        """Continue from `state`; a discriminator saved with spectral normalisation switched
        the other way loads its raw weights W (the normalisation follows the settings)."""
        saved_form = spectral_state_form(state["discriminator"])
        set_spectral_norm(self.discriminator, saved_form)
        try:
            for name in STATE_MODULES:
                getattr(self, name).load_state_dict(state[name])
        finally:
            set_spectral_norm(self.discriminator, self.config.objective.spectral_norm)
        self.lecam_anchors.load_state_dict(state.get("lecam_anchors"), self.device)
        self._applied_lr_factor = None
        self.rng.set_state(state["rng"])
        self.evaluation_rng.set_state(state["evaluation_rng"])
        for name in COUNTERS:
            setattr(self, name, state[name])
        if self.generator_average is not None:  # a state saved without one starts afresh
            self.generator_average.load_state_dict(state.get("generator_average"))
