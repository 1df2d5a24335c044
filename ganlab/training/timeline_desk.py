"""The worker's side of the timeline: keeps a `Timeline` of the run while it trains, and
carries out the GUI's timeline commands (seek, rename, budget) between steps.

The timeline covers one run: in compare mode (two runs in lockstep) there is none, and its
commands are answered with that reason. It starts, with a keyframe, at the first step after
each restart (reset, rebuild, session opened). Every command is answered: the timeline state
sent with each frame carries `answered`, the highest ticket taken, and the last message.
Worker thread only.
"""

from __future__ import annotations

import dataclasses
import logging

from ganlab.core.branches import TreeFull
from ganlab.core.keyframes import DEFAULT_BUDGET_BYTES
from ganlab.core.timeline import Timeline
from ganlab.core.timeline_records import timeline_records
from ganlab.core.timeline_state import TimelineState
from ganlab.training.file_commands import SaveSession
from ganlab.training.messages import RenameBranch, SaveAllBranches, Seek, SetKeyframeBudget

log = logging.getLogger(__name__)

MIN_BUDGET_BYTES = 2**20
MAX_NAME_CHARS = 40
ONE_RUN_ONLY = "the timeline follows one run: it is off in compare mode"


class TimelineDesk:
    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES):
        self.budget_bytes = budget_bytes
        self.timeline: Timeline | None = None
        self.answered = 0
        self.message: str | None = None
        self._failed = False  # the tree is full: training goes on without new branches
        self.all_branches = True  # saved sessions carry every branch (else the current one)

    # ------------------------------------------------------------------ recording
    def before_step(self, lockstep) -> None:
        if len(lockstep.runs) != 1 or self._failed:
            return
        trainer = lockstep.runs[0].trainer
        if self.timeline is None:
            self.timeline = Timeline(trainer, self.budget_bytes)
            return
        try:
            branch = self.timeline.before_step(trainer)
        except TreeFull as error:  # train on, unrecorded, rather than stop the user
            self.message = f"{error}; training goes on without a timeline"
            self.timeline, self._failed = None, True
            return
        if branch is not None:
            self.message = f"started {branch.name} at iteration {branch.fork:,}"

    def stepped(self, lockstep, step) -> None:
        if self.timeline is not None and len(lockstep.runs) == 1:
            self.timeline.stepped(lockstep.runs[0].trainer, step.discriminator, step.generator,
                                  step.completes_iteration)

    def settings_changed(self, lockstep) -> None:
        if self.timeline is not None and len(lockstep.runs) == 1:
            self.timeline.settings_changed(lockstep.runs[0].trainer)

    def jumped(self, lockstep) -> None:
        """The runs went back to a last good state: the next step forks from there."""
        if self.timeline is not None and len(lockstep.runs) == 1:
            self.timeline.jumped(lockstep.runs[0].trainer)

    def restarted(self) -> None:
        self.timeline, self._failed = None, False

    # ------------------------------------------------------------------ sessions
    def with_records(self, command):
        """`command`, and a SaveSession of run A with the timeline's records in its extra."""
        if not isinstance(command, SaveSession) or command.run != 0 or self.timeline is None:
            return command
        records = timeline_records(self.timeline, self.all_branches)
        if records is None:
            return command
        return dataclasses.replace(command, extra={**command.extra, "timeline": records})

    def adopt(self, trainer, extra: dict) -> None:
        """An opened session's timeline, if it has one (a damaged one is left out, said)."""
        records = extra.get("timeline") if isinstance(extra, dict) else None
        if records is None:
            return
        try:
            self.timeline = Timeline.from_records(trainer, records, self.budget_bytes)
            self.message = f"the session's timeline: {len(self.timeline.tree.branches)} branches"
        except Exception as error:  # untrusted: the session opens, its timeline does not
            log.warning("the session's timeline was not restored: %s", error)
            self.message = f"the session's timeline was not restored: {error}"

    # ------------------------------------------------------------------ commands
    def handle(self, commands, lockstep) -> bool:
        """Carry out `commands` in order; True if the trainer moved (a frame is due)."""
        moved = False
        for command in commands:
            self.answered = max(self.answered, command.ticket)
            try:
                moved = self._handle(command, lockstep) or moved
            except Exception as error:  # a bad request must not end the worker
                log.exception("timeline command failed")
                self.message = f"the timeline could not do that: {error}"
        return moved

    def _handle(self, command, lockstep) -> bool:
        if isinstance(command, SetKeyframeBudget):
            self.budget_bytes = max(MIN_BUDGET_BYTES, int(command.budget_bytes))
            if self.timeline is not None:
                self.timeline.store.set_budget(self.budget_bytes)
            self.message = f"keyframe budget {self.budget_bytes / 2**20:,.0f} MB"
            return False
        if isinstance(command, SaveAllBranches):
            self.all_branches = bool(command.all_branches)
            self.message = "saves keep " + ("every branch" if self.all_branches
                                            else "the current branch only")
            return False
        if self.timeline is None or len(lockstep.runs) != 1:
            self.message = ONE_RUN_ONLY if len(lockstep.runs) > 1 else "nothing trained yet"
            return False
        if isinstance(command, RenameBranch):
            branch = self.timeline.tree.branches.get(command.branch)
            name = " ".join(str(command.name).split())[:MAX_NAME_CHARS]
            if branch is None or not name:
                self.message = "no such branch, or an empty name"
                return False
            branch.name, self.message = name, None
            return True
        if isinstance(command, Seek):
            if command.branch not in self.timeline.tree.branches:
                self.message = f"no branch {command.branch}"
                return False
            trainer = lockstep.runs[0].trainer
            self.timeline.seek(trainer, command.branch, command.iteration)
            lockstep.runs[0].good_states.clear()  # they belong to another moment
            self.message = None
            return True
        self.message = f"unknown timeline command {type(command).__name__}"
        return False

    def state(self) -> TimelineState | None:
        """The timeline for the next frame (None when there is none)."""
        if self.timeline is None:
            return None
        return self.timeline.summary(self.answered, self.message)

    def frame_extra(self) -> dict:
        """For `Frame.extra`: the timeline (or None) and the answer to the last command."""
        return {"timeline": self.state(), "timeline_answer": (self.answered, self.message)}

