"""Which stabilisers of theory §6 a configuration switches on, and the two-time-scale preset.

torch- and Qt-free: the settings panel, the study runner and the batched trainer read it.
"""

from __future__ import annotations

from typing import Any

#: Heusel et al. (2017)'s two time-scale update rule as SAGAN and BigGAN use it: the
#: discriminator learns four times faster than the generator (D 4·10⁻⁴, G 1·10⁻⁴)
TWO_TIME_SCALE: dict[str, Any] = {
    "generator_optimizer": {"learning_rate": 1e-4},
    "discriminator_optimizer": {"learning_rate": 4e-4},
}
TWO_TIME_SCALE_HELP = (
    "Two time-scale update rule (Heusel et al. 2017): D's learning rate 4·10⁻⁴, G's 1·10⁻⁴, "
    "so the discriminator tracks the generator's changes; the other settings are kept.")


def active_stabilisers(config) -> list[str]:
    """The settings of the stabilisers added beside R1 and the weight average (R2, label
    smoothing, instance noise, LeCam, spectral norm) that `config` switches on, by path."""
    settings = config.objective
    active = [("objective.r2_gamma", settings.r2_gamma > 0),
              ("objective.real_label", settings.real_label != 1.0),
              ("objective.instance_noise", settings.instance_noise > 0),
              ("objective.lecam_weight", settings.lecam_weight > 0),
              ("objective.spectral_norm", settings.spectral_norm)]
    return [path for path, on in active if on]
