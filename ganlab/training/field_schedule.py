"""Which fields a published frame carries.

Paused, in slow motion, or after any change, a frame carries every field the views show. At full
speed each frame carries one group in turn, so each field arrives ~8 times a second and the cost
of computing the fields (worker) and of drawing what changed (GUI) is spread evenly over the
frames instead of landing on every fourth one. Where the fields are computed on the field
thread (`field_thread.py`), that thread takes the groups in turn itself (`next_group`): a job it
never started (replaced by a newer one) then skips no group, and it computes a group no more
often than `min_interval` allows (`next_due_group`): D(x) and the gradient arrows stay live,
D* (the costliest field, and one that moves only as G does) and the manifold refresh slower.
"""

from __future__ import annotations

from dataclasses import replace

from ganlab.core.snapshot import SnapshotRequest
from ganlab.training.pending_changes import ViewRequest

FIELD_GROUPS = (("critic",), ("optimal_discriminator", "target_density"), ("gradients",),
                ("manifold",))
ALL_FIELDS = tuple(name for group in FIELD_GROUPS for name in group)

#: the least time in seconds between two computations of a group on the field thread, by its
#: first field. At ~27 frames a second each group came ~7 times a second; D* (G of 4,096 z and
#: two kernel sums, ~14 ms) was half of that thread's work, and numeric work on the other core
#: slows training (the 2 cores share caches). D(x) and the arrows keep ~8 updates a second; D*
#: as a boundary over D(x) 2 (a heatmap of its own: 5), the manifold 4.
MIN_INTERVALS = {"critic": 1 / 8, "optimal_discriminator": 1 / 2, "gradients": 1 / 8,
                 "manifold": 1 / 4}
OPTIMAL_HEATMAP_INTERVAL = 1 / 5  # D* drawn as the heatmap (D(x) hidden)
NO_INTERVALS: dict[str, float] = {}  # every group whenever asked (tests)


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


def min_interval(group: tuple[str, ...], shown: SnapshotRequest,
                 intervals: dict[str, float] = MIN_INTERVALS) -> float:
    """The least time between two computations of `group` (see `MIN_INTERVALS`)."""
    if group[0] == "optimal_discriminator" and not shown.critic and intervals:
        return min(intervals.get(group[0], 0.0), OPTIMAL_HEATMAP_INTERVAL)
    return intervals.get(group[0], 0.0)


def next_due_group(shown: SnapshotRequest, turn: int, last: dict[int, float], now: float,
                   intervals: dict[str, float] = MIN_INTERVALS
                   ) -> tuple[SnapshotRequest, int, int] | None:
    """Like `next_group`, among the groups also due at time `now`: `last` maps a group's index
    in `FIELD_GROUPS` to when it was last computed (never: due). Returns (request, the turn
    after it, the group's index), or None when no shown group is due."""
    for offset in range(len(FIELD_GROUPS)):
        index = (turn + offset) % len(FIELD_GROUPS)
        group = FIELD_GROUPS[index]
        if not any(getattr(shown, name) for name in group):
            continue
        if index in last and now - last[index] < min_interval(group, shown, intervals):
            continue
        return (replace(shown, **{name: getattr(shown, name) and name in group
                                  for name in ALL_FIELDS}), turn + offset + 1, index)
    return None
