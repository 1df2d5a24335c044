"""A point run's networks frozen at one moment, for computing its fields on another thread.

The training thread takes a copy in two cheap parts at frame time: `NetworkCopier.take` clones
the tensors of G (as samples come from it: the averaged G when averaging is on) and of D in data
coordinates (~0.1 ms for 3×128 networks), and hands them with a pair of shadow modules made
once per network build. The field thread then `load`s the tensors into the shadows and runs the
engine's field functions on the `NetworkCopy` as it would on the trainer: it has every
attribute they read, so the same weights give the same numbers. Only the field thread touches
the shadows after the hand-over.

Off-thread fields are for what reads nothing but the networks: point data, an unconditional
model, an objective with a discriminator whose output is drawn (not MMD or sliced
Wasserstein, whose fields draw from the trainer's evaluation stream), on the CPU
(`can_copy`). Other runs compute their fields inline as before.
"""

from __future__ import annotations

import copy

import numpy as np
import torch


def can_copy(trainer) -> bool:
    """Whether `trainer`'s fields can be computed from a `NetworkCopy` (see the module)."""
    objective = trainer.objective
    return (trainer.target.data_kind == "points" and not trainer.conditional
            and objective.needs_discriminator and objective.output_kind != "none"
            and trainer.device.type == "cpu")


def can_copy_images(trainer) -> bool:
    """Whether an image run's pictures (`image_snapshot.image_parts`) can be computed from a
    `NetworkCopy`: a GAN on the CPU (D's scores need a discriminator)."""
    return (trainer.target.data_kind == "images" and trainer.model_family != "vae"
            and trainer.device.type == "cpu")


class NetworkCopy:
    """The trainer-like view of frozen networks that `snapshot.field_parts` and
    `image_snapshot.image_parts` read."""

    def __init__(self, trainer, shadows: tuple[torch.nn.Module, torch.nn.Module],
                 states: tuple[dict, dict]):
        self.conditional = trainer.conditional
        self.objective = trainer.objective
        self.device = trainer.device
        self.config = trainer.config
        self.target = trainer.target
        self.shift = trainer.shift.clone()
        self.scale = trainer.scale.clone()
        self.data_generator, self.data_critic = shadows
        self.discriminator = self.data_critic.network  # generator_gradients freezes it
        self._states = states

    def load(self) -> NetworkCopy:
        """Put the copied tensors into the shadow modules (field thread); returns self."""
        with torch.no_grad():
            for module, state in zip((self.data_generator, self.data_critic), self._states,
                                     strict=True):
                for name, tensor in module.state_dict(keep_vars=True).items():
                    tensor.copy_(state[name])
        return self

    @torch.no_grad()
    def sample(self, n: int, latent: torch.Tensor, labels: torch.Tensor | None = None
               ) -> np.ndarray:
        """G(latent) (or G(latent, labels)) in data coordinates in evaluation mode, as
        `Trainer.sample` draws it."""
        network = self.data_generator.network
        training = network.training
        network.eval()
        try:
            return self.data_generator(latent.to(self.device), labels).cpu().numpy()
        finally:
            network.train(training)

    def discriminate(self, x: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        """d(x) (or d(x, y)) in training coordinates, as `Trainer.discriminate`."""
        network = self.discriminator
        return network(x) if labels is None else network(x, labels)


class NetworkCopier:
    """Copies one run's networks (training thread); the shadows are made again whenever the
    trainer's modules change (a rebuild, averaging switched on or off)."""

    def __init__(self) -> None:
        self._sources: tuple | None = None
        self._shadows: tuple[torch.nn.Module, torch.nn.Module] | None = None

    def take(self, trainer) -> NetworkCopy:
        sources = (trainer.data_generator, trainer.data_critic)
        if self._sources is None or any(a is not b for a, b in zip(sources, self._sources,
                                                                   strict=True)):
            self._shadows = tuple(copy.deepcopy(module) for module in sources)
            self._sources = sources
        states = tuple({name: tensor.detach().clone()
                        for name, tensor in module.state_dict().items()} for module in sources)
        return NetworkCopy(trainer, self._shadows, states)
