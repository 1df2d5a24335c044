"""What the image benchmarks share: the shipped image recipe as a RunConfig, a line naming the
machine, and writing a table to `benchmarks/results/<name>_<date>.txt`."""

from __future__ import annotations

import datetime
import os
import platform
from pathlib import Path

import torch

RESULTS = Path(__file__).resolve().parent / "results"


def image_recipe_config(resolution: int | None, seed: int = 0, conditional: bool = False,
                        device: str = "cpu", objective: str | None = None, dcgan: bool = False):
    """`ganlab train --target digits [--resolution R] [--conditional]`'s configuration: the
    digits recipe laid over `RunConfig()`, as `cli_train.config_from_args` builds it
    (resolution None: the recipe's own). `dcgan`: `DIGITS_DCGAN_RECIPE` instead (what the
    app's gallery gives the digits; the speed benchmarks race it against a bare DCGAN loop)."""
    from ganlab.core.config import RunConfig
    from ganlab.core.recipes import DIGITS_DCGAN_RECIPE, recipe_for

    options: dict = {
        "target": {"name": "digits"} | ({} if resolution is None else {"resolution": resolution}),
        "training": {"seed": seed, "device": device},
        "model": {"conditional": conditional},
    }
    if objective is not None:
        options["objective"] = {"name": objective}
    recipe = DIGITS_DCGAN_RECIPE if dcgan else recipe_for("digits", conditional=conditional)
    return RunConfig().merged(recipe).merged(options).validate()


def today() -> str:
    return datetime.date.today().isoformat()


def machine_line(threads: int | str, device: str = "cpu") -> str:
    """One line: date, CPU, cores, torch, threads, device (and the GPU's name if one is used)."""
    cpu = platform.processor() or platform.machine()
    line = (f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {cpu}, {os.cpu_count()} cores, "
            f"torch {torch.__version__}, {threads} thread(s), device {device}")
    if device.startswith("cuda") and torch.cuda.is_available():
        line += f" ({torch.cuda.get_device_name()})"
    return line


def save_results(name: str, text: str, path: str | Path | None = None) -> Path:
    """Write `text` to `path`, by default benchmarks/results/<name>_<date>.txt (replacing a file
    of the same day)."""
    path = Path(path) if path is not None else RESULTS / f"{name}_{today()}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return path
