"""Run configuration: plain typed dataclasses, one per concern, combined into `RunConfig`.

The CLI, the app's controls, lessons and session files all read and write this one object.
Every field has a default (the shipped recipe) and a one-line comment. `RunConfig.to_dict()`
and `RunConfig.from_dict()` round-trip through JSON without Qt; `validate()` turns a bad value
into a `ConfigError` whose message names the field.
"""

from __future__ import annotations

import dataclasses
import json
import math
import typing
from dataclasses import dataclass, field
from typing import Any

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "elu", "gelu", "softplus")
LATENT_DISTRIBUTIONS = ("gaussian", "uniform")
OPTIMIZERS = ("adam", "sgd", "rmsprop")
LR_SCHEDULES = ("constant", "cosine")
MAX_LATENT_DIM = 128
MAX_WIDTH = 4096
MAX_HIDDEN_LAYERS = 16
MAX_BATCH_SIZE = 65536
MAX_STEPS_PER_ITERATION = 100


class ConfigError(ValueError):
    """A configuration value is out of range or unknown; the message names the field."""


@dataclass
class TargetConfig:
    """What the generator learns."""

    name: str = "grid25"  # a registered target name, or "custom" for `points`/`points_file`
    points_file: str | None = None  # CSV or NPY of points, for name == "custom"
    points: list[list[float]] | None = None  # points painted or loaded, for name == "custom"


@dataclass
class NetworkConfig:
    """One multilayer perceptron."""

    hidden_layers: int = 3  # 0 = affine map (a log-linear discriminator, theory §6)
    width: int = 128  # units per hidden layer
    activation: str = "relu"  # one of ACTIVATIONS


@dataclass
class ModelConfig:
    """Both networks and the latent space."""

    latent_dim: int = 2  # dimension of z
    latent_distribution: str = "gaussian"  # "gaussian": N(0, I); "uniform": U[-1, 1]^d
    generator: NetworkConfig = field(default_factory=lambda: NetworkConfig(activation="relu"))
    discriminator: NetworkConfig = field(
        default_factory=lambda: NetworkConfig(activation="leaky_relu")
    )
    standardize_data: bool = True  # train on (x - mean) / std of the target; map back to show


@dataclass
class ObjectiveConfig:
    """The GAN variant and its own constants (theory §2–§6)."""

    name: str = "non-saturating"  # a registered objective name
    gradient_penalty_weight: float = 0.1  # λ of WGAN-GP (10 on images, ~0.1 on 2D toys)
    clip_value: float = 0.01  # c: WGAN clips every critic weight to [-c, c]
    r1_gamma: float = 0.1  # γ of the R1 penalty (γ/2)·E_data ||∇d||² on real samples; 0 = off
    discriminator_weight_decay: float = 0.0  # C of the L2 penalty (C/2)·Σ||W||² on D's weights


@dataclass
class OptimizerConfig:
    """One optimizer (the generator and the discriminator each have their own)."""

    name: str = "adam"  # one of OPTIMIZERS
    learning_rate: float = 1e-3  # base step size, before the schedule
    beta1: float = 0.5  # Adam's first-moment decay
    beta2: float = 0.999  # Adam's second-moment decay
    momentum: float = 0.0  # SGD and RMSProp momentum


@dataclass
class TrainingConfig:
    """The training loop."""

    batch_size: int = 256  # real and fake samples per update
    critic_steps: int = 1  # k: discriminator updates per iteration (fresh batches each)
    generator_steps: int = 1  # g: generator updates per iteration
    iterations: int = 15000  # budget of a headless run; the cosine schedule spans it
    lr_schedule: str = "cosine"  # "constant", or "cosine" decay to 5% over `iterations`
    seed: int = 0  # seeds networks, data and noise: CPU runs repeat bit for bit
    device: str = "auto"  # "auto", "cpu", "cuda", "cuda:N" or "mps"


@dataclass
class RunConfig:
    """Everything that defines a run."""

    target: TargetConfig = field(default_factory=TargetConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    objective: ObjectiveConfig = field(default_factory=ObjectiveConfig)
    generator_optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    discriminator_optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        """Build from a (possibly partial) dict; unknown keys and wrong types are errors."""
        return _from_dict(cls, data, "")

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
        return RunConfig.from_dict(self.to_dict())

    def validate(self) -> RunConfig:
        """Raise ConfigError naming the first field whose value is unusable; return self."""
        from ganlab.core.objectives import OBJECTIVES
        from ganlab.core.targets import TARGETS

        t = self.target
        if t.name != "custom" and t.name not in TARGETS:
            _fail("target.name", t.name, f"one of {', '.join(TARGETS)} or custom")
        if t.name == "custom" and t.points is None and t.points_file is None:
            raise ConfigError("target.name is custom but neither points nor points_file is set")
        m = self.model
        _int_range("model.latent_dim", m.latent_dim, 1, MAX_LATENT_DIM)
        _choice("model.latent_distribution", m.latent_distribution, LATENT_DISTRIBUTIONS)
        for role in ("generator", "discriminator"):
            net = getattr(m, role)
            _int_range(f"model.{role}.hidden_layers", net.hidden_layers, 0, MAX_HIDDEN_LAYERS)
            _int_range(f"model.{role}.width", net.width, 1, MAX_WIDTH)
            _choice(f"model.{role}.activation", net.activation, ACTIVATIONS)
        o = self.objective
        _choice("objective.name", o.name, tuple(OBJECTIVES))
        _nonnegative("objective.gradient_penalty_weight", o.gradient_penalty_weight)
        _positive("objective.clip_value", o.clip_value)
        _nonnegative("objective.r1_gamma", o.r1_gamma)
        _nonnegative("objective.discriminator_weight_decay", o.discriminator_weight_decay)
        for role in ("generator_optimizer", "discriminator_optimizer"):
            opt = getattr(self, role)
            _choice(f"{role}.name", opt.name, OPTIMIZERS)
            _positive(f"{role}.learning_rate", opt.learning_rate, upper=10.0)
            _unit_interval(f"{role}.beta1", opt.beta1)
            _unit_interval(f"{role}.beta2", opt.beta2)
            _unit_interval(f"{role}.momentum", opt.momentum)
        tr = self.training
        _int_range("training.batch_size", tr.batch_size, 1, MAX_BATCH_SIZE)
        _int_range("training.critic_steps", tr.critic_steps, 0, MAX_STEPS_PER_ITERATION)
        _int_range("training.generator_steps", tr.generator_steps, 0, MAX_STEPS_PER_ITERATION)
        _int_range("training.iterations", tr.iterations, 0, 10**9)
        _choice("training.lr_schedule", tr.lr_schedule, LR_SCHEDULES)
        _int_range("training.seed", tr.seed, 0, 2**63 - 1)
        return self


def _fail(name: str, value: object, expected: str) -> typing.NoReturn:
    raise ConfigError(f"{name} = {value!r} is not allowed: expected {expected}")


def _choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        _fail(name, value, f"one of {', '.join(choices)}")


def _int_range(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _fail(name, value, f"a whole number from {low} to {high}")


def _finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail(name, value, "a finite number")
    return float(value)


def _positive(name: str, value: object, upper: float = math.inf) -> None:
    number = _finite(name, value)
    if not 0 < number <= upper:
        bound = "" if upper == math.inf else f" and at most {upper}"
        _fail(name, value, f"a number above 0{bound}")


def _nonnegative(name: str, value: object) -> None:
    if _finite(name, value) < 0:
        _fail(name, value, "a number of at least 0")


def _unit_interval(name: str, value: object) -> None:
    if not 0 <= _finite(name, value) < 1:
        _fail(name, value, "a number in [0, 1)")


def _from_dict(cls: type, data: object, prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{prefix or 'configuration'} must be an object, got {data!r}")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        where = f" in {prefix}" if prefix else ""
        raise ConfigError(f"unknown setting{where}: {', '.join(unknown)}")
    values = {}
    for name, value in data.items():
        hint = hints[name]
        path = f"{prefix}.{name}" if prefix else name
        if dataclasses.is_dataclass(hint):
            values[name] = _from_dict(hint, value, path)
        else:
            values[name] = _coerce(hint, value, path)
    return cls(**values)


def _coerce(hint: Any, value: Any, path: str) -> Any:
    """Check a JSON value against a simple type hint (int, float, str, bool, optional, lists)."""
    if value is None:
        if type(None) in typing.get_args(hint):
            return None
        raise ConfigError(f"{path} may not be null")
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    base = args[0] if typing.get_origin(hint) in (typing.Union, _union_type()) else hint
    if base is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if base in (int, str, bool):
        if type(value) is not base:
            raise ConfigError(f"{path} must be {base.__name__}, got {value!r}")
        return value
    if typing.get_origin(base) is list:
        if not isinstance(value, list):
            raise ConfigError(f"{path} must be a list")
        return value
    raise ConfigError(f"{path} has an unexpected value {value!r}")


def _union_type() -> Any:
    import types

    return types.UnionType
