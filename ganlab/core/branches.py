"""The branch tree of a run (Qt-free, no tensors): what happened on each line of training.

A branch starts at `fork` (an iteration of its parent; the root starts where the run started)
and reaches `tip`. It records everything a replay needs besides a keyframe:
- `settings`: (iteration, configuration) at each change of settings, the first at `fork`; the
  configuration in force for the step from iteration i to i + 1 is the last one recorded at an
  iteration ≤ i;
- `odd_steps`: {iteration: parts} for each iteration that was not one whole step (the GUI's
  "step D only" / "step G only"): parts = ((discriminator, generator), ...), the calls of
  `Trainer.step` it took, the last one completing the iteration; a whole one is (True, True).
`difference()` names the settings a branch changed from its parent at the fork, "key: old → new".
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ganlab.core.config import RunConfig
from ganlab.core.config_changes import changed_fields

MAX_BRANCHES = 32  # a bounded tree: forking more asks the user to delete one first
MAX_ODD_STEPS = 10_000  # partial iterations remembered per branch
WHOLE = (True, True)


class TreeFull(ValueError):
    """No room for another branch."""


@dataclass
class Branch:
    id: int
    name: str
    parent: int | None
    fork: int  # the iteration it starts from
    tip: int  # the last iteration trained on it
    settings: list[tuple[int, RunConfig]] = field(default_factory=list)
    odd_steps: dict[int, tuple] = field(default_factory=dict)

    def config_at(self, iteration: int) -> RunConfig:
        """The settings in force for the step from `iteration` to `iteration + 1`."""
        index = bisect.bisect_right([it for it, _ in self.settings], iteration)
        return self.settings[max(index - 1, 0)][1]

    def record_settings(self, iteration: int, config: RunConfig) -> None:
        """Settings changed at `iteration` (a later change at the same iteration wins)."""
        if self.settings and self.settings[-1][0] == iteration:
            self.settings[-1] = (iteration, config.copy())
        elif not self.settings or self.settings[-1][1] != config:
            self.settings.append((iteration, config.copy()))

    def record_step(self, iteration: int, kind: tuple) -> None:
        """The step from `iteration` to `iteration + 1` was `kind`: WHOLE, or its parts."""
        self.tip = iteration + 1
        if kind != WHOLE and len(self.odd_steps) < MAX_ODD_STEPS:
            self.odd_steps[iteration] = kind


class BranchTree:
    """Branches by id; the root has id 0."""

    def __init__(self, config: RunConfig, start: int = 0):
        self.branches: dict[int, Branch] = {}
        self._next_id = 0
        self.add(None, start, config, name="main")

    def add(self, parent: int | None, fork: int, config: RunConfig,
            name: str | None = None) -> Branch:
        if len(self.branches) >= MAX_BRANCHES:
            raise TreeFull(f"the timeline holds at most {MAX_BRANCHES} branches")
        branch_id = self._next_id
        self._next_id += 1
        branch = Branch(branch_id, name or f"branch {branch_id}", parent, fork, fork)
        branch.record_settings(fork, config)
        self.branches[branch_id] = branch
        return branch

    def __getitem__(self, branch_id: int) -> Branch:
        return self.branches[branch_id]

    def lineage(self, branch_id: int) -> list[Branch]:
        """The branch and its ancestors, the branch first."""
        chain = []
        current: int | None = branch_id
        while current is not None:
            chain.append(self.branches[current])
            current = self.branches[current].parent
        return chain

    def owner(self, branch_id: int, iteration: int) -> Branch:
        """The branch of the lineage whose own stretch holds `iteration` (≥ its fork)."""
        for branch in self.lineage(branch_id):
            if iteration >= branch.fork or branch.parent is None:
                return branch
        raise AssertionError("unreachable: the root has no parent")

    def difference(self, branch_id: int) -> list[str]:
        """The settings this branch changed from its parent at the fork, "key: old → new"."""
        branch = self.branches[branch_id]
        if branch.parent is None:
            return []
        before = self.branches[branch.parent].config_at(branch.fork).to_dict()
        after = branch.settings[0][1].to_dict()
        return [f"{name}: {_lookup(before, name)} → {_lookup(after, name)}"
                for name in changed_fields(before, after)]

    def children(self, branch_id: int) -> list[Branch]:
        return [b for b in self.branches.values() if b.parent == branch_id]


def _lookup(settings: dict, dotted: str):
    value = settings
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value
