"""Exported generators: safetensors weights plus a JSON description, never pickle.

A generator file pair is `NAME.safetensors` (the network's weights, keys as in its
`state_dict`) and `NAME.json`. For points (format version 1, read by every ganlab):

    {"format": "ganlab-generator", "version": 1,
     "architecture": {"type": "mlp", "latent_dim": 2, "latent_distribution": "gaussian",
                      "data_dim": 2, "hidden_layers": 3, "width": 128, "activation": "relu"},
     "scaling": {"shift": [...], "scale": [...]},      # x = shift + scale · network(z)
     "target": "grid25", "iteration": 20000, "ganlab_version": "0.1.0"}

For images (version 2; the network is `ganlab.core.image_nets.build_image_generator`'s, with
"mlp-image" standing for its "mlp" architecture):

    {"format": "ganlab-generator", "version": 2,
     "architecture": {"type": "dcgan" | "mlp-image", "latent_dim": 64,
                      "latent_distribution": "gaussian", "shape": [1, 16, 16], "width": 32,
                      "hidden_layers": 2, "activation": "relu", "num_classes": 10},
     "scaling": {"shift": 0.5, "scale": 0.5},   # image = 0.5 + 0.5 · network(z, labels) ∈ [0, 1]
     "target": "digits", "iteration": 2000, "ganlab_version": "0.1.0"}

`num_classes` 0 is unconditional. `load_generator(path)` (either file, or the stem) returns a
torch module in eval mode, needing neither Qt nor the app; see `LoadedGenerator` (points) and
`LoadedImageGenerator` (images). What loading checks is in `ganlab.core.export_reading`.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import save

from ganlab import __version__
from ganlab.core.atomic_file import atomic_write
from ganlab.core.config import NetworkConfig
from ganlab.core.export_reading import (  # noqa: F401  (GeneratorFileError is public here)
    FORMAT,
    IMAGE_SCALING,
    IMAGE_TYPES,
    POINTS_VERSION,
    VERSION,
    GeneratorFileError,
    check_weights_file,
    first_line,
    read_description,
    read_finite_weights,
)
from ganlab.core.image_nets import ImageGenerator, build_image_generator
from ganlab.core.nets import DataSpaceGenerator, mlp, sample_latent
from ganlab.core.untrusted_input import tensor_spec

IMAGES_VERSION = 2
IMAGE_DESCRIPTION_TYPES = {name: kind for kind, name in IMAGE_TYPES.items()}  # "mlp" → "mlp-image"


def _latent_rng(device: torch.device, seed: int | None) -> torch.Generator:
    rng = torch.Generator(device=device)
    if seed is None:
        rng.seed()
    else:
        rng.manual_seed(seed)
    return rng


class LoadedGenerator(DataSpaceGenerator):
    """An exported points generator: z (n, latent_dim) → x (n, data_dim) in data coordinates."""

    data_kind = "points"

    def __init__(self, network, shift, scale, latent_dim: int, latent_distribution: str):
        super().__init__(network, shift, scale)
        self.latent_dim = latent_dim
        self.latent_distribution = latent_distribution

    @torch.no_grad()
    def sample(self, n: int, seed: int | None = None) -> torch.Tensor:
        """n samples G(z), z drawn from the latent distribution the generator was trained on."""
        rng = _latent_rng(self.shift.device, seed)
        return self(sample_latent(n, self.latent_dim, self.latent_distribution, rng))


class LoadedImageGenerator(torch.nn.Module):
    """An exported image generator: forward(z (n, latent_dim), labels (n,) int | None) →
    images (n, c, h, w) = 0.5 + 0.5 · G(z, labels), in [0, 1].

    Attributes: `data_kind` "images", `shape` (c, h, w), `num_classes` (0: unconditional;
    otherwise labels in [0, num_classes) are required), `latent_dim`, `latent_distribution`,
    `architecture` ("dcgan" or "mlp"). Labels are checked as the networks check them: a
    ValueError says what is wrong.
    """

    data_kind = "images"

    def __init__(self, network: ImageGenerator, latent_distribution: str):
        super().__init__()
        self.network = network
        self.shape = tuple(network.shape)
        self.num_classes = network.num_classes
        self.latent_dim = network.latent_dim
        self.architecture = network.architecture
        self.latent_distribution = latent_distribution

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return IMAGE_SCALING["shift"] + IMAGE_SCALING["scale"] * self.network(z, labels)

    @torch.no_grad()
    def sample(self, n: int, seed: int | None = None, labels=None) -> torch.Tensor:
        """n images, z drawn from the latent distribution the generator was trained on.

        `labels`: for a conditional generator, one class for all (an int) or one per image (a
        sequence or tensor of n ints); for an unconditional one, None.
        """
        device = next(self.network.parameters()).device
        if labels is not None:
            labels = torch.as_tensor(labels, dtype=torch.int64, device=device)
            if labels.ndim == 0:
                labels = labels.expand(n)
        z = sample_latent(n, self.latent_dim, self.latent_distribution, _latent_rng(device, seed))
        return self(z, labels)


def generator_paths(path: str | Path) -> tuple[Path, Path]:
    """(weights, description) for a path given as either file or as the common stem."""
    path = Path(path)
    stem = path.with_suffix("") if path.suffix in (".safetensors", ".json") else path
    return stem.with_suffix(".safetensors"), stem.with_suffix(".json")


def _sampling_network(trainer):
    average = getattr(trainer, "generator_average", None)
    network = trainer.generator if average is None else average.module
    return getattr(network, "_orig_mod", network)  # torch.compile


def export_generator(trainer, path: str | Path) -> tuple[Path, Path]:
    """Write the trainer's generator as PATH.safetensors + PATH.json; return both paths.

    Points or images, as `trainer.target.data_kind` says; the generator is the one samples
    come from (the averaged G when `trainer.generator_average` is on, else `trainer.generator`).
    For images (an `ImageGenerator`) its width, hidden layers and activation come from
    `trainer.config.model.generator`; a ValueError is raised, before anything is written, if
    those do not describe the network's weights.
    """
    if getattr(trainer.target, "data_kind", "points") == "images":
        network = _sampling_network(trainer)
        architecture, state = _image_architecture(trainer, network), network.state_dict()
        version, scaling = IMAGES_VERSION, dict(IMAGE_SCALING)
    else:
        architecture = _points_architecture(trainer)
        state = _sampling_network(trainer).state_dict()
        version = POINTS_VERSION
        scaling = {"shift": trainer.shift.tolist(), "scale": trainer.scale.tolist()}
    description = {
        "format": FORMAT, "version": version, "architecture": architecture, "scaling": scaling,
        "target": trainer.target.name, "iteration": trainer.iteration,
        "ganlab_version": __version__,
    }
    weights = {k: v.detach().cpu().contiguous() for k, v in state.items()}
    weights_path, description_path = generator_paths(path)
    weights_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(weights_path, lambda stream: stream.write(save(weights)))
    atomic_write(description_path,
                 lambda stream: stream.write(json.dumps(description, indent=2).encode()))
    return weights_path, description_path


def _points_architecture(trainer) -> dict:
    model = trainer.config.model
    return {
        "type": "mlp",
        "latent_dim": model.latent_dim,
        "latent_distribution": model.latent_distribution,
        "data_dim": trainer.target.dim,
        "hidden_layers": model.generator.hidden_layers,
        "width": model.generator.width,
        "activation": model.generator.activation,
    }


def _image_architecture(trainer, network: ImageGenerator) -> dict:
    model, settings = trainer.config.model, trainer.config.model.generator
    architecture = {
        "type": IMAGE_DESCRIPTION_TYPES[network.architecture],
        "latent_dim": network.latent_dim,
        "latent_distribution": model.latent_distribution,
        "shape": [int(s) for s in network.shape],
        "width": settings.width,
        "hidden_layers": settings.hidden_layers,
        "activation": settings.activation,
        "num_classes": network.num_classes,
    }
    expected = _image_layout(architecture)
    found = {name: tensor_spec(value) for name, value in network.state_dict().items()}
    if found != expected:
        raise ValueError(f"cannot export: the generator's weights do not match its settings "
                         f"{architecture} (changed settings not yet applied?)")
    return architecture


def _image_layout(arch: dict) -> dict:
    with torch.device("meta"):  # names and shapes only: nothing is allocated
        layout = _build_image_network(arch).state_dict()
    return {name: tensor_spec(value) for name, value in layout.items()}


def _build_image_network(arch: dict) -> ImageGenerator:
    return build_image_generator(
        arch["latent_dim"], tuple(arch["shape"]), IMAGE_TYPES[arch["type"]], arch["width"],
        arch["num_classes"], arch["hidden_layers"], arch["activation"])


def load_generator(path: str | Path, device: str | torch.device = "cpu"
                   ) -> LoadedGenerator | LoadedImageGenerator:
    """Load an exported generator (give the .safetensors, the .json or their common stem).

    Both files are untrusted (see `ganlab.core.export_reading`): the description is read with
    bounds and its architecture held to what ganlab can train; the weights file's header must
    declare exactly the tensors that architecture has before anything is built or read;
    weights must be finite. Problems are a one-line `GeneratorFileError` naming the file.
    Points: a `LoadedGenerator`; images: a `LoadedImageGenerator`; both in eval mode.
    """
    weights_path, description_path = generator_paths(path)
    description = read_description(description_path)
    arch = description["architecture"]
    images = arch["type"] != "mlp"
    if images:
        expected = _image_layout(arch)
    else:
        network_config = NetworkConfig(arch["hidden_layers"], arch["width"], arch["activation"])
        with torch.device("meta"):
            layout = mlp(arch["latent_dim"], arch["data_dim"], network_config).state_dict()
        expected = {name: tensor_spec(value) for name, value in layout.items()}
    check_weights_file(weights_path, description_path, expected)
    weights = read_finite_weights(weights_path)
    if images:
        network = _build_image_network(arch)
    else:
        network = mlp(arch["latent_dim"], arch["data_dim"], network_config)
    try:
        network.load_state_dict(weights)
    except RuntimeError as error:  # the header check makes this unreachable; kept as a guard
        raise GeneratorFileError(
            f"{weights_path}: weights do not match the architecture in {description_path.name}"
            f" ({first_line(error)})"
        ) from None
    if images:
        generator = LoadedImageGenerator(network, arch["latent_distribution"])
    else:
        scaling = description["scaling"]
        generator = LoadedGenerator(
            network,
            torch.tensor(scaling["shift"], dtype=torch.float32),
            torch.tensor(scaling["scale"], dtype=torch.float32),
            arch["latent_dim"],
            arch["latent_distribution"],
        )
    return generator.to(device).eval()
