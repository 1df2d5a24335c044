"""Which fields a published frame carries.

Paused, in slow motion, or after any change, a frame carries every field the views show. At full
speed each frame carries one group in turn, so each field arrives ~8 times a second and the cost
of computing the fields (worker) and of drawing what changed (GUI) is spread evenly over the
frames instead of landing on every fourth one.
"""

from __future__ import annotations

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
