"""At full speed the frames take turns carrying the fields; otherwise every frame has all."""

from ganlab.training.field_schedule import FIELD_GROUPS, fields_for_frame, full_check_due
from ganlab.training.pending_changes import ViewRequest

EVERY_LAYER = ViewRequest(critic=True, optimal_discriminator=True, target_density=True,
                          gradients=True, manifold=True, resolution=48)
NAMES = ("critic", "optimal_discriminator", "target_density", "gradients", "manifold")


def carried(request) -> set[str]:
    return {name for name in NAMES if getattr(request, name)}


def test_full_speed_frames_carry_one_group_each_in_turn():
    rounds = [carried(fields_for_frame(EVERY_LAYER, sequence, full_speed=True))
              for sequence in range(8)]
    assert rounds[:4] == [set(group) for group in FIELD_GROUPS]
    assert rounds[4:] == rounds[:4]
    assert set().union(*rounds[:4]) == set(NAMES)  # every field once per round
    assert [full_check_due(sequence, True) for sequence in range(5)] == [True, False, False,
                                                                          False, True]


def test_other_frames_carry_every_shown_field_and_never_hidden_ones():
    request = fields_for_frame(EVERY_LAYER, 3, full_speed=False)
    assert carried(request) == set(NAMES)
    assert request.resolution == 48 and not request.metrics
    assert full_check_due(3, False)
    hidden = ViewRequest(critic=True, optimal_discriminator=False, target_density=False,
                         gradients=False, manifold=False)
    assert carried(fields_for_frame(hidden, 1, full_speed=False)) == {"critic"}
    assert carried(fields_for_frame(hidden, 1, full_speed=True)) == set()
