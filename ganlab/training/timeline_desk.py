"""The worker's side of the timeline: keeps a `Timeline` of the run while it trains, and
carries out the GUI's timeline commands (seek, rename, budget, compare two branches) between
steps.

The timeline covers one run, or two branches side by side (`branch_compare.py`); in compare
mode with runs of their own settings there is none, and its commands are answered with that
reason. It starts, with a keyframe, at the first step after each restart (reset, rebuild,
session opened). Every command is answered: the timeline state sent with each frame carries
`answered`, the highest ticket taken, and the last message. A seek that replays for longer than
`PROGRESS_INTERVAL_S` publishes frames with `seek_progress` = (replayed, total) through
`report`, and gives way (stops where it is) as soon as `interrupted()` — a new timeline command,
such as `CancelSeek`, or a stop. Saved sessions carry the records and a bounded set of
keyframes (`session_keyframes.py`). Worker thread only.
"""

from __future__ import annotations

import dataclasses
import logging
import time

from ganlab.core.branches import TreeFull
from ganlab.core.keyframes import DEFAULT_BUDGET_BYTES
from ganlab.core.session_keyframes import (
    AUTOSAVE_KEYFRAME_BYTES,
    SAVED_KEYFRAME_BYTES,
    keyframe_members,
    read_keyframes,
)
from ganlab.core.timeline import Timeline
from ganlab.core.timeline_records import timeline_records
from ganlab.core.timeline_state import TimelineState
from ganlab.training.branch_compare import BranchCompare
from ganlab.training.file_commands import SaveSession
from ganlab.training.messages import (
    CancelSeek,
    CompareBranches,
    RenameBranch,
    SaveAllBranches,
    Seek,
    SetKeyframeBudget,
)

log = logging.getLogger(__name__)

MIN_BUDGET_BYTES = 2**20
MAX_NAME_CHARS = 40
ONE_RUN_ONLY = "the timeline follows one run: it is off in compare mode"
PROGRESS_INTERVAL_S = 0.25  # a seek replaying longer than this shows its progress


class TimelineDesk:
    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES, report=None,
                 interrupted=None):
        """`report()` publishes a frame now (a long seek's progress); `interrupted()` says
        whether a long seek must give way."""
        self.budget_bytes = budget_bytes
        self.timeline: Timeline | None = None
        self.answered = 0
        self.message: str | None = None
        self._failed = False  # the tree is full: training goes on without new branches
        self.all_branches = True  # saved sessions carry every branch (else the current one)
        self.compare: BranchCompare | None = None  # two branches side by side
        self.report = report or (lambda: None)
        self.interrupted = interrupted or (lambda: False)
        self.progress_interval_s = PROGRESS_INTERVAL_S
        self.seek_progress: tuple[int, int] | None = None  # (replayed, total) while seeking

    # ------------------------------------------------------------------ recording
    def before_step(self, lockstep) -> None:
        if self.compare is not None and self.timeline is not None:
            try:
                forked = self.compare.before_step(self.timeline, lockstep)
            except TreeFull as error:
                self.message = f"{error}; training goes on without a timeline"
                self.timeline, self.compare, self._failed = None, None, True
                return
            for branch in forked:
                self.message = f"started {branch.name} at iteration {branch.fork:,}"
            return
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
        if self.timeline is not None and self.compare is not None:
            self.timeline.record(self.compare.pairs(lockstep), step.discriminator,
                                 step.generator, step.completes_iteration)
        elif self.timeline is not None and len(lockstep.runs) == 1:
            self.timeline.stepped(lockstep.runs[0].trainer, step.discriminator, step.generator,
                                  step.completes_iteration)

    def settings_changed(self, lockstep) -> None:
        if self.timeline is not None and self.compare is not None:
            self.compare.settings_changed(self.timeline, lockstep)
        elif self.timeline is not None and len(lockstep.runs) == 1:
            self.timeline.settings_changed(lockstep.runs[0].trainer)

    def jumped(self, lockstep) -> None:
        """The runs went back to a last good state: the next step forks from there."""
        if self.timeline is not None and (len(lockstep.runs) == 1 or self.compare):
            self.timeline.jumped(lockstep.runs[0].trainer)  # (compare: forks per run)

    def restarted(self) -> None:
        self.timeline, self._failed, self.compare = None, False, None

    def leave_compare(self, lockstep, configs) -> bool:
        """Before one configuration is applied: a side-by-side compare of branches ends with
        run A back on the timeline (True), instead of a fresh run."""
        if self.compare is None or len(configs) != 1 or self.timeline is None:
            return False
        self.compare.leave(self.timeline, lockstep)
        self.compare = None
        self.message = f"back to the timeline on {self.timeline.current.name}"
        return True

    # ------------------------------------------------------------------ sessions
    def with_records(self, command):
        """`command`, and a SaveSession of run A with the timeline's records in its extra."""
        if not isinstance(command, SaveSession) or command.run != 0 or self.timeline is None:
            return command
        records = timeline_records(self.timeline, self.all_branches)
        if records is None:
            return command
        try:
            bound = SAVED_KEYFRAME_BYTES if command.autosave is None else AUTOSAVE_KEYFRAME_BYTES
            members, records["keyframes"] = keyframe_members(self.timeline, self.all_branches,
                                                             bound)
        except Exception as error:  # the session is still saved, with its records
            log.warning("the timeline's keyframes were not saved: %s", error)
            members = {}
        return dataclasses.replace(command, extra={**command.extra, "timeline": records},
                                   members={**command.members, **members})

    def adopt(self, trainer, extra: dict, path=None) -> None:
        """An opened session's timeline, if it has one, with its saved keyframes (damaged
        ones are left out, said)."""
        records = extra.get("timeline") if isinstance(extra, dict) else None
        if records is None:
            return
        try:
            self.timeline = Timeline.from_records(trainer, records, self.budget_bytes)
            self.message = f"the session's timeline: {len(self.timeline.tree.branches)} branches"
        except Exception as error:  # untrusted: the session opens, its timeline does not
            log.warning("the session's timeline was not restored: %s", error)
            self.message = f"the session's timeline was not restored: {error}"
            return
        try:
            found, bad = read_keyframes(path, records.get("keyframes"), self.timeline.tree,
                                        trainer) if path is not None else ([], 0)
        except Exception as error:  # untrusted: far seeks replay from the start instead
            found, bad = [], 1
            log.warning("the session's keyframes were not read: %s", error)
        for branch, keyframe in found:
            self.timeline.store.add(branch, keyframe)
        self.message += f", {len(found)} saved keyframe" + ("" if len(found) == 1 else "s")
        if bad:
            self.message += f" ({bad} damaged, left out: seeks replay further)"

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
        if isinstance(command, CancelSeek):  # the seek it stopped said where it stopped
            return False
        if self.timeline is None or len(lockstep.runs) != 1:
            self.message = ONE_RUN_ONLY if len(lockstep.runs) > 1 else "nothing trained yet"
            return False
        if isinstance(command, CompareBranches):
            return self._compare(command.branch, lockstep)
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
            self.message = None
            self.timeline.seek(trainer, command.branch, command.iteration, self._progress())
            lockstep.runs[0].good_states.clear()  # they belong to another moment
            self.seek_progress = None
            return True
        self.message = f"unknown timeline command {type(command).__name__}"
        return False

    def _compare(self, branch: int, lockstep) -> bool:
        if branch not in self.timeline.tree.branches or branch == self.timeline.branch:
            self.message = "choose another branch to compare with"
            return False
        self.message = None
        self.compare = BranchCompare.start(self.timeline, lockstep, branch, self._progress())
        self.seek_progress = None
        if self.compare is not None:
            names = [self.timeline.tree[b].name for b in self.compare.branches]
            self.message = f"comparing {names[0]} (run A) with {names[1]} (run B)"
        return True

    def _progress(self):
        """A seek's progress callback: publishes (replayed, total) at most every
        `progress_interval_s`, and stops the replay when the GUI asks for something else."""
        started = last = time.perf_counter()

        def progress(done: int, total: int) -> bool:
            nonlocal last
            if self.interrupted():
                self.message = f"the replay stopped after {done:,} of {total:,} iterations"
                return False
            now = time.perf_counter()
            if now - started >= self.progress_interval_s and \
                    now - last >= self.progress_interval_s:
                last, self.seek_progress = now, (done, total)
                self.report()
            return True
        return progress

    def state(self) -> TimelineState | None:
        """The timeline for the next frame (None when there is none)."""
        if self.timeline is None:
            return None
        return self.timeline.summary(self.answered, self.message)

    def frame_extra(self) -> dict:
        """For `Frame.extra`: the timeline (or None) and the answer to the last command."""
        return {"timeline": self.state(), "timeline_answer": (self.answered, self.message),
                "seek_progress": self.seek_progress,
                "branch_compare": tuple(self.compare.branches) if self.compare else None}

