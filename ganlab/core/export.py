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
import os
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from ganlab import __version__
from ganlab.core.atomic_file import atomic_write
from ganlab.core.config import ConfigError, NetworkConfig, RunConfig
from ganlab.core.nets import DataSpaceGenerator, mlp, sample_latent
from ganlab.core.untrusted_input import (
    UntrustedInputError,
    check_tensor_layout,
    expected_bytes,
    open_regular_file,
    parse_json,
    read_file,
    read_safetensors_header,
    safetensors_header_limit,
    tensor_spec,
)

FORMAT = "ganlab-generator"
VERSION = 1
MAX_DESCRIPTION_BYTES = 4 * 1024 * 1024  # a description is a few hundred bytes


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
    """Load an exported generator (give the .safetensors, the .json or their common stem).

    Both files are untrusted: the description is read with bounds and its architecture held
    to the run configuration's limits; the weights file's header must declare exactly the
    tensors that architecture has (names, dtypes, shapes) and its size must fit them before
    anything is built or read; weights must be finite. Problems are a `GeneratorFileError`
    naming the file.
    """
    weights_path, description_path = generator_paths(path)
    description = _read_description(description_path)
    arch = description["architecture"]
    network_config = NetworkConfig(arch["hidden_layers"], arch["width"], arch["activation"])
    with torch.device("meta"):  # names and shapes only: nothing is allocated
        layout = mlp(arch["latent_dim"], arch["data_dim"], network_config).state_dict()
    expected = {name: tensor_spec(value) for name, value in layout.items()}
    _check_weights_file(weights_path, description_path, expected)
    try:
        weights = load_file(str(weights_path))
    except (SafetensorError, OSError, ValueError) as error:
        raise GeneratorFileError(
            f"{weights_path}: not a readable safetensors file ({_first_line(error)})"
        ) from None
    for name, tensor in weights.items():
        if not bool(torch.isfinite(tensor).all()):
            raise GeneratorFileError(
                f"{weights_path}: the weights are not finite ({name}): the run had diverged "
                "when it was exported"
            )
    network = mlp(arch["latent_dim"], arch["data_dim"], network_config)
    try:
        network.load_state_dict(weights)
    except RuntimeError as error:  # the header check makes this unreachable; kept as a guard
        raise GeneratorFileError(
            f"{weights_path}: weights do not match the architecture in {description_path.name}"
            f" ({_first_line(error)})"
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


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def _check_weights_file(weights_path: Path, description_path: Path, expected: dict) -> None:
    """The header declares exactly `expected`, and the file is no bigger than that."""
    try:
        with open_regular_file(weights_path) as stream:
            size = os.fstat(stream.fileno()).st_size
            found = read_safetensors_header(stream, safetensors_header_limit(len(expected)))
    except FileNotFoundError:
        raise GeneratorFileError(
            f"{weights_path}: no such file (the weights of {description_path})"
        ) from None
    except OSError as error:
        raise GeneratorFileError(
            f"{weights_path}: cannot be read ({error.strerror or error})"
        ) from None
    except UntrustedInputError as error:
        raise GeneratorFileError(
            f"{weights_path}: not a readable safetensors file ({error})"
        ) from None
    try:
        check_tensor_layout(found, expected)
    except UntrustedInputError as error:
        raise GeneratorFileError(
            f"{weights_path}: weights do not match the architecture in {description_path.name}"
            f" (the file {error})"
        ) from None
    if size > expected_bytes(expected):
        raise GeneratorFileError(
            f"{weights_path}: {size:,} bytes, more than the weights of the architecture in "
            f"{description_path.name} take"
        )


def _read_description(path: Path) -> dict:
    try:
        description = parse_json(read_file(path, MAX_DESCRIPTION_BYTES))
    except FileNotFoundError:
        raise GeneratorFileError(f"{path}: no such file") from None
    except OSError as error:
        raise GeneratorFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    except UntrustedInputError as error:
        raise GeneratorFileError(f"{path}: not a JSON generator description ({error})") from None
    if not isinstance(description, dict) or description.get("format") != FORMAT:
        raise GeneratorFileError(f"{path}: not a ganlab generator description")
    version = description.get("version")
    if type(version) is not int or version < 1:
        raise GeneratorFileError(f"{path}: the description has no valid format version")
    if version > VERSION:
        raise GeneratorFileError(
            f"{path}: generator format version {version!r} is newer than this ganlab "
            f"understands (version {VERSION}); update ganlab"
        )
    arch = description.get("architecture")
    scaling = description.get("scaling")
    if not isinstance(arch, dict) or arch.get("type") != "mlp" or not isinstance(scaling, dict):
        raise GeneratorFileError(f"{path}: the generator description is incomplete or invalid")
    try:
        # the run configuration's own limits: what ganlab can train, it can load, nothing more
        RunConfig.from_dict({"model": {
            "latent_dim": arch.get("latent_dim"),
            "latent_distribution": arch.get("latent_distribution"),
            "generator": {key: arch.get(key) for key in ("hidden_layers", "width", "activation")},
        }}).validate()
    except ConfigError as error:  # named as the description names it
        field = str(error).replace("model.generator.", "architecture.")
        raise GeneratorFileError(
            f"{path}: the generator description is incomplete or invalid "
            f"({field.replace('model.', 'architecture.')})"
        ) from None
    data_dim = arch.get("data_dim")
    shift, scale = scaling.get("shift"), scaling.get("scale")
    ok = (
        type(data_dim) is int and data_dim >= 1
        and isinstance(shift, list) and isinstance(scale, list)
        and len(shift) == len(scale) == data_dim
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                for v in shift + scale)
        and all(v > 0 for v in scale)
    )
    if not ok:
        raise GeneratorFileError(
            f"{path}: the generator description is incomplete or invalid (architecture.data_dim "
            "and scaling.shift/scale must give one finite number per data dimension, each "
            "scale above 0)"
        )
    return description
