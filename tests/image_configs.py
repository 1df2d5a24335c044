"""Small image configurations shared by the image tests."""

from ganlab.core.config import RunConfig


def tiny_image_config(target: str = "digits", side: int = 8, conditional: bool = False,
                      objective: str = "non-saturating") -> RunConfig:
    """A tiny, fast image run: 8×8 digits, z of 8, 8 channels, batch 16, on the CPU."""
    config = RunConfig()
    config.target.name, config.target.resolution = target, side
    config.model.latent_dim, config.model.conditional = 8, conditional
    config.model.generator.width = config.model.discriminator.width = 8
    config.objective.name = objective
    config.training.batch_size, config.training.device = 16, "cpu"
    return config.validate()
