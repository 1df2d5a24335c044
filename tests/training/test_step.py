"""The phase a frame shows: what was updated since the previous frame."""

from __future__ import annotations

from ganlab.training import step as steps


def test_the_phase_names_what_was_updated_since_the_last_frame():
    phases = steps.Phases()
    assert phases.take() == "idle"
    phases.stepped(steps.DISCRIMINATOR_HALF)
    assert phases.take() == "discriminator"
    phases.stepped(steps.GENERATOR)
    assert phases.take() == "generator"
    phases.stepped(steps.DISCRIMINATOR)
    phases.stepped(steps.GENERATOR)
    assert phases.take() == "both"
    phases.stepped(steps.BOTH)
    phases.clear()
    assert phases.take() == "idle"
