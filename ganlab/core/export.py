"""Exported generators: safetensors weights plus a JSON description, never pickle.

A generator file pair is `NAME.safetensors` (the MLP's weights, keys as in `state_dict`) and
`NAME.json`:

    {"format": "ganlab-generator", "version": 1,
     "architecture": {"type": "mlp", "latent_dim": 2, "latent_distribution": "gaussian",
                      "data_dim": 2, "hidden_layers": 3, "width": 128, "activation": "relu"},
     "scaling": {"shift": [...], "scale": [...]},      # x = shift + scale · network(z)
     "target": "grid25", "iteration": 20000, "ganlab_version": "0.1.0"}

`load_generator(path)` (either file, or the stem) returns a torch module mapping z to data
coordinates, with `sample(n, seed)`; it needs neither Qt nor the app.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from ganlab import __version__
from ganlab.core.atomic_file import atomic_write
from ganlab.core.config import ACTIVATIONS, LATENT_DISTRIBUTIONS, NetworkConfig
from ganlab.core.nets import DataSpaceGenerator, mlp, sample_latent

FORMAT = "ganlab-generator"
VERSION = 1


class GeneratorFileError(ValueError):
    """A generator file is missing, damaged, foreign or from an unknown version."""


class LoadedGenerator(DataSpaceGenerator):
    """An exported generator: z (n, latent_dim) → x (n, data_dim) in data coordinates."""

    def __init__(self, network, shift, scale, latent_dim: int, latent_distribution: str):
        super().__init__(network, shift, scale)
        self.latent_dim = latent_dim
        self.latent_distribution = latent_distribution

    @torch.no_grad()
    def sample(self, n: int, seed: int | None = None) -> torch.Tensor:
        """n samples G(z), z drawn from the latent distribution the generator was trained on."""
        rng = torch.Generator(device=self.shift.device)
        if seed is None:
            rng.seed()
        else:
            rng.manual_seed(seed)
        return self(sample_latent(n, self.latent_dim, self.latent_distribution, rng))


def generator_paths(path: str | Path) -> tuple[Path, Path]:
    """(weights, description) for a path given as either file or as the common stem."""
    path = Path(path)
    stem = path.with_suffix("") if path.suffix in (".safetensors", ".json") else path
    return stem.with_suffix(".safetensors"), stem.with_suffix(".json")


def export_generator(trainer, path: str | Path) -> tuple[Path, Path]:
    """Write the trainer's generator as PATH.safetensors + PATH.json; return both paths."""
    weights_path, description_path = generator_paths(path)
    model = trainer.config.model
    description = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": {
            "type": "mlp",
            "latent_dim": model.latent_dim,
            "latent_distribution": model.latent_distribution,
            "data_dim": trainer.target.dim,
            "hidden_layers": model.generator.hidden_layers,
            "width": model.generator.width,
            "activation": model.generator.activation,
        },
        "scaling": {"shift": trainer.shift.tolist(), "scale": trainer.scale.tolist()},
        "target": trainer.target.name,
        "iteration": trainer.iteration,
        "ganlab_version": __version__,
    }
    weights = {k: v.detach().cpu().contiguous() for k, v in trainer.generator.state_dict().items()}
    weights_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(weights_path, lambda stream: stream.write(save(weights)))
    atomic_write(description_path,
                 lambda stream: stream.write(json.dumps(description, indent=2).encode()))
    return weights_path, description_path


def load_generator(path: str | Path, device: str | torch.device = "cpu") -> LoadedGenerator:
    """Load an exported generator (give the .safetensors, the .json or their common stem)."""
    weights_path, description_path = generator_paths(path)
    description = _read_description(description_path)
    arch = description["architecture"]
    network = mlp(
        arch["latent_dim"],
        arch["data_dim"],
        NetworkConfig(arch["hidden_layers"], arch["width"], arch["activation"]),
    )
    if not weights_path.exists():
        raise GeneratorFileError(
            f"{weights_path}: no such file (the weights of {description_path})"
        )
    try:
        weights = load_file(str(weights_path))
    except (SafetensorError, OSError, ValueError) as error:
        raise GeneratorFileError(
            f"{weights_path}: not a readable safetensors file ({error})"
        ) from None
    try:
        network.load_state_dict(weights)
    except RuntimeError as error:
        first = str(error).splitlines()[0] if str(error) else "shape mismatch"
        raise GeneratorFileError(
            f"{weights_path}: weights do not match the architecture in {description_path.name}"
            f" ({first})"
        ) from None
    scaling = description["scaling"]
    generator = LoadedGenerator(
        network,
        torch.tensor(scaling["shift"], dtype=torch.float32),
        torch.tensor(scaling["scale"], dtype=torch.float32),
        arch["latent_dim"],
        arch["latent_distribution"],
    )
    return generator.to(device).eval()


def _read_description(path: Path) -> dict:
    if not path.exists():
        raise GeneratorFileError(f"{path}: no such file")
    try:
        description = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GeneratorFileError(f"{path}: not a JSON generator description ({error})") from None
    if not isinstance(description, dict) or description.get("format") != FORMAT:
        raise GeneratorFileError(f"{path}: not a ganlab generator description")
    version = description.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise GeneratorFileError(
            f"{path}: generator format version {version!r} is newer than this ganlab "
            f"understands (version {VERSION}); update ganlab"
        )
    try:
        arch = description["architecture"]
        ok = (
            arch["type"] == "mlp"
            and all(
                isinstance(arch[k], int) and arch[k] >= 0
                for k in ("latent_dim", "data_dim", "hidden_layers", "width")
            )
            and arch["latent_dim"] >= 1
            and arch["data_dim"] >= 1
            and arch["width"] >= 1
            and arch["activation"] in ACTIVATIONS
            and arch["latent_distribution"] in LATENT_DISTRIBUTIONS
        )
        scaling = description["scaling"]
        shift, scale = scaling["shift"], scaling["scale"]
        ok = ok and len(shift) == len(scale) == arch["data_dim"]
        ok = ok and all(isinstance(v, (int, float)) and math.isfinite(v) for v in shift + scale)
    except (KeyError, TypeError):
        ok = False
    if not ok:
        raise GeneratorFileError(f"{path}: the generator description is incomplete or invalid")
    return description
