"""The worker keeps a timeline: seeks answer with a frame of that moment, training from the
past forks a branch with its settings' difference, switching branches restores them exactly,
and every timeline command is answered (also in compare mode, where there is no timeline)."""

from __future__ import annotations

import pytest
import torch

from ganlab.core.trainer import Trainer
from ganlab.training import messages
from ganlab.training.frame_slot import FrameSlot
from ganlab.training.pending_changes import PendingChanges, ViewRequest
from ganlab.training.timeline_desk import ONE_RUN_ONLY
from ganlab.training.worker import TrainingWorker
from tests.training.conftest import small_config, wait_for

QUIET_VIEW = ViewRequest(critic=False, target_density=False, gradients=False, metrics=False,
                         resolution=16)


@pytest.fixture
def worker():
    pending = PendingChanges((small_config(),))
    worker = TrainingWorker(pending, FrameSlot(), frame_interval_s=0.0, torch_threads=1)
    pending.send(messages.SetView(QUIET_VIEW))
    worker.start()
    yield worker
    assert worker.stop(30.0)


def frame_where(worker, condition, what):
    def check():
        frame = worker.slot.take()
        return frame if frame is not None and condition(frame) else None
    return wait_for(check, what=what)


def answered(ticket):
    return lambda frame: frame.extra.get("timeline_answer", (0, None))[0] >= ticket


def weights_after(config, iterations):
    trainer = Trainer(config)
    trainer.train(iterations)
    return [p.detach().clone() for net in (trainer.generator, trainer.discriminator)
            for p in net.parameters()]


def worker_weights(worker):
    trainer = worker.runs[0].trainer
    return [p.detach().clone() for net in (trainer.generator, trainer.discriminator)
            for p in net.parameters()]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def test_seek_fork_and_switch_back(worker):
    worker.pending.send(messages.Step(70))
    frame = frame_where(worker, lambda f: f.iteration == 70, "70 iterations")
    state = frame.extra["timeline"]
    assert (state.branch, state.position, state.tip, state.start) == (0, 70, 70, 0)
    assert state.keyframes == (0, 64)  # keyframes.FIRST_SPACING
    worker.pending.send(messages.Seek(ticket=1, branch=0, iteration=7))
    frame = frame_where(worker, answered(1), "the seek's answer")
    assert frame.iteration == 7 and frame.extra["timeline"].position == 7
    assert frame.runs[0].snapshot.discriminator_loss is None  # nothing trained since
    assert same(worker_weights(worker), weights_after(small_config(), 7))
    # a changed setting and a step from the past: a new branch, its difference named
    changed = small_config()
    changed.training.critic_steps = 2
    worker.pending.send(messages.SetConfigs((changed,)))
    worker.pending.send(messages.Step(3))
    frame = frame_where(worker, lambda f: f.iteration == 10, "the branch's 3 iterations")
    state = frame.extra["timeline"]
    branch = state.branches[1]
    assert (state.branch, branch.parent, branch.fork, branch.tip) == (1, 0, 7, 10)
    assert branch.difference == ("training.critic_steps: 1 → 2",)
    assert state.branches[0].tip == 70
    worker.pending.send(messages.RenameBranch(ticket=2, branch=1, name="  k = 2  "))
    worker.pending.send(messages.Seek(ticket=3, branch=0, iteration=10**6))
    frame = frame_where(worker, answered(3), "the switch back")
    state = frame.extra["timeline"]
    assert state.branches[1].name == "k = 2" and (state.branch, frame.iteration) == (0, 70)
    assert frame.runs[0].config.training.critic_steps == 1  # main's settings are back
    assert same(worker_weights(worker), weights_after(small_config(), 70))


def test_commands_are_answered_in_compare_mode(worker):
    worker.pending.send(messages.SetConfigs((small_config(), small_config())))
    worker.pending.send(messages.Step(2))
    worker.pending.send(messages.Seek(ticket=5, branch=0, iteration=1))
    frame = frame_where(worker, answered(5), "an answer")
    assert frame.extra["timeline"] is None
    assert frame.extra["timeline_answer"] == (5, ONE_RUN_ONLY)


def test_a_newer_seek_replaces_a_waiting_one():
    pending = PendingChanges((small_config(),))
    for ticket in (1, 2, 3):
        pending.send(messages.Seek(ticket=ticket, iteration=ticket))
    pending.send(messages.RenameBranch(ticket=4, name="x"))
    pending.send(messages.Seek(ticket=5, iteration=5))
    assert [c.ticket for c in pending.take().timeline] == [3, 4, 5]
    assert pending.take().timeline == ()


def test_a_saved_session_brings_its_branches_back(worker, tmp_path):
    from ganlab.training.file_commands import OpenSession, SaveSession

    worker.pending.send(messages.Step(12))
    frame_where(worker, lambda f: f.iteration == 12, "12 iterations")
    worker.pending.send(messages.Seek(ticket=1, branch=0, iteration=5))
    worker.pending.send(messages.Step(3))
    frame_where(worker, lambda f: f.iteration == 8, "a branch")
    path = str(tmp_path / "run.ganlab")
    worker.pending.send(messages.RunFileCommand(SaveSession(path, ticket=2)))
    wait_for(lambda: worker.results.take_all(), what="the save")
    worker.pending.send(messages.Reset())  # the session's timeline must come from the file
    worker.pending.send(messages.Step(2))
    frame_where(worker, lambda f: f.iteration == 2, "a fresh run")
    worker.pending.send(messages.RunFileCommand(OpenSession(path, ticket=3)))
    [opened] = wait_for(lambda: worker.results.take_all(), what="the open")
    assert opened.ok, opened.message
    frame = frame_where(worker, lambda f: f.extra["timeline"] is not None, "its timeline")
    # the fresh root (0), the session's state (8) and the branch's first state, saved (5)
    assert frame.extra["timeline"].keyframes == (0, 5, 8)
    assert frame.extra["timeline_answer"][1].endswith("2 branches, 1 saved keyframe")
    worker.pending.send(messages.Seek(ticket=4, branch=0, iteration=12))
    frame = frame_where(worker, answered(4), "main's tip")
    state = frame.extra["timeline"]
    assert [(b.id, b.fork, b.tip) for b in state.branches] == [(0, 0, 12), (1, 5, 8)]
    assert frame.iteration == 12 and same(worker_weights(worker),
                                          weights_after(small_config(), 12))
