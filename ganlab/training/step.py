"""The kinds of training step the worker takes, and the phase a frame shows.

A step trains the critic, the generator or both; a critic-only half of a slow-motion iteration
does not count as an iteration (the generator's half that follows completes it). A frame's phase
names what was updated since the previous frame, so slow motion can show each half apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One call of `Trainer.step` on every run."""

    discriminator: bool
    generator: bool
    completes_iteration: bool = True  # False: a part of an iteration, not counted


BOTH = Step(discriminator=True, generator=True)
DISCRIMINATOR = Step(discriminator=True, generator=False)  # the GUI's "D step"
GENERATOR = Step(discriminator=False, generator=True)  # the GUI's "G step"; slow motion's 2nd half
DISCRIMINATOR_HALF = Step(discriminator=True, generator=False, completes_iteration=False)


class Phases:
    """What was updated since the last frame: "discriminator", "generator", "both" or "idle"."""

    def __init__(self) -> None:
        self._updated: set[str] = set()

    def stepped(self, step: Step) -> None:
        if step.discriminator:
            self._updated.add("discriminator")
        if step.generator:
            self._updated.add("generator")

    def clear(self) -> None:
        self._updated.clear()

    def take(self) -> str:
        """The phase for the frame going out now; the next frame starts from "idle"."""
        updated, self._updated = self._updated, set()
        if updated == {"discriminator"}:
            return "discriminator"
        if updated == {"generator"}:
            return "generator"
        return "both" if updated else "idle"
