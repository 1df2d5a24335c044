"""Which fields a published frame carries.

Paused, in slow motion, or after any change, a frame carries every field the views show. At full
speed each frame carries one group in turn, so each field arrives ~8 times a second and the cost
of computing the fields (worker) and of drawing what changed (GUI) is spread evenly over the
frames instead of landing on every fourth one. Where the fields are computed on the field
thread (`field_thread.py`), that thread takes the groups in turn itself (`next_group`): a job it
never started (replaced by a newer one) then skips no group.
"""

from __future__ import annotations

from dataclasses import replace

from ganlab.core.snapshot import SnapshotRequest
from ganlab.training.pending_changes import ViewRequest

FIELD_GROUPS = (("critic",), ("optimal_discriminator", "target_density"), ("gradients",),
                ("manifold",))
ALL_FIELDS = tuple(name for group in FIELD_GROUPS for name in group)


def fields_for_frame(view: ViewRequest, sequence: int, full_speed: bool) -> SnapshotRequest:
    """The snapshot request for frame number `sequence` (metrics are evaluated elsewhere)."""
    group = FIELD_GROUPS[sequence % len(FIELD_GROUPS)] if full_speed else ALL_FIELDS
    return SnapshotRequest(
        resolution=view.resolution,
        metrics=False,
        **{name: getattr(view, name) and name in group for name in ALL_FIELDS},
    )


def full_check_due(sequence: int, full_speed: bool) -> bool:
    """Whether this frame also checks every weight for NaN (~1 ms): once per round of groups."""
    return not full_speed or sequence % len(FIELD_GROUPS) == 0


def next_group(shown: SnapshotRequest, turn: int) -> tuple[SnapshotRequest, int]:
    """The request for the first group at or after `turn` (counting round the groups) with a
    field `shown` asks for, and the turn after it; no field at all if none is shown."""
    for offset in range(len(FIELD_GROUPS)):
        group = FIELD_GROUPS[(turn + offset) % len(FIELD_GROUPS)]
        if any(getattr(shown, name) for name in group):
            return (replace(shown, **{name: getattr(shown, name) and name in group
                                      for name in ALL_FIELDS}), turn + offset + 1)
    return replace(shown, **dict.fromkeys(ALL_FIELDS, False)), turn


def without_fields(request: SnapshotRequest) -> SnapshotRequest:
    """`request` asking for no field (the rest of the snapshot only)."""
    return replace(request, **dict.fromkeys(ALL_FIELDS, False))
