"""Two branches side by side in the worker (each run trains and records its own branch, and
leaving compare mode returns to the timeline), and a long seek's progress and its stop."""

from __future__ import annotations

from ganlab.core.timeline import PROGRESS_EVERY, Timeline
from ganlab.core.trainer import Trainer
from ganlab.training import messages
from ganlab.training.lockstep import LockstepRuns
from ganlab.training.timeline_desk import TimelineDesk
from tests.training.conftest import small_config
from tests.training.test_timeline_worker import (  # noqa: F401 (the worker fixture)
    answered,
    frame_where,
    same,
    worker,
)


def net_weights(trainer):
    return [p.detach().clone() for net in (trainer.generator, trainer.discriminator)
            for p in net.parameters()]


def test_two_branches_train_side_by_side_and_come_back(worker):  # noqa: F811
    worker.pending.send(messages.Step(20))
    frame_where(worker, lambda f: f.iteration == 20, "20 iterations")
    worker.pending.send(messages.Seek(ticket=1, branch=0, iteration=7))
    frame_where(worker, answered(1), "the seek")
    changed = small_config()
    changed.training.critic_steps = 2
    worker.pending.send(messages.SetConfigs((changed,)))
    worker.pending.send(messages.Step(3))  # branch 1: 7 → 10, k = 2
    frame_where(worker, lambda f: f.iteration == 10, "the branch")
    worker.pending.send(messages.Seek(ticket=2, branch=0, iteration=10**6))
    frame_where(worker, answered(2), "main's tip")
    worker.pending.send(messages.CompareBranches(ticket=3, branch=1))
    frame = frame_where(worker, answered(3), "the compare")
    assert frame.extra["branch_compare"] == (0, 1)
    assert [run.snapshot.iteration for run in frame.runs] == [20, 10]
    assert [run.config.training.critic_steps for run in frame.runs] == [1, 2]
    worker.pending.send(messages.Step(2))  # both train on, each on its own branch
    frame = frame_where(worker, lambda f: [r.snapshot.iteration for r in f.runs] == [22, 12],
                        "two more iterations each")
    state = frame.extra["timeline"]
    assert [(b.id, b.fork, b.tip) for b in state.branches] == [(0, 0, 22), (1, 7, 12)]
    reference = Trainer(small_config())
    reference.train(7)
    reference.apply_config(changed)
    reference.train(5)
    assert same(net_weights(worker.runs[1].trainer), net_weights(reference))
    worker.pending.send(messages.Seek(ticket=4, branch=0, iteration=3))  # off while comparing
    frame = frame_where(worker, answered(4), "an answer")
    assert len(frame.runs) == 2 and frame.extra["timeline_answer"][1].startswith("the timel")
    worker.pending.send(messages.SetConfigs((small_config(),)))  # compare mode ends
    frame = frame_where(worker, lambda f: len(f.runs) == 1, "one run again")
    state = frame.extra["timeline"]
    assert frame.extra["branch_compare"] is None and frame.iteration == 22
    assert (state.branch, state.position, state.tip) == (0, 22, 22)
    reference = Trainer(small_config())
    reference.train(22)
    assert same(net_weights(worker.runs[0].trainer), net_weights(reference))


def test_a_long_seek_publishes_its_progress_and_gives_way():
    lockstep = LockstepRuns(display_samples=16)
    trainer = Trainer(small_config())
    lockstep.adopt(trainer)
    reports, asked = [], []
    desk = TimelineDesk(report=lambda: reports.append(desk.frame_extra()["seek_progress"]),
                        interrupted=lambda: len(asked) > 0)
    desk.progress_interval_s = 0.0
    desk.timeline = Timeline(trainer, first_spacing=1024)
    for _ in range(100):
        desk.before_step(lockstep)
        trainer.step()
        desk.timeline.stepped(trainer, True, True, True)
    desk.handle([messages.Seek(ticket=1, branch=0, iteration=99)], lockstep)
    assert reports == [(k * PROGRESS_EVERY, 99) for k in (1, 2, 3)]
    assert trainer.iteration == 99 and desk.frame_extra()["seek_progress"] is None
    reports.clear()
    asked.append("a newer command")  # from the first progress call on
    desk.handle([messages.Seek(ticket=2, branch=0, iteration=90)], lockstep)
    assert reports == [] and trainer.iteration == PROGRESS_EVERY
    assert desk.frame_extra()["timeline_answer"] == (
        2, f"the replay stopped after {PROGRESS_EVERY} of 90 iterations")
    assert desk.timeline.position == PROGRESS_EVERY
    desk.handle([messages.CancelSeek(ticket=3)], lockstep)  # what stopped it: nothing more
    assert desk.frame_extra()["timeline_answer"][0] == 3 and trainer.iteration == PROGRESS_EVERY
    reference = Trainer(small_config())
    reference.train(PROGRESS_EVERY)
    assert same(net_weights(trainer), net_weights(reference))
