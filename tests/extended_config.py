"""A configuration with one setting more than RunConfig, declared the way every setting is:
the tests find it in the CLI and in the settings panel without touching either."""

from __future__ import annotations

from dataclasses import dataclass, field

from ganlab.core.config import RunConfig, TrainingConfig
from ganlab.core.settings import section, setting


@dataclass
class WarmupTrainingConfig(TrainingConfig):
    """The training loop, plus a warm-up."""

    warmup_iterations: int = setting(
        250, "Iterations at a reduced learning rate before the schedule starts.", low=0,
        high=5000, unit="iterations", cli="warmup-iterations", label="warm-up iterations")


@dataclass
class ExtendedRunConfig(RunConfig):
    """RunConfig with the extra warm-up setting."""

    training: WarmupTrainingConfig = field(default_factory=WarmupTrainingConfig,
                                           metadata=section("Training"))
