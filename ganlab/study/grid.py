"""A study's grid: what it varies, and the ordinary runs it expands to.

A study crosses objectives × settings × budgets (iterations) × seeds. Each setting is named as
on the `ganlab train` command line without the dashes (`d_lr`, `g_width`, `critic_steps`) or by
its dotted path (`discriminator_optimizer.learning_rate`); one value fixes it, several make it
an axis. Every run starts from the target's shipped recipe (or a base `config.json`), takes its
objective's paper values if asked, then the settings, then its objective, budget and seed.

A run's id names the values that differ between runs (`wgan-gp-d_lr0.001-i3000-s2`): the id is
its folder's name, so a study resumed with the same grid finds the same folders.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from ganlab.core.config import ConfigError, RunConfig
from ganlab.core.objectives import get_objective
from ganlab.core.recipes import recipe_for
from ganlab.core.settings import Leaf, leaves, merge_into, nest, paper_values

MAX_RUNS = 10_000  # runs in one study
MAX_SEEDS = 1_000
#: settings with an axis of their own (or no meaning per run)
OWN_AXES = {"objective.name": "objectives", "training.seed": "seeds",
            "training.iterations": "iterations", "target.name": "target",
            "target.points_file": "points_file", "target.images": "a points file or a target"}


class StudySpecError(ValueError):
    """The study's description is not usable; the message says what, in one line."""


@dataclass(frozen=True)
class StudySpec:
    """Everything that defines a study's grid (the folder and how it runs are not part of it)."""

    target: str = "grid25"  # a catalogue target, or "custom" with `points_file`
    points_file: str | None = None  # CSV or NPY of 1D/2D points
    objectives: tuple[str, ...] = ()  # empty: the base configuration's objective
    seeds: tuple[int, ...] = (0,)  # one run per seed
    budgets: tuple[int, ...] = ()  # iterations per run; empty: the base configuration's
    settings: tuple[tuple[str, tuple[Any, ...]], ...] = ()  # (dotted path, values)
    base: dict | None = None  # a config.json's contents; None: the target's recipe
    paper_defaults: bool = False  # each objective's paper values (rates, betas, k, batch)
    evaluations: int = 5  # evaluations along each run
    samples: int = 2500  # samples of the final evaluation (the PacGAN protocol's 2,500)
    data_reference: str | None = field(default=None, compare=False)  # the points, once loaded

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "points_file": self.points_file,
                "objectives": list(self.objectives), "seeds": list(self.seeds),
                "budgets": list(self.budgets),
                "settings": {path: list(values) for path, values in self.settings},
                "base": self.base, "paper_defaults": self.paper_defaults,
                "evaluations": self.evaluations, "samples": self.samples}


@dataclass(frozen=True)
class PlannedRun:
    """One run of the grid: its id (folder name), where it sits on each axis, its config."""

    run_id: str
    axes: dict[str, Any]  # {"objective": ..., "<setting>": ..., "iterations": ..., "seed": ...}
    config: dict[str, Any]  # a validated RunConfig as a dict


def setting_leaf(key: str) -> Leaf:
    """The setting a study names by `key`: its option (`d_lr`, `--d-lr`) or dotted path."""
    wanted = key.strip().removeprefix("--").replace("-", "_")
    for leaf in leaves(RunConfig):
        names = {leaf.path}
        if leaf.cli is not None:
            names.add(leaf.cli.removeprefix("--").replace("-", "_"))
        if wanted in names:
            if leaf.path in OWN_AXES:
                raise StudySpecError(f"{key}: set it with `{OWN_AXES[leaf.path]}`, not as a "
                                     "setting")
            return leaf
    raise StudySpecError(f"{key}: no such setting (the names of `ganlab train --help` without "
                         "the dashes, e.g. d_lr, g_width, critic_steps)")


def short_name(leaf: Leaf) -> str:
    """A setting's name in run ids and tables: its option without dashes, else its path."""
    return leaf.cli.removeprefix("--").replace("-", "_") if leaf.cli else leaf.path


def parse_value(leaf: Leaf, text: str) -> Any:
    """A command-line word as a value of `leaf`'s type (range checked later)."""
    text = text.strip()
    try:
        if leaf.kind is bool:
            words = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False}
            return words[text.lower()]
        if leaf.kind is int:
            return int(text)
        if leaf.kind is float:
            return float(text)
    except (KeyError, ValueError):
        kind = {bool: "on or off", int: "a whole number", float: "a number"}[leaf.kind]
        raise StudySpecError(f"{short_name(leaf)}={text!r}: expected {kind}") from None
    return text


def checked_values(leaf: Leaf, values: list[Any]) -> tuple[Any, ...]:
    """`values` range-checked for `leaf`, ints accepted for floats, repeats refused."""
    checked = []
    for value in values:
        if leaf.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        try:
            leaf.check(value)
        except ConfigError as error:
            raise StudySpecError(str(error)) from None
        if value in checked:
            raise StudySpecError(f"{short_name(leaf)}: the value {value!r} is given twice")
        checked.append(value)
    if not checked:
        raise StudySpecError(f"{short_name(leaf)}: no values")
    return tuple(checked)


def expand(spec: StudySpec) -> list[PlannedRun]:
    """Every run of the grid, objective by objective, then settings, budgets and seeds; each
    configuration validated (a `StudySpecError` names the run and the setting)."""
    base = _base_config(spec)
    objectives = spec.objectives or (base.objective.name,)
    budgets = spec.budgets or (base.training.iterations,)
    axes = [(path, values) for path, values in spec.settings]
    count = len(objectives) * len(budgets) * len(spec.seeds)
    for _, values in axes:
        count *= len(values)
    if count > MAX_RUNS:
        raise StudySpecError(f"the grid has {count:,} runs; at most {MAX_RUNS:,} per study")
    swept = {path for path, values in axes if len(values) > 1}
    names = {path: short_name(_leaf_at(path)) for path, _ in axes}
    runs, seen = [], set()
    for objective in objectives:
        start = base
        if spec.paper_defaults:
            start = base.merged(paper_values(RunConfig, get_objective(objective).paper))
        for combination in itertools.product(*(values for _, values in axes)):
            chosen = dict(zip((path for path, _ in axes), combination, strict=True))
            for budget, seed in itertools.product(budgets, spec.seeds):
                partial: dict[str, Any] = {}
                for path, value in chosen.items():
                    merge_into(partial, nest(path, value))
                merge_into(partial, {"objective": {"name": objective},
                                     "training": {"iterations": budget, "seed": seed}})
                point = {"objective": objective,
                         **{names[path]: v for path, v in chosen.items() if path in swept},
                         "iterations": budget, "seed": seed}
                run_id = run_id_for(point)
                try:
                    config = start.merged(partial).validate()
                except ConfigError as error:
                    raise StudySpecError(f"run {run_id}: {error}") from None
                if run_id in seen:
                    raise StudySpecError(f"two runs would be named {run_id}")
                seen.add(run_id)
                runs.append(PlannedRun(run_id, point, config.to_dict()))
    return runs


def run_id_for(point: dict[str, Any]) -> str:
    """`objective-<setting><value>…-i<iterations>-s<seed>`, in characters any file system
    takes."""
    parts = [str(point["objective"])]
    for name, value in point.items():
        if name not in ("objective", "iterations", "seed"):
            parts.append(f"{name}{_shown(value)}")
    parts += [f"i{point['iterations']}", f"s{point['seed']}"]
    return re.sub(r"[^A-Za-z0-9._+=-]", "_", "-".join(parts))


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _leaf_at(path: str) -> Leaf:
    return next(leaf for leaf in leaves(RunConfig) if leaf.path == path)


def _base_config(spec: StudySpec) -> RunConfig:
    """The configuration every run starts from, on the study's target."""
    try:
        if spec.base is not None:
            base = RunConfig.from_dict(spec.base)
        else:
            base = RunConfig().merged(recipe_for(spec.target))
        target = {"name": spec.target, "points_file": spec.points_file,
                  "data": spec.data_reference, "images": None, "labels": None}
        return base.merged({"target": target})
    except ConfigError as error:
        raise StudySpecError(str(error)) from None
