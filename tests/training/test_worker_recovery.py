"""The training side keeps its promises when things go wrong: a good state is restored under
the settings of the moment, a worker that fails answers what it was asked and says why, a full
command queue answers what it pushed out, and the frame callback is never called once cleared."""

from __future__ import annotations

import threading

import pytest
import torch

from ganlab.core.trainer import Trainer
from ganlab.training.file_commands import ExportSamples, FileResult, ResultQueue, SaveSession
from ganlab.training.frame_slot import FrameSlot
from ganlab.training.good_states import StateMismatch, restore_good_state, take_good_state
from ganlab.training.pending_changes import MAX_FILE_COMMANDS, PendingChanges
from ganlab.training.worker import TrainingWorker
from tests.training.conftest import small_config, wait_for


def trained(discriminator_optimizer: str, iterations: int = 5) -> Trainer:
    config = small_config()
    config.discriminator_optimizer.name = discriminator_optimizer
    trainer = Trainer(config)
    trainer.train(iterations)
    return trainer


@pytest.mark.parametrize(("before", "after"), [("adam", "sgd"), ("sgd", "adam"),
                                               ("rmsprop", "adam")])
def test_a_good_state_is_restored_under_another_optimizer(before, after):
    trainer = trained(before)
    good = take_good_state(trainer)
    weights = {k: v.clone() for k, v in trainer.discriminator.state_dict().items()}
    trainer.train(3)
    config = trainer.config.copy()
    config.discriminator_optimizer.name = after
    config.discriminator_optimizer.momentum = 0.5
    trainer.apply_config(config)
    plain = Trainer(config)  # what a plain load did: the old optimizer's state into the new
    plain.load_state_dict(good.state)
    with pytest.raises(KeyError):
        plain.step()
    assert restore_good_state(trainer, good) == ("discriminator",)
    assert trainer.iteration == 5
    for name, tensor in trainer.discriminator.state_dict().items():
        torch.testing.assert_close(tensor, weights[name])
    assert type(trainer.discriminator_optimizer).__name__.lower() == after
    trainer.train(4)  # trains on
    assert trainer.iteration == 9 and trainer.parameters_are_finite()
    group = trainer.discriminator_optimizer.param_groups[0]
    assert group["lr"] == pytest.approx(config.discriminator_optimizer.learning_rate)


def test_the_same_optimizer_gets_its_moments_back_and_the_current_rates():
    trainer = trained("adam")
    good = take_good_state(trainer)
    moments = [s["exp_avg"].clone() for s in trainer.generator_optimizer.state.values()]
    trainer.train(3)
    config = trainer.config.copy()
    config.generator_optimizer.learning_rate = 1e-4
    trainer.apply_config(config)
    assert restore_good_state(trainer, good) == ()
    restored = [s["exp_avg"] for s in trainer.generator_optimizer.state.values()]
    for old, new in zip(moments, restored, strict=True):
        torch.testing.assert_close(new, old)
    trainer.step()
    assert trainer.generator_optimizer.param_groups[0]["lr"] == pytest.approx(1e-4)


def test_a_state_of_other_shapes_is_refused_and_changes_nothing():
    trainer = trained("adam")
    good = take_good_state(trainer)
    config = trainer.config.copy()
    config.model.discriminator.width = 48
    trainer.apply_config(config)
    before = {k: v.clone() for k, v in trainer.discriminator.state_dict().items()}
    with pytest.raises(StateMismatch, match="discriminator changed shape"):
        restore_good_state(trainer, good)
    for name, tensor in trainer.discriminator.state_dict().items():
        torch.testing.assert_close(tensor, before[name])


def test_a_failing_worker_answers_its_commands_says_why_and_ends(tmp_path, monkeypatch):
    pending = PendingChanges((small_config(),))
    results = ResultQueue()
    worker = TrainingWorker(pending, FrameSlot(), results=results)
    worker.start()
    try:
        wait_for(lambda: worker.runs)

        def broken_restore(*args, **kwargs):
            raise RuntimeError("a bug in a restore")

        monkeypatch.setattr(worker.runs[0], "restore", broken_restore)
        # one take: the save runs after the restore that fails, so it was taken, not yet run
        with pending._condition:
            pending._restore = True
            pending._file_commands.append(SaveSession(str(tmp_path / "a.ganlab"), ticket=7))
            pending._news = True
            pending._condition.notify_all()
        wait_for(lambda: not worker.is_alive())
        assert worker.failure.startswith(
            "The training worker failed (RuntimeError: a bug in a restore")
        (answer,) = results.take_all()
        assert answer.command.ticket == 7 and not answer.ok
        assert "a.ganlab: not done" in answer.message
    finally:
        worker.stop(5.0)


def test_commands_pushed_out_of_a_full_queue_are_answered_as_failed(tmp_path):
    pending = PendingChanges((small_config(),))
    commands = [ExportSamples(str(tmp_path / f"{i}.npy"), count=10, ticket=i)
                for i in range(MAX_FILE_COMMANDS + 3)]
    for command in commands:
        pending.request_file_command(command)
    results = ResultQueue()
    worker = TrainingWorker(pending, FrameSlot(), results=results)
    worker.start()
    try:
        answers: list[FileResult] = []
        wait_for(lambda: answers.extend(results.take_all()) or len(answers) == len(commands))
        by_ticket = {answer.command.ticket: answer for answer in answers}
        assert sorted(by_ticket) == list(range(len(commands)))
        assert [by_ticket[i].ok for i in range(3)] == [False] * 3  # the oldest were dropped
        assert all("file commands were waiting" in by_ticket[i].message for i in range(3))
        assert all(by_ticket[i].ok for i in range(3, len(commands)))
    finally:
        assert worker.stop(5.0)


def test_no_callback_runs_once_on_publish_was_cleared():
    slot = FrameSlot()
    events: list[str] = []
    entered, release = threading.Event(), threading.Event()

    def callback():
        events.append("call started")
        entered.set()
        release.wait(10)
        events.append("call ended")

    slot.on_publish = callback
    publisher = threading.Thread(target=slot.publish, args=("frame",))
    publisher.start()
    assert entered.wait(10)

    def clear():
        slot.on_publish = None
        events.append("cleared")

    clearer = threading.Thread(target=clear)
    clearer.start()
    clearer.join(0.2)  # let it reach the setter; it must wait there for the call to end
    release.set()
    publisher.join(10)
    clearer.join(10)
    assert events == ["call started", "call ended", "cleared"]
    slot.publish("another")  # nothing is called, nothing raises
    assert events[-1] == "cleared" and slot.take() == "another"
