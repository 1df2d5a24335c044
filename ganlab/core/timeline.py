"""A run's timeline: its branch tree and keyframes, and the moves along it (Qt-free).

The owner (the training worker) tells it each step taken (`stepped`) and each change of
settings (`settings_changed`); it keeps keyframes (`keyframes.py`) and the branch records
(`branches.py`). `seek(trainer, branch, i)` puts the trainer into branch's state after i
iterations: it loads the latest keyframe at or before i on the branch that owns i and replays
the recorded steps with the recorded settings — on the CPU the result is bit for bit the state
the run had. Training from a position that is not a branch's tip first forks a new branch there
(`before_step`): the old future is kept, the new one gets its own records.
"""

from __future__ import annotations

from ganlab.core.branches import WHOLE, Branch, BranchTree
from ganlab.core.keyframes import (
    DEFAULT_BUDGET_BYTES,
    FIRST_SPACING,
    KeyframeStore,
    restore_keyframe,
    take_keyframe,
)
from ganlab.core.timeline_records import read_records
from ganlab.core.timeline_state import BranchSummary, TimelineState

SLOW_MOTION_PAIR = ((True, False), (False, True))  # a critic half then a generator half
PROGRESS_EVERY = 32  # replayed iterations between two calls of a seek's progress callback


class Timeline:
    """Branches and keyframes of the run of one trainer; starts with a keyframe of it now."""

    def __init__(self, trainer, budget_bytes: int = DEFAULT_BUDGET_BYTES,
                 first_spacing: int = FIRST_SPACING):
        self.tree = BranchTree(trainer.config, trainer.iteration)
        self.store = KeyframeStore(budget_bytes, first_spacing)
        self.branch = 0
        self.position = trainer.iteration
        self._parts: list[tuple[bool, bool]] = []  # the parts of the iteration in progress
        self.store.add(0, take_keyframe(trainer, anchor=True))

    @property
    def current(self) -> Branch:
        return self.tree[self.branch]

    @property
    def at_tip(self) -> bool:
        return self.position == self.current.tip

    # ------------------------------------------------------------------ recording
    def settings_changed(self, trainer) -> None:
        """The trainer's settings changed between iterations: recorded at the tip (away from
        it, they become the settings of the branch the next step forks)."""
        if self.at_tip:
            self.current.record_settings(trainer.iteration, trainer.config)

    def before_step(self, trainer) -> Branch | None:
        """Call before training a step: away from the tip, fork a new branch here (returned)."""
        if self.at_tip:
            return None
        owner = self.tree.owner(self.branch, self.position)
        branch = self.tree.add(owner.id, self.position, trainer.config)
        self.branch = branch.id
        self.store.add(branch.id, take_keyframe(trainer, anchor=True))
        return branch

    def fork_if_away(self, branch_id: int, trainer) -> Branch | None:
        """Before a step of `trainer`, which shows branch `branch_id` at its own iteration (a
        run of a side-by-side compare): away from the branch's tip, a new branch there."""
        if trainer.iteration == self.tree[branch_id].tip:
            return None
        owner = self.tree.owner(branch_id, trainer.iteration)
        branch = self.tree.add(owner.id, trainer.iteration, trainer.config)
        self.store.add(branch.id, take_keyframe(trainer, anchor=True))
        return branch

    def stepped(self, trainer, discriminator: bool, generator: bool, completed: bool) -> None:
        """The trainer took a step (of `before_step`'s branch); keyframe it if one is due."""
        self.record([(self.branch, trainer)], discriminator, generator, completed)

    def record(self, runs, discriminator: bool, generator: bool, completed: bool) -> None:
        """Each (branch id, trainer) of `runs` took the same step at its branch's tip (two in
        a side-by-side compare of branches, the first one the current branch)."""
        self._parts.append((discriminator, generator))
        if not completed:
            return
        parts = tuple(self._parts)
        self._parts = []
        kind = WHOLE if parts in ((WHOLE,), SLOW_MOTION_PAIR) else parts
        for branch_id, trainer in runs:
            self.tree[branch_id].record_step(trainer.iteration - 1, kind)
            if self.store.wants(trainer.iteration):
                self.store.add(branch_id, take_keyframe(trainer))
        self.position = runs[0][1].iteration

    def jumped(self, trainer) -> None:
        """The trainer went back to an earlier state of this branch by other means (the last
        good state after a NaN): the next step forks from there."""
        self.position = trainer.iteration
        self._parts = []

    # ------------------------------------------------------------------ moving
    def seek(self, trainer, branch_id: int, iteration: int, progress=None) -> int:
        """Put `trainer` into branch `branch_id`'s state after `iteration` iterations (clamped
        to the branch's stretch of the run), with the settings in force there; return it.
        `progress(done, total)` is called every `PROGRESS_EVERY` replayed iterations; when it
        returns False the replay stops there, leaving the trainer at that earlier (exact)
        iteration of the branch's lineage, which is returned."""
        branch = self.tree[branch_id]
        iteration = max(self.tree[0].fork, min(int(iteration), branch.tip))
        reached = self._reach(trainer, branch_id, iteration, progress)
        self.branch, self.position, self._parts = branch_id, reached, []
        return reached

    def replay_length(self, branch_id: int, iteration: int) -> int:
        """How many iterations a seek to (`branch_id`, `iteration`) replays."""
        return sum(end - start for _, start, end in self._plan(branch_id, iteration)[1])

    def _plan(self, branch_id: int, iteration: int):
        """(keyframe, [(branch, start, end), ...]): the keyframe to load, then the stretches
        to replay in order (a branch read from a file has no anchor: its parent's stretch up
        to its fork comes first)."""
        segments = []
        while True:
            owner = self.tree.owner(branch_id, iteration)
            keyframe = self.store.at_or_before(owner.id, iteration)
            if keyframe is not None:
                segments.append((owner, keyframe.iteration, iteration))
                return keyframe, segments[::-1]
            segments.append((owner, owner.fork, iteration))
            branch_id, iteration = owner.parent, owner.fork

    def _reach(self, trainer, branch_id: int, iteration: int, progress=None) -> int:
        keyframe, segments = self._plan(branch_id, iteration)
        restore_keyframe(trainer, keyframe)
        total = sum(end - start for _, start, end in segments)
        done = 0
        for owner, start, end in segments:
            if self.store.at_or_before(owner.id, start) is None:
                self.store.add(owner.id, take_keyframe(trainer, anchor=True))
            counted = None if progress is None else (
                lambda replayed, done=done: progress(done + replayed, total))
            reached = replay(trainer, owner, start, end, counted)
            done += reached - start
            if reached < end:
                return reached
        return iteration

    @classmethod
    def from_records(cls, trainer, records, budget_bytes: int = DEFAULT_BUDGET_BYTES):
        """The timeline saved with a session (`timeline_records`), `trainer` holding the
        session's state: keyframes of the fresh root and of that state (the session's saved
        keyframes are added by the caller: `session_keyframes`). Raises ValueError."""
        from ganlab.core.trainer import Trainer

        tree, current, position = read_records(records, trainer.iteration)
        timeline = cls(Trainer(tree[0].settings[0][1]), budget_bytes)
        timeline.tree, timeline.branch, timeline.position = tree, current, position
        owner = tree.owner(current, position)
        timeline.store.add(owner.id, take_keyframe(trainer, anchor=True))
        return timeline

    def summary(self, answered: int = 0, message: str | None = None) -> TimelineState:
        branches = tuple(
            BranchSummary(b.id, b.name, b.parent, b.fork, b.tip,
                          tuple(self.tree.difference(b.id)))
            for b in self.tree.branches.values())
        keyframes = sorted({it for b in self.tree.lineage(self.branch)
                            for it in self.store.iterations(b.id)})
        return TimelineState(self.branch, self.position, branches, tuple(keyframes),
                             self.store.spacing, self.store.nbytes, self.store.budget_bytes,
                             answered, message)


def replay(trainer, branch: Branch, start: int, end: int, progress=None) -> int:
    """Train `trainer` (in `branch`'s state after `start` iterations) to iteration `end` as
    `branch` was trained: its settings and its partial iterations; then leave it with the
    settings in force where it stopped and no loss sums. `progress(replayed)` is asked every
    `PROGRESS_EVERY` iterations; False stops the replay there. Returns the iteration reached."""
    for iteration in range(start, end):
        if progress is not None and iteration > start \
                and (iteration - start) % PROGRESS_EVERY == 0 \
                and progress(iteration - start) is False:
            end = iteration
            break
        config = branch.config_at(iteration)
        if config != trainer.config:
            trainer.apply_config(config)
        parts = branch.odd_steps.get(iteration, (WHOLE,))
        for index, (discriminator, generator) in enumerate(parts):
            trainer.step(discriminator=discriminator, generator=generator,
                         complete_iteration=index == len(parts) - 1)
    config = branch.config_at(end)
    if config != trainer.config:
        trainer.apply_config(config)
    trainer.read_losses()
    return end
