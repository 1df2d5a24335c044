"""What the GUI is told of a run's timeline (`timeline.py`): plain, small, torch-free data
sent with each frame (the window's process never imports torch)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BranchSummary:
    id: int
    name: str
    parent: int | None
    fork: int
    tip: int
    difference: tuple[str, ...]  # settings changed from the parent at the fork


@dataclass(frozen=True)
class TimelineState:
    """What the GUI needs to draw the timeline (sent with each frame; small)."""

    branch: int  # the branch being shown or trained
    position: int  # the iteration the trainer is at
    branches: tuple[BranchSummary, ...]
    keyframes: tuple[int, ...]  # keyframe iterations along the current branch's lineage
    spacing: int
    nbytes: int
    budget_bytes: int
    answered: int = 0  # how many timeline commands the worker has answered
    message: str | None = None  # the answer to the last one, if it failed or said something

    @property
    def tip(self) -> int:
        return next(b.tip for b in self.branches if b.id == self.branch)

    @property
    def start(self) -> int:
        return min(b.fork for b in self.branches)
