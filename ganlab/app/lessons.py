"""Guided lessons: presets shipped as JSON under `ganlab/resources/lessons/`, one per lesson.

A lesson file holds a `title`, an `explanation` (a few sentences, shown when it loads), a
partial `config` (a `RunConfig` dict; everything it leaves out keeps the app's defaults), and
optionally `compare` (a partial config for run B, which starts compare mode), `layers` (layer
name → shown) and `speed` (iterations per second, or null for full speed). Files are read in
name order, so a numeric prefix sets the menu order.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from ganlab.core.config import ConfigError, RunConfig

log = logging.getLogger(__name__)

LESSON_FOLDERS = (
    Path(__file__).resolve().parents[1] / "resources" / "lessons",  # shipped in the package
)


class LessonError(ValueError):
    """A lesson file is unusable; the message names the file."""


@dataclass(frozen=True)
class Lesson:
    title: str
    explanation: str
    config: RunConfig
    compare: RunConfig | None = None
    layers: dict[str, bool] = field(default_factory=dict)
    speed: float | None = None
    source: str = ""


def app_defaults() -> RunConfig:
    """The app's starting configuration: the engine's recipe with a constant learning rate
    (interactive training has no fixed budget for a schedule to span)."""
    config = RunConfig()
    config.training.lr_schedule = "constant"
    return config


def merged(base: RunConfig, partial: dict) -> RunConfig:
    """`base` with the fields of a partial RunConfig dict laid over it, validated."""
    data = base.to_dict()
    _merge_into(data, partial)
    return RunConfig.from_dict(data).validate()


def _merge_into(data: dict, partial: dict) -> None:
    for key, value in partial.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            _merge_into(data[key], value)
        else:
            data[key] = value


def load_lesson(path: Path) -> Lesson:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise LessonError(f"{path.name}: cannot be read ({error})") from None
    try:
        config = merged(app_defaults(), raw.get("config", {}))
        compare = None
        if raw.get("compare") is not None:
            b_partial = {**raw["compare"]}
            compare = merged(config, b_partial)
        return Lesson(
            title=str(raw["title"]),
            explanation=str(raw["explanation"]),
            config=config,
            compare=compare,
            layers={str(k): bool(v) for k, v in raw.get("layers", {}).items()},
            speed=raw.get("speed"),
            source=path.name,
        )
    except (KeyError, ConfigError, TypeError) as error:
        raise LessonError(f"{path.name}: {error}") from None


def load_lessons(folders: tuple[Path, ...] = LESSON_FOLDERS) -> list[Lesson]:
    """Every readable lesson of the first folder that has any; broken files are logged."""
    for folder in folders:
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        if not files:
            continue
        lessons = []
        for path in files:
            try:
                lessons.append(load_lesson(path))
            except LessonError as error:
                log.warning("skipping lesson %s", error)
        return lessons
    return []
