"""The `ganlab train` options that set a run's settings, generated from their declarations.

Each setting declared with a `cli` name in `ganlab.core.config` becomes one option: its type,
choices and help come from the declaration, and its `(default: …)` from `RunConfig()`. An
option left out is None, so a `--config` file or `--paper-defaults` keeps its value; a boolean
setting's option sets the opposite of its default (`--no-standardize`).
"""

from __future__ import annotations

import argparse
from typing import Any

from ganlab.core.settings import Leaf, leaves, merge_into, nest


def add_setting_options(parser: argparse.ArgumentParser, root: type) -> None:
    """Add one option per command-line setting of the configuration class `root`."""
    for item in leaves(root):
        if item.cli is None:
            continue
        names = [item.cli, *([item.setting.short] if item.setting.short else [])]
        span = ""
        if item.setting.low is not None and item.choices is None:
            span = f"{_shown(item.setting.low)} to {_shown(item.setting.high)}; "
        text = item.help.rstrip(".")
        if item.kind is bool:
            text = f"{'turn off' if item.default else 'turn on'}: {text}"
        help_text = f"{text} ({span}default: {_shown(item.default)})".replace("%", "%%")
        kwargs: dict[str, Any] = {"dest": _dest(item), "default": None, "help": help_text}
        if item.kind is bool:
            kwargs.update(action="store_const", const=not item.default)
        else:
            choices = item.choices
            if choices is not None:
                kwargs["choices"] = list(choices)
            else:
                kwargs["type"] = item.kind
        parser.add_argument(*names, **kwargs)


def settings_from_args(args: argparse.Namespace, root: type) -> dict[str, Any]:
    """The partial configuration dict of the setting options given on the command line."""
    partial: dict[str, Any] = {}
    for item in leaves(root):
        if item.cli is None:
            continue
        value = getattr(args, _dest(item))
        if value is not None:
            merge_into(partial, nest(item.path, value))
    return partial


def _dest(item: Leaf) -> str:
    return item.cli.removeprefix("--").replace("-", "_")


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return "none" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
