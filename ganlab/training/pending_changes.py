"""What the GUI has asked the worker to do since it last looked: the only GUI → worker channel.

The GUI sends typed messages (`ganlab.training.messages`) with `send`; each message records
itself through one of the setters below. Every field is "latest wins" (a new configuration
replaces an older one that was not yet applied) or a bounded counter (steps asked for), so
nothing here can grow without bound. File commands are a short queue; one pushed out of it is
handed to the worker as dropped, and the worker answers it with a failed result: no command is
lost without a word. The worker calls `take()` between iterations, which returns a frozen
`Requests` and clears the one-shot parts under the same lock. `wait()` lets a paused worker
sleep until something is asked of it instead of polling.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from ganlab.core.config import RunConfig
from ganlab.training.messages import Message

MAX_QUEUED_STEPS = 1000  # a held-down step key cannot pile up more than this
MAX_TIMELINE_COMMANDS = 16  # a newer seek replaces a waiting one; beyond this the oldest go
MAX_FILE_COMMANDS = 8  # file commands (save, open, export) not yet run; the oldest are dropped


@dataclass(frozen=True)
class ViewRequest:
    """Which snapshot parts the visible views need (layers that are hidden are not computed)."""

    critic: bool = True
    optimal_discriminator: bool = False
    target_density: bool = True
    gradients: bool = True
    manifold: bool = False
    metrics: bool = True  # evaluate metrics every `metrics_interval_s`
    resolution: int = 64


@dataclass(frozen=True)
class LatentArithmetic:
    """Three latent points a, b, c: the views draw G(z_a), G(z_b), G(z_c), G(z_a − z_b + z_c)."""

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    labels: tuple[int, int, int] | None = None  # their classes, for a conditional generator


@dataclass(frozen=True)
class Interpolation:
    """Two latent points whose path G(z(t)) the views draw, z(t) = (1 - t) z0 + t z1, or
    the spherical path (`core.latent_algebra.slerp`) when `spherical`; and, optionally, a
    latent arithmetic a − b + c to draw beside it (then the ends may be None: no path)."""

    start: np.ndarray | None
    end: np.ndarray | None
    label: int | None = None  # the class a conditional generator draws along the path
    spherical: bool = False
    arithmetic: LatentArithmetic | None = None


@dataclass(frozen=True)
class Requests:
    """One `take()`: everything asked since the previous one."""

    configs: tuple[RunConfig, ...] | None  # new configurations (run A, optionally run B)
    running: bool
    iterations_per_second: float | None  # None = as fast as possible
    steps: int = 0  # whole iterations to run while paused
    discriminator_steps: int = 0  # "step D only" presses
    generator_steps: int = 0  # "step G only" presses
    reset: bool = False
    restore_last_good: bool = False
    view: ViewRequest = field(default_factory=ViewRequest)
    interpolation: Interpolation | None = None
    refresh: bool = False  # publish a frame even if nothing trained (e.g. a layer was turned on)
    stop: bool = False
    file_commands: tuple = ()  # ganlab.training.file_commands commands, oldest first
    dropped_file_commands: tuple = ()  # pushed out of the full queue: to be answered as failed
    timeline: tuple = ()  # messages.TimelineCommand, oldest first (answered by ticket)

    @property
    def has_commands(self) -> bool:
        return bool(
            self.configs is not None or self.steps or self.discriminator_steps
            or self.generator_steps or self.reset or self.restore_last_good or self.refresh
            or self.stop or self.file_commands or self.dropped_file_commands or self.timeline
        )


class PendingChanges:
    """Lock-protected, latest-wins requests from the GUI thread to the worker thread."""

    def __init__(self, configs: tuple[RunConfig, ...]):
        self._condition = threading.Condition()
        self._configs: tuple[RunConfig, ...] | None = tuple(c.copy() for c in configs)
        self._running = False
        self._rate: float | None = None
        self._steps = 0
        self._discriminator_steps = 0
        self._generator_steps = 0
        self._reset = False
        self._restore = False
        self._view = ViewRequest()
        self._interpolation: Interpolation | None = None
        self._refresh = True
        self._stop = False
        self._file_commands: list = []
        self._dropped_file_commands: list = []
        self._timeline: list = []
        self._news = True  # set by every GUI call, cleared by take(): wakes a waiting worker

    # ---------------------------------------------------------------- GUI side
    def send(self, message: Message) -> None:
        """Record a GUI request (see `ganlab.training.messages`)."""
        message.apply(self)

    def set_configs(self, configs: tuple[RunConfig, ...]) -> None:
        """Replace the configuration(s) the worker should train with (one per run)."""
        with self._condition:
            self._configs = tuple(c.copy() for c in configs)
            self._news = True
            self._condition.notify_all()

    def set_running(self, running: bool) -> None:
        with self._condition:
            self._running = running
            self._news = True
            self._condition.notify_all()

    def set_speed(self, iterations_per_second: float | None) -> None:
        with self._condition:
            self._rate = iterations_per_second
            self._news = True
            self._condition.notify_all()

    def request_steps(self, iterations: int = 1) -> None:
        with self._condition:
            self._steps = min(self._steps + iterations, MAX_QUEUED_STEPS)
            self._news = True
            self._condition.notify_all()

    def request_discriminator_step(self) -> None:
        with self._condition:
            self._discriminator_steps = min(self._discriminator_steps + 1, MAX_QUEUED_STEPS)
            self._news = True
            self._condition.notify_all()

    def request_generator_step(self) -> None:
        with self._condition:
            self._generator_steps = min(self._generator_steps + 1, MAX_QUEUED_STEPS)
            self._news = True
            self._condition.notify_all()

    def request_reset(self) -> None:
        with self._condition:
            self._reset, self._restore = True, False
            self._steps = self._discriminator_steps = self._generator_steps = 0
            self._news = True
            self._condition.notify_all()

    def request_restore_last_good(self) -> None:
        with self._condition:
            self._restore = True
            self._news = True
            self._condition.notify_all()

    def set_view(self, view: ViewRequest) -> None:
        with self._condition:
            self._view = view
            self._refresh = True
            self._news = True
            self._condition.notify_all()

    def set_interpolation(self, interpolation: Interpolation | None) -> None:
        with self._condition:
            self._interpolation = interpolation
            self._refresh = True
            self._news = True
            self._condition.notify_all()

    def request_file_command(self, command) -> None:
        """Queue a save / open / export (see `ganlab.training.file_commands`); run in order.
        With `MAX_FILE_COMMANDS` waiting, the oldest is moved to the dropped ones."""
        with self._condition:
            self._file_commands.append(command)
            if len(self._file_commands) > MAX_FILE_COMMANDS:
                self._dropped_file_commands.append(self._file_commands.pop(0))
            self._news = True
            self._condition.notify_all()

    def request_timeline(self, command) -> None:
        """Queue a timeline command: a seek replaces a seek still waiting (its answer, by
        ticket, covers the older one); the queue keeps the newest `MAX_TIMELINE_COMMANDS`."""
        with self._condition:
            if self._timeline and type(self._timeline[-1]) is type(command) and \
                    type(command).__name__ == "Seek":
                self._timeline.pop()
            self._timeline = [*self._timeline, command][-MAX_TIMELINE_COMMANDS:]
            self._news = True
            self._condition.notify_all()

    def request_stop(self) -> None:
        with self._condition:
            self._stop = True
            self._news = True
            self._condition.notify_all()

    # ---------------------------------------------------------------- worker side
    def take(self) -> Requests:
        """Everything asked since the last call; one-shot parts are cleared."""
        with self._condition:
            requests = Requests(
                configs=self._configs,
                running=self._running,
                iterations_per_second=self._rate,
                steps=self._steps,
                discriminator_steps=self._discriminator_steps,
                generator_steps=self._generator_steps,
                reset=self._reset,
                restore_last_good=self._restore,
                view=self._view,
                interpolation=self._interpolation,
                refresh=self._refresh,
                stop=self._stop,
                file_commands=tuple(self._file_commands),
                dropped_file_commands=tuple(self._dropped_file_commands),
                timeline=tuple(self._timeline),
            )
            self._timeline = []
            self._file_commands = []
            self._dropped_file_commands = []
            self._configs = None
            self._steps = self._discriminator_steps = self._generator_steps = 0
            self._reset = self._restore = self._refresh = False
            self._news = False
            return requests

    def wait(self, timeout: float | None) -> None:
        """Sleep until the GUI asks for something new (or `timeout` seconds pass)."""
        with self._condition:
            if not self._news:
                self._condition.wait(timeout)

    @property
    def interrupts_seek(self) -> bool:
        """True if a timeline command or a stop waits: a long seek's replay gives way."""
        with self._condition:
            return bool(self._timeline) or self._stop

    @property
    def has_news(self) -> bool:
        """True if the GUI asked for something since the last `take()`."""
        with self._condition:
            return self._news
