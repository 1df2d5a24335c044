"""Training that fails comes back: a NaN is restored under changed settings, a worker that
fails is replaced from the window, and every file command gets an answer meanwhile. All in the
app's own set-up: training in a child process."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ganlab.core.session_file import load_session
from ganlab.training.file_commands import ExportSamples
from ganlab.training.messages import SetView


def results_of(window) -> list:
    results = []
    window.session.file_command_finished.connect(results.append)
    return results


def edit_config(window, change) -> None:
    """What the settings panel does when the user edits run A."""
    config = window.session.configs[0]
    change(config)
    window.control_panels[0].config_edited.emit(config)


@pytest.mark.slow
@pytest.mark.parametrize(("before", "after", "rate"), [("sgd", "adam", 1.0),
                                                       ("adam", "sgd", 5.0)])
def test_restore_after_a_nan_under_another_optimizer_trains_on_and_saves(
        process_window, qtbot, tmp_path, before, after, rate):
    """The issue's sequence: both networks blow up (SGD), the discriminator's optimizer is
    changed while paused, "restore last good state", Space: training goes on, Ctrl+S saves."""
    window = process_window
    results = results_of(window)

    def blow_up(config):
        config.generator_optimizer.name = "sgd"
        config.discriminator_optimizer.name = before
        config.generator_optimizer.learning_rate = rate
        config.discriminator_optimizer.learning_rate = rate
        # Adam's β as the app has them: with the headless recipe's β = (0, 0.99) an Adam D at
        # rate 5 no longer takes SGD's G with it into NaN
        config.discriminator_optimizer.beta1, config.discriminator_optimizer.beta2 = 0.5, 0.999

    edit_config(window, blow_up)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=30_000)
    assert "blew up" in window.banner.title.text() and not window.session.running
    assert window.banner.restore_button.isEnabled()
    edit_config(window, lambda config: setattr(config.discriminator_optimizer, "name", after))
    qtbot.mouseClick(window.banner.restore_button, Qt.MouseButton.LeftButton)
    rates = window.session.configs[0].discriminator_optimizer.learning_rate
    assert rates == pytest.approx(rate / 10)
    restored = window.session.last_frame.sequence
    qtbot.waitUntil(lambda: window.session.last_frame.sequence > restored
                    and window.session.last_frame.failure is None, timeout=15_000)
    start = window.session.last_frame.iteration
    window.play_action.trigger()  # Space
    qtbot.waitUntil(lambda: window.session.last_frame.iteration > start + 20, timeout=30_000)
    window.play_action.trigger()
    assert window.session.stopped_reason is None and not window.banner.isVisible()
    window.file_actions.path = str(tmp_path / "after-restore.ganlab")
    window.file_actions.save_action.trigger()  # Ctrl+S
    qtbot.waitUntil(lambda: bool(results), timeout=15_000)
    assert results[0].ok, results[0].message
    session = load_session(tmp_path / "after-restore.ganlab")
    assert session.trainer.config.discriminator_optimizer.name == after
    assert session.trainer.iteration > start + 20
    assert session.trainer.parameters_are_finite()


@pytest.mark.slow
def test_a_failed_worker_answers_every_command_and_reset_starts_a_new_one(
        process_window, qtbot, tmp_path):
    window = process_window
    session = window.session
    results = results_of(window)
    control = window.autosave_control
    window.session.step(5)
    qtbot.waitUntil(lambda: session.last_frame.iteration == 5, timeout=15_000)
    old = session.worker
    # a request the worker cannot handle: it fails in its loop (any bug would do the same)
    session.pending.send(SetView("not a view request"))
    control.save_now()  # an autosave in flight when it fails
    window.file_actions.save_to(str(tmp_path / "during.ganlab"))
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=30_000)
    assert window.banner.title.text() == "<b>Training stopped</b>"
    assert "The training worker failed (AttributeError" in window.banner.message.text()
    assert window.banner.restart_button.isVisible() and not session.running
    qtbot.waitUntil(lambda: len(results) == 2, timeout=15_000)  # both got an answer
    assert not control._saving  # autosave goes on after this
    # the save is answered exactly once, either way the race goes: if the worker took it in the
    # same pass as the bad request, file commands run before the frame that fails and it is
    # saved; if it came after, it is "not done", by name
    saved = tmp_path / "during.ganlab"
    if results[1].ok:
        assert load_session(saved).trainer.iteration == 5
    else:
        assert "during.ganlab: not done" in results[1].message and not saved.exists()
    window.file_actions.save_action.trigger()  # Ctrl+S while stopped: answered at once, by name
    assert len(results) == 3 and not results[2].ok and "during.ganlab" in results[2].message
    assert "restart" in results[2].message
    frames = session.frames_received
    window.reset_action.trigger()  # R: a new worker with the same settings
    assert session.worker is not old and session.stopped_reason is None
    assert not window.banner.isVisible()
    qtbot.waitUntil(lambda: session.frames_received > frames and not old.is_alive(),
                    timeout=60_000)
    assert session.last_frame.iteration == 0
    session.step(3)
    qtbot.waitUntil(lambda: session.last_frame.iteration == 3, timeout=15_000)
    window.file_actions.save_action.trigger()
    qtbot.waitUntil(lambda: len(results) == 4, timeout=15_000)
    assert results[3].ok, results[3].message
    assert load_session(tmp_path / "during.ganlab").trainer.iteration == 3


def test_file_commands_beyond_the_limit_are_answered_as_refused(process_window, qtbot,
                                                                tmp_path):
    from ganlab.app.session import MAX_UNANSWERED

    results = results_of(process_window)
    count = MAX_UNANSWERED + 2
    for index in range(count):
        process_window.session.request_file_command(ExportSamples(str(tmp_path / f"{index}.npy"),
                                                                  count=10))
    qtbot.waitUntil(lambda: len(results) == count, timeout=30_000)
    refused = [r for r in results if not r.ok]
    assert [r.ok for r in results if r.ok] == [True] * MAX_UNANSWERED
    assert len(refused) == 2 and all("still waiting" in r.message for r in refused)
    assert {r.command.path for r in refused} == {str(tmp_path / f"{i}.npy")
                                                 for i in range(MAX_UNANSWERED, count)}
    assert len({r.command.ticket for r in results}) == count
