"""The authoritative configuration of each run the GUI edits (run A, and run B in compare mode),
Qt-free. Run B always shares run A's target and seed, so the two runs differ only in what the
user compares. `TrainingSession` sends `current` to the worker after every change."""

from __future__ import annotations

from ganlab.core.config import RunConfig, TargetConfig

MIN_RESTORED_LR = 1e-7  # a restore never takes a learning rate below this


class RunConfigs:
    """One `RunConfig` per run; callers get copies (`copies`), the worker the originals."""

    def __init__(self, config: RunConfig):
        self._configs: list[RunConfig] = [config.copy().validate()]

    @property
    def current(self) -> tuple[RunConfig, ...]:
        """The configurations themselves, to send (not to edit)."""
        return tuple(self._configs)

    def copies(self) -> tuple[RunConfig, ...]:
        return tuple(config.copy() for config in self._configs)

    @property
    def compare(self) -> bool:
        return len(self._configs) > 1

    def set(self, index: int, config: RunConfig) -> None:
        self._configs[index] = config.copy().validate()
        self._share_target_and_seed()

    def set_target(self, target: TargetConfig) -> None:
        for config in self._configs:
            config.target = TargetConfig(**vars(target))

    def set_compare(self, config_b: RunConfig | None) -> None:
        self._configs = self._configs[:1] + ([config_b.copy()] if config_b is not None else [])
        self._share_target_and_seed()

    def load(self, config_a: RunConfig, config_b: RunConfig | None) -> None:
        self._configs = [config_a.copy()] + ([config_b.copy()] if config_b is not None else [])
        self._share_target_and_seed()

    def adopt(self, configs: tuple[RunConfig, ...]) -> None:
        """Take over configurations as they are (the worker already trains them)."""
        self._configs = [config.copy() for config in configs]

    def scale_learning_rates(self, factor: float) -> None:
        """Both learning rates of every run times `factor`, never below `MIN_RESTORED_LR`."""
        for config in self._configs:
            for optimizer in (config.generator_optimizer, config.discriminator_optimizer):
                optimizer.learning_rate = max(optimizer.learning_rate * factor, MIN_RESTORED_LR)

    def _share_target_and_seed(self) -> None:
        first = self._configs[0]
        for other in self._configs[1:]:
            other.target = TargetConfig(**vars(first.target))
            other.training.seed = first.training.seed
            other.validate()
