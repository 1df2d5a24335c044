"""Lazy R1 (`objective.r1_interval` N): the critic update number u takes the R1 penalty with
weight N·γ when u is a multiple of N and none otherwise."""

from __future__ import annotations

import pytest
import torch

from ganlab.core.config import RunConfig
from ganlab.core.trainer import Trainer


def _one_critic_update(r1_gamma: float, r1_interval: int, update: int) -> list[torch.Tensor]:
    torch.set_num_threads(1)
    trainer = Trainer(RunConfig().merged({
        "target": {"name": "ring8"}, "training": {"seed": 3},
        "objective": {"r1_gamma": r1_gamma, "r1_interval": r1_interval},
        "model": {"generator": {"hidden_layers": 1, "width": 16},
                  "discriminator": {"hidden_layers": 1, "width": 16}}}))
    trainer.critic_updates = update  # what decides whether this update takes R1
    trainer.discriminator_step()
    return [p.detach().clone() for p in trainer.discriminator.parameters()]


@pytest.mark.parametrize(("update", "gamma_taken"), [(0, 1.5), (1, 0.0), (2, 0.0), (3, 1.5),
                                                 (6, 1.5), (7, 0.0)])
def test_every_third_update_takes_three_times_gamma_and_the_others_none(update, gamma_taken):
    lazy = _one_critic_update(0.5, 3, update)
    eager = _one_critic_update(gamma_taken, 1, update)
    unpenalised = _one_critic_update(0.0, 1, update)
    assert all(torch.equal(a, b) for a, b in zip(lazy, eager, strict=True))
    differs = any(not torch.equal(a, b) for a, b in zip(lazy, unpenalised, strict=True))
    assert differs == (gamma_taken > 0)


def test_an_interval_of_one_is_r1_on_every_update():
    for update in (0, 1, 5):
        assert all(torch.equal(a, b) for a, b in zip(
            _one_critic_update(0.2, 1, update), _one_critic_update(0.2, 1, 0), strict=True))
