"""The runs the worker trains — one, or two in compare mode — kept in lockstep.

Every step is taken by every run, so their iterations stay equal; anything that restarts one run
from scratch (a reset, a rebuild of the networks, a second run appearing, a session opened)
restarts all. `epoch` counts restarts and `target_epoch` counts target changes, so the GUI can
tell a frame of a new run from a frame of the old one. Worker thread only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ganlab.core.config import RunConfig
from ganlab.core.trainer import Trainer
from ganlab.training.good_states import StateMismatch
from ganlab.training.run import Run
from ganlab.training.step import Step

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConfigOutcome:
    """What applying new settings did."""

    restarted: bool = False  # every run starts again from iteration 0
    target_changed: bool = False
    error: str | None = None  # why (some of) the settings could not be applied


class LockstepRuns:
    """The runs, their epochs, and the rule that they step and restart together."""

    def __init__(self, display_samples: int):
        self.display_samples = display_samples
        self.runs: list[Run] = []
        self.epoch = 0
        self.target_epoch = 0

    def __bool__(self) -> bool:
        return bool(self.runs)

    @property
    def trainers(self) -> list[Trainer]:
        return [run.trainer for run in self.runs]

    @property
    def can_restore(self) -> bool:
        return bool(self.runs) and all(run.good_states for run in self.runs)

    def step(self, step: Step) -> None:
        for run in self.runs:
            if step.completes_iteration:
                run.trainer.step(discriminator=step.discriminator, generator=step.generator)
            else:
                run.trainer.step(discriminator=step.discriminator, generator=step.generator,
                                 complete_iteration=False)

    def restart(self) -> None:
        """Every run starts again (the caller reset or replaced them): a new epoch."""
        self.epoch += 1
        for run in self.runs:
            run.restarted()

    def reset(self) -> None:
        for run in self.runs:
            run.trainer.reset()
        self.restart()

    def restore_last_good(self) -> bool:
        """Every run back to its last good state; False if any run has none that fits (the runs
        restored so far stay restored; the user is told to reset)."""
        try:
            restored = [run.restore() for run in self.runs]  # each run, even after a False
            return all(restored)
        except StateMismatch as error:
            log.warning("could not restore: %s", error)
            return False

    def adopt(self, trainer: Trainer) -> None:
        """Replace every run by one around `trainer` (an opened session): compare mode ends."""
        self.runs = [Run(trainer.config, self.display_samples, trainer)]
        self.target_epoch += 1
        self.restart()

    def apply_configs(self, configs: tuple[RunConfig, ...]) -> ConfigOutcome:
        """New settings for each run. Another number of runs, or a run turning from a GAN into
        a VAE or back (`model.family`), starts them all afresh; a rebuild of one run's networks
        restarts all of them."""
        families = [run.trainer.model_family for run in self.runs]
        if families != [config.model.family for config in configs]:  # GAN ↔ VAE: new runs
            try:
                runs = [Run(config, self.display_samples) for config in configs]
            except Exception as error:  # a bad device, a broken points file
                log.warning("could not start training: %s", error)
                return ConfigOutcome(error=f"could not apply the settings: {error}")
            self.runs = runs
            self.target_epoch += 1
            self.restart()
            return ConfigOutcome(restarted=True)
        rebuilt = target_changed = False
        error_text = None
        for run, config in zip(self.runs, configs, strict=True):
            try:
                change = run.trainer.apply_config(config)
            except Exception as error:
                log.warning("could not apply settings: %s", error)
                error_text = f"could not apply the settings: {error}"
                continue
            rebuilt = rebuilt or change.rebuilt
            target_changed = target_changed or change.target_changed
        if target_changed:
            self.target_epoch += 1
        if rebuilt:
            if len(self.runs) > 1:  # lockstep: every run starts again together
                for run in self.runs:
                    run.trainer.reset()
            self.restart()
        return ConfigOutcome(restarted=rebuilt, target_changed=target_changed, error=error_text)
