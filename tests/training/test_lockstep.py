"""Compare mode's lockstep, without a thread: every run takes every step, and whatever
restarts one run restarts all (new epoch); a target change counts a target epoch."""

from __future__ import annotations

from ganlab.training import step as steps
from ganlab.training.lockstep import LockstepRuns
from tests.training.conftest import small_config


def two_runs() -> LockstepRuns:
    runs = LockstepRuns(display_samples=32)
    outcome = runs.apply_configs((small_config("ring8"), small_config("grid25")))
    assert outcome.restarted and outcome.error is None
    return runs


def iterations(runs: LockstepRuns) -> list[int]:
    return [trainer.iteration for trainer in runs.trainers]


def test_every_run_takes_every_step_and_a_half_step_is_no_iteration():
    runs = two_runs()
    assert (runs.epoch, runs.target_epoch) == (1, 1)
    runs.step(steps.BOTH)
    runs.step(steps.DISCRIMINATOR_HALF)
    assert iterations(runs) == [1, 1]
    runs.step(steps.GENERATOR)
    assert iterations(runs) == [2, 2]


def test_rebuilding_one_run_restarts_both():
    runs = two_runs()
    for _ in range(3):
        runs.step(steps.BOTH)
    for run in runs.runs:
        run.checkpoint()
    assert runs.can_restore
    wider = small_config("grid25")
    wider.model.generator.width = 48
    outcome = runs.apply_configs((small_config("ring8"), wider.validate()))
    assert outcome.restarted and not outcome.target_changed
    assert iterations(runs) == [0, 0]
    assert runs.epoch == 2
    assert not runs.can_restore  # the good states belonged to the old runs


def test_a_new_target_keeps_training_under_a_new_target_epoch():
    runs = two_runs()
    runs.step(steps.BOTH)
    outcome = runs.apply_configs((small_config("grid25"), small_config("grid25")))
    assert outcome.target_changed and not outcome.restarted
    assert iterations(runs) == [1, 1]
    assert (runs.epoch, runs.target_epoch) == (1, 2)


def test_settings_that_cannot_be_applied_say_why_and_keep_the_runs():
    runs = two_runs()
    runs.step(steps.BOTH)
    broken = small_config("ring8")
    broken.training.device = "no-such-device"
    outcome = runs.apply_configs((broken,))
    assert outcome.error.startswith("could not apply the settings:")
    assert not outcome.restarted
    assert iterations(runs) == [1, 1]


def test_reset_and_restore():
    runs = two_runs()
    assert not runs.restore_last_good()  # no good state yet
    runs.step(steps.BOTH)
    for run in runs.runs:
        run.checkpoint()
    runs.step(steps.BOTH)
    assert runs.restore_last_good()
    assert iterations(runs) == [1, 1]
    runs.reset()
    assert iterations(runs) == [0, 0]
    assert runs.epoch == 2
    assert not runs.can_restore


def test_a_vae_beside_a_gan_steps_in_lockstep_and_switching_family_restarts_both():
    runs = LockstepRuns(display_samples=32)
    vae = small_config("ring8").merged({"model": {"family": "vae"}}).validate()
    assert runs.apply_configs((small_config("ring8"), vae)).restarted
    assert [trainer.model_family for trainer in runs.trainers] == ["gan", "vae"]
    for _ in range(3):
        runs.step(steps.BOTH)
    runs.step(steps.DISCRIMINATOR_HALF)  # the VAE has no discriminator: nothing to do
    assert iterations(runs) == [3, 3]
    assert [t.generator_updates for t in runs.trainers] == [3, 3]
    assert runs.trainers[1].critic_updates == 0
    epoch = runs.epoch
    outcome = runs.apply_configs((small_config("ring8"), small_config("ring8")))
    assert outcome.restarted and runs.epoch == epoch + 1
    assert [trainer.model_family for trainer in runs.trainers] == ["gan", "gan"]
    assert iterations(runs) == [0, 0]
