"""When the travelling interpolation point moves, and where to, on a clock moved by hand."""

from __future__ import annotations

import pytest

from ganlab.app.interpolation_animation import (
    ANIMATION_PERIOD_S,
    ANIMATION_STEP_S,
    FRAME_CARRIES_ANIMATION_S,
    InterpolationAnimation,
)
from tests.training.fake_clock import FakeClock


def animation(shown=True, running=False):
    clock = FakeClock(1000.0)
    moves: list[float] = []
    state = {"shown": shown, "running": running}
    anim = InterpolationAnimation(moves.append, shown=lambda: state["shown"],
                                  running=lambda: state["running"], clock=clock)
    return anim, clock, moves, state


def test_the_point_goes_there_and_back_once_per_period():
    anim, clock, moves, _ = animation()
    for _ in range(3):  # a quarter, a half, three quarters of the period
        clock.advance(ANIMATION_PERIOD_S / 4)
        anim.tick()
    assert moves == pytest.approx([0.5, 1.0, 0.5])


def test_ticks_closer_than_a_step_move_nothing():
    anim, clock, moves, _ = animation()
    clock.advance(1.0)
    anim.tick()
    clock.advance(ANIMATION_STEP_S / 2)
    anim.tick()
    assert len(moves) == 1


def test_while_frames_arrive_the_point_moves_with_them_only():
    anim, clock, moves, _ = animation(running=True)
    clock.advance(1.0)
    anim.frame_shown()
    assert len(moves) == 1
    clock.advance(FRAME_CARRIES_ANIMATION_S / 2)
    anim.tick()  # the next frame will carry it
    assert len(moves) == 1
    clock.advance(FRAME_CARRIES_ANIMATION_S)
    anim.tick()  # frames stopped coming: the tick moves it
    assert len(moves) == 2


def test_no_move_when_paused_by_the_user_or_the_layer_is_off():
    anim, clock, moves, state = animation()
    anim.set_animating(False)
    clock.advance(1.0)
    anim.tick()
    anim.frame_shown()
    anim.set_animating(True)
    state["shown"] = False
    clock.advance(1.0)
    anim.tick()
    anim.frame_shown()
    assert moves == []
