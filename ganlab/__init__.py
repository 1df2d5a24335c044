"""ganlab: a desktop playground for generative adversarial networks."""

__version__ = "0.1.0"


def load_generator(path, device="cpu"):
    """Load an exported generator (see `ganlab.core.export`): a torch module z → x."""
    from ganlab.core.export import load_generator as _load

    return _load(path, device)
