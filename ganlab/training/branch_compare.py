"""Two branches of the timeline side by side in compare mode (worker thread).

`start` turns the one run into two in lockstep: run A keeps the trainer as it is (the branch
shown, at the iteration shown), run B is a new trainer put into the other branch's state at its
tip by an exact seek. The epoch does not change (the window keeps both branches' chart lines).
While they train, each run records onto its own branch (`Timeline.record`); a run away from its
branch's tip (after a restore of the last good state) first forks a new branch there. `leave`
keeps run A and hands the timeline back to it.
"""

from __future__ import annotations

from ganlab.core.timeline import Timeline
from ganlab.core.trainer import Trainer
from ganlab.core.vae_trainer import make_trainer
from ganlab.training.run import Run


class BranchCompare:
    """The branch each run of a side-by-side compare trains: `branches[i]` for run i."""

    def __init__(self, branches: list[int]):
        self.branches = branches

    @classmethod
    def start(cls, timeline: Timeline, lockstep, other: int, progress=None):
        """Run B = branch `other` at its tip beside run A; None if the seek was stopped."""
        branch = timeline.tree[other]
        trainer = make_trainer(branch.config_at(branch.tip))  # a VAE branch too
        shown, position = timeline.branch, timeline.position
        reached = timeline.seek(trainer, other, branch.tip, progress)
        timeline.branch, timeline.position = shown, position
        if reached != branch.tip:
            return None
        run_a = lockstep.runs[0]
        run_a.good_states.clear()
        lockstep.runs = [run_a, Run(trainer.config, lockstep.display_samples, trainer)]
        return cls([shown, other])

    def pairs(self, lockstep) -> list[tuple[int, Trainer]]:
        return list(zip(self.branches, lockstep.trainers, strict=True))

    def before_step(self, timeline: Timeline, lockstep) -> list:
        """Fork where a run is away from its branch's tip; the new branches."""
        forked = []
        for index, (branch_id, trainer) in enumerate(self.pairs(lockstep)):
            branch = timeline.fork_if_away(branch_id, trainer)
            if branch is not None:
                self.branches[index] = branch.id
                forked.append(branch)
        timeline.branch = self.branches[0]
        return forked

    def settings_changed(self, timeline: Timeline, lockstep) -> None:
        for branch_id, trainer in self.pairs(lockstep):
            branch = timeline.tree[branch_id]
            if trainer.iteration == branch.tip:
                branch.record_settings(trainer.iteration, trainer.config)

    def leave(self, timeline: Timeline, lockstep) -> None:
        """Back to one run: run A, on its branch, where it is."""
        lockstep.runs = lockstep.runs[:1]
        trainer = lockstep.runs[0].trainer
        timeline.branch, timeline.position = self.branches[0], trainer.iteration
        timeline.jumped(trainer)
