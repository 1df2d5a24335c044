"""Several runs of one points GAN trained as one batched model: the same numbers as separate
`Trainer`s, in a fraction of the time for GAN Lab-sized networks.

A small MLP step on a CPU costs its dispatch, not its arithmetic: R runs whose networks have one
shape are stacked (`stacked_mlp`: each parameter (R, …), all of them in one flat buffer, one
`baddbmm` per layer for all runs) and stepped together. Runs may differ in seed and in the two
learning rates; every other setting must be the same. Each run keeps its own random stream,
seeded and drawn exactly as a `Trainer` draws it (per D update: real batch, z, then the
interpolation α of the gradient penalty; per G update: z, then the real batch of a sample
distance), and its networks start from the same seeded initialisation, so run r follows
`Trainer(configs[r])` to float rounding.

Runs may also differ in objective where all of them have a discriminator (a minimax run beside a
wgan-gp one): per-run losses are each run's objective's own formulas mapped over the run
dimension (`torch.func.vmap`, `batched_objectives`); penalties (gradient penalty, R1, weight
decay) are written per run below, as in `penalties.py`.
Supported: every objective with a discriminator (minimax, non-saturating, wgan with clipping,
wgan-gp, lsgan, hinge; mixed in one batch or not) and MMD (alone); Adam for both networks; k
critic and g generator steps; R1; D weight decay; the learning-rate schedule; the generator's
weight average. Not supported (a
ConfigError says so): images, other optimizers, sliced Wasserstein (its random projections are
drawn inside the loss).

`trainer(r)` gives run r as an ordinary `Trainer` (networks, Adam moments, random stream,
counters, weight average), from which a study writes an ordinary run folder or trains on.
"""

from __future__ import annotations

import json

import torch

from ganlab.core.batched_objectives import RunObjectives, objective_kind
from ganlab.core.config import ConfigError, RunConfig
from ganlab.core.devices import resolve_device
from ganlab.core.ema import warmup_decay
from ganlab.core.lr_schedules import schedule_factor
from ganlab.core.nets import build_networks, sample_latent
from ganlab.core.stabiliser_settings import active_stabilisers
from ganlab.core.stacked_mlp import StackedAdam, StackedMLP
from ganlab.core.targets import Target, make_target
from ganlab.core.trainer import Trainer

#: settings that may differ between the runs of one batch (as (section, field)); objectives
#: only among those of one kind (`objective_kind`: every objective with a discriminator)
PER_RUN_SETTINGS = (("training", "seed"), ("generator_optimizer", "learning_rate"),
                    ("discriminator_optimizer", "learning_rate"), ("objective", "name"))
UNSUPPORTED_OBJECTIVES = ("sliced-wasserstein",)
ROLES = ("generator", "discriminator")


def shared_settings(config: RunConfig) -> dict:
    """A run's settings less those that may differ within a batch (`PER_RUN_SETTINGS`), with
    the kind of its objective (`objective_kind`) in place of its name."""
    values = config.to_dict()
    for section, name in PER_RUN_SETTINGS:
        values[section].pop(name)
    values["objective"]["kind"] = objective_kind(config.objective.name)
    return values


def batch_groups(configs: list[RunConfig]) -> list[list[int]]:
    """The runs (indices into `configs`, in order) that share every setting but seed, learning
    rates and objective (of one kind), group by group in order of first appearance: the
    candidates for one BatchedTrainer each (`batching_problem` says whether a group's target
    and settings can)."""
    groups: dict[str, list[int]] = {}
    for index, config in enumerate(configs):
        groups.setdefault(json.dumps(shared_settings(config), sort_keys=True), []).append(index)
    return list(groups.values())


def batching_problem(configs: list[RunConfig], target: Target) -> str | None:
    """Why these runs cannot train as one batch (None if they can)."""
    if not configs:
        return "no runs to batch"
    shared = [shared_settings(config) for config in configs]
    for index, values in enumerate(shared[1:], start=1):
        if values != shared[0]:
            field = next(f"{s}.{k}" for s in values for k in values[s]
                         if values[s][k] != shared[0][s][k])
            if field == "objective.kind":
                return f"run {index}'s objective ({configs[index].objective.name}) cannot " \
                       f"share a batch with run 0's ({configs[0].objective.name}): only " \
                       "objectives with a discriminator may be mixed"
            return f"run {index} differs from run 0 in {field}; only seeds, learning rates " \
                   "and objectives may differ within a batch"
    config = configs[0]
    if config.model.family != "gan":
        return f"batched runs train GANs; the model family is {config.model.family}"
    if target.data_kind != "points":
        return f"batched runs train points networks (MLPs); {target.name} is {target.data_kind}"
    if unsupported := sorted({c.objective.name for c in configs} & set(UNSUPPORTED_OBJECTIVES)):
        return f"batched runs do not support {unsupported[0]} (its random projections are " \
               "drawn inside the loss); train it with Trainer"
    if stabilisers := active_stabilisers(config):  # written for Trainer only
        return f"batched runs do not support {', '.join(stabilisers)}; train with Trainer"
    for role in ROLES:
        if getattr(config, f"{role}_optimizer").name != "adam":
            return f"batched runs use Adam; the {role}'s optimizer is " \
                   f"{getattr(config, f'{role}_optimizer').name}"
    return None


class BatchedTrainer:
    """R points GANs of one shape (differing in seed, learning rates and objective) trained
    as one."""

    def __init__(self, configs: list[RunConfig], target: Target | None = None):
        configs = [config.copy().validate() for config in configs]
        self.target = target if target is not None else make_target(configs[0].target)
        problem = batching_problem(configs, self.target)
        if problem is not None:
            raise ConfigError(problem)
        self.configs = configs
        self.config = configs[0]  # the settings every run shares
        self.device = resolve_device(self.config.training.device)
        self.objectives = RunObjectives([c.objective.name for c in configs],
                                        self.config.objective.gradient_penalty_weight,
                                        self.device)
        self.objective = self.objectives.objectives[0]  # (needs_discriminator: all alike)
        networks = {role: [] for role in ROLES}
        for config in configs:  # each run's initial weights as its Trainer draws them
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(config.training.seed)
                generator, discriminator, _, _ = build_networks(self.target, config.model)
            networks["generator"].append(generator)
            networks["discriminator"].append(discriminator)
        model = self.config.model
        self.generator = StackedMLP(networks["generator"], model.generator.activation,
                                    self.device)
        self.discriminator = StackedMLP(networks["discriminator"],
                                        model.discriminator.activation, self.device)
        self.optimizers = {role: StackedAdam(getattr(self, role), (
            getattr(self.config, f"{role}_optimizer").beta1,
            getattr(self.config, f"{role}_optimizer").beta2)) for role in ROLES}
        self.rngs = [torch.Generator(device=self.device).manual_seed(c.training.seed)
                     for c in configs]
        mean, std = self.target.training_scale(model.standardize_data)
        self.shift = torch.tensor(mean, dtype=torch.float32, device=self.device)
        self.scale = torch.tensor(std, dtype=torch.float32, device=self.device)
        self.average = self.generator.flat.clone() \
            if self.config.training.generator_ema > 0 else None  # θ_avg, laid out as flat
        self.iteration = self.critic_updates = self.generator_updates = 0
        self._loss_sums = torch.zeros(len(configs), 2, device=self.device)  # (R, (D, G))
        self._loss_counts = [0, 0]
        self._rates: dict[str, torch.Tensor] = {}
        self._rate_factor: float | None = None
        self._clip_mask = self.objectives.clip_mask(self.discriminator.run_index)

    @property
    def runs(self) -> int:
        return len(self.configs)

    # ------------------------------------------------------------------ batches
    def _draw(self, real: bool, latent: bool, alpha: bool = False, real_first: bool = True
              ) -> dict[str, torch.Tensor]:
        """Per run, from its own stream and in its Trainer's order: a real batch (training
        coordinates), z, α (the penalised runs only); stacked over runs: (R, n, dim),
        (R, n, latent), (P, n, 1)."""
        n, model = self.config.training.batch_size, self.config.model
        drawn: dict[str, list[torch.Tensor]] = {"real": [], "latent": [], "alpha": []}
        for rng, draws_alpha in zip(self.rngs, self.objectives.draws_alpha, strict=True):
            order = ("real", "latent") if real_first else ("latent", "real")
            for kind in order:
                if kind == "real" and real:
                    drawn["real"].append(self.target.sample(n, rng))
                elif kind == "latent" and latent:
                    drawn["latent"].append(sample_latent(
                        n, model.latent_dim, model.latent_distribution, rng))
            if alpha and draws_alpha:
                drawn["alpha"].append(torch.rand((n, 1), generator=rng, device=self.device))
        out = {kind: torch.stack(values) for kind, values in drawn.items() if values}
        if "real" in out:
            out["real"] = (out["real"] - self.shift) / self.scale
        return out

    def _critic(self, x: torch.Tensor, runs: torch.Tensor | None = None) -> torch.Tensor:
        """d(x) of every run: x (R, n, dim) → logits (R, n) (or of `runs` only: (P, …))."""
        return self.discriminator(x, runs).squeeze(-1)

    # ------------------------------------------------------------------ updates
    def _rates_for(self, role: str) -> torch.Tensor:
        """(R,) learning rates: each run's base rate × the schedule's factor."""
        training = self.config.training
        factor = schedule_factor(training.lr_schedule, self.iteration, training.iterations)
        if factor != self._rate_factor:
            self._rates = {r: torch.tensor(
                [getattr(c, f"{r}_optimizer").learning_rate * factor for c in self.configs],
                dtype=torch.float32, device=self.device) for r in ROLES}
            self._rate_factor = factor
        return self._rates[role]

    def discriminator_step(self) -> None:
        """One critic update of every run; penalties as in `penalties.py`, per run."""
        settings, objectives = self.config.objective, self.objectives
        gradient_penalty = objectives.any_penalised
        batch = self._draw(real=True, latent=True, alpha=gradient_penalty)
        real, n = batch["real"], self.config.training.batch_size
        with torch.no_grad():
            fake = self.generator(batch["latent"])
        d_both = self._critic(torch.cat([real, fake], dim=1))  # (R, 2n)
        losses = objectives.discriminator_losses(d_both[:, :n], d_both[:, n:])  # (R,)
        total = losses.sum()  # each run's parameters get only its own loss's gradient
        if gradient_penalty:  # λ E(‖∇d(x̂)‖₂ − 1)², x̂ = α real + (1 − α) fake
            alpha, runs = batch["alpha"], objectives.penalised  # (the penalised runs only)
            real_p, fake_p = (real, fake) if runs is None else (
                real.index_select(0, runs), fake.index_select(0, runs))
            mixed = (alpha * real_p + (1 - alpha) * fake_p).requires_grad_(True)
            (grad,) = torch.autograd.grad(self._critic(mixed, runs).sum(), mixed,
                                          create_graph=True)
            penalty = ((grad.norm(dim=-1) - 1) ** 2).mean(dim=1)
            total = total + settings.gradient_penalty_weight * penalty.sum()
        if settings.r1_gamma > 0 and self.critic_updates % settings.r1_interval == 0:
            # (Nγ/2) E_data ‖∇d(x)‖² on every N-th update (lazy R1; N = 1: every update)
            real_in = real.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(self._critic(real_in).sum(), real_in,
                                          create_graph=True)
            gamma = settings.r1_gamma * settings.r1_interval
            total = total + 0.5 * gamma * grad.pow(2).sum(-1).mean(-1).sum()
        if settings.discriminator_weight_decay > 0:  # (C/2) Σ ‖W‖², weights only
            total = total + 0.5 * settings.discriminator_weight_decay * sum(
                w.pow(2).sum() for w in self.discriminator.weights())
        total.backward()
        self.optimizers["discriminator"].step(self._rates_for("discriminator"))
        if objectives.any_clipped:
            with torch.no_grad():
                flat = self.discriminator.flat
                if self._clip_mask is None:
                    flat.clamp_(-settings.clip_value, settings.clip_value)
                else:  # the clipped runs' weights only
                    flat.copy_(torch.where(self._clip_mask, flat.clamp(
                        -settings.clip_value, settings.clip_value), flat))
        self.critic_updates += 1
        self._loss_sums[:, 0].add_(losses.detach())  # (a view: `+=` would also copy back)
        self._loss_counts[0] += 1

    def generator_step(self) -> None:
        """One generator update of every run (D's weights get no gradients)."""
        if self.objective.needs_discriminator:
            latent = self._draw(real=False, latent=True)["latent"]
            fake = self.generator(latent)
            self.discriminator.requires_grad_(False)  # no gradients for D's weights here
            try:
                losses = self.objectives.generator_losses(self._critic(fake))
            finally:
                self.discriminator.requires_grad_(True)
        else:  # a sample distance: z first, then the real batch, as Trainer draws them
            batch = self._draw(real=True, latent=True, real_first=False)
            losses = self.objectives.distances(batch["real"], self.generator(batch["latent"]))
        losses.sum().backward()
        self.optimizers["generator"].step(self._rates_for("generator"))
        self.generator_updates += 1
        if self.average is not None:  # θ_avg ← β_t θ_avg + (1 − β_t) θ (`ema.py`)
            beta = warmup_decay(self.config.training.generator_ema, self.generator_updates)
            self.average.lerp_(self.generator.flat, 1.0 - beta)
        self._loss_sums[:, 1].add_(losses.detach())
        self._loss_counts[1] += 1

    def step(self) -> None:
        """One iteration of every run: k critic updates, then g generator updates."""
        training = self.config.training
        if self.objective.needs_discriminator:
            for _ in range(training.critic_steps):
                self.discriminator_step()
        for _ in range(training.generator_steps):
            self.generator_step()
        self.iteration += 1

    def train(self, iterations: int) -> None:
        for _ in range(iterations):
            self.step()

    # ------------------------------------------------------------------ reading
    def read_losses(self) -> list[tuple[float | None, float | None]]:
        """Per run, the mean D and G loss since the last read (None where there were none),
        as `Trainer.read_losses`. Synchronises with the device."""
        sums = self._loss_sums.tolist()
        means = [tuple(s / c if c else None for s, c in zip(row, self._loss_counts,
                                                              strict=True)) for row in sums]
        self._loss_sums.zero_()
        self._loss_counts = [0, 0]
        return means

    @torch.no_grad()
    def finite_runs(self) -> list[bool]:
        """Per run, whether its weights and Adam moments are all finite (as
        `Trainer.state_is_finite`). Runs never mix: a run that diverges leaves the others'
        numbers unchanged. Synchronises."""
        bad = torch.zeros(self.runs, device=self.device)
        for role in ROLES:
            network, adam = getattr(self, role), self.optimizers[role]
            for buffer in (network.flat, adam.exp_avg, adam.exp_avg_sq):
                bad.index_add_(0, network.run_index, (~torch.isfinite(buffer)).float())
        return [bool(b == 0) for b in bad]

    def trainer(self, run: int) -> Trainer:
        """Run `run` as an ordinary Trainer in exactly this state: stepping it continues the
        run as this batch would (its evaluation stream is fresh, as in a run never sampled)."""
        return self.load_into(run, Trainer(self.configs[run], self.target))

    def load_into(self, run: int, trainer: Trainer) -> Trainer:
        """Put run `run`'s state (networks, Adam moments, training stream, counters, weight
        average) into `trainer`, a Trainer of this run's configuration; its evaluation stream
        is left as it is, so a trainer loaded at every evaluation draws what the run's own
        Trainer would have drawn there."""
        for role in ROLES:
            stacked, network = getattr(self, role), getattr(trainer, role)
            stacked.copy_into(run, network)
            adam = self.optimizers[role]
            if adam.steps:
                optimizer = getattr(trainer, f"{role}_optimizer")
                state = optimizer.state_dict()
                moments = zip(stacked.per_parameter(run, adam.exp_avg),
                              stacked.per_parameter(run, adam.exp_avg_sq), strict=True)
                state["state"] = {index: {"step": torch.tensor(float(adam.steps)),
                                          "exp_avg": m, "exp_avg_sq": v}
                                  for index, (m, v) in enumerate(moments)}
                optimizer.load_state_dict(state)
        trainer.rng.set_state(self.rngs[run].get_state())
        trainer.iteration = self.iteration
        trainer.critic_updates = self.critic_updates
        trainer.generator_updates = self.generator_updates
        if self.average is not None and trainer.generator_average is not None:
            self.generator.copy_into(run, trainer.generator_average.module, self.average)
            trainer.generator_average.updates = self.generator_updates
        return trainer
