"""How a setting is declared once, next to its field, and read back by everything else.

A field of a configuration dataclass becomes a setting through `setting(default, ...)`: its
range (or closed set of choices), scale, unit, one-line help, command-line option, panel label
and the value its objective's paper used live in the field's metadata. A field holding another
configuration dataclass carries `metadata=section(...)`, which can name a role ("generator")
that the texts of its settings are formatted with. `leaves(RunConfig)` walks the tree and gives
one resolved `Leaf` per setting; validation, the CLI options, the app's settings panel, lessons
and the README's settings table are all built from those leaves.

Qt- and torch-free: imported by the window process and the training process alike.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

SETTING_KEY = "ganlab.setting"
SECTION_KEY = "ganlab.section"
NO_PAPER = type("NoPaper", (), {"__repr__": lambda self: "NO_PAPER"})()  # no paper value
Choices = tuple[str, ...] | Callable[[], Mapping[str, str] | tuple[str, ...]]


class ConfigError(ValueError):
    """A configuration value is out of range or unknown; the message names the field."""


@dataclass(frozen=True)
class FromPaper:
    """A paper value that depends on the objective: the attribute `name` of its
    `PaperDefaults`, or the key `name` of that paper's `extra` constants."""

    name: str


@dataclass(frozen=True)
class Setting:
    """What is declared about one setting (texts may use the words of its section's role)."""

    help: str  # one sentence: the tooltip, the CLI help and the README's description
    low: float | None = None  # smallest allowed value (numbers: required, inclusive)
    high: float | None = None  # largest allowed value (numbers: required, inclusive)
    choices: Choices | None = None  # a closed set, or a function giving names (→ descriptions)
    offered: Callable[[], list[str]] | None = None  # what a chooser lists when validation is
    # elsewhere (the device: any "cuda:N" is a name, usable only if present)
    scale: str = "linear"  # "linear" or "log": how a slider moves through the range
    unit: str = ""  # what the number counts, for the README ("samples", "units")
    cli: str | None = None  # option name without "--" and the section's prefix; None: none
    short: str | None = None  # a one-letter alias, e.g. "-k"
    label: str | None = None  # the settings panel's label; None: not shown in the panel
    paper: Any = NO_PAPER  # the paper's value: a constant, or FromPaper(...) per objective
    decimals: int = 3  # digits a number box shows after the point
    span: tuple[float, float] | None = None  # a slider's practical span inside the range


def setting(default: Any, help: str, **declared: Any) -> Any:
    """A dataclass field that is a setting: `default` plus what `Setting` declares."""
    declared_setting = Setting(help=help, **declared)
    numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
    if numeric and declared_setting.choices is None and (
        declared_setting.low is None or declared_setting.high is None
    ):
        raise TypeError(f"a numeric setting needs low and high: {help}")
    return field(default=default, metadata={SETTING_KEY: declared_setting})


def section(title: str = "", cli_prefix: str = "", **words: str) -> dict[str, Any]:
    """The metadata of a field holding a nested configuration:
    `field(default_factory=..., metadata=section(...))`. `title` names its group in the panel;
    `cli_prefix` precedes its settings' options ("g-" → --g-width); `words` fill the `{role}`
    style placeholders of its settings' texts."""
    return {SECTION_KEY: {"title": title, "cli_prefix": cli_prefix, "words": words}}


@dataclass(frozen=True)
class Leaf:
    """One setting at its place in a configuration class, its texts resolved."""

    path: str  # dotted path from the root, e.g. "model.generator.width"
    section: str  # the root's field it lies under, e.g. "model"
    group: str  # that section's title
    kind: type  # int, float, str or bool
    default: Any  # the root class's default at this path
    setting: Setting
    help: str
    label: str | None
    cli: str | None  # the full option, e.g. "--g-width"
    paper: Any  # a constant, FromPaper with its name resolved, or NO_PAPER

    @property
    def choices(self) -> tuple[str, ...] | None:
        """The closed set of allowed values, or None."""
        choices = self.setting.choices
        if choices is None:
            return None
        return tuple(choices() if callable(choices) else choices)

    def choice_help(self) -> Mapping[str, str]:
        """One line per choice where the declaration gives one."""
        choices = self.setting.choices
        given = choices() if callable(choices) else ()
        return given if isinstance(given, Mapping) else {}

    def check(self, value: Any) -> None:
        """Raise ConfigError naming the path if `value` is not allowed here."""
        choices = self.choices
        if choices is not None:
            if value not in choices:
                _fail(self.path, value, f"one of {', '.join(choices)}")
        elif self.kind is int:
            low, high = self.setting.low, self.setting.high
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                _fail(self.path, value, f"a whole number from {low} to {high}")
        elif self.kind is float:
            low, high = self.setting.low, self.setting.high
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or not math.isfinite(value)):
                _fail(self.path, value, "a finite number")
            if not low <= value <= high:
                _fail(self.path, value, f"a number from {low:g} to {high:g}")
        elif self.kind is bool and not isinstance(value, bool):
            _fail(self.path, value, "true or false")


def _fail(path: str, value: object, expected: str) -> typing.NoReturn:
    raise ConfigError(f"{path} = {value!r} is not allowed: expected {expected}")


@functools.cache
def leaves(root: type) -> tuple[Leaf, ...]:
    """Every setting of the configuration class `root`, in declaration order."""
    found: list[Leaf] = []
    _walk(root, root(), "", None, "", {}, found)
    return tuple(found)


def leaf(root: type, path: str) -> Leaf:
    """The setting at `path`; KeyError if there is none."""
    for candidate in leaves(root):
        if candidate.path == path:
            return candidate
    raise KeyError(f"{root.__name__} has no setting {path}")


def _walk(cls: type, instance: Any, prefix: str, top: tuple[str, str] | None, cli_prefix: str,
          words: dict[str, str], found: list[Leaf]) -> None:
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        path = f"{prefix}{f.name}"
        value = getattr(instance, f.name)
        if SECTION_KEY in f.metadata:
            meta = f.metadata[SECTION_KEY]
            here = top or (f.name, meta["title"])
            _walk(hints[f.name], value, f"{path}.", here, cli_prefix + meta["cli_prefix"],
                  {**words, **meta["words"]}, found)
        elif SETTING_KEY in f.metadata:
            declared: Setting = f.metadata[SETTING_KEY]
            paper = declared.paper
            if isinstance(paper, FromPaper):
                paper = FromPaper(paper.name.format(**words))
            found.append(Leaf(
                path=path, section=top[0] if top else "", group=top[1] if top else "",
                kind=_kind(hints[f.name]), default=value, setting=declared,
                help=declared.help.format(**words),
                label=declared.label.format(**words) if declared.label else None,
                cli=f"--{cli_prefix}{declared.cli}" if declared.cli else None, paper=paper,
            ))


def _kind(hint: Any) -> type:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if args and typing.get_origin(hint) is not list else hint


def nest(path: str, value: Any) -> dict[str, Any]:
    """The partial configuration dict that sets one dotted path: "a.b", 1 → {"a": {"b": 1}}."""
    *parents, name = path.split(".")
    partial: dict[str, Any] = {name: value}
    for parent in reversed(parents):
        partial = {parent: partial}
    return partial


def merge_into(data: dict[str, Any], partial: Mapping[str, Any]) -> None:
    """Lay a partial configuration dict over `data`, section by section, in place."""
    for key, value in partial.items():
        if isinstance(value, Mapping) and isinstance(data.get(key), dict):
            merge_into(data[key], value)
        else:
            data[key] = value


def paper_values(root: type, paper: Any) -> dict[str, Any]:
    """The partial configuration an objective's paper prescribes (`paper`: its PaperDefaults):
    every setting declaring a paper value; FromPaper names the paper lacks are left alone."""
    partial: dict[str, Any] = {}
    for item in leaves(root):
        value = paper_value(item, paper)
        if value is not NO_PAPER:
            merge_into(partial, nest(item.path, value))
    return partial


def paper_value(item: Leaf, paper: Any) -> Any:
    """The value `paper` gives this setting, or NO_PAPER."""
    if not isinstance(item.paper, FromPaper):
        return item.paper
    name = item.paper.name
    if hasattr(paper, name):
        return getattr(paper, name)
    return paper.extra.get(name, NO_PAPER)
