"""Reading a (partial) configuration dict into the typed dataclasses of `config`, checking
every key and every value's JSON type; ranges are `RunConfig.validate`'s job."""

from __future__ import annotations

import dataclasses
import functools
import typing
from typing import Any

from ganlab.core.settings import ConfigError


def config_from_dict(cls: type, data: object, prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{prefix or 'configuration'} must be an object, got {data!r}")
    hints = _type_hints(cls)
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
            values[name] = config_from_dict(hint, value, path)
        else:
            values[name] = _coerce(hint, value, path)
    return cls(**values)


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    """`typing.get_type_hints` once per dataclass (it evaluates every string annotation)."""
    return typing.get_type_hints(cls)


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
