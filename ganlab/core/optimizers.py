"""Optimizers and the learning-rate schedule, changeable between iterations; checking an
optimizer state that came from a file against the optimizer it is meant for."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable

import torch

from ganlab.core.config import OptimizerConfig

#: settings the trainer changes between steps (schedule, live edits); the rest never change
TUNABLE_SETTINGS = ("lr", "betas", "momentum")
#: settings that depend on the device the parameters live on, not on the saved run
DEVICE_SETTINGS = ("fused", "foreach")
_PROBE_SHAPE = (2, 3)  # a parameter shape no scalar state tensor can have


def make_optimizer(
    parameters: Iterable[torch.nn.Parameter], config: OptimizerConfig
) -> torch.optim.Optimizer:
    parameters = list(parameters)
    if config.name == "adam":
        # the fused kernel updates every tensor in one call: ~25% more iterations per second
        # on GAN Lab-sized networks, where dispatch overhead dominates (benchmarks/speed.py)
        fused = bool(parameters) and parameters[0].device.type in ("cpu", "cuda")
        return torch.optim.Adam(
            parameters, lr=config.learning_rate, betas=(config.beta1, config.beta2),
            fused=fused or None,
        )
    if config.name == "sgd":
        return torch.optim.SGD(parameters, lr=config.learning_rate, momentum=config.momentum)
    if config.name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=config.learning_rate, momentum=config.momentum)
    raise ValueError(f"unknown optimizer {config.name!r}")


def update_hyperparameters(
    optimizer: torch.optim.Optimizer, config: OptimizerConfig, lr_factor: float
) -> None:
    """Set learning rate (base × schedule factor), betas and momentum in place: state is kept."""
    for group in optimizer.param_groups:
        group["lr"] = config.learning_rate * lr_factor
        if "betas" in group:
            group["betas"] = (config.beta1, config.beta2)
        if "momentum" in group:
            group["momentum"] = config.momentum
    if isinstance(optimizer, torch.optim.RMSprop) and config.momentum > 0:
        # RMSprop creates its momentum buffer only at the first step with momentum > 0, and
        # fails with KeyError when momentum is raised after that: start the buffer at zero
        for state in optimizer.state.values():
            if "square_avg" in state and "momentum_buffer" not in state:
                state["momentum_buffer"] = torch.zeros_like(state["square_avg"])


@functools.lru_cache(maxsize=32)
def _probe_state(name: str, momentum: float) -> dict[str, tuple[bool, torch.dtype, tuple]]:
    """{key: (parameter-shaped, dtype, shape)} of the state one step of optimizer `name` leaves
    for a parameter of shape _PROBE_SHAPE: what torch itself keeps, asked rather than written
    down here (the keys depend on the optimizer and on whether momentum is on, nothing else)."""
    probe = torch.nn.Parameter(torch.zeros(_PROBE_SHAPE))
    optimizer = make_optimizer([probe], OptimizerConfig(name=name, momentum=momentum))
    probe.grad = torch.zeros_like(probe)
    optimizer.step()
    return {
        key: (tuple(value.shape) == _PROBE_SHAPE, value.dtype, tuple(value.shape))
        for key, value in optimizer.state_dict()["state"].get(0, {}).items()
        if isinstance(value, torch.Tensor)
    }


def state_tensor_layout(
    config: OptimizerConfig, parameters: Iterable[torch.Tensor]
) -> tuple[frozenset[str], list[dict[str, tuple[torch.dtype, tuple[int, ...]]]]]:
    """(required keys, allowed tensors per parameter) of a saved state for this optimizer.

    A parameter's state is empty (never stepped) or holds every required key; it may also hold
    a buffer that another momentum would have made (momentum changes live). Allowed tensors map
    key → (dtype, shape): the parameter's own for moments, torch's own for scalars like `step`.
    """
    required = _probe_state(config.name, config.momentum)
    allowed = dict(required)
    if config.momentum == 0:
        allowed = _probe_state(config.name, 0.5) | allowed
    layouts = []
    for parameter in parameters:
        layouts.append({
            key: (parameter.dtype, tuple(parameter.shape)) if shaped else (dtype, shape)
            for key, (shaped, dtype, shape) in allowed.items()
        })
    return frozenset(required), layouts


def checked_state_dict(
    optimizer: torch.optim.Optimizer, config: OptimizerConfig, saved: dict
) -> dict:
    """A state dict for `optimizer` (built from `config`) made from `saved`, an untrusted one.

    Settings: the groups must have the fresh optimizer's keys and parameters; every setting
    equals the fresh one except the tunable ones (a finite learning rate ≥ 0, betas and
    momentum in [0, 1)) and the device ones (fused, foreach), which are taken from the fresh
    optimizer. State: per parameter, nothing or exactly the tensors `state_tensor_layout`
    allows, each of the parameter's shape and dtype (moments) or torch's (step), finite, with
    step ≥ 0. Raises ValueError naming the first setting or tensor that does not fit.
    """
    fresh = optimizer.state_dict()
    groups = saved.get("param_groups") if isinstance(saved, dict) else None
    if not isinstance(groups, list) or len(groups) != len(fresh["param_groups"]):
        raise ValueError("the optimizer's parameter groups do not match the configuration")
    checked_groups = []
    for group, fresh_group in zip(groups, fresh["param_groups"], strict=True):
        if not isinstance(group, dict) or set(group) != set(fresh_group):
            raise ValueError(
                f"the optimizer's settings are not those of {config.name} "
                f"(expected {', '.join(sorted(fresh_group))})"
            )
        checked = dict(fresh_group)
        for key, value in group.items():
            if key in TUNABLE_SETTINGS:
                checked[key] = _checked_tunable(key, value)
            elif key not in DEVICE_SETTINGS and not _same_setting(value, fresh_group[key]):
                raise ValueError(
                    f"optimizer setting {key} = {value!r}, expected {fresh_group[key]!r}"
                )
        checked_groups.append(checked)
    parameters = [p for group in optimizer.param_groups for p in group["params"]]
    required, layouts = state_tensor_layout(config, parameters)
    state = saved.get("state")
    if not isinstance(state, dict):
        raise ValueError("the optimizer state is not a mapping")
    checked_state = {}
    for index, values in state.items():
        if type(index) is not int or not 0 <= index < len(parameters):
            raise ValueError(f"optimizer state for a parameter {index!r} that does not exist")
        if not isinstance(values, dict):
            raise ValueError(f"optimizer state of parameter {index} is not a mapping")
        checked_state[index] = _checked_parameter_state(index, values, required, layouts[index])
    return {"state": checked_state, "param_groups": checked_groups}


def _checked_parameter_state(index: int, values: dict, required, layout) -> dict:
    if not values:
        return {}
    keys = set(values)
    if not required <= keys or not keys <= set(layout):
        raise ValueError(
            f"optimizer state of parameter {index} holds {', '.join(sorted(keys))}; expected "
            f"{', '.join(sorted(required))}"
        )
    for key, value in values.items():
        dtype, shape = layout[key]
        if not isinstance(value, torch.Tensor):
            raise ValueError(f"optimizer state {index}/{key} is not a tensor")
        if value.dtype != dtype or tuple(value.shape) != shape:
            raise ValueError(
                f"optimizer state {index}/{key} is {str(value.dtype).removeprefix('torch.')} "
                f"{list(value.shape)}, expected {str(dtype).removeprefix('torch.')} "
                f"{list(shape)}"
            )
        if value.is_floating_point() and not bool(torch.isfinite(value).all()):
            raise ValueError(f"optimizer state {index}/{key} is not finite")
        if key == "step" and float(value) < 0:
            raise ValueError(f"optimizer state {index}/step is negative")
    return dict(values)


def _same_setting(value: object, fresh: object) -> bool:
    if isinstance(fresh, bool) or fresh is None or isinstance(value, bool):
        return value is fresh
    if isinstance(fresh, (int, float)):
        return isinstance(value, (int, float)) and value == fresh
    if isinstance(fresh, (tuple, list)):
        return (isinstance(value, (tuple, list)) and len(value) == len(fresh)
                and all(_same_setting(v, f) for v, f in zip(value, fresh, strict=True)))
    return type(value) is type(fresh) and value == fresh


def _checked_tunable(key: str, value: object):
    def number(v: object, low: float, high: float) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not low <= v < high:
            raise ValueError(f"optimizer setting {key} = {value!r} is out of range")
        return float(v)

    if key == "betas":
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise ValueError(f"optimizer setting betas = {value!r} is not a pair")
        return (number(value[0], 0, 1), number(value[1], 0, 1))
    if key == "lr":
        return number(value, 0, math.inf)
    return number(value, 0, 1)
