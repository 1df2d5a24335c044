"""Keyframes: whole training states kept during a run, under a memory budget.

A keyframe is `Trainer.state_dict()` taken at the end of an iteration — both networks, both
optimizers, both random streams and the counters — so that loading it and training on with the
same settings reproduces (on the CPU, bit for bit) what the run did from there.

Thinning rule (the whole run stays reachable, the spacing adapts to memory):
- keyframes are taken at iterations that are multiples of `spacing` (it starts at
  `first_spacing`), plus each branch's *anchor*: its first state, which is never dropped;
- when the keyframes' bytes exceed `budget_bytes`, `spacing` doubles and every keyframe whose
  iteration is not a multiple of the new spacing is dropped — about half of them. This repeats
  until the store fits (or holds anchors only).
So at any moment the kept keyframes are evenly spaced, `spacing` = first_spacing · 2^k, over the
whole run: any iteration i is reached from the keyframe at ⌊i / spacing⌋ · spacing (or a later
anchor) by replaying at most `spacing − 1` iterations, and once the budget has been reached the
store holds between about half of it and all of it.
"""

from __future__ import annotations

import bisect
import copy
from dataclasses import dataclass, field

import torch

from ganlab.core.config import RunConfig

DEFAULT_BUDGET_BYTES = 256 * 2**20  # a few hundred MB
FIRST_SPACING = 64  # iterations between keyframes before the budget is first reached: a
# keyframe (~5 ms for 3×128 nets, a third of it the settings' copy) every 64 iterations of
# ~5 ms costs ~1.5% of training; a seek replays at most 63 iterations (~0.3 s)


def state_bytes(state) -> int:
    """The bytes of every tensor in a (nested) state: dicts, lists, tuples, tensors."""
    if isinstance(state, torch.Tensor):
        return state.numel() * state.element_size()
    if isinstance(state, dict):
        return sum(state_bytes(value) for value in state.values())
    if isinstance(state, list | tuple):
        return sum(state_bytes(value) for value in state)
    return 0


@dataclass(frozen=True)
class Keyframe:
    """The trainer's state after `iteration` iterations, with the settings in force then."""

    iteration: int
    state: dict = field(repr=False)
    config: RunConfig = field(repr=False)
    nbytes: int = 0
    anchor: bool = False  # a branch's first state: kept whatever the spacing


def take_keyframe(trainer, anchor: bool = False) -> Keyframe:
    """A deep copy of `trainer`'s state (worker thread: it reads the tensors)."""
    state = trainer.state_dict()  # deep copies of the networks and optimizers
    return Keyframe(trainer.iteration, state, trainer.config.copy(), state_bytes(state), anchor)


def restore_keyframe(trainer, keyframe: Keyframe) -> None:
    """Put `trainer` back into `keyframe` exactly: its settings, then its state. The stored
    keyframe is not shared with the trainer (it may be restored again)."""
    trainer.apply_config(keyframe.config)
    trainer.load_state_dict(copy.deepcopy(keyframe.state))
    trainer.read_losses()  # loss sums belong to the steps before the jump


class KeyframeStore:
    """Keyframes of every branch (by branch id), thinned together under one byte budget."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES,
                 first_spacing: int = FIRST_SPACING):
        if budget_bytes <= 0 or first_spacing < 1:
            raise ValueError("the keyframe budget and spacing must be positive")
        self.budget_bytes = int(budget_bytes)
        self.first_spacing = int(first_spacing)
        self.spacing = self.first_spacing
        self._frames: dict[int, list[Keyframe]] = {}  # branch → keyframes by iteration
        self.nbytes = 0

    def wants(self, iteration: int) -> bool:
        """Whether a keyframe at `iteration` would be kept at the current spacing."""
        return iteration % self.spacing == 0

    def add(self, branch: int, keyframe: Keyframe) -> None:
        """Keep `keyframe` for `branch` (replacing one at the same iteration), then thin."""
        frames = self._frames.setdefault(branch, [])
        iterations = [frame.iteration for frame in frames]
        index = bisect.bisect_left(iterations, keyframe.iteration)
        if index < len(frames) and frames[index].iteration == keyframe.iteration:
            old = frames[index]
            self.nbytes -= old.nbytes
            if old.anchor and not keyframe.anchor:
                keyframe = Keyframe(keyframe.iteration, keyframe.state, keyframe.config,
                                    keyframe.nbytes, anchor=True)
            frames[index] = keyframe
        else:
            frames.insert(index, keyframe)
        self.nbytes += keyframe.nbytes
        self._thin()

    def set_budget(self, budget_bytes: int) -> None:
        """A new budget; a smaller one thins at once."""
        if budget_bytes <= 0:
            raise ValueError("the keyframe budget must be positive")
        self.budget_bytes = int(budget_bytes)
        self._thin()

    def _thin(self) -> None:
        while self.nbytes > self.budget_bytes:
            if not any(not frame.anchor for frames in self._frames.values() for frame in frames):
                return  # anchors only: nothing more can go
            self.spacing *= 2
            for branch, frames in self._frames.items():
                kept = [frame for frame in frames
                        if frame.anchor or frame.iteration % self.spacing == 0]
                self.nbytes -= sum(frame.nbytes for frame in frames) - sum(
                    frame.nbytes for frame in kept)
                self._frames[branch] = kept

    def at_or_before(self, branch: int, iteration: int) -> Keyframe | None:
        """The latest keyframe of `branch` at or before `iteration` (None if there is none)."""
        frames = self._frames.get(branch, [])
        index = bisect.bisect_right([frame.iteration for frame in frames], iteration)
        return frames[index - 1] if index else None

    def iterations(self, branch: int) -> list[int]:
        return [frame.iteration for frame in self._frames.get(branch, [])]

    def drop_branch(self, branch: int) -> None:
        self.nbytes -= sum(frame.nbytes for frame in self._frames.pop(branch, []))

    def keyframes(self, branch: int) -> list[Keyframe]:
        return list(self._frames.get(branch, []))

    def __len__(self) -> int:
        return sum(len(frames) for frames in self._frames.values())
