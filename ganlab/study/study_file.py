"""A study described in a small TOML file, or by the same fields from the command line.

```toml
target = "ring8"                    # a catalogue target, or: points_file = "my_points.csv"
objectives = ["minimax", "wgan-gp"] # or "all"
seeds = 5                           # the first 5 seeds (0..4), or a list: [0, 3, 7]
iterations = [1000, 3000]           # budgets: one run per budget
evaluations = 5                     # evaluations along each run
samples = 2500                      # samples of the final evaluation
paper_defaults = false              # each objective's paper optimizer values
config = "base.json"                # optional: a config.json every run starts from
out = "studies/lr"                  # optional: the study folder (--out overrides)

[settings]                          # a list makes an axis; one value fixes the setting
d_lr = [1e-4, 1e-3]
g_width = 32
```

The file is untrusted input: a regular file of at most `MAX_STUDY_FILE_BYTES`, UTF-8 TOML of
known keys and types; anything else is a `StudySpecError` whose message starts with the file's
name and fits on one line. Paths inside the file are relative to the file's folder.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ganlab.core.config import ConfigError, RunConfig
from ganlab.core.headless import MAX_EVALUATIONS, MAX_SAMPLES
from ganlab.core.untrusted_input import UntrustedInputError, read_file
from ganlab.study.grid import (
    MAX_SEEDS,
    StudySpec,
    StudySpecError,
    checked_values,
    setting_leaf,
    short_name,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

MAX_STUDY_FILE_BYTES = 64 * 1024
MAX_BASE_CONFIG_BYTES = 1024 * 1024  # a run configuration without embedded data
KNOWN_KEYS = ("target", "points_file", "objectives", "seeds", "iterations", "evaluations",
              "samples", "paper_defaults", "config", "out", "settings")


def read_study_file(path: Path) -> dict[str, Any]:
    """The fields of a study file (paths resolved against its folder), checked for known keys
    and bounded size; values are checked by `spec_from_fields`."""
    path = Path(path)
    try:
        text = read_file(path, MAX_STUDY_FILE_BYTES).decode("utf-8")
        fields = tomllib.loads(text)
    except UntrustedInputError as error:
        raise StudySpecError(f"{path}: {error}") from None
    except OSError as error:
        raise StudySpecError(f"{path}: cannot read ({error.strerror or error})") from None
    except UnicodeDecodeError as error:
        raise StudySpecError(f"{path}: is not UTF-8 text (byte {error.start})") from None
    except tomllib.TOMLDecodeError as error:
        raise StudySpecError(f"{path}: is not valid TOML ({error})") from None
    except RecursionError:
        raise StudySpecError(f"{path}: is nested too deeply to be a study file") from None
    unknown = sorted(set(fields) - set(KNOWN_KEYS))
    if unknown:
        raise StudySpecError(f"{path}: unknown key {unknown[0]!r}; known: "
                             f"{', '.join(KNOWN_KEYS)}")
    for key in ("points_file", "config", "out"):
        if isinstance(fields.get(key), str):
            fields[key] = str(path.parent / fields[key])
    return fields


def spec_from_fields(fields: dict[str, Any], source: str) -> StudySpec:
    """A `StudySpec` from study-file fields (typed values; the command line parses its words
    into the same). Errors name `source` (the file, or "ganlab study")."""
    try:
        return _spec(fields)
    except StudySpecError as error:
        raise StudySpecError(f"{source}: {error}") from None


def _spec(fields: dict[str, Any]) -> StudySpec:
    from ganlab.core.objectives import OBJECTIVES
    from ganlab.core.targets import IMAGE_TARGETS, TARGETS

    points_file = _optional(fields, "points_file", str)
    base_path = _optional(fields, "config", str)
    base = _read_base(Path(base_path)) if base_path else None
    base_target = base["target"]["name"] if base is not None else "grid25"
    target = _optional(fields, "target", str) or ("custom" if points_file else base_target)
    if points_file is not None and target != "custom":
        raise StudySpecError(f"target {target!r} and a points_file: give one of them")
    if target == "custom" and points_file is None:
        raise StudySpecError("target custom needs a points_file")
    if target not in (*TARGETS, *IMAGE_TARGETS, "custom"):
        raise StudySpecError(f"target {target!r}: not in the catalogue (`ganlab targets`)")
    objectives = fields.get("objectives", [])
    if objectives == "all":
        objectives = list(OBJECTIVES)
    objectives = _list_of(objectives, str, "objectives")
    for name in objectives:
        if name not in OBJECTIVES:
            raise StudySpecError(f"objectives: unknown {name!r}; known: {', '.join(OBJECTIVES)}")
    if len(set(objectives)) != len(objectives):
        raise StudySpecError("objectives: an objective is given twice")
    seeds = fields.get("seeds", 1)
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        if not 1 <= seeds <= MAX_SEEDS:
            raise StudySpecError(f"seeds {seeds}: expected a count from 1 to {MAX_SEEDS:,}, or "
                                 "a list of seeds")
        seeds = list(range(seeds))
    seeds = checked_values(_leaf("training.seed"), _list_of(seeds, int, "seeds"))
    budgets = _list_of(fields.get("iterations", []), int, "iterations")
    if any(budget < 1 for budget in budgets):
        raise StudySpecError(f"iterations {min(budgets)}: a budget is at least 1 iteration")
    budgets = checked_values(_leaf("training.iterations"), budgets) if budgets else ()
    settings = fields.get("settings", {})
    if not isinstance(settings, dict):
        raise StudySpecError("settings: expected a table of name = value or [values]")
    axes: dict[str, tuple[Any, ...]] = {}
    for key, value in settings.items():
        leaf = setting_leaf(key)
        if leaf.path in axes:
            raise StudySpecError(f"settings: {short_name(leaf)} is given twice")
        values = value if isinstance(value, list) else [value]
        axes[leaf.path] = checked_values(leaf, values)
    return StudySpec(
        target=target,
        points_file=points_file,
        objectives=tuple(objectives),
        seeds=seeds,
        budgets=budgets,
        settings=tuple(axes.items()),
        base=base,
        paper_defaults=_optional(fields, "paper_defaults", bool) or False,
        evaluations=_count(fields, "evaluations", 5, MAX_EVALUATIONS),
        samples=_count(fields, "samples", 2500, MAX_SAMPLES),
        data_reference=_load_points(points_file) if points_file else None,
    )


def _leaf(path: str):
    from ganlab.core.settings import leaves

    return next(leaf for leaf in leaves(RunConfig) if leaf.path == path)


def _optional(fields: dict, key: str, kind: type) -> Any:
    value = fields.get(key)
    if value is not None and (not isinstance(value, kind) or
                              (kind is not bool and isinstance(value, bool))):
        raise StudySpecError(f"{key}: expected {_kind_name(kind)}, got {value!r}")
    return value


def _list_of(value: Any, kind: type, key: str) -> list:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, kind) or isinstance(item, bool):
            raise StudySpecError(f"{key}: expected {_kind_name(kind)} or a list of them, got "
                                 f"{item!r}")
    return items


def _count(fields: dict, key: str, default: int, high: int) -> int:
    value = _optional(fields, key, int)
    value = default if value is None else value
    if not 1 <= value <= high:
        raise StudySpecError(f"{key} {value}: expected a whole number from 1 to {high:,}")
    return value


def _kind_name(kind: type) -> str:
    return {str: "text", int: "a whole number", bool: "true or false"}.get(kind, kind.__name__)


def _read_base(path: Path) -> dict:
    """The base configuration: a bounded JSON object of known settings (its target is
    replaced by the study's)."""
    from ganlab.core.untrusted_input import parse_json

    try:
        data = parse_json(read_file(path, MAX_BASE_CONFIG_BYTES))
        if not isinstance(data, dict):
            raise StudySpecError(f"config {path}: a configuration must be a JSON object")
        return RunConfig.from_dict(data).to_dict()
    except UntrustedInputError as error:
        raise StudySpecError(f"config {path}: {error}") from None
    except OSError as error:
        raise StudySpecError(f"config {path}: cannot read ({error.strerror or error})") from None
    except ConfigError as error:
        raise StudySpecError(f"config {path}: {error}") from None


def _load_points(path: str) -> str:
    """Load the points once (bounded, validated) into the data store; their reference."""
    from ganlab.core.data_store import DATA
    from ganlab.core.targets import PointsFileError, load_points

    try:
        return DATA.put(load_points(path))
    except PointsFileError as error:
        raise StudySpecError(str(error)) from None
