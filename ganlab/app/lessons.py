"""Guided lessons: presets shipped as JSON under `ganlab/resources/lessons/`, one per lesson.

A lesson file holds a `title`, an `explanation` (a few sentences, shown when it loads), a
partial `config` (a `RunConfig` dict laid over the app's defaults — with the image recipe for
an image target — by `RunConfig.merged`, then
validated against the settings' declared ranges), and optionally `compare` (a partial config
for run B, laid over run A's, which starts compare mode), `layers` (layer name → shown) and
`speed` (iterations per second, or null for full speed). Files are read in name order, so a
numeric prefix sets the menu order.

The folder is found through the package (`importlib.resources`), so it is the same whether
ganlab runs from a checkout, an installed wheel or a frozen bundle; a bundle without its lessons
is a broken install and says so (`LessonsMissingError`) rather than showing an empty menu.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from ganlab.core.config import ConfigError, RunConfig
from ganlab.core.game_dynamics import lesson_settings
from ganlab.core.recipes import IMAGE_RECIPE, is_image_target

log = logging.getLogger(__name__)

LESSONS_RESOURCE = ("resources", "lessons")  # inside the `ganlab` package


def shipped_lessons_folder() -> Traversable:
    """The lessons folder shipped in the `ganlab` package."""
    return files("ganlab").joinpath(*LESSONS_RESOURCE)


class LessonError(ValueError):
    """A lesson file is unusable; the message names the file."""


class LessonsMissingError(LessonError):
    """The shipped lessons are missing or all unreadable: ganlab is not installed completely."""


@dataclass(frozen=True)
class Lesson:
    title: str
    explanation: str
    config: RunConfig
    compare: RunConfig | None = None
    layers: dict[str, bool] = field(default_factory=dict)
    speed: float | None = None
    source: str = ""
    dynamics: dict | None = None  # settings for the dynamics view, which the lesson opens


def app_defaults() -> RunConfig:
    """The app's starting configuration: the engine's recipe with a constant learning rate
    (interactive training has no fixed budget for a schedule to span), Adam's β = (0.5,
    0.999) and R1 on every critic update, the values the lessons were written and tested with
    (the headless recipe's β1 = 0, β2 = 0.99 and lazy R1 every 8 updates were chosen for its
    annealed, fixed-budget run)."""
    config = RunConfig()
    config.training.lr_schedule = "constant"
    config.objective.r1_interval = 1
    for optimizer in (config.generator_optimizer, config.discriminator_optimizer):
        optimizer.beta1, optimizer.beta2 = 0.5, 0.999
    return config


def load_lesson(path: Path | Traversable) -> Lesson:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise LessonError(f"{path.name}: cannot be read ({error})") from None
    if not isinstance(raw, dict):
        raise LessonError(f"{path.name}: not a lesson (a JSON object is expected)")
    try:
        partial = raw.get("config", {})
        target = partial.get("target", {}) if isinstance(partial, dict) else {}
        base = app_defaults()
        if is_image_target(target.get("name", ""), target.get("images")):
            base = base.merged(IMAGE_RECIPE)  # an image lesson starts from the image recipe
        config = base.merged(partial).validate()
        compare = None
        if raw.get("compare") is not None:
            compare = config.merged(raw["compare"]).validate()
        return Lesson(
            title=str(raw["title"]),
            explanation=str(raw["explanation"]),
            config=config,
            compare=compare,
            layers={str(k): bool(v) for k, v in raw.get("layers", {}).items()},
            speed=raw.get("speed"),
            source=path.name,
            dynamics=_dynamics(raw.get("dynamics")),
        )
    except (KeyError, ConfigError, TypeError) as error:
        raise LessonError(f"{path.name}: {error}") from None


def _dynamics(data) -> dict | None:
    """A lesson's `dynamics` block, checked (see `game_dynamics.lesson_settings`)."""
    if data is None:
        return None
    try:
        lesson_settings(data)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    return data


def load_lessons(folder: Path | Traversable | None = None) -> list[Lesson]:
    """Every readable lesson in `folder` (default: the shipped ones), in file-name order; a
    broken file is logged and skipped. `LessonsMissingError` if the folder is missing or holds
    no readable lesson."""
    folder = shipped_lessons_folder() if folder is None else folder
    where = f"ganlab's lessons folder ({folder})"
    if not folder.is_dir():
        raise LessonsMissingError(f"{where} is missing: reinstall ganlab")
    paths = sorted((item for item in folder.iterdir() if item.name.endswith(".json")),
                   key=lambda item: item.name)
    lessons = []
    for path in paths:
        try:
            lessons.append(load_lesson(path))
        except LessonError as error:
            log.warning("skipping lesson %s", error)
    if not lessons:
        raise LessonsMissingError(f"{where} holds no readable lesson: reinstall ganlab")
    return lessons
