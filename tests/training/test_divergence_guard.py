"""What a non-finite frame means and when a good state is kept, without a worker."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ganlab.core.config import RunConfig
from ganlab.training.divergence_guard import CHECKPOINT_INTERVAL_S, DivergenceGuard


def run_frame(discriminator_loss: float, iteration: int = 7) -> SimpleNamespace:
    """The parts of a `RunFrame` the failure text reads."""
    snapshot = SimpleNamespace(iteration=iteration, fake=np.zeros((4, 2)),
                               discriminator_loss=discriminator_loss, generator_loss=0.5)
    return SimpleNamespace(snapshot=snapshot, config=RunConfig())


def test_good_states_are_kept_every_interval_while_everything_is_finite():
    guard = DivergenceGuard()
    frames = [run_frame(0.7)]
    assert guard.observe(frames, [], now=10.0)
    assert not guard.observe(frames, [], now=10.0 + CHECKPOINT_INTERVAL_S / 2)
    assert guard.observe(frames, [], now=10.0 + CHECKPOINT_INTERVAL_S)
    assert not guard.failed


def test_a_nan_pauses_with_a_message_and_keeps_no_state_until_cleared():
    guard = DivergenceGuard()
    frames = [run_frame(0.7), run_frame(float("nan"), iteration=9)]
    assert not guard.observe(frames, [1], now=10.0)
    assert guard.failed
    assert guard.failed_runs == (1,)
    assert guard.failure.startswith("Run B: the discriminator loss became NaN or infinite at "
                                    "iteration 9")
    first = guard.failure
    both_bad = [run_frame(float("nan")), run_frame(float("nan"))]
    assert not guard.observe(both_bad, [0, 1], now=20.0)
    assert guard.failure == first  # the first failure is the one explained
    assert guard.failed_runs == (1,)
    guard.clear()
    assert not guard.failed
    assert guard.failed_runs == ()
    assert guard.observe([run_frame(0.7)], [], now=30.0)
