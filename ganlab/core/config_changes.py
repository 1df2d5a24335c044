"""What a new configuration changes for a running trainer (see `Trainer.apply_config`)."""

from __future__ import annotations

from dataclasses import dataclass

from ganlab.core.config import RunConfig


@dataclass(frozen=True)
class ConfigChange:
    """What `apply_config` did."""

    rebuilt: bool  # networks were rebuilt from scratch (iteration back to 0)
    target_changed: bool
    fields: tuple[str, ...]  # dotted names of every setting that changed


def network_shape(config: RunConfig) -> tuple:
    """The settings whose change means new networks (the data's shape aside)."""
    m = config.model
    return (m.latent_dim, m.generator, m.discriminator, m.architecture, m.conditional,
            m.conditioning)


def changed_fields(old: dict, new: dict, prefix: str = "") -> list[str]:
    """Dotted names of the settings whose values differ between two config dicts."""
    names = []
    for key, value in new.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(old.get(key), dict):
            names += changed_fields(old[key], value, path + ".")
        elif old.get(key) != value:
            names.append(path)
    return names
