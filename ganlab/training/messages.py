"""What the GUI asks of the training worker: one small, typed, immutable message per request.

The GUI builds a message and hands it to `send` — of the worker's `PendingChanges` when the
worker is a thread of the GUI's process, or of `TrainingProcess.pending` (a `ChangesSender`)
when it trains in a child process, where the message is pickled as it is sent and replayed on
the child's `PendingChanges`. Either way `PendingChanges.send(message)` calls
`message.apply(pending)`, which records the request (latest wins, or a bounded counter) for the
worker's next `take()`. So the path of a setting is: panel → `TrainingSession` →
`SetConfigs` → (pipe) → `PendingChanges` → `take()` → the worker's `apply_configs`.

Data a configuration refers to (`TargetConfig.data`) travels once, as `AddData`, before the
first `SetConfigs` that needs it; configurations themselves stay small.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ganlab.core.config import RunConfig
from ganlab.core.data_store import DATA

if TYPE_CHECKING:  # pending_changes imports this module
    from ganlab.training.pending_changes import Interpolation, PendingChanges, ViewRequest


class Message:
    """A request from the GUI; `apply` records it in the worker's `PendingChanges`."""

    def apply(self, pending: PendingChanges) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class SetConfigs(Message):
    """Train with these configurations from the next iteration on (run A, optionally B)."""

    configs: tuple[RunConfig, ...]

    def apply(self, pending):
        pending.set_configs(self.configs)


@dataclass(frozen=True)
class AddData(Message):
    """An array a configuration refers to, sent once to the training process."""

    reference: str
    array: np.ndarray

    def apply(self, pending):
        DATA.put(self.array, reference=self.reference)


@dataclass(frozen=True)
class SetRunning(Message):
    running: bool

    def apply(self, pending):
        pending.set_running(self.running)


@dataclass(frozen=True)
class SetSpeed(Message):
    iterations_per_second: float | None  # None: as fast as possible

    def apply(self, pending):
        pending.set_speed(self.iterations_per_second)


@dataclass(frozen=True)
class Step(Message):
    """Run whole iterations while paused."""

    iterations: int = 1

    def apply(self, pending):
        pending.request_steps(self.iterations)


@dataclass(frozen=True)
class StepDiscriminator(Message):
    def apply(self, pending):
        pending.request_discriminator_step()


@dataclass(frozen=True)
class StepGenerator(Message):
    def apply(self, pending):
        pending.request_generator_step()


@dataclass(frozen=True)
class Reset(Message):
    """Fresh networks with the current settings."""

    def apply(self, pending):
        pending.request_reset()


@dataclass(frozen=True)
class RestoreLastGood(Message):
    def apply(self, pending):
        pending.request_restore_last_good()


@dataclass(frozen=True)
class SetView(Message):
    view: ViewRequest

    def apply(self, pending):
        pending.set_view(self.view)


@dataclass(frozen=True)
class SetInterpolation(Message):
    interpolation: Interpolation | None

    def apply(self, pending):
        pending.set_interpolation(self.interpolation)


@dataclass(frozen=True)
class RunFileCommand(Message):
    """Save / open / export between iterations (`ganlab.training.file_commands`)."""

    command: object

    def apply(self, pending):
        pending.request_file_command(self.command)


@dataclass(frozen=True)
class TimelineCommand(Message):
    """A move on the timeline (`ganlab.training.timeline_desk`): answered in the timeline
    state of a later frame, whose `answered` reaches this command's `ticket`."""

    ticket: int = 0

    def apply(self, pending):
        pending.request_timeline(self)


@dataclass(frozen=True)
class Seek(TimelineCommand):
    """Show branch `branch` after `iteration` iterations (clamped to the branch); training
    from there forks a new branch. A newer seek replaces one not yet taken."""

    branch: int = 0
    iteration: int = 0


@dataclass(frozen=True)
class RenameBranch(TimelineCommand):
    branch: int = 0
    name: str = ""


@dataclass(frozen=True)
class SetKeyframeBudget(TimelineCommand):
    """The bytes the keyframes may take (older ones are thinned to fit)."""

    budget_bytes: int = 0


@dataclass(frozen=True)
class SaveAllBranches(TimelineCommand):
    """Whether saved sessions carry every branch of the timeline or only the current one
    (with its ancestors)."""

    all_branches: bool = True


@dataclass(frozen=True)
class CompareBranches(TimelineCommand):
    """Compare mode with two branches side by side: run A the branch shown, as it is shown,
    run B branch `branch` at its tip; both go on training (and recording) from there. Leaving
    compare mode (one configuration) returns to the timeline with run A."""

    branch: int = 0


@dataclass(frozen=True)
class CancelSeek(TimelineCommand):
    """Stop a long seek's replay where it is (any timeline command arriving stops it too)."""


@dataclass(frozen=True)
class Stop(Message):
    def apply(self, pending):
        pending.request_stop()


def data_references(configs: tuple[RunConfig, ...]) -> set[str]:
    """The data references these configurations need: the points or images, and the labels."""
    return {reference for config in configs
            for reference in (config.target.data, config.target.labels) if reference is not None}


def carried_data(configs: tuple[RunConfig, ...]) -> dict[str, np.ndarray]:
    """{reference: array} of the data these configurations need, from this process's store."""
    return {reference: DATA.get(reference) for reference in data_references(configs)}
