"""An image run's interpolation row and latent arithmetic: at full speed drawn on the field
thread from the copy of the weights its pictures come from (the training thread calls no G for
them), equal to G on the path; paused, drawn at once."""

from __future__ import annotations

import threading
import time

import numpy as np

from ganlab.core.generator_curves import arithmetic_images, interpolation_path
from ganlab.core.snapshot import SnapshotRequest
from ganlab.training.field_thread import FieldThread
from ganlab.training.frame_slot import FrameSlot
from ganlab.training.latent_curves import INTERPOLATION_IMAGES
from ganlab.training.network_copy import NetworkCopier
from ganlab.training.pending_changes import Interpolation, LatentArithmetic, PendingChanges
from ganlab.training.run import Run
from ganlab.training.run_frames import take_run_frames
from ganlab.training.worker import TrainingWorker
from tests.image_configs import tiny_image_config

NO_FIELDS = SnapshotRequest(critic=False, optimal_discriminator=False, target_density=False,
                            gradients=False, manifold=False)


def request(dim: int = 8, label: int = 3) -> Interpolation:
    rng = np.random.default_rng(1)
    a, b, c, start, end = rng.standard_normal((5, dim)).astype(np.float32)
    return Interpolation(start, end, label=label, spherical=True,
                         arithmetic=LatentArithmetic(a, b, c, labels=(1, 2, 5)))


def conditional_run() -> Run:
    run = Run(tiny_image_config(conditional=True), display_samples=64)
    run.trainer.train(3)
    return run


def frame(run, thread, interpolation):
    frames, failed = take_run_frames([run], NO_FIELDS, full_check=False, metrics={}, epoch=0,
                                     interpolation=interpolation, field_thread=thread,
                                     shown=NO_FIELDS)
    assert not failed
    return frames[0]


def assert_curves_of(run_frame, source, interpolation):
    expected_path = interpolation_path(source, interpolation.start, interpolation.end,
                                       INTERPOLATION_IMAGES, interpolation.label,
                                       interpolation.spherical)
    terms = interpolation.arithmetic
    expected_sums = arithmetic_images(source, terms.a, terms.b, terms.c, terms.labels)
    assert run_frame.interpolation_path.shape == (INTERPOLATION_IMAGES, 1, 8, 8)
    assert np.array_equal(run_frame.interpolation_path, expected_path)
    assert np.array_equal(run_frame.arithmetic_images, expected_sums)


def test_at_full_speed_the_row_comes_from_the_field_thread_with_the_pictures_weights():
    run = conditional_run()
    trainer = run.trainer
    on_training_thread = []  # G's batch sizes run on this (the training) thread
    trainer.data_generator.register_forward_hook(
        lambda module, inputs, output: on_training_thread.append(len(output))
        if threading.current_thread() is threading.main_thread() else None)
    interpolation = request()
    thread = FieldThread()
    thread.start()
    try:
        copies = []
        for sequence in range(4):
            copies.append((trainer.iteration, NetworkCopier().take(trainer)))
            on_training_thread.clear()
            run_frame = frame(run, thread, interpolation)
            if sequence:  # the first frame draws inline; later ones take the thread's work
                assert on_training_thread == []
            iteration, networks = copies[max(sequence - 1, 0)]
            assert run_frame.interpolation_iteration == iteration
            assert run_frame.snapshot.images_iteration == iteration
            assert_curves_of(run_frame, networks.load(), interpolation)
            assert thread.wait_idle(30.0)
            trainer.train(2)
        assert thread.pictures_inline == 1
    finally:
        thread.stop()


def test_a_new_request_shows_from_the_next_job_and_a_cleared_one_at_once():
    run = conditional_run()
    thread = FieldThread()
    thread.start()
    try:
        first = frame(run, thread, None)
        assert first.interpolation_path is None and first.interpolation_iteration is None
        assert thread.wait_idle(30.0)
        interpolation = request()
        networks = NetworkCopier().take(run.trainer)
        pending = frame(run, thread, interpolation)  # its pictures were drawn without it
        assert pending.interpolation_path is None and pending.arithmetic_images is None
        assert thread.wait_idle(30.0)
        run.trainer.train(1)
        shown = frame(run, thread, interpolation)
        assert_curves_of(shown, networks.load(), interpolation)
        assert thread.wait_idle(30.0)
        cleared = frame(run, thread, None)
        assert cleared.interpolation_path is None and cleared.arithmetic_images is None
    finally:
        thread.stop()


def test_a_request_set_while_paused_shows_in_the_next_frame():
    pending = PendingChanges((tiny_image_config(conditional=True),))
    slot = FrameSlot()
    worker = TrainingWorker(pending, slot)
    worker.start()
    try:
        interpolation = request()
        pending.set_interpolation(interpolation)
        deadline = time.perf_counter() + 20
        shown = None
        while time.perf_counter() < deadline and shown is None:
            published = slot.take()
            if published is not None and published.runs[0].interpolation_path is not None:
                shown = published.runs[0]
            time.sleep(0.02)
        assert shown is not None and shown.interpolation_iteration == 0
        assert not worker.runs[0].trainer.iteration  # paused: nothing trained
        assert_curves_of(shown, worker.runs[0].trainer, interpolation)
    finally:
        assert worker.stop(2.0)
