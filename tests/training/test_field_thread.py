"""Fields off the training thread: the same numbers as inline for the same weights, one group per
job in turn, latest-only jobs, nothing stale after a change."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab.core.objectives import get_objective
from ganlab.core.snapshot import FIELD_NAMES, SnapshotRequest, field_parts
from ganlab.training.field_schedule import (
    FIELD_GROUPS,
    MIN_INTERVALS,
    NO_INTERVALS,
    next_due_group,
    next_group,
    without_fields,
)
from ganlab.training.field_thread import MAX_FIELDS_AGE_S, FieldJob, FieldThread
from ganlab.training.network_copy import NetworkCopier, can_copy
from ganlab.training.run import Run
from ganlab.training.run_frames import take_run_frames
from tests.training.conftest import small_config

EVERY_FIELD = SnapshotRequest(resolution=24)


def trained_run(target: str = "grid25", steps: int = 30, **training) -> Run:
    config = small_config(target)
    for name, value in training.items():
        setattr(config.training, name, value)
    run = Run(config.validate(), display_samples=64)
    run.trainer.train(steps)
    return run


def assert_same_fields(actual: dict, expected: dict) -> None:
    assert set(actual) == set(expected)
    for name, value in expected.items():
        if name == "manifold":
            assert all(np.array_equal(a, b) for a, b in zip(actual[name], value, strict=True))
        else:
            assert np.array_equal(actual[name], value, equal_nan=True), name


@pytest.mark.parametrize("training", [{}, {"generator_ema": 0.99}])
def test_fields_from_a_copy_equal_the_inline_ones_for_the_same_weights(training):
    run = trained_run(**training)
    trainer = run.trainer
    assert can_copy(trainer)
    box, latent, density_latent = run.snapshotter.field_inputs(EVERY_FIELD)
    inline = field_parts(trainer, EVERY_FIELD, box, latent, density_latent)
    assert set(inline) == set(FIELD_NAMES)
    assert np.isfinite(inline["critic"]).all() and np.nanmax(inline["optimal_discriminator"]) > 0
    networks = NetworkCopier().take(trainer)
    trainer.train(5)  # the copy keeps the weights it was taken with
    assert_same_fields(field_parts(networks.load(), EVERY_FIELD, box, latent, density_latent),
                       inline)
    assert not np.array_equal(field_parts(trainer, EVERY_FIELD, box, latent,
                                          density_latent)["critic"], inline["critic"])


def test_only_runs_whose_fields_read_nothing_but_the_networks_are_copied():
    run = trained_run(steps=0)
    run.trainer.objective = get_objective("mmd")
    assert not can_copy(run.trainer)  # the witness draws from the evaluation stream


def test_the_thread_takes_the_shown_groups_in_turn():
    turns, turn = [], 0
    for _ in range(5):
        request, turn = next_group(EVERY_FIELD, turn)
        turns.append({name for name in FIELD_NAMES if getattr(request, name)})
    assert turns[:4] == [set(group) for group in FIELD_GROUPS] and turns[4] == turns[0]
    shown = SnapshotRequest(optimal_discriminator=False, target_density=False, manifold=False)
    picked, turn = [], 0
    for _ in range(3):
        request, turn = next_group(shown, turn)
        picked.append({name for name in FIELD_NAMES if getattr(request, name)})
    assert picked == [{"critic"}, {"gradients"}, {"critic"}]
    none, same = next_group(without_fields(EVERY_FIELD), 7)
    assert same == 7 and not any(getattr(none, name) for name in FIELD_NAMES)


def computed_per_second(shown: SnapshotRequest, fps: float = 27.0, seconds: float = 4.0
                        ) -> dict[str, float]:
    """How often each group is computed when a job arrives every frame at `fps`."""
    counts, last, turn = dict.fromkeys((group[0] for group in FIELD_GROUPS), 0), {}, 0
    for frame in range(int(fps * seconds)):
        due = next_due_group(shown, turn, last, frame / fps)
        if due is not None:
            _, turn, index = due
            last[index] = frame / fps
            counts[FIELD_GROUPS[index][0]] += 1
    return {name: count / seconds for name, count in counts.items()}


def test_d_star_and_the_manifold_refresh_slower_than_d_and_the_arrows():
    rates = computed_per_second(EVERY_FIELD)
    # a group is due again once its interval has passed, at the next frame (1/27 s grain)
    for name, interval in MIN_INTERVALS.items():
        assert 1 / (interval + 1 / 27) - 0.5 <= rates[name] <= 1 / interval + 0.25, name
    assert rates["critic"] >= 6.5 and rates["gradients"] >= 6.5  # D(x) stays live
    assert rates["optimal_discriminator"] <= 2.25 and rates["manifold"] <= 4.25
    # D* as the heatmap itself (D(x) hidden) refreshes 5 times a second at most
    alone = computed_per_second(SnapshotRequest(critic=False, gradients=False, manifold=False))
    assert 4.0 <= alone["optimal_discriminator"] <= 5.25 and alone["critic"] == 0
    # a job with nothing due yet computes nothing; one never computed is due at once
    assert next_due_group(EVERY_FIELD, 0, {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0}, 1.05) is None
    request, turn, index = next_due_group(EVERY_FIELD, 0, {0: 1.0, 2: 1.0}, 1.05)
    assert (index, turn) == (1, 2) and request.optimal_discriminator and not request.critic


def job(run: Run, thread: FieldThread, key: tuple = ("k",)) -> FieldJob:
    box, latent, density_latent = run.snapshotter.field_inputs(EVERY_FIELD)
    return FieldJob(0, thread.generation, key, EVERY_FIELD, box, latent, density_latent,
                    NetworkCopier().take(run.trainer))


def test_jobs_are_latest_only_and_results_are_taken_once_for_their_key():
    run = trained_run()
    thread = FieldThread()  # not started: jobs wait
    for _ in range(3):
        thread.submit(job(run, thread))
    assert thread.pending() == 1 and thread.replaced == 2
    thread.start()
    try:
        assert thread.wait_idle(30.0)
        assert thread.computed == 1
        assert thread.take(0, ("other key",)) == {}  # asked for something else: dropped
        thread.submit(job(run, thread))
        assert thread.wait_idle(30.0)
        parts = thread.take(0, ("k",))
        assert set(parts) == set(FIELD_GROUPS[1])  # the second group in turn
        assert thread.take(0, ("k",)) == {}
        thread.submit(job(run, thread))
        assert thread.wait_idle(30.0)
        thread.discard()  # a change: what was computed before it is stale
        assert thread.take(0, ("k",)) == {}
        stale = job(run, thread)
        thread.discard()
        thread.submit(stale)  # submitted for an older generation: never computed
        assert thread.pending() == 0
    finally:
        thread.stop()
    assert not thread.is_alive()


def test_the_thread_drops_a_job_when_no_shown_group_is_due():
    run = trained_run()
    now = [0.0]
    thread = FieldThread(clock=lambda: now[0])
    thread.start()
    try:
        for _ in range(len(FIELD_GROUPS)):  # every group once, at time 0
            thread.submit(job(run, thread))
            assert thread.wait_idle(30.0)
        assert thread.computed == 4 and thread.not_due == 0
        thread.take(0, ("k",))
        now[0] = 0.2  # D(x) and the arrows are due again, D* and the manifold are not
        for _ in range(3):
            thread.submit(job(run, thread))
            assert thread.wait_idle(30.0)
        assert thread.computed == 6 and thread.not_due == 1
        assert set(thread.take(0, ("k",))) == {"critic", "gradients"}
    finally:
        thread.stop()


def test_full_speed_frames_carry_the_fields_of_the_weights_one_frame_earlier():
    run = trained_run()
    trainer = run.trainer
    thread = FieldThread(min_intervals=NO_INTERVALS)  # every group in turn, however fast
    thread.start()
    shown = EVERY_FIELD
    try:
        expected = []
        for sequence in range(5):
            box, latent, density_latent = run.snapshotter.field_inputs(shown)
            group, _ = next_group(shown, sequence)
            expected.append(field_parts(trainer, group, box, latent, density_latent))
            frames, failed = take_run_frames(
                [run], without_fields(shown), full_check=False, metrics={}, epoch=0,
                interpolation=None, field_thread=thread, shown=shown)
            assert not failed
            snapshot = frames[0].snapshot
            carried = {name: getattr(snapshot, name) for name in FIELD_NAMES
                       if getattr(snapshot, name) is not None}
            if sequence == 0:
                assert carried == {}  # nothing computed yet
            else:
                assert_same_fields(carried, expected[sequence - 1])
            assert snapshot.fake.shape == (64, 2) and snapshot.iteration == trainer.iteration
            assert thread.wait_idle(30.0)
            trainer.train(2)
    finally:
        thread.stop()


def test_a_run_that_cannot_be_copied_gets_its_fields_inline_in_the_same_frame():
    run = trained_run(steps=5)
    run.trainer.objective = get_objective("mmd")
    thread = FieldThread()  # never started: nothing may be handed to it
    request = SnapshotRequest(resolution=24, critic=True, optimal_discriminator=False,
                              target_density=False, gradients=False, manifold=False)
    frames, _ = take_run_frames([run], request, full_check=False, metrics={}, epoch=0,
                                interpolation=None, field_thread=thread, shown=EVERY_FIELD)
    assert frames[0].snapshot.critic.shape == (24, 24) and thread.pending() == 0


def test_a_starved_thread_leaves_no_field_older_than_a_second():
    """A thread that never runs (a loaded machine): the frame computes
    every shown field inline once no fields came for `MAX_FIELDS_AGE_S`, with the numbers the
    inline path gives for the weights of that frame."""
    run = trained_run()
    trainer = run.trainer
    now = [0.0]
    thread = FieldThread(clock=lambda: now[0])  # never started: no job is ever computed
    shown = EVERY_FIELD
    carried = []
    for t in (0.0, 0.5, 1.0, 1.2, 1.6, 2.1, 2.3):
        now[0] = t
        frames, _ = take_run_frames([run], without_fields(shown), full_check=False, metrics={},
                                    epoch=0, interpolation=None, field_thread=thread, shown=shown)
        snapshot = frames[0].snapshot
        fields = {name for name in FIELD_NAMES if getattr(snapshot, name) is not None}
        carried.append(fields)
        if fields:
            box, latent, density_latent = run.snapshotter.field_inputs(shown)
            assert_same_fields({name: getattr(snapshot, name) for name in fields},
                               field_parts(trainer, shown, box, latent, density_latent))
        trainer.train(1)
    every = set(FIELD_NAMES)
    assert carried == [set(), set(), set(), every, set(), set(), every]  # at 1.2 s and 2.3 s
    assert thread.fields_inline == 2 and thread.pending() == 1  # the newest job still waits
    assert MAX_FIELDS_AGE_S == 1.0
