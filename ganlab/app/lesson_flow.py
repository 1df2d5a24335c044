"""What starting a lesson and choosing a target mean, as the learner moves between them.

- A lesson replaces the settings with its own (run B, the layers and the speed too) and shows
  its explanation; the user's own set-up from before the lesson is kept aside.
- Choosing a target (in the gallery, a points file, a drawing) starts a fresh run on it: new
  networks from iteration 0 and empty charts, never the old generator on the new data. The
  user's own settings stay; moving between points and images takes the other kind's recipe.
- Leaving a lesson (choosing a target, or opening a session) ends it: the explanation closes,
  the user's own set-up comes back (on the new target), and the status bar says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ganlab.app.dynamics_dock import show_dynamics_lesson
from ganlab.app.layers import Layers
from ganlab.app.lessons import Lesson, app_defaults
from ganlab.core.config import RunConfig, TargetConfig
from ganlab.core.recipes import is_image_target, kind_switch, recipe_target
from ganlab.training.file_commands import OpenSession

MESSAGE_MS = 12000


@dataclass(frozen=True)
class UserSetup:
    """What a lesson replaced, to give back when it ends."""

    configs: tuple[RunConfig, ...]
    layers: Layers
    speed: float | None


class LessonFlow:
    """Lessons and target changes of one main window."""

    def __init__(self, window):
        self.window = window
        self.saved: UserSetup | None = None  # set while a lesson is on
        window.session.file_command_finished.connect(self._on_file_result)

    @property
    def active(self) -> bool:
        return self.saved is not None

    def start_lesson(self, lesson: Lesson) -> None:
        window, session = self.window, self.window.session
        window.painting.stop()
        session.pause()
        if self.saved is None:  # from one lesson to the next, the user's own set-up stays
            self.saved = UserSetup(session.configs, window.layers, window.speed_control.speed())
        self._load(lesson.config, lesson.compare)
        session.reset()
        layers = window.layers
        for name, shown in lesson.layers.items():
            layers = layers.with_layer(name, shown)
        window.apply_layers(layers)
        window.speed_control.set_speed(lesson.speed)
        window.lesson_box.show_lesson(lesson)
        if lesson.dynamics is not None:
            show_dynamics_lesson(window, lesson.dynamics)

    def choose_target(self, name: str) -> None:
        """A fresh run on the named target (ending a lesson, if one is on)."""
        self.train_on(TargetConfig(name=name, **recipe_target(name)))

    def train_on(self, target: TargetConfig, what: str | None = None) -> None:
        """A fresh run on `target`: the user's settings (a lesson's end gives them back), the
        other kind's recipe when moving between points and images, iteration 0."""
        window, session = self.window, self.window.session
        window.painting.stop()
        ended = self._end_lesson()
        configs = ended.configs if ended is not None else session.configs
        images = is_image_target(target.name, target.images)
        first = configs[0].target
        new_kind = images != is_image_target(first.name, first.images)
        moved = [_on_target(config, target, new_kind, images) for config in configs]
        self._load(moved[0], moved[1] if len(moved) > 1 else None)
        session.reset()
        what = what or target.name
        parts = [f"{what}: a fresh run from iteration 0"]
        if new_kind:
            parts.append("the recipe for " + ("images: a DCGAN" if images else "points: MLPs"))
        if ended is not None:
            parts.append("the lesson ended; your own settings are back")
        else:
            parts.append("your settings kept")
        message = "; ".join(parts) + "."
        window.presenter.announce_restart(message)
        window.statusBar().showMessage(message, MESSAGE_MS)

    def _end_lesson(self) -> UserSetup | None:
        """End the lesson, if one is on: its box closes, the user's layers and speed return;
        their configurations are returned for the caller to train."""
        saved, self.saved = self.saved, None
        if saved is None:
            return None
        window = self.window
        window.lesson_box.end_lesson()
        window.apply_layers(saved.layers)
        window.speed_control.set_speed(saved.speed)
        return saved

    def _load(self, config_a: RunConfig, config_b: RunConfig | None) -> None:
        window = self.window
        if (config_b is not None) != window.session.compare:
            if config_b is not None:
                window.settings_tabs.addTab(window.control_panels[1], "Run B")
            else:
                window.settings_tabs.removeTab(1)
        window.compare_action.setChecked(config_b is not None)
        window.session.load(config_a, config_b)

    def _on_file_result(self, result) -> None:
        """An opened session brings its own settings: a lesson on ends without restoring."""
        if self.saved is not None and result.ok and isinstance(result.command, OpenSession):
            self.saved = None
            self.window.lesson_box.end_lesson()


def _on_target(config: RunConfig, target: TargetConfig, new_kind: bool,
               images: bool) -> RunConfig:
    """`config` moved to `target`; to another kind of data with that kind's recipe."""
    if new_kind:
        config = config.merged(kind_switch(app_defaults(), images, target.name))
    config = config.copy()
    config.target = TargetConfig(**vars(target))
    return config.validate()
