"""Shared by the lesson tests: a shipped lesson by its file prefix, and a trainer trained
headless on one thread (as the app's training process uses on two cores)."""

from __future__ import annotations

import torch

from ganlab.app.lessons import load_lessons
from ganlab.core.trainer import Trainer
from ganlab.core.vae_trainer import make_trainer


def lesson(prefix: str):
    return next(item for item in load_lessons() if item.source.startswith(prefix))


def trained(config, iterations: int) -> Trainer:
    torch.set_num_threads(1)
    trainer = make_trainer(config)  # a VAE where the config says so
    trainer.train(iterations)
    return trainer
