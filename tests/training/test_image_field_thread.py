"""An image run's pictures off the training thread: the same numbers as inline for the same
weights, carried by the next full-speed frame with the iteration of their weights."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab.core import image_snapshot
from ganlab.core.snapshot import SnapshotRequest
from ganlab.training.field_thread import MAX_PICTURES_AGE_S, FieldThread
from ganlab.training.network_copy import NetworkCopier, can_copy_images
from ganlab.training.run import Run
from ganlab.training.run_frames import take_run_frames
from tests.image_configs import tiny_image_config

PICTURES = ("fake", "real_scores", "fake_scores", "nearest_real", "nearest_distance",
            "nearest_labels")
NO_FIELDS = SnapshotRequest(critic=False, optimal_discriminator=False, target_density=False,
                            gradients=False, manifold=False)


def image_run(conditional: bool = False, ema: float | None = None) -> Run:
    config = tiny_image_config(conditional=conditional)
    if ema is not None:
        config.training.generator_ema = ema
    run = Run(config.validate(), display_samples=64)
    run.trainer.train(3)
    return run


def assert_same_pictures(actual: dict, expected: dict) -> None:
    for name in PICTURES:
        a, b = actual.get(name), expected.get(name)
        assert (a is None) == (b is None), name
        if b is not None:
            assert np.array_equal(a, b), name


@pytest.mark.parametrize(("conditional", "ema"), [(False, 0.99), (True, None)])
def test_pictures_from_a_copy_equal_the_inline_ones_for_the_same_weights(conditional, ema):
    run = image_run(conditional, ema)
    trainer = run.trainer
    assert can_copy_images(trainer)
    inputs = run.snapshotter.image_inputs()
    networks = NetworkCopier().take(trainer)  # before the inline pass, as the worker does
    inline = image_snapshot.image_parts(trainer, *inputs)
    assert inline["fake_scores"].shape == (len(inline["fake"]),)
    trainer.train(2)  # the copy keeps the weights it was taken with
    assert_same_pictures(image_snapshot.image_parts(networks.load(), *inputs), inline)
    assert not np.array_equal(image_snapshot.image_parts(trainer, *inputs)["fake"],
                              inline["fake"])


def test_full_speed_frames_carry_the_pictures_of_the_previous_frames_weights():
    run = image_run(ema=0.99)
    trainer = run.trainer
    thread = FieldThread()
    thread.start()
    try:
        expected = []
        for sequence in range(4):
            expected.append((trainer.iteration, NetworkCopier().take(trainer)))
            frames, failed = take_run_frames(
                [run], NO_FIELDS, full_check=False, metrics={}, epoch=0, interpolation=None,
                field_thread=thread, shown=NO_FIELDS)
            assert not failed
            snapshot = frames[0].snapshot
            shown = {name: getattr(snapshot, name) for name in PICTURES}
            # the first frame computes inline; later ones carry the previous frame's weights
            iteration, networks = expected[max(sequence - 1, 0)]
            assert snapshot.images_iteration == iteration
            assert snapshot.iteration == trainer.iteration
            assert_same_pictures(shown, image_snapshot.image_parts(
                networks.load(), *run.snapshotter.image_inputs()))
            assert thread.wait_idle(30.0)
            trainer.train(2)
        assert thread.computed == 4
    finally:
        thread.stop()


def test_after_a_discard_the_next_frame_computes_its_pictures_inline():
    run = image_run()
    thread = FieldThread()
    thread.start()
    try:
        def frame():
            frames, _ = take_run_frames([run], NO_FIELDS, full_check=False, metrics={},
                                        epoch=0, interpolation=None, field_thread=thread,
                                        shown=NO_FIELDS)
            return frames[0].snapshot

        frame()
        assert thread.wait_idle(30.0)
        run.trainer.train(1)
        thread.discard()  # a change: what was computed belongs to the weights before it
        assert frame().images_iteration == run.trainer.iteration
    finally:
        thread.stop()


def test_a_starved_thread_leaves_the_pictures_at_most_a_quarter_second_old():
    run = image_run()
    trainer = run.trainer
    now = [0.0]
    thread = FieldThread(clock=lambda: now[0])  # never started: no job is ever computed
    seen = []
    for t in (0.0, 0.1, 0.2, 0.3, 0.4):
        now[0] = t
        frames, _ = take_run_frames([run], NO_FIELDS, full_check=False, metrics={}, epoch=0,
                                    interpolation=None, field_thread=thread, shown=NO_FIELDS)
        seen.append(frames[0].snapshot.images_iteration)
        trainer.train(1)
    first = seen[0]
    assert seen == [first, first, first, first + 3, first + 3]  # inline at 0 and 0.3 s only
    assert thread.pictures_inline == 2 and thread.pending() == 1  # the newest job waits
    assert MAX_PICTURES_AGE_S == 0.25
