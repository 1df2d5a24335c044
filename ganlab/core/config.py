"""Run configuration: plain typed dataclasses, one per concern, combined into `RunConfig`.

The CLI, the app's controls, lessons and session files all read and write this one object.
Every setting is declared once, next to its field, with `setting(...)` (see
`ganlab.core.settings`): default, range or choices, scale, unit, one-line help, command-line
option, panel label and paper value. Validation, the CLI's train options, the settings panel
and the README's settings table are built from those declarations; adding a setting means one
field here plus the code that uses it. `RunConfig.to_dict()` and `RunConfig.from_dict()`
round-trip through JSON without Qt; `validate()` turns a bad value into a `ConfigError` whose
message names the field. No torch and no Qt here: the window process imports this module.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from ganlab.core.config_dicts import config_from_dict
from ganlab.core.data_store import is_reference
from ganlab.core.lr_schedules import LR_SCHEDULES
from ganlab.core.settings import (
    ConfigError,
    FromPaper,
    leaves,
    merge_into,
    nest,
    section,
    setting,
)

__all__ = ["ConfigError", "RunConfig"]

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "elu", "gelu", "softplus")
ARCHITECTURES = ("auto", "mlp", "dcgan")
CONDITIONINGS = ("concat", "projection")
LATENT_DISTRIBUTIONS = ("gaussian", "uniform")
OPTIMIZERS = ("adam", "sgd", "rmsprop")
MODEL_FAMILIES = ("gan", "vae")


def _target_names() -> tuple[str, ...]:
    from ganlab.core.targets import IMAGE_TARGETS, TARGETS  # torch: imported only when asked

    return (*TARGETS, *IMAGE_TARGETS, "custom")


def _objective_names() -> dict[str, str]:
    from ganlab.core.objectives import OBJECTIVES  # torch: imported only when asked

    return {name: objective.summary for name, objective in OBJECTIVES.items()}


def _device_names() -> list[str]:
    from ganlab.core.device_names import offered_devices  # no torch in the app's window

    return ["auto", *offered_devices()]


@dataclass
class TargetConfig:
    """What the generator learns."""

    name: str = setting("grid25", "What the generator learns: a registered target (points or "
                        "images), or custom for your own points or images.",
                        choices=_target_names, cli="target")
    points_file: str | None = setting(None, "CSV or NPY of 1D/2D points; implies --target "
                                      "custom.", cli="points-file")
    images: str | None = setting(None, "A folder of PNG/JPEG images (labels from sub-folder "
                                 "names), an MNIST IDX file or a .npz/.npy of images; implies "
                                 "--target custom.", cli="images")
    resolution: int = setting(16, "Side in pixels of image targets (digits: 8, 16 or 32; "
                              "synthetic and your own images: 8, 16, 32 or 64).", low=8, high=64,
                              unit="pixels", cli="resolution")
    #: painted or loaded points or images for name == "custom": a content reference
    #: ("sha256:…") to an array in `ganlab.core.data_store.DATA`, never the data itself
    data: str | None = None
    labels: str | None = None  # the images' labels (int64, one per image), by reference too
    #: the names of the labels' classes in label order (a folder's sub-folder names), so that a
    #: reopened session still shows them; None: numbered "0", "1", …
    class_names: list[str] | None = None


@dataclass
class NetworkConfig:
    """One multilayer perceptron."""

    hidden_layers: int = setting(
        3, "Hidden layers of {the}; 0 gives an affine map (for D: the log-linear "
        "D(x) = sigmoid(wᵀx + b) of theory §6); changing it rebuilds both networks.",
        low=0, high=16, unit="layers", cli="layers", label="{net} hidden layers")
    width: int = setting(128, "Units in each hidden layer of {the}; changing it rebuilds both "
                         "networks.", low=1, high=4096, unit="units", cli="width",
                         label="{net} width")
    activation: str = setting("relu", "Nonlinearity after each hidden layer of {the}.",
                              choices=ACTIVATIONS, cli="activation", label="{net} activation")


@dataclass
class ModelConfig:
    """Both networks and the latent space."""

    family: str = setting(
        "gan", "gan: G learns against D by the objective; vae: the same G is the decoder of a "
        "variational autoencoder trained by the ELBO (1D/2D points, Gaussian p(z); its "
        "encoder has G's width); changing it starts the run again.", choices=MODEL_FAMILIES,
        cli="model-family", label="model family")  # `ganlab train` refuses vae (headless)
    latent_dim: int = setting(2, "Dimension of the noise z; changing it rebuilds both "
                              "networks.", low=1, high=128, unit="dimensions",
                              cli="latent-dim", label="latent dimension")
    latent_distribution: str = setting(
        "gaussian", "p(z): a standard Gaussian N(0, I) or uniform on [−1, 1]^d.",
        choices=LATENT_DISTRIBUTIONS, cli="latent-distribution", label="p(z)")
    architecture: str = setting(
        "auto", "Network family: auto (MLPs for points, DCGAN for images), mlp or dcgan "
        "(images only); changing it rebuilds both networks.", choices=ARCHITECTURES,
        cli="architecture", label="architecture")
    conditional: bool = setting(
        False, "Conditional GAN (Mirza & Osindero): both networks see the class label, so G "
        "draws any class on demand; labelled targets only.", cli="conditional",
        label="conditional")
    conditioning: str = setting(
        "concat", "How a conditional D sees the label: concat (an extra input) or projection "
        "(Miyato & Koyama: a class embedding dotted with D's features).", choices=CONDITIONINGS,
        cli="conditioning", label="D conditioning")
    standardize_data: bool = setting(
        True, "Train on (x − mean)/std of the target and map back for display, so one "
        "learning rate suits every target.", cli="no-standardize", label="standardise data")
    generator: NetworkConfig = field(
        default_factory=lambda: NetworkConfig(activation="relu"),
        metadata=section(cli_prefix="g-", net="G", the="the generator"))
    discriminator: NetworkConfig = field(
        default_factory=lambda: NetworkConfig(activation="leaky_relu"),
        metadata=section(cli_prefix="d-", net="D", the="the discriminator"))


@dataclass
class ObjectiveConfig:
    """The GAN variant and its own constants (theory §2–§6)."""

    name: str = setting("non-saturating", "The GAN variant being trained; its two losses are "
                        "written under the model overview.", choices=_objective_names,
                        cli="objective", label="objective")
    gradient_penalty_weight: float = setting(
        0.1, "λ of WGAN-GP: weight of the penalty λ·E(‖∇d(x̂)‖₂ − 1)² on random interpolates x̂ "
        "of real and generated samples (10 on images, ~0.1 on 2D toys).", low=0.0, high=1000.0,
        cli="gp-weight", label="λ (gradient penalty)",
        paper=FromPaper("gradient_penalty_weight"))
    clip_value: float = setting(
        0.01, "c of WGAN: every critic weight is clipped to [−c, c] after each update, a crude "
        "way to keep the critic Lipschitz.", low=0.0001, high=10.0, cli="clip",
        label="c (weight clip)", paper=FromPaper("clip_value"), decimals=4)
    r1_gamma: float = setting(
        0.1, "γ of the R1 penalty (γ/2)·E_data‖∇d(x)‖² on real samples, which damps "
        "oscillation around equilibrium; 0 turns it off.", low=0.0, high=1000.0, cli="r1",
        label="γ (R1 penalty)", paper=0.0)
    r1_interval: int = setting(
        8, "Lazy R1 (Karras 2020, StyleGAN2): R1 is taken on every N-th critic update "
        "only, weighted N·γ so that its average pull is unchanged; this saves most of R1's "
        "second backward pass (a third of a step for small 2D networks); 1: every update.",
        low=1, high=64, unit="updates", cli="r1-every", label="R1 every N D updates",
        paper=1)
    discriminator_weight_decay: float = setting(
        0.0, "C of the L2 penalty (C/2)·Σ‖W‖² on the discriminator's weights; with 0 hidden "
        "layers this is the log-linear D of theory §6.", low=0.0, high=100.0,
        cli="weight-decay", label="C (D weight decay)", decimals=4)
    # the stabilisers of theory §6 (`penalties.py`, `stabilisers.py`): each changes no optimum
    r2_gamma: float = setting(
        0.0, "γ of the R2 penalty (γ/2)·E_g‖∇d(x̃)‖² on generated samples x̃ (Mescheder "
        "2018), R1's twin on the fakes; 0 turns it off.", low=0.0, high=1000.0, cli="r2",
        label="γ (R2 penalty)", paper=0.0)
    real_label: float = setting(
        1.0, "One-sided label smoothing: D's target α on real samples (fakes keep 0), such as "
        "0.9; the D loss becomes α·softplus(−d(x)) + (1 − α)·softplus(d(x)) + softplus(d(G(z))) "
        "(LSGAN: ½(d(x) − α)² + ½d(G(z))²); minimax, non-saturating and lsgan only (the others "
        "have no label); 1 turns it off.", low=0.5, high=1.0, cli="real-label",
        label="α (real label)", paper=1.0)
    instance_noise: float = setting(
        0.0, "σ₀ of instance noise: D sees x + σ_t·ε, ε ~ N(0, I), on real and generated "
        "samples (in standardised units), σ_t = σ₀·max(0, 1 − t/N) annealed to 0 over N "
        "iterations; 0 turns it off.", low=0.0, high=10.0, cli="instance-noise",
        label="σ₀ (instance noise)", paper=0.0)
    instance_noise_iterations: int = setting(
        2000, "N: the iterations over which instance noise anneals from σ₀ to 0.", low=1,
        high=10**9, unit="iterations", cli="instance-noise-iterations",
        label="N (noise annealing)")
    lecam_weight: float = setting(
        0.0, "λ of the LeCam regulariser (Tseng 2021) λ·(E‖d(x_r) − α_F‖² + "
        "E‖d(x_f) − α_R‖²), α_R and α_F moving averages (decay 0.99) of D's mean output on "
        "real and generated batches; 0 turns it off.", low=0.0, high=1000.0, cli="lecam",
        label="λ (LeCam)", paper=0.0)
    spectral_norm: bool = setting(
        False, "Spectral normalisation of D (Miyato 2018): each weight W acts as "
        "W/σ(W), σ its largest singular value by one power iteration per D update; switching "
        "keeps D's raw weights W and its optimizer.", cli="spectral-norm",
        label="spectral norm (D)", paper=False)


@dataclass
class OptimizerConfig:
    """One optimizer (the generator and the discriminator each have their own)."""

    name: str = setting("adam", "The optimizer that updates {the}.", choices=OPTIMIZERS,
                        cli="optimizer", label="optimizer", paper=FromPaper("optimizer"))
    learning_rate: float = setting(
        1e-3, "Step size of {the}'s optimizer, before the schedule (log scale).", low=1e-6,
        high=10.0, scale="log", span=(1e-6, 1.0), cli="lr", label="learning rate",
        paper=FromPaper("{role}_lr"))
    beta1: float = setting(0.0, "Adam's β1 for {net}: decay of the running mean of gradients "
                           "(0 for points; DCGAN's 0.5 for images).", low=0.0, high=0.9999,
                           cli="beta1",
                           label="β1", paper=FromPaper("beta1"), decimals=4)
    beta2: float = setting(0.99, "Adam's β2 for {net}: decay of the running mean of squared "
                           "gradients.", low=0.0, high=0.9999, cli="beta2", label="β2",
                           paper=FromPaper("beta2"), decimals=4)
    momentum: float = setting(0.0, "Momentum of SGD or RMSProp for {net}.", low=0.0,
                              high=0.9999, cli="momentum", label="momentum", paper=0.0,
                              decimals=4)


@dataclass
class TrainingConfig:
    """The training loop."""

    critic_steps: int = setting(
        1, "k: discriminator updates per iteration, each on fresh real and generated batches "
        "(the original GAN used 1, WGAN uses 5).", low=0, high=100, unit="updates",
        cli="critic-steps", short="-k", label="k (critic steps)",
        paper=FromPaper("critic_steps"))
    generator_steps: int = setting(1, "g: generator updates per iteration.", low=0, high=100,
                                   unit="updates", cli="generator-steps", short="-g",
                                   label="g (generator steps)")
    batch_size: int = setting(256, "Real and generated samples in every update.", low=1,
                              high=65536, unit="samples", cli="batch-size", label="batch size",
                              paper=FromPaper("batch_size"))
    iterations: int = setting(9000, "Iterations of a headless run; the learning-rate schedule "
                              "spans them.", low=0, high=10**9, unit="iterations", cli="iterations")
    lr_schedule: str = setting("cosine-tail", "Learning-rate schedule: constant; cosine decay to "
                               "5% over the iterations; or cosine-tail: the full rate for two-"
                               "thirds of them, then cosine decay to 0.", choices=LR_SCHEDULES,
                               cli="lr-schedule", paper="constant")
    generator_ema: float = setting(
        0.0, "β of the generator's weight average: after the t-th G update θ_avg ← β_t·θ_avg + "
        "(1 − β_t)·θ with β_t = min(β, (1 + t)/(10 + t)); samples, metrics and exports then "
        "come from θ_avg (0 turns it off; 0.999 is usual).", low=0.0, high=0.99999,
        cli="generator-ema", label="G weight average β", paper=0.0, decimals=5)
    seed: int = setting(0, "Seeds the networks, the data and the noise, so a CPU run repeats "
                        "exactly.", low=0, high=2**63 - 1, cli="seed", label="seed")
    device: str = setting("auto", "Where the networks train: auto, cpu, cuda, cuda:N or mps "
                          "(the app lists only what is usable here).", offered=_device_names,
                          cli="device", label="device")


@dataclass
class RunConfig:
    """Everything that defines a run."""

    target: TargetConfig = field(default_factory=TargetConfig, metadata=section("Target"))
    model: ModelConfig = field(default_factory=ModelConfig, metadata=section("Networks"))
    objective: ObjectiveConfig = field(default_factory=ObjectiveConfig,
                                       metadata=section("Objective"))
    generator_optimizer: OptimizerConfig = field(
        default_factory=OptimizerConfig,
        metadata=section("Generator optimizer", cli_prefix="g-", role="generator", net="G",
                         the="the generator"))
    discriminator_optimizer: OptimizerConfig = field(
        default_factory=OptimizerConfig,
        metadata=section("Discriminator optimizer", cli_prefix="d-", role="discriminator",
                         net="D", the="the discriminator"))
    training: TrainingConfig = field(default_factory=TrainingConfig,
                                     metadata=section("Training"))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        """Build from a (possibly partial) dict; unknown keys and wrong types are errors."""
        return config_from_dict(cls, data, "")

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"not valid JSON: {error}") from None
        if not isinstance(data, dict):
            raise ConfigError("a configuration must be a JSON object")
        return cls.from_dict(data)

    def copy(self) -> RunConfig:
        return type(self).from_dict(self.to_dict())

    def merged(self, partial: dict[str, Any]) -> RunConfig:
        """A copy with a partial configuration dict laid over it, section by section (lessons,
        paper values, command-line options, a panel edit). Unknown keys and wrong types raise
        ConfigError; values are not range-checked until `validate()`."""
        data = self.to_dict()
        merge_into(data, partial)
        return type(self).from_dict(data)

    def replaced(self, path: str, value: Any) -> RunConfig:
        """A copy with the setting at dotted `path` set to `value` (see `merged`)."""
        return self.merged(nest(path, value))

    def value_at(self, path: str) -> Any:
        """The value at dotted `path`, e.g. "model.generator.width"."""
        value: Any = self
        for part in path.split("."):
            value = getattr(value, part)
        return value

    def validate(self) -> RunConfig:
        """Raise ConfigError naming the first setting whose value is outside its declared
        range or choices; return self."""
        for item in leaves(type(self)):
            item.check(self.value_at(item.path))
        t = self.target
        for name in ("data", "labels"):
            value = getattr(t, name)
            if value is not None and not is_reference(value):
                raise ConfigError(f"target.{name} must be a content reference (sha256:…), got "
                                  f"{value[:80]!r}")
        _check_class_names(t.class_names, t.labels)
        if t.name == "custom" and t.data is None and t.points_file is None and t.images is None:
            raise ConfigError("target.name is custom but none of data, points_file and images "
                              "is set")
        return self


MAX_CLASS_NAMES = 1000  # as many classes as an image file may hold (images.MAX_CLASSES)
MAX_CLASS_NAME_LENGTH = 255  # characters: a folder name's limit on common file systems


def _check_class_names(names: list[str] | None, labels: str | None) -> None:
    """target.class_names: None, or at most MAX_CLASS_NAMES non-empty strings of at most
    MAX_CLASS_NAME_LENGTH characters, for labelled images only."""
    if names is None:
        return
    if labels is None:
        raise ConfigError("target.class_names is set but target.labels is not")
    if len(names) > MAX_CLASS_NAMES:
        raise ConfigError(f"target.class_names has {len(names):,} names; at most "
                          f"{MAX_CLASS_NAMES:,}")
    for index, name in enumerate(names):
        if not isinstance(name, str) or not 0 < len(name) <= MAX_CLASS_NAME_LENGTH:
            raise ConfigError(f"target.class_names[{index}] must be a name of 1 to "
                              f"{MAX_CLASS_NAME_LENGTH} characters, got {str(name)[:80]!r}")
